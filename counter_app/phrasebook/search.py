"""Phrase search and phrase recognition.

Text is folded before comparing: NFKC (full-width/half-width, half-width
katakana), case folding, katakana -> hiragana, punctuation dropped, and spaces
dropped where the registry compares by characters (ja, zh, ko, th...), because
ASR puts spaces between its word units ("감사 합니다", "住民 票").
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rapidfuzz import fuzz, process

from counter_app.languages import by_characters

if TYPE_CHECKING:
    from counter_app.phrasebook.model import Phrase, Phrasebook

log = logging.getLogger(__name__)
_KATAKANA = {code: code - 0x60 for code in range(0x30A1, 0x30F7)} | {0x30FD: 0x309D,
                                                                     0x30FE: 0x309E}
# katakana -> hiragana, punctuation/symbols/separators -> space (one C-level translate)
_FOLD_TABLE = _KATAKANA | {code: " " for code in range(0x10000)
                           if unicodedata.category(chr(code))[0] in "PSZ"}
READING = "ja-reading"  # pseudo-language: the kana reading of the Japanese text


def fold(text: str, language: str | None = None) -> str:
    """The comparison form of `text` in `language` (None: keep single spaces)."""
    text = unicodedata.normalize("NFKC", text).casefold().translate(_FOLD_TABLE)
    words = text.split()
    return "".join(words) if language == READING or by_characters(language) else " ".join(words)


@dataclass(frozen=True, slots=True)
class SearchHit:
    phrase: Phrase
    score: float  # 0..100
    language: str  # where it matched


@dataclass(frozen=True, slots=True)
class PhraseMatch:
    """A recognized sentence close to a verified phrase."""

    phrase: Phrase
    score: float
    language: str

    def translation(self, target: str) -> str | None:
        """The verified text for `target` (None when the phrasebook lacks that language)."""
        return self.phrase.text(target)

    def is_reviewed(self, target: str) -> bool:
        return self.phrase.is_reviewed(target)


class PhraseIndex:
    """Folded keys per language, built once per phrasebook."""

    def __init__(self, book: Phrasebook):
        self.phrases = book.phrases
        self.keys: dict[str, list[str]] = {}
        for code in book.languages:
            self.keys[code] = [fold(p.texts.get(code, ""), code) for p in book.phrases]
        if any(p.reading for p in book.phrases):
            self.keys[READING] = [fold(p.reading, READING) for p in book.phrases]
        # Characters used per language: a query in another script skips that language.
        self.charsets = {code: frozenset("".join(keys)) for code, keys in self.keys.items()}
        self.match_keys: dict[str, list[str]] = {}  # keys as `match` compares them

    def search(self, query: str, languages: list[str] | None = None, limit: int = 30,
               category: str | None = None, cutoff: float = 70.0) -> list[SearchHit]:
        """Ranked phrases: substring matches first, then fuzzy ones above `cutoff`."""
        codes = [c for c in (languages or self.keys) if c in self.keys]
        if languages and "ja" in languages and READING in self.keys:
            codes.append(READING)
        best: dict[int, tuple[float, str]] = {}

        def offer(index: int, score: float, code: str) -> None:
            if category and self.phrases[index].category != category:
                return
            if score > best.get(index, (-1.0, ""))[0]:
                best[index] = (score, "ja" if code == READING else code)

        for code in codes:
            needle = fold(query, code)
            letters = set(needle.replace(" ", ""))
            if not letters or len(letters & self.charsets[code]) * 2 < len(letters):
                continue
            keys = self.keys[code]
            for index, key in enumerate(keys):
                if needle in key:
                    # Whole-phrase and prefix matches rank above matches inside longer text.
                    offer(index, 95.0 + 4.0 * len(needle) / len(key)
                          + (1.0 if key.startswith(needle) else 0.0), code)
            if len(needle) < 3:
                continue
            for _, score, index in process.extract(needle, keys, scorer=fuzz.partial_ratio,
                                                   score_cutoff=cutoff, limit=limit * 4):
                offer(index, score * 0.89, code)
        ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[0]))[:limit]
        return [SearchHit(self.phrases[i], round(s, 1), code) for i, (s, code) in ranked]

    def match(self, text: str, language: str, threshold: float) -> PhraseMatch | None:
        """The closest phrase that says what `text` says (same content words, negation,
        numbers; see agreement.py) and scores >= threshold - VARIANT_SLACK."""
        from counter_app.phrasebook.agreement import VARIANT_SLACK, comparable, disagreement

        if language not in self.keys:
            return None
        if language not in self.match_keys:
            self.match_keys[language] = [comparable(k, language) for k in self.keys[language]]
        needle = comparable(fold(text, language), language)
        if not needle:
            return None
        for _, score, index in process.extract(needle, self.match_keys[language],
                                               scorer=fuzz.ratio, limit=5,
                                               score_cutoff=threshold - VARIANT_SLACK):
            phrase = self.phrases[index]
            why = disagreement(text, phrase.texts.get(language, ""), language)
            if why is None:
                return PhraseMatch(phrase, round(score, 1), language)
            log.debug("not phrase %s (%.0f): %s", phrase.id, score, why)
        return None


def search(book: Phrasebook, query: str, languages: list[str] | None = None,
           limit: int = 30, category: str | None = None) -> list[SearchHit]:
    """Search phrases by any language's text (kana/width/case-insensitive, fuzzy)."""
    return book.index.search(query, languages, limit, category)


def match_phrase(text: str, language: str, phrasebook: Phrasebook,
                 threshold: float = 85.0) -> PhraseMatch | None:
    """The phrase a recognized sentence most likely is, if it scores >= threshold (0..100).

    When this returns a match, show `match.translation(target)` (a verified
    translation) instead of machine translation, and say so.
    """
    return phrasebook.index.match(text, language, threshold)


def recognizer_phrases(phrasebook: Phrasebook, language: str) -> dict[str, str]:
    """phrase id -> text in `language`, for a recognizer's phrase mode
    (`Recognizer.start(phrases)`; the final's phrase_id is then the phrase id)."""
    return {p.id: text for p in phrasebook.phrases if (text := p.text(language))}
