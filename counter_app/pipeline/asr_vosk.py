"""Vosk streaming recognizer, with an optional phrase mode.

Open vocabulary: partials while audio streams in, a final at each Vosk
endpoint (or at `finish()`, the push-to-talk release).

Phrase mode restricts recognition to given sentences; its matching lives in
`vosk_phrases` (a final is a verified phrase only when it clearly is that
phrase, else unverified open-vocabulary text with phrase_id None).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Container, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from counter_app import languages
from counter_app.errors import AudioFormatError, EngineUnavailableError, ModelLoadError
from counter_app.events import AudioChunk, Transcript, Word
from counter_app.pipeline.base import ASR_RATE, Phrases, Recognizer, RecognizerSession
from counter_app.pipeline.vosk_vocabulary import WordSet, model_vocabulary

log = logging.getLogger(__name__)

_CJK_GAP = re.compile(r"(?<=[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]) "
                      r"(?=[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff])")
_CHUNK = re.compile(r"\w+")
_NON_WORD = re.compile(r"[\W_]+")


_NOISE_TOKEN = re.compile(r"^\[\w*\]$|^<\w+>$")  # e.g. "[25]", "<UNK>" in small models


def display_text(text: str, language: str) -> str:
    """Vosk joins word units with spaces; unspaced scripts (Japanese, Chinese) use
    none.  Non-word tokens some models emit ("[25]", "<UNK>") are dropped."""
    text = " ".join(word for word in text.split() if not _NOISE_TOKEN.match(word))
    if not languages.is_spaced(language):
        text = _CJK_GAP.sub("", text)
    return text


def segment(chunk: str, vocabulary: Container[str], longest: int = 12) -> list[str] | None:
    """Split one space-free chunk into vocabulary words: fewest words, then the
    longest first words ("도장을" -> 도장 을, not 도 장을).  None if impossible."""
    n = len(chunk)
    # best[i] = (word count, negated word lengths, words) for chunk[i:]
    best: list[tuple[int, tuple[int, ...], list[str]] | None] = [None] * (n + 1)
    best[n] = (0, (), [])
    for i in range(n - 1, -1, -1):
        options = [(rest[0] + 1, (i - j, *rest[1]), [chunk[i:j], *rest[2]])
                   for j in range(min(n, i + longest), i, -1)
                   if (rest := best[j]) is not None and chunk[i:j] in vocabulary]
        if options:
            best[i] = min(options, key=lambda option: option[:2])
    return best[0][2] if best[0] else None


@dataclass(frozen=True, slots=True)
class Phrase:
    id: str
    text: str  # as given, shown and translated
    units: tuple[str, ...]  # the model's word units
    missing: tuple[str, ...] = ()  # chunks the vocabulary cannot spell

    @property
    def key(self) -> str:
        return _NON_WORD.sub("", self.text)


def _numbered(phrases: Phrases) -> list[tuple[str, str]]:
    if isinstance(phrases, Mapping):
        return [(str(key), text) for key, text in phrases.items()]
    return [(str(index), text) for index, text in enumerate(phrases)]


def undithered_copy(model_path: Path, folder: Path) -> Path:
    """The model with Kaldi's input dither off: links to its files, its own conf/.

    Kaldi adds random noise to each frame before the MFCCs (dither 1.0 unless
    mfcc.conf says otherwise), drawn from the process-wide rand(): the same audio
    decodes differently depending on what was decoded before and on other threads.
    Without dither, results repeat exactly, so tests and benchmarks can compare
    two code paths on the same audio."""
    folder.mkdir(parents=True, exist_ok=True)
    for entry in model_path.iterdir():
        if entry.name != "conf" and not (folder / entry.name).exists():
            (folder / entry.name).symlink_to(entry.resolve())
    (folder / "conf").mkdir(exist_ok=True)
    for conf in (model_path / "conf").iterdir():
        text = conf.read_text(encoding="utf-8")
        if conf.name == "mfcc.conf":
            text = "".join(line + "\n" for line in text.splitlines()
                           if not line.startswith("--dither")) + "--dither=0\n"
        (folder / "conf" / conf.name).write_text(text, encoding="utf-8")
    return folder


# --- recognizer -----------------------------------------------------------------------

class VoskRecognizer(Recognizer):
    engine = "vosk"
    # Word timings in partials make Vosk wait for its lattice: the first partial came
    # 2.0-3.5 s after speech began instead of ~1 s (bench/vosk_latency.py).  Nothing
    # reads partial word timings; finals keep theirs (SetWords).
    partial_words = False

    def __init__(self, model_path: str | Path, language: str):
        try:
            import vosk
        except ImportError as exc:
            raise EngineUnavailableError(
                "The Vosk speech recognizer is not installed. Install it with: pip install vosk"
            ) from exc
        self.model_path = Path(model_path)
        self.language = language
        if not (self.model_path / "am" / "final.mdl").exists():
            raise ModelLoadError(f"{self.model_path} is not a Vosk model folder "
                                 "(am/final.mdl is missing).")
        vosk.SetLogLevel(-1)
        started = time.perf_counter()
        try:
            self._model = vosk.Model(str(self.model_path))
        except Exception as exc:  # vosk raises a bare Exception
            raise ModelLoadError(
                f"Vosk could not load the model at {self.model_path}: {exc}") from exc
        self.load_seconds = time.perf_counter() - started
        self._vosk = vosk

    @property
    def vocabulary(self) -> WordSet:
        return model_vocabulary(self.model_path)

    def warm_up(self) -> None:
        """Read the vocabulary phrase mode needs (0.5–2 s for a model without words.txt)."""
        try:
            model_vocabulary(self.model_path)
        except ModelLoadError as exc:  # phrase mode will say so when it is used
            log.info("No vocabulary for phrase mode: %s", exc)

    def to_units(self, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """A natural sentence as the model's word units, plus chunks it cannot spell."""
        units: list[str] = []
        missing: list[str] = []
        for chunk in _CHUNK.findall(text.replace("_", " ")):
            words = segment(chunk, self.vocabulary) or segment(chunk.lower(), self.vocabulary)
            if words is None:
                missing.append(chunk)
            else:
                units += words
        return tuple(units), tuple(missing)

    def prepare(self, phrases: Phrases) -> list[Phrase]:
        prepared = []
        for phrase_id, text in _numbered(phrases):
            units, missing = self.to_units(text)
            prepared.append(Phrase(phrase_id, text, units, missing))
        return prepared

    def unsupported_phrases(self, phrases: Phrases) -> list[Phrase]:
        """Phrases with words the model cannot recognize (they never match exactly)."""
        return [p for p in self.prepare(phrases) if p.missing or not p.units]

    def recognizer(self, grammar: Sequence[str] | None = None, alternatives: int = 0):
        """A fresh KaldiRecognizer (cheap: ~55 ms open vocabulary, <1 ms grammar)."""
        if grammar is None:
            rec = self._vosk.KaldiRecognizer(self._model, ASR_RATE)
        else:
            rec = self._vosk.KaldiRecognizer(self._model, ASR_RATE,
                                             json.dumps(list(grammar), ensure_ascii=False))
        if alternatives:
            rec.SetMaxAlternatives(alternatives)
        rec.SetWords(True)
        rec.SetPartialWords(self.partial_words)
        return rec

    def start(self, phrases: Phrases | None = None) -> RecognizerSession:
        if phrases is None:
            return VoskSession(self)
        from counter_app.pipeline.vosk_phrases import PhraseSession

        prepared = self.prepare(phrases)
        for phrase in prepared:
            if phrase.missing or not phrase.units:  # ids only: phrase text is not logged
                log.warning("Phrase %s cannot be fully recognized (%d unknown words)",
                            phrase.id, len(phrase.missing) or len(phrase.text.split()))
        return PhraseSession(self, [p for p in prepared if p.units])


