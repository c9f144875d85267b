"""A working day in miniature: the counter screen left running with real turns.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/gui_soak.py [--minutes 30]

The real window (offscreen, or under Xvfb with QT_QPA_PLATFORM=xcb) runs its
timers and level meters while a turn starts every few seconds: the resident
speaks Korean (espeak-ng WAV paced in real time, Vosk ko phrase mode -> MT
ko->en->ja -> Open JTalk), staff answer by typing (MT ja->en->ko -> espeak-ng
Korean voice), and every fifth turn is "next customer".  Once a minute it samples
RSS, open file descriptors, threads, Qt objects under the window and the
reference counts of None, True and False (on Python 3.11 a binding that drops
references to None aborts the process; PySide6-Essentials 6.12.0 did, after
~24 min).  Prints JSON: the samples and each series' first, last, min, max and
least-squares slope per hour.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def _status(field: str) -> int:
    """A number from /proc/self/status (VmRSS in kB, Threads)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _slope_per_hour(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return 0.0
    n = len(points)
    mean_t = sum(t for t, _ in points) / n
    mean_v = sum(v for _, v in points) / n
    var = sum((t - mean_t) ** 2 for t, _ in points)
    cov = sum((t - mean_t) * (v - mean_v) for t, v in points)
    return cov / var * 3600 if var else 0.0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=30.0)
    parser.add_argument("--turn-every", type=float, default=6.0, help="seconds between turns")
    parser.add_argument("--sample-every", type=float, default=60.0)
    args = parser.parse_args()

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QObject, QTimer

    from bench.counter_window import counter_window


    app, window, _ = counter_window("counter-gui-soak-")
    pairs = [("ko", "en"), ("en", "ja"), ("ja", "en"), ("en", "ko")]
    loading = window.interpreter.preload(asr=["ko"], tts=["ja", "ko"], mt=pairs)
    while not loading.done():
        app.processEvents()
        time.sleep(0.01)

    started = time.monotonic()
    samples: list[dict] = []
    turns = {"resident": 0, "staff": 0, "next_customer": 0}
    staff_lines = ["番号札を取ってお待ちください。", "こちらにご記入ください。"]

    def sample() -> None:
        samples.append({
            "minute": round((time.monotonic() - started) / 60, 2),
            "rss_mb": round(_status("VmRSS") / 1024, 1),
            "fds": len(os.listdir("/proc/self/fd")),
            "threads": _status("Threads"),
            "python_threads": threading.active_count(),
            "qt_objects": len(window.findChildren(QObject)),
            "refcount_none": sys.getrefcount(None),
            "refcount_true": sys.getrefcount(True),
            "refcount_false": sys.getrefcount(False),
            "turns": sum(turns.values()),
        })
        print(json.dumps(samples[-1]), file=sys.stderr, flush=True)

    def next_turn() -> None:
        count = sum(turns.values())
        if count % 5 == 4:
            window.next_customer()  # asks the next language: the resident taps theirs
            window.next_language_picker.buttons["ko"].click()
            turns["next_customer"] += 1
        elif count % 2 == 0:
            if not window.resident.talk.active:
                window.resident.talk.begin()  # the WAV source ends the turn by itself
            turns["resident"] += 1
        else:
            window.send_text("staff", staff_lines[count % len(staff_lines)])
            turns["staff"] += 1

    sample()
    turn_timer = QTimer(interval=int(args.turn_every * 1000), timeout=next_turn)
    sample_timer = QTimer(interval=int(args.sample_every * 1000), timeout=sample)
    turn_timer.start()
    sample_timer.start()
    QTimer.singleShot(int(args.minutes * 60_000), app.quit)
    app.exec()
    sample()
    window.interpreter.shutdown()

    series = {}
    for key in ("rss_mb", "fds", "threads", "python_threads", "qt_objects",
                "refcount_none", "refcount_true", "refcount_false"):
        values = [s[key] for s in samples]
        # the first minutes include warm-up (first bubbles, caches): trend from minute 5
        steady = [(s["minute"] * 60, s[key]) for s in samples if s["minute"] >= 5] \
            or [(s["minute"] * 60, s[key]) for s in samples]
        series[key] = {"first": values[0], "last": values[-1], "min": min(values),
                       "max": max(values), "slope_per_hour_after_5_min": round(
                           _slope_per_hour(steady), 1)}
    report = {"python": sys.version.split()[0], "pyside6": pyside_version,
              "minutes": round((time.monotonic() - started) / 60, 1), "turns": turns,
              "series": series, "samples": samples}
    print(json.dumps(report, indent=2), flush=True)
    os._exit(0)  # skip interpreter teardown with engine threads still alive


if __name__ == "__main__":
    main()
