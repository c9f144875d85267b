"""Kana readings of Japanese phrases, so that "じゅうみんひょう" finds 住民票.

Uses Open JTalk's dictionary (pyopenjtalk, the optional Japanese-voice extra)
when installed; without it phrases simply have no reading and kana search
matches kana text only.  About 5 ms per phrase, so readings are computed once
at import and stored in the phrasebook file.
"""

from __future__ import annotations

import dataclasses
import logging
import unicodedata
from functools import lru_cache

from counter_app.phrasebook.model import Phrasebook
from counter_app.phrasebook.search import fold

log = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def _frontend():
    try:
        import pyopenjtalk
    except ImportError:
        log.info("pyopenjtalk is not installed: phrases get no kana reading")
        return None
    return pyopenjtalk.run_frontend


def available() -> bool:
    return _frontend() is not None


def japanese_reading(text: str) -> str:
    """Hiragana reading ("ばんごうさつをおとりください"), or "" without pyopenjtalk."""
    frontend = _frontend()
    if frontend is None or not text:
        return ""
    words = frontend(text)
    kana = "".join(w["read"] for w in words
                   if not all(unicodedata.category(ch)[0] in "PSZ" for ch in w["string"]))
    return fold(kana, "ja-reading")


def fill_readings(book: Phrasebook) -> Phrasebook:
    """A copy of `book` where every phrase without a reading gets one (if possible)."""
    if not available() or all(p.reading for p in book.phrases):
        return book
    phrases = tuple(p if p.reading else dataclasses.replace(p, reading=japanese_reading(
        p.source_text)) for p in book.phrases)
    return Phrasebook(book.name, book.version, book.categories, phrases, book.languages,
                      book.source_language)
