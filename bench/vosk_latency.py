"""Vosk latency on the real Korean model, with audio arriving in real time (prints a
table and JSON; no asserts).

    .venv/bin/python bench/vosk_latency.py [--rounds 2] [--only partials|captions|release]

partials: what sets the first partial's delay.  Each Korean espeak-ng sentence
(1 s of silence before it) is spoken into a queue by a thread at real-time pace
in blocks of `chunk` seconds (a sound card); the reader feeds each block to a
raw KaldiRecognizer and asks PartialResult every `poll` blocks.  Settings are
interleaved (every setting hears sentence 1, then every setting sentence 2...),
so a busy machine slows them alike: compare rows of one run.  "audio" is how
much speech had been fed when the first partial came (machine-independent);
"wall" adds the wait for the block and the decoding; "first word ends" is where
Vosk's final puts the end of the first word.

captions: the app's path (CaptionRunner, VoskRecognizer, 0.1 s blocks from a
thread) before (partial words on) and after (off).

release: phrase mode, push-to-talk released as the sentence ends: seconds in
finish() for listed phrases and unlisted sentences, three ways interleaved:
everything decoded after release; the open-vocabulary pass while the sentence
is spoken; and that plus the likely candidates followed while it is spoken.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from counter_app.events import AudioChunk  # noqa: E402
from counter_app.pipeline.asr_vosk import VoskRecognizer  # noqa: E402
from counter_app.pipeline.audio import read_wav, split  # noqa: E402
from counter_app.store import ModelStore  # noqa: E402
from tests.speech import SpeechMaker  # noqa: E402

SENTENCES = ["번호표를 뽑아 주세요.", "이 서류를 작성해 주세요.", "잠시만 기다려 주세요.",
             "여기에 서명해 주세요.", "주민등록등본을 발급해 주세요.", "감사합니다."]
LEAD_SILENCE = 1.0


@dataclass(frozen=True)
class Setting:
    name: str
    chunk: float = 0.1  # seconds per block fed to AcceptWaveform
    poll: int = 1  # PartialResult every `poll` blocks
    partial_words: bool = False
    words: bool = True
    alternatives: int = 0


SETTINGS = [
    Setting("before: partial words on, 0.1 s", partial_words=True),
    Setting("partial words on, 0.5 s", chunk=0.5, partial_words=True),
    Setting("after: partial words off, 0.1 s"),
    Setting("partial words off, 0.05 s", chunk=0.05),
    Setting("partial words off, 0.2 s", chunk=0.2),
    Setting("partial words off, 0.5 s", chunk=0.5),
    Setting("partial words off, poll every 0.3 s", poll=3),
    Setting("partial words off, SetWords off", words=False),
    Setting("partial words off, 5 alternatives", alternatives=5),
]


def load() -> float:
    return round(os.getloadavg()[0], 2)


def onset_of(audio: AudioChunk) -> float:
    samples = np.abs(audio.to_array().astype(np.int32))
    return float(np.nonzero(samples > 0.02 * samples.max())[0][0]) / audio.rate


def spoken(speech: SpeechMaker, text: str) -> AudioChunk:
    audio = read_wav(speech.espeak(text, "ko"))
    lead = np.zeros(int(16000 * (LEAD_SILENCE - 0.3)), np.int16)  # espeak WAVs have 0.3 s
    return AudioChunk.from_array(np.concatenate([lead, audio.to_array()]), 16000)


def paced(audio: AudioChunk, chunk_seconds: float):
    """Blocks as a sound card delivers them: each once it has been spoken.
    Yields (block, start time of the stream)."""
    blocks: queue.Queue = queue.Queue()
    started = time.perf_counter()

    def produce() -> None:
        for index, block in enumerate(split(audio, chunk_seconds)):
            delay = started + index * chunk_seconds + block.seconds - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
            blocks.put(block)
        blocks.put(None)

    threading.Thread(target=produce, daemon=True).start()
    while (block := blocks.get()) is not None:
        yield block, started


def first_partial(model, setting: Setting, audio: AudioChunk, onset: float) -> dict:
    import vosk

    rec = vosk.KaldiRecognizer(model, 16000)
    if setting.alternatives:
        rec.SetMaxAlternatives(setting.alternatives)
    rec.SetWords(setting.words)
    rec.SetPartialWords(setting.partial_words)
    fed, wall, heard, words = 0.0, None, None, []
    for index, (block, started) in enumerate(paced(audio, setting.chunk)):
        fed += block.seconds
        if rec.AcceptWaveform(block.audio):
            words += json.loads(rec.Result()).get("result", [])
        elif wall is None and (index + 1) % setting.poll == 0 \
                and json.loads(rec.PartialResult()).get("partial"):
            wall, heard = time.perf_counter() - started - onset, fed - onset
    words += json.loads(rec.FinalResult()).get("result", [])
    return {"wall": wall, "audio": heard,
            "first_word_end": words[0]["end"] - onset if words and "end" in words[0] else None}


def stats(values: list) -> dict:
    values = sorted(v for v in values if v is not None)
    if not values:
        return {"p50": None, "max": None}
    return {"p50": round(statistics.median(values), 2), "max": round(values[-1], 2)}


def bench_partials(recognizer: VoskRecognizer, clips: list[tuple[AudioChunk, float]],
                   rounds: int) -> list[dict]:
    runs: dict[str, list[dict]] = {s.name: [] for s in SETTINGS}
    loads: dict[str, list[float]] = {s.name: [] for s in SETTINGS}
    for round_ in range(rounds):
        for index, (audio, onset) in enumerate(clips):
            shift = round_ * len(clips) + index  # a different setting goes first each time
            for setting in SETTINGS[shift % len(SETTINGS):] + SETTINGS[:shift % len(SETTINGS)]:
                loads[setting.name].append(load())
                runs[setting.name].append(first_partial(recognizer._model, setting, audio, onset))
    return [{**asdict(s), "wall": stats([r["wall"] for r in runs[s.name]]),
             "audio": stats([r["audio"] for r in runs[s.name]]),
             "first_word_end": stats([r["first_word_end"] for r in runs[s.name]]),
             "no_partial": sum(r["wall"] is None for r in runs[s.name]),
             "load_average": round(statistics.mean(loads[s.name]), 2)} for s in SETTINGS]


def caption_delay(recognizer: VoskRecognizer, audio: AudioChunk, onset: float) -> float | None:
    """The app's caption path: seconds from speech onset to the first CaptionPartial."""
    from counter_app.captions import CaptionPartial, CaptionRunner, CaptionSession
    from counter_app.pipeline.base import AudioSource

    shown: list[float] = []
    begun: list[float] = []

    class Microphone(AudioSource):
        def chunks(self):
            for block, started in paced(audio, 0.1):
                if not begun:
                    begun.append(started)
                yield block

        def stop(self) -> None:
            pass

    def on_event(event) -> None:
        if isinstance(event, CaptionPartial) and not shown:
            shown.append(time.perf_counter())

    runner = CaptionRunner(CaptionSession(), "staff", lambda: recognizer, Microphone, on_event)
    runner.start()
    runner._thread.join(audio.seconds + 30)
    return shown[0] - begun[0] - onset if shown and begun else None


