"""Phrasebooks and term dictionaries that admins load (issue 6).

Pure core: no Qt.  See phrasebooks/FORMAT.md for the file formats.
"""

from counter_app.phrasebook.files import load_phrasebook, save_phrasebook
from counter_app.phrasebook.model import Category, Phrase, Phrasebook
from counter_app.phrasebook.problems import ImportValidationError, Problem

__all__ = ["Category", "ImportValidationError", "Phrase", "Phrasebook", "Problem",
           "load_phrasebook", "save_phrasebook"]
