"""A test hook: stop at a named phase of an install so a test can kill it there.

Only `COUNTER_APP_TEST_PAUSE_AT=<phase>` (download, unpack or swap) turns it on;
the process then touches `COUNTER_APP_TEST_PAUSE_FILE` (if set) and sleeps, so a
SIGKILL lands at that exact point.  Unset, pause_at() does nothing.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ENV_PHASE = "COUNTER_APP_TEST_PAUSE_AT"
ENV_FILE = "COUNTER_APP_TEST_PAUSE_FILE"


def pause_at(phase: str) -> None:
    """Sleep (for the test to kill us) when the test hook names this phase."""
    if os.environ.get(ENV_PHASE) != phase:
        return
    if marker := os.environ.get(ENV_FILE):
        Path(marker).write_text(phase, encoding="utf-8")
    print(f"paused at {phase}", file=sys.stderr, flush=True)
    time.sleep(600)
