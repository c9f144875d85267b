"""Verified translations instead of MT: when what was said is a phrasebook
phrase (matched by the recognizer's phrase mode or fuzzily), the phrasebook's
own translation is used, and the turn says so."""

from __future__ import annotations

from collections.abc import Callable

from counter_app.events import Transcript, Translation
from counter_app.phrasebook.model import Phrasebook


class VerifiedPhrases:
    """`lookup` plugs into Interpreter(verified_lookup=...); `phrases_for` gives a
    recognizer's phrase mode its sentences (id -> text)."""

    def __init__(self, book: Callable[[], Phrasebook], threshold: float = 85.0):
        self._book = book
        self.threshold = threshold

    def phrases_for(self, language: str) -> dict[str, str]:
        return {p.id: text for p in self._book().phrases if (text := p.text(language))}

    def lookup(self, transcript: Transcript, target: str) -> Translation | None:
        book = self._book()
        phrase = book.get(transcript.phrase_id) if transcript.phrase_id else None
        if phrase is None:
            from counter_app.phrasebook.search import match_phrase  # at the first turn

            match = match_phrase(transcript.text, transcript.language, book, self.threshold)
            phrase = match.phrase if match else None
        text = phrase.text(target) if phrase else None
        if not text:
            return None
        return Translation(transcript.text, transcript.language, target, text,
                           back_translation=phrase.text(transcript.language),
                           path=(transcript.language, target), phrase_id=phrase.id,
                           reviewed=phrase.is_reviewed(target))
