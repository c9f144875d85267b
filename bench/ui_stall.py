"""Event-loop stalls of the counter screen during full turns on real engines.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/ui_stall.py [--turns 3]

A 5 ms QTimer runs while the resident speaks Korean (espeak-ng WAV, paced in
real time) and the turn goes Vosk -> MT (ko->en->ja) -> Open JTalk; the gaps
between ticks show how long the GUI thread was ever blocked.  Engines are
preloaded first, as the app does at start-up (that stall is reported apart).
Target: max stall during a turn <= 50 ms.  Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=3)
    args = parser.parse_args()

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from bench.pipeline import fixture_store
    from counter_app.app import build_window
    from counter_app.config import Settings
    from counter_app.pipeline.audio import MemorySink, WavFileSource
    from counter_app.pipeline.factory import EngineFactory
    from tests.speech import SpeechMaker

    app = QApplication([])
    tmp = Path(tempfile.mkdtemp(prefix="counter-ui-bench-"))
    wav = SpeechMaker(tmp / "speech").espeak("번호표를 뽑아 주세요.", "ko")
    phrases = {row.split("\t")[0]: row.split("\t")[2] for row in
               (ROOT / "tools/mt_fixture_phrases.tsv").read_text(encoding="utf-8").splitlines()[1:]}
    settings = Settings()
    settings.conversation.resident_language = "ko"
    settings.conversation.phrase_mode = True
    os.environ["COUNTER_APP_CONFIG"] = str(tmp / "settings.json")
    window = build_window(settings, EngineFactory(fixture_store(tmp / "store")),
                          source_factory=lambda side: WavFileSource(wav, realtime=True),
                          sink_factory=MemorySink)
    window.phrases_for = lambda language: phrases if language == "ko" else None
    window.resize(1280, 800)
    window.show()

    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(interval=5)
    timer.timeout.connect(tick)

    # As the app does at start-up: load the engines in the background first.
    gaps.clear()
    last[0] = time.perf_counter()
    timer.start()
    loading = window.interpreter.preload(asr=["ko"], tts=["ja"], mt=[("ko", "en"), ("en", "ja")])
    while not loading.done():
        app.processEvents()
        time.sleep(0.001)
    timer.stop()
    preload = {"seconds": round(sum(gaps), 2), "max_stall_ms": round(max(gaps) * 1000, 1)}
    per_turn = []
    for _ in range(args.turns):
        done = len(window.staff.history.bubbles()) + 1
        gaps.clear()
        last[0] = time.perf_counter()
        timer.start()
        started = time.perf_counter()
        window.resident.talk.begin()
        while (len(window.staff.history.bubbles()) < done or window.resident.talk.active) \
                and time.perf_counter() - started < 120:
            app.processEvents()
            time.sleep(0.001)
        timer.stop()
        per_turn.append({"turn_seconds": round(time.perf_counter() - started, 2),
                         "max_stall_ms": round(max(gaps) * 1000, 1),
                         "p99_tick_ms": round(sorted(gaps)[int(len(gaps) * 0.99)] * 1000, 1),
                         "median_tick_ms": round(statistics.median(gaps) * 1000, 1)})
    window.interpreter.shutdown()
    report = {"startup_preload": preload, "turns": per_turn,
              "max_stall_ms_during_turns": max(t["max_stall_ms"] for t in per_turn),
              "target_max_stall_ms": 50}
    report["target_met"] = report["max_stall_ms_during_turns"] <= 50
    print(json.dumps(report, indent=2), flush=True)
    os._exit(0)  # skip interpreter teardown with engine threads still alive


if __name__ == "__main__":
    main()