def bench_captions(recognizer: VoskRecognizer, clips, rounds: int) -> list[dict]:
    results: dict[bool, list] = {True: [], False: []}
    loads: dict[bool, list] = {True: [], False: []}
    for _ in range(rounds):
        for audio, onset in clips:
            for partial_words in (True, False):
                recognizer.partial_words = partial_words
                loads[partial_words].append(load())
                results[partial_words].append(caption_delay(recognizer, audio, onset))
    recognizer.partial_words = False
    return [{"name": "before: partial words on" if on else "after: partial words off",
             "first_caption_after_onset": stats(results[on]),
             "no_partial": sum(v is None for v in results[on]),
             "load_average": round(statistics.mean(loads[on]), 2)} for on in (True, False)]


RELEASE_PHRASES = ["번호표를 뽑아 주세요.", "이 서류를 작성해 주세요.", "여기에 서명해 주세요.",
                   "잠시만 기다려 주세요."]
RELEASE_UNLISTED = ["이 서류를 보여 주세요.", "주소를 알려 주세요.", "수수료는 저쪽입니다."]


RELEASE_MODES = {  # name: (overlap, live)
    "before: all after release": (False, False),
    "open vocabulary while speaking": (True, False),
    "+ candidates while speaking": (True, True),
}


def release_seconds(recognizer: VoskRecognizer, phrases: list[str], audio: AudioChunk,
                    mode: str) -> tuple[float, str | None, int]:
    """Paced feed, release as the audio ends: seconds in finish(), phrase id, and how
    many candidates were decoded only after the release."""
    from counter_app.pipeline.vosk_phrases import PhraseSession

    overlap, live = RELEASE_MODES[mode]
    session = PhraseSession(recognizer, [p for p in recognizer.prepare(phrases) if p.units],
                            overlap=overlap, live=live)
    for block, _ in paced(audio, 0.1):
        session.accept(block)
    released = time.perf_counter()
    final = session.finish()
    return time.perf_counter() - released, final.phrase_id, session.late_decodes


