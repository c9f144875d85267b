"""One honest vocabulary of translation marks, for both halves of the screen.

Every translation shown carries exactly one mark saying where it came from:

- CHECKED: a phrasebook phrase whose translation a reviewer checked;
- PHRASE_UNREVIEWED: a phrasebook phrase, translation not yet reviewed (no tick);
- MACHINE: machine translation;
- MACHINE_VIA_ENGLISH: machine translation through English (a pivot).

Staff read the mark in the UI language; the resident reads it in their own
language, from `data/resident-strings.json` (English where a string is missing).
"""

from __future__ import annotations

import enum
import json
from functools import cache
from importlib import resources

from counter_app.events import Translation


class Mark(enum.Enum):
    CHECKED = "mark_checked"
    PHRASE_UNREVIEWED = "mark_unreviewed_phrase"
    MACHINE = "mark_machine"
    MACHINE_VIA_ENGLISH = "mark_machine_via_english"

    @property
    def icon(self) -> str:
        """A sign that reads without words: only a checked phrase gets a tick."""
        return {"mark_checked": "✔", "mark_unreviewed_phrase": "◐",
                "mark_machine": "⚙", "mark_machine_via_english": "⚙⇄"}[self.value]


def mark_for(translation: Translation) -> Mark:
    if translation.phrase_id:
        return Mark.CHECKED if translation.reviewed else Mark.PHRASE_UNREVIEWED
    if translation.pivoted:
        return Mark.MACHINE_VIA_ENGLISH
    return Mark.MACHINE


@cache
def _resident_strings() -> dict[str, dict[str, dict]]:
    text = resources.files("counter_app.data").joinpath("resident-strings.json") \
        .read_text(encoding="utf-8")
    return json.loads(text)["strings"]


def resident_text(key: str, language: str) -> tuple[str, bool]:
    """(text, reviewed) of a resident-half string in `language`; English if missing."""
    entries = _resident_strings().get(key, {})
    entry = entries.get(language) or entries.get("en")
    if entry is None:
        raise KeyError(key)
    return entry["text"], bool(entry["reviewed"])


def resident_languages(key: str) -> set[str]:
    return set(_resident_strings().get(key, {}))


def resident_mark(mark: Mark, language: str) -> str:
    """The mark as the resident reads it: icon plus text in their language."""
    return f"{mark.icon} {resident_text(mark.value, language)[0]}"
