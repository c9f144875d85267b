"""Phrasebooks and term dictionaries that admins load (issue 6).

Pure core: no Qt.  See phrasebooks/FORMAT.md for the file formats.
"""

from counter_app.phrasebook.files import load_phrasebook, save_phrasebook
from counter_app.phrasebook.library import Library
from counter_app.phrasebook.model import Category, Phrase, Phrasebook
from counter_app.phrasebook.problems import ImportValidationError, Problem
from counter_app.phrasebook.search import (
    PhraseMatch,
    SearchHit,
    match_phrase,
    recognizer_phrases,
    search,
)

__all__ = ["Category", "ImportValidationError", "Library", "Phrase", "PhraseMatch",
           "Phrasebook", "Problem", "SearchHit", "load_phrasebook", "match_phrase",
           "recognizer_phrases", "save_phrasebook", "search"]