def bench_release(recognizer: VoskRecognizer, speech: SpeechMaker, rounds: int) -> list[dict]:
    phrases = [row.split("\t")[2] for row in (ROOT / "tools/mt_fixture_phrases.tsv")
               .read_text(encoding="utf-8").splitlines()[1:]]
    clips = [(text, read_wav(speech.espeak(text, "ko")))
             for text in RELEASE_PHRASES + RELEASE_UNLISTED]
    rows: dict[tuple[str, bool], list[float]] = {}
    late: dict[tuple[str, bool], list[int]] = {}
    loads: dict[str, list[float]] = {mode: [] for mode in RELEASE_MODES}
    modes = list(RELEASE_MODES)
    for round_ in range(rounds):
        for index, (_, audio) in enumerate(clips):
            shift = (round_ + index) % len(modes)  # each mode first in turn
            for mode in modes[shift:] + modes[:shift]:
                loads[mode].append(load())
                seconds, phrase_id, decodes = release_seconds(recognizer, phrases, audio, mode)
                rows.setdefault((mode, phrase_id is not None), []).append(seconds)
                late.setdefault((mode, phrase_id is not None), []).append(decodes)
    out = []
    for mode in modes:
        for verified in (True, False):
            values = rows.get((mode, verified), [])
            out.append({"name": mode,
                        "final": "verified phrase" if verified else "unverified (open vocab.)",
                        "n": len(values), "release_to_final": stats(values),
                        "decoded_after_release": round(statistics.mean(
                            late.get((mode, verified)) or [0]), 1),
                        "load_average": round(statistics.mean(loads[mode]), 2)})
    return out


def table(rows: list[dict], columns: list[str]) -> str:
    def cell(value) -> str:
        if isinstance(value, dict):
            return " / ".join("–" if v is None else f"{v:.2f}" for v in value.values())
        return str(value)
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--only", choices=["partials", "captions", "release"])
    args = parser.parse_args()
    model = ModelStore(include_packages=True).find("asr", "ko", "vosk")
    recognizer = VoskRecognizer(model.path, "ko")
    recognizer.warm_up()
    speech = SpeechMaker(Path(tempfile.gettempdir()) / "counter-vosk-latency")
    clips = [(audio, onset_of(audio)) for audio in (spoken(speech, t) for t in SENTENCES)]
    report: dict = {"cpus": os.cpu_count(), "load_average_at_start": load()}
    if args.only in (None, "partials"):
        report["partials"] = bench_partials(recognizer, clips, args.rounds)
        print("First partial after speech onset, s (p50 / max):")
        print(table(report["partials"], ["name", "audio", "wall", "first_word_end",
                                         "no_partial", "load_average"]))
    if args.only in (None, "captions"):
        report["captions"] = bench_captions(recognizer, clips, args.rounds)
        print("\nCaptions through the app, s (p50 / max):")
        print(table(report["captions"], ["name", "first_caption_after_onset", "no_partial",
                                         "load_average"]))
    if args.only in (None, "release"):
        report["release"] = bench_release(recognizer, speech, args.rounds)
        print("\nPhrase mode, push-to-talk release -> final, s (p50 / max):")
        print(table(report["release"], ["name", "final", "n", "release_to_final",
                                        "decoded_after_release",
                                        "load_average"]))
    report["load_average_at_end"] = load()
    print(json.dumps(report, indent=1, ensure_ascii=False))


if __name__ == "__main__":
    main()
