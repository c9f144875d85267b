"""Run a measurement in a fresh Python process (heap, imports and RSS are process-wide
state that earlier tests would disturb) and read the JSON line it prints last."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_fresh(code: str, *args: str, timeout: float = 300, **kwargs) -> dict:
    """`code` runs with sys.argv[1] = the repository root, then `args`."""
    out = subprocess.run([sys.executable, "-c", code, str(ROOT), *args], capture_output=True,
                         text=True, timeout=timeout, check=True, **kwargs).stdout
    return json.loads(out.strip().splitlines()[-1])
