"""Phrasebook data: categories, phrases with per-language text and review flags."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from counter_app import languages

if TYPE_CHECKING:
    from counter_app.phrasebook.problems import Problem
    from counter_app.phrasebook.search import PhraseIndex

SOURCE_LANGUAGE = languages.STAFF_LANGUAGE  # "ja": every phrase is written in Japanese first
ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
LANGUAGE_ORDER = {code: i for i, code in enumerate(languages.TEXT_LANGUAGES)}


def sort_languages(codes) -> tuple[str, ...]:
    """Registry order (ja, en, zh, ...), the order of columns and YAML keys."""
    return tuple(sorted(set(codes), key=lambda c: LANGUAGE_ORDER.get(c, len(LANGUAGE_ORDER))))


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    names: dict[str, str] = field(default_factory=dict, hash=False)  # at least ja and en

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names.get("en") or self.names.get("ja") or self.id


@dataclass(frozen=True, slots=True)
class Review:
    """A native reviewer's sign-off on one translation."""

    reviewer: str
    date: str  # YYYY-MM-DD
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Phrase:
    id: str
    category: str
    texts: dict[str, str] = field(hash=False)  # language code -> text; always has "ja"
    reviewed: dict[str, bool] = field(default_factory=dict, hash=False)
    note: str = ""
    reading: str = ""  # optional hiragana reading of the Japanese text, for kana search
    reviews: dict[str, Review] = field(default_factory=dict, hash=False)  # who reviewed, when

    def __post_init__(self) -> None:
        # One flag per language that has text; the staff's Japanese counts as reviewed.
        flags = {c: bool(self.reviewed.get(c, c == SOURCE_LANGUAGE)) for c in self.texts}
        object.__setattr__(self, "reviewed", flags)
        # A sign-off belongs to a reviewed translation only.
        object.__setattr__(self, "reviews", {c: r for c, r in self.reviews.items()
                                             if flags.get(c) and c != SOURCE_LANGUAGE})

    @property
    def source_text(self) -> str:
        return self.texts[SOURCE_LANGUAGE]

    def text(self, language: str) -> str | None:
        return self.texts.get(language)

    def is_reviewed(self, language: str) -> bool:
        """False for machine-made or unchecked translations (the UI marks them)."""
        return self.reviewed.get(language, language == SOURCE_LANGUAGE)


@dataclass(eq=False)
class Phrasebook:
    name: str
    version: str
    categories: tuple[Category, ...]
    phrases: tuple[Phrase, ...]
    languages: tuple[str, ...] = ()  # declared languages; derived from the phrases if empty
    source_language: str = SOURCE_LANGUAGE
    # Findings of the import that did not reject the file ("?" from Excel); not stored.
    warnings: tuple[Problem, ...] = field(default=(), repr=False)

    def __post_init__(self) -> None:
        if not self.languages:
            found = {code for phrase in self.phrases for code in phrase.texts}
            self.languages = sort_languages(found | {self.source_language})
        self._by_id = {phrase.id: phrase for phrase in self.phrases}

    def __len__(self) -> int:
        return len(self.phrases)

    def get(self, phrase_id: str) -> Phrase | None:
        return self._by_id.get(phrase_id)

    def category(self, category_id: str) -> Category | None:
        return next((c for c in self.categories if c.id == category_id), None)

    def in_category(self, category_id: str) -> list[Phrase]:
        return [p for p in self.phrases if p.category == category_id]

    @cached_property
    def index(self) -> PhraseIndex:
        """Normalized search keys, built on first use."""
        from counter_app.phrasebook.search import PhraseIndex

        return PhraseIndex(self)

    @classmethod
    def empty(cls) -> Phrasebook:
        return cls(name="(empty)", version="0", categories=(), phrases=())
