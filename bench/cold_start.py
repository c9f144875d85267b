"""Cold start: from a new Python process to the counter window on screen.

Runs `counter_app.app.run()` in fresh processes (on QT_QPA_PLATFORM, offscreen
unless set: xcb under a real X server or Xvfb; this machine has no Xvfb) with
Qt's event loop replaced by "process the pending events once, report, exit",
and prints p50 / max over the runs with the load average.  Models load behind
the window (session.preload), the phrasebook after it; neither is counted, as
neither delays the window.

    .venv/bin/python bench/cold_start.py [--runs 7]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

CHILD = r"""
import os, sys, time
t0 = float(sys.argv[1])
from PySide6.QtWidgets import QApplication
def report(self=None):
    app = QApplication.instance()
    app.processEvents()
    shown = [w for w in app.topLevelWidgets() if w.isVisible() and w.windowTitle()]
    print("VISIBLE", time.time() - t0, ",".join(type(w).__name__ for w in shown), flush=True)
    return 0
QApplication.exec = report
from counter_app import app
app.run()
os._exit(0)
"""


def one_run(env: dict) -> float:
    started = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, repr(started)], env=env,
                         capture_output=True, text=True, timeout=120).stdout
    line = next(line for line in out.splitlines() if line.startswith("VISIBLE"))
    assert "ConversationWindow" in line, line
    return float(line.split()[1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="cold-start-")
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"),
               COUNTER_APP_CONFIG=os.path.join(folder, "settings.json"),
               COUNTER_APP_FLEET=os.path.join(folder, "fleet"))
    one_run(env)  # warm the disk cache, as on a tablet that has started before
    load_start = os.getloadavg()[0]
    times = [one_run(env) for _ in range(args.runs)]
    print(json.dumps({
        "window_visible_s": {"p50": round(statistics.median(times), 2),
                             "max": round(max(times), 2), "runs": [round(t, 2) for t in times]},
        "load_average": [round(load_start, 2), round(os.getloadavg()[0], 2)],
        "platform": env["QT_QPA_PLATFORM"]}, indent=2))


if __name__ == "__main__":
    main()
