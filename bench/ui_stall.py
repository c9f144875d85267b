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

    from bench.counter_window import counter_window


    app, window, _ = counter_window("counter-ui-bench-")

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
