"""The engines on the lean install (docs/footprint.md): no PyAV, Sudachi's small dictionary.

Two packages pull in more than the app uses:
- faster-whisper imports PyAV (`av`, ~100 MB) when it is imported, but uses it only
  to decode audio *files* (`decode_audio`); the app always hands it 16 kHz arrays.
- pyopenjtalk-plus corrects homograph readings with SudachiPy and opens Sudachi's
  default dictionary, `sudachidict_core` (193 MB).  `sudachidict_small` (110 MB)
  gives the same readings on the app's Japanese (1 of 267 texts differs, ヨー→ヨウ).

The lean install (extras `whisper-lean,japanese-voice-lean`, then those two packages
with `pip install --no-deps`) leaves PyAV out and has the small dictionary instead;
these helpers let the engines run on it.  On the full install they change nothing.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import logging
import sys
import types

from counter_app.errors import EngineUnavailableError

log = logging.getLogger(__name__)
SUDACHI_DICTIONARIES = ("core", "small")  # preferred first


class _NoPyAV(types.ModuleType):
    """Stands in for PyAV: importing works, using it says why it is missing."""

    def __getattr__(self, name: str):
        raise ImportError(
            f"PyAV is not installed (av.{name}): this install decodes no audio files "
            "through faster-whisper; the app passes it audio arrays.  "
            "pip install av to decode files.")


def allow_whisper_without_pyav() -> bool:
    """Let `import faster_whisper` succeed without PyAV.  True if a stand-in was set.

    faster-whisper's `decode_audio` is the only user of `av`, and `transcribe()`
    calls it only for a path or a file object, never for a numpy array."""
    if sys.modules.get("av") is not None or importlib.util.find_spec("av") is not None:
        return False  # PyAV installed (find_spec is None for a None entry: blocked)
    stand_in = _NoPyAV("av")
    stand_in.__spec__ = importlib.machinery.ModuleSpec("av", None)
    sys.modules["av"] = stand_in
    log.info("PyAV not installed: faster-whisper gets audio arrays only")
    return True


def sudachi_dictionary() -> str | None:
    """'core' or 'small': the Sudachi system dictionary installed (core preferred)."""
    for name in SUDACHI_DICTIONARIES:
        if importlib.util.find_spec(f"sudachidict_{name}") is not None:
            return name
    return None


def prepare_openjtalk_sudachi() -> str:
    """Make pyopenjtalk-plus read kanji with whichever Sudachi dictionary is installed.

    pyopenjtalk-plus opens `sudachipy.Dictionary()`, which means `sudachidict_core`;
    with only the small dictionary installed it is handed that one instead.  Returns
    the dictionary's name; raises EngineUnavailableError when there is none."""
    name = sudachi_dictionary()
    if name is None:
        raise EngineUnavailableError(
            "Open JTalk needs a Sudachi dictionary for kanji readings: "
            "pip install sudachidict-core (or sudachidict-small)")
    if name == "core":
        return name
    import pyopenjtalk.utils as utils

    if not hasattr(utils, "_SUDACHI_DICTIONARY") or not hasattr(
            utils, "_SUDACHI_DICTIONARY_LOCK"):
        raise EngineUnavailableError(
            "This pyopenjtalk-plus cannot be given Sudachi's small dictionary: "
            "pip install sudachidict-core")
    from sudachipy import Dictionary

    with utils._SUDACHI_DICTIONARY_LOCK:
        if utils._SUDACHI_DICTIONARY is None:
            utils._SUDACHI_DICTIONARY = Dictionary(dict=name)
    log.info("Open JTalk reads kanji with sudachidict_%s", name)
    return name
