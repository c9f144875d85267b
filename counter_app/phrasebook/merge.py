"""Merge an imported phrasebook into the active one, or replace it: the preview's numbers.

An import either MERGEs (the default: the file's phrases are added to the active
book or update the phrases with the same id; nothing is removed) or REPLACEs the
active book (phrases the file does not have are lost; rollback brings them back).
`ImportPlan` holds both books and tells, for each mode, which phrase ids would be
added, changed and removed, before anything is written.

Merging one phrase (same id in both books):
- the file's category, note and texts win; a language the file leaves empty keeps
  the active book's text (a blank cell in Excel is not a deletion);
- when the Japanese text changed, the active book's other translations are dropped:
  they translate a sentence that no longer exists;
- a translation whose text did not change keeps its review sign-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from counter_app.phrasebook.model import (
    SOURCE_LANGUAGE,
    Category,
    Phrase,
    Phrasebook,
    sort_languages,
)

if TYPE_CHECKING:
    from counter_app.phrasebook.problems import Problem

Mode = Literal["merge", "replace"]
MERGE: Mode = "merge"
REPLACE: Mode = "replace"
MODES: tuple[Mode, ...] = (MERGE, REPLACE)


@dataclass(frozen=True, slots=True)
class PhrasebookDiff:
    """What changes between two books, by phrase id (in book order)."""

    added: tuple[str, ...]  # in the new book only
    changed: tuple[str, ...]  # in both, with different content
    removed: tuple[str, ...]  # in the old book only: lost

    @property
    def counts(self) -> tuple[int, int, int]:
        return len(self.added), len(self.changed), len(self.removed)


def same_phrase(old: Phrase, new: Phrase) -> bool:
    """Equal content; the kana reading is derived data and does not count."""
    return (old.category, old.texts, old.reviewed, old.note, old.reviews) == (
        new.category, new.texts, new.reviewed, new.note, new.reviews)


def diff_phrasebooks(old: Phrasebook, new: Phrasebook) -> PhrasebookDiff:
    """Ids added, changed and removed going from `old` to `new`."""
    added = tuple(p.id for p in new.phrases if old.get(p.id) is None)
    changed = tuple(p.id for p in new.phrases
                    if (before := old.get(p.id)) is not None and not same_phrase(before, p))
    removed = tuple(p.id for p in old.phrases if new.get(p.id) is None)
    return PhrasebookDiff(added, changed, removed)


def merge_phrase(old: Phrase, new: Phrase) -> Phrase:
    """`new` laid over `old` (same id); see the module docstring for the rules."""
    same_source = old.source_text == new.source_text
    texts = dict(old.texts) if same_source else {SOURCE_LANGUAGE: old.source_text}
    reviewed = {c: old.reviewed.get(c, False) for c in texts}
    reviews = {c: r for c, r in old.reviews.items() if c in texts}
    for code, text in new.texts.items():
        if texts.get(code) == text:  # unchanged translation: keep (or gain) its sign-off
            reviewed[code] = reviewed.get(code, False) or new.is_reviewed(code)
            if code in new.reviews:
                reviews[code] = new.reviews[code]
        else:
            texts[code] = text
            reviewed[code] = new.is_reviewed(code)
            reviews.pop(code, None)
            if code in new.reviews:
                reviews[code] = new.reviews[code]
    reading = new.reading or (old.reading if same_source else "")
    return Phrase(new.id, new.category, texts, reviewed, new.note or old.note, reading, reviews)


def _merge_categories(old: tuple[Category, ...],
                      new: tuple[Category, ...]) -> tuple[Category, ...]:
    merged = {c.id: c for c in old}
    for category in new:
        before = merged.get(category.id)
        names = {**before.names, **category.names} if before else dict(category.names)
        merged[category.id] = Category(category.id, names)
    return tuple(merged.values())


def merge_phrasebooks(current: Phrasebook, incoming: Phrasebook) -> Phrasebook:
    """`current` with `incoming`'s phrases added or updated; nothing is removed.

    Phrases keep the active book's order; new ones follow in the file's order."""
    updates = {p.id: p for p in incoming.phrases}
    phrases = [merge_phrase(p, updates[p.id]) if p.id in updates else p
               for p in current.phrases]
    phrases += [p for p in incoming.phrases if current.get(p.id) is None]
    categories = _merge_categories(current.categories, incoming.categories)
    languages = sort_languages({*current.languages, *incoming.languages})
    return Phrasebook(current.name, incoming.version or current.version, categories,
                      tuple(phrases), languages, current.source_language, incoming.warnings)


@dataclass(eq=False)
class ImportPlan:
    """A validated file next to the active book: the preview, then the book to install."""

    current: Phrasebook
    incoming: Phrasebook
    _results: dict[str, Phrasebook] = field(default_factory=dict, repr=False)
    _diffs: dict[str, PhrasebookDiff] = field(default_factory=dict, repr=False)

    def result(self, mode: Mode = MERGE) -> Phrasebook:
        """The book that becomes active in `mode`."""
        if mode not in MODES:
            raise ValueError(f"unknown import mode {mode!r}; use one of {', '.join(MODES)}")
        if mode not in self._results:
            self._results[mode] = (merge_phrasebooks(self.current, self.incoming)
                                   if mode == MERGE else self.incoming)
        return self._results[mode]

    def diff(self, mode: Mode = MERGE) -> PhrasebookDiff:
        if mode not in self._diffs:
            self._diffs[mode] = diff_phrasebooks(self.current, self.result(mode))
        return self._diffs[mode]

    def lost(self, mode: Mode = MERGE) -> list[Phrase]:
        """Phrases of the active book that `mode` would remove (none when merging)."""
        return [phrase for ident in self.diff(mode).removed
                if (phrase := self.current.get(ident)) is not None]

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Findings of the file that did not reject it (shown with the preview)."""
        return self.incoming.warnings
