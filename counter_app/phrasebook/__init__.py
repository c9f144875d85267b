"""Phrasebooks and term dictionaries that admins load (issue 6).

Pure core: no Qt.  See phrasebooks/FORMAT.md for the file formats.  The names
below load their module when first used: the counter window shows before the
file readers (YAML, XLSX, encodings) are needed.
"""

from importlib import import_module

_HOMES = {
    "load_phrasebook": "files", "save_phrasebook": "files", "Library": "library",
    "Category": "model", "Phrase": "model", "Phrasebook": "model",
    "ImportValidationError": "problems", "Problem": "problems",
    "PhraseMatch": "search", "SearchHit": "search", "match_phrase": "search",
    "recognizer_phrases": "search", "search": "search",
}

__all__ = sorted(_HOMES)


def __getattr__(name: str):
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(import_module(f"{__name__}.{home}"), name)
