"""Full counter memory: every engine a Japanese counter with a Korean resident holds.

    .venv/bin/python bench/memory.py [--no-window] [--json FILE]

Staff speak Japanese (Whisper base), the resident Korean (Vosk ko); MT both ways
(ja->en->ko and ko->en->ja on the tiny Argos fixtures); Open JTalk speaks
Japanese, espeak-ng Korean, Piper joe English.  Engines load through the app's
EngineFactory one at a time, in the order CounterSession.preload() loads them,
with RSS after each; then preload() itself (everything cached), one real turn
each way plus one into English, so lazily built parts (recognizer sessions, the
Silero VAD, ONNX and CTranslate2 buffers) are counted, and four long English
sentences from Piper (the longest answers of a day grow its buffers most).  By default
the real counter window (Qt offscreen) is built first, as the app holds it.
Goal: <= 1.0 GB.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench.common import (  # noqa: E402
    bench_store,
    load_average,
    machine_facts,
    rss_mb,
    status_kb,
)
from bench.engines import JA_TEXT, KO_TEXT  # noqa: E402

GOAL_MB = 1000
STAFF_TO_ENGLISH = "番号札を取って、お待ちください。"
LONG_ENGLISH = ("Please take a number from the machine by the door and wait until it is shown "
                "on the screen above the counter, then bring your residence card and the form.")


def make_speech(folder: Path) -> list[Path]:
    """The turns' WAV files, made in a child process: making Open JTalk speech here
    would load pyopenjtalk before its engine is counted."""
    code = ("import sys; from pathlib import Path; from tests.speech import SpeechMaker; "
            "s = SpeechMaker(Path(sys.argv[1])); "
            "print(s.espeak(sys.argv[2], 'ko')); print(s.openjtalk(sys.argv[3])); "
            "print(s.openjtalk(sys.argv[4]))")
    out = subprocess.run([sys.executable, "-c", code, str(folder), KO_TEXT, JA_TEXT,
                          STAFF_TO_ENGLISH], cwd=ROOT, check=True, capture_output=True,
                         text=True).stdout
    return [Path(line) for line in out.splitlines()]


class Steps:
    """RSS (and the load average) after each step, and what each step added."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def mark(self, step: str) -> None:
        rss = rss_mb()
        added = rss - self.rows[-1]["rss_mb"] if self.rows else 0.0
        self.rows.append({"step": step, "rss_mb": round(rss), "added_mb": round(added),
                          "threads": status_kb("Threads"), "load": load_average()})
        print(f"{step:58} {rss:7.0f} MB  {added:+6.0f}  threads {status_kb('Threads'):3}"
              f"  load {load_average():.1f}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-window", action="store_true", help="engines only, no Qt window")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    parser.add_argument("--glibc-default", action="store_true",
                        help="glibc as it comes: no fixed threshold, no trim after turns")
    parser.add_argument("--trim", action="store_true",
                        help="end with malloc_trim(0): how much is freed but still held")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="counter-memory-"))
    os.environ["COUNTER_APP_CONFIG"] = str(tmp / "settings.json")  # never the user's file
    steps = Steps()
    facts = machine_facts()
    print(f"Machine: {facts['cpu']}, {facts['cores']} cores, Python {facts['python']}")

    if args.glibc_default:
        from counter_app.pipeline import asr_whisper, interpreter

        asr_whisper.limit_heap_retention = lambda: False
        interpreter.release_freed_heap = lambda: False
    else:
        from counter_app.pipeline.heap import limit_heap_retention

        limit_heap_retention()  # as app.run() does before Qt
    from counter_app.config import Settings
    from counter_app.pipeline.audio import MemorySink, WavFileSource
    from counter_app.pipeline.factory import EngineFactory
    from counter_app.pipeline.heap import release_freed_heap
    from counter_app.pipeline.interpreter import TurnRequest
    from counter_app.session import CounterSession
    from tests.whisper_fixtures import OFFICE_PROMPT_JA

    ko_wav, ja_wav, en_wav = make_speech(tmp / "speech")
    steps.mark("Python + app modules")
    settings = Settings()
    settings.conversation.staff_language = "ja"
    settings.conversation.resident_language = "ko"
    factory = EngineFactory(bench_store(tmp / "store", whisper=True), settings.engines)
    session = CounterSession(settings, factory)
    factory.vocabulary_prompt = lambda code: OFFICE_PROMPT_JA if code == "ja" else ""
    window = None
    if not args.no_window:
        from PySide6.QtWidgets import QApplication

        from counter_app.app import compose_window

        app = QApplication.instance() or QApplication([])
        window = compose_window(session, lambda side: WavFileSource(ko_wav), MemorySink)
        window.resize(1280, 800)
        window.show()
        app.processEvents()
        steps.mark("Counter window (PySide6, offscreen)")

    # What preload() loads, one engine at a time (same factory calls, same order).
    factory.recognizer("ja").warm_up()
    steps.mark("Whisper base, staff ja (ASR)")
    factory.recognizer("ko").warm_up()
    steps.mark("Vosk ko small, resident (ASR, vocabulary read)")
    for source, target in (("ja", "en"), ("en", "ko"), ("ko", "en"), ("en", "ja")):
        factory.translator(source, target)
    steps.mark("MT ja<->ko through en (4 tiny Argos models)")
    factory.synthesizer("ja")
    steps.mark("Open JTalk (ja voice)")
    factory.synthesizer("ko")
    steps.mark("espeak-ng (ko voice, a subprocess per sentence)")
    factory.synthesizer("en")
    steps.mark("Piper joe (en voice)")
    session.preload().result()
    steps.mark("CounterSession.preload() (all cached)")

    turns = (("resident ko speaks -> Vosk, MT ko->en->ja, Open JTalk", "ko", "ja", ko_wav),
             ("staff ja speaks -> Whisper, MT ja->en->ko, espeak-ng", "ja", "ko", ja_wav),
             ("staff ja speaks -> Whisper, MT ja->en, Piper joe", "ja", "en", en_wav))
    failures = []
    for label, source, target, wav in turns:
        result = session.interpreter.run(TurnRequest(
            source, target, audio=WavFileSource(wav, chunk_seconds=0.1), sink=MemorySink()))
        if result.error or not result.speech:
            failures.append(f"{label}: {result.error or 'no speech'}")
        steps.mark(f"Turn: {label}")
    voice = factory.synthesizer("en")  # a day's longest answers: ONNX Runtime's arena grows
    for _ in range(4):
        for _chunk in voice.synthesize(LONG_ENGLISH):
            pass
    if not args.glibc_default:
        release_freed_heap()  # as after a turn
    steps.mark("Piper joe speaks four long sentences (10 s each)")
    if args.trim:
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
        steps.mark("glibc malloc_trim(0): freed heap back to the system")
    peak = status_kb("VmHWM") / 1024
    final = steps.rows[-1]["rss_mb"]
    print(f"\nRSS with everything loaded: {final} MB (goal {GOAL_MB} MB: "
          f"{'met' if final <= GOAL_MB else 'over'}); peak {peak:.0f} MB; "
          f"load {load_average():.1f}")
    if failures:
        print("Failed turns:", *failures, sep="\n  ")
    if args.json:
        Path(args.json).write_text(json.dumps(
            {"machine": facts, "window": window is not None,
             "glibc_default": args.glibc_default, "steps": steps.rows,
             "rss_mb": final, "peak_mb": round(peak), "goal_mb": GOAL_MB,
             "failures": failures}, ensure_ascii=False, indent=2))
    session.shutdown()


if __name__ == "__main__":
    main()
