"""Kana readings of Japanese phrases, so that "じゅうみんひょう" finds 住民票.

Uses Open JTalk's dictionary (pyopenjtalk, the optional Japanese-voice extra)
when installed; without it phrases simply have no reading and kana search
matches kana text only.  Readings are computed once at import and stored in
the phrasebook file: ~3.5 ms a phrase with pyopenjtalk-plus's context fixes,
~0.7 ms without them (used for imports with more than FAST_OVER new texts).
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import unicodedata
from collections.abc import Callable, Mapping
from functools import lru_cache

from counter_app.errors import EngineUnavailableError
from counter_app.phrasebook.model import Phrasebook
from counter_app.phrasebook.problems import Progress
from counter_app.phrasebook.search import fold
from counter_app.pipeline.lean_install import prepare_openjtalk_sudachi

log = logging.getLogger(__name__)
FAST_OVER = 2_000  # new texts in one import above which the fast path is used
PROGRESS_EVERY = 200


@lru_cache(maxsize=1)
def _frontend() -> Callable | None:
    try:
        import pyopenjtalk
    except ImportError:
        log.info("pyopenjtalk is not installed: phrases get no kana reading")
        return None
    try:
        prepare_openjtalk_sudachi()
    except EngineUnavailableError as error:
        log.info("%s: phrases get no kana reading", error)
        return None
    return pyopenjtalk.run_frontend


@lru_cache(maxsize=1)
def _has_fast_path() -> bool:
    """pyopenjtalk-plus can skip its post-processing (Sudachi homographs etc.)."""
    frontend = _frontend()
    return frontend is not None and "use_vanilla" in inspect.signature(frontend).parameters


def available() -> bool:
    return _frontend() is not None


def japanese_reading(text: str, fast: bool = False) -> str:
    """Hiragana reading ("ばんごうさつをおとりください"), or "" without pyopenjtalk.

    `fast`: about 5x quicker; may read a few homographs differently (方: ほう/かた)."""
    frontend = _frontend()
    if frontend is None or not text:
        return ""
    words = frontend(text, use_vanilla=True) if fast and _has_fast_path() else frontend(text)
    kana = "".join(w["read"] for w in words
                   if not all(unicodedata.category(ch)[0] in "PSZ" for ch in w["string"]))
    return fold(kana, "ja-reading")


def fill_readings(book: Phrasebook, progress: Progress | None = None,
                  known: Mapping[str, str] | None = None) -> Phrasebook:
    """A copy of `book` where every phrase without a reading gets one (if possible).

    Each distinct text is read once; `known` (text -> reading, e.g. from the active
    version) is reused as it is."""
    if not available() or all(p.reading for p in book.phrases):
        return book
    readings = dict(known or {})
    todo = list(dict.fromkeys(p.source_text for p in book.phrases
                              if not p.reading and p.source_text not in readings))
    fast = len(todo) > FAST_OVER
    for done, text in enumerate(todo):
        if progress and done % PROGRESS_EVERY == 0:
            progress("readings", done, len(todo))
        readings[text] = japanese_reading(text, fast)
    if progress:
        progress("readings", len(todo), len(todo))
    phrases = tuple(p if p.reading else dataclasses.replace(p, reading=readings[p.source_text])
                    for p in book.phrases)
    return Phrasebook(book.name, book.version, book.categories, phrases, book.languages,
                      book.source_language, book.warnings)