def _words(result: list[dict], offset: float = 0.0) -> tuple[Word, ...]:
    return tuple(Word(w["word"], round(w["start"] + offset, 3), round(w["end"] + offset, 3),
                      float(w.get("conf", 1.0))) for w in result
                 if not _NOISE_TOKEN.match(w["word"]))


def _mean_confidence(words: Sequence[Word]) -> float:
    return sum(w.confidence for w in words) / len(words) if words else 0.0


class VoskSession(RecognizerSession):
    """Open vocabulary: partials, and finals at Vosk endpoints."""

    def __init__(self, owner: VoskRecognizer, grammar: Sequence[str] | None = None,
                 alternatives: int = 0):
        self.owner = owner
        self.language = owner.language
        self._rec = owner.recognizer(grammar, alternatives)
        self._last_partial = ""

    def _check(self, chunk: AudioChunk) -> None:
        if chunk.rate != ASR_RATE or chunk.channels != 1:
            raise AudioFormatError(
                f"The recognizer needs 16 kHz mono audio, got {chunk.rate} Hz with "
                f"{chunk.channels} channel(s). Resample it first (read_wav does).")

    def accept(self, chunk: AudioChunk) -> Transcript | None:
        self._check(chunk)
        if not chunk.audio:
            return None
        if self._rec.AcceptWaveform(chunk.audio):
            self._last_partial = ""
            return self._final(json.loads(self._rec.Result()))
        if not self.want_partials:  # released: only the final matters now
            return None
        partial = json.loads(self._rec.PartialResult())
        text = display_text(partial.get("partial", ""), self.language)
        if not text or text == self._last_partial:
            return None
        self._last_partial = text
        words = _words(partial.get("partial_result", []))
        return Transcript(text, self.language, False, words, _mean_confidence(words))

    def finish(self) -> Transcript:
        self._last_partial = ""
        return self._final(json.loads(self._rec.FinalResult()))

    def _final(self, result: dict) -> Transcript:
        words = _words(result.get("result", []))
        text = display_text(result.get("text", ""), self.language)
        return Transcript(text, self.language, True, words, _mean_confidence(words))

