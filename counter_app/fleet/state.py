"""What a tablet remembers about its fleet: enrolment, HTTP validators, what was
applied, and the last sync's result.  One JSON file, written atomically, in the
fleet folder beside the settings file (so $COUNTER_APP_CONFIG moves it too).

    <settings folder>/fleet/state.json
    <settings folder>/fleet/current/     the manifest (+ signature) last applied
    <settings folder>/fleet/download/    files being fetched (kept to resume)
    <settings folder>/fleet/sync.lock
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from counter_app import config

ENV_FLEET = "COUNTER_APP_FLEET"
STATE_FILE = "state.json"


def fleet_dir() -> Path:
    if env := os.environ.get(ENV_FLEET):
        return Path(env).expanduser()
    return config.config_path().parent / "fleet"


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


def load_state(folder: Path) -> dict:
    """The state ({} when there is none or it is unreadable: the tablet is not enrolled)."""
    try:
        data = json.loads((folder / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save_state(folder: Path, state: dict) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    text = json.dumps(state, ensure_ascii=False, indent=1)
    handle, temp = tempfile.mkstemp(prefix=".state.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temp, folder / STATE_FILE)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
