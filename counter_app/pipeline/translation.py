"""Translation between any two languages from one-direction translators:
direct when a model exists, else through a pivot language (English), plus a
back-translation into the source language so staff can check the meaning.
"""

from __future__ import annotations

from collections.abc import Callable

from counter_app import languages
from counter_app.errors import ModelNotFoundError
from counter_app.events import Translation
from counter_app.pipeline.base import Translator

GetTranslator = Callable[[str, str], "Translator | None"]


class TranslationService:
    """`get_translator(source, target)` returns the direct model or None; it
    should cache (the factory's does), as it is asked again on every call."""

    def __init__(self, get_translator: GetTranslator, pivot: str = languages.PIVOT_LANGUAGE):
        self._get = get_translator
        self.pivot = pivot

    def available(self, source: str, target: str) -> tuple[str, ...] | None:
        """The languages a translation passes through, or None if impossible.

        ("ja",) for the same language, ("ko", "en") direct, ("ko", "en", "ja") pivoted.
        """
        source, target = languages.get(source).code, languages.get(target).code
        if source == target:
            return (source,)
        if self._get(source, target) is not None:
            return (source, target)
        if self.pivot not in (source, target) and self._get(source, self.pivot) is not None \
                and self._get(self.pivot, target) is not None:
            return (source, self.pivot, target)
        return None

    def translate(self, text: str, source: str, target: str, back: bool = True) -> Translation:
        """Translate, and back-translate into `source` when the reverse path exists."""
        source, target = languages.get(source).code, languages.get(target).code
        path = self.available(source, target)
        if path is None:
            raise ModelNotFoundError("translation", f"{source}→{target}", hint=self._hint(
                source, target))
        result = self._along(path, text)
        back_translation = None
        if back and (reverse := self.available(target, source)) is not None:
            back_translation = self._along(reverse, result)
        return Translation(source_text=text, source=source, target=target, text=result,
                           back_translation=back_translation, path=path)

    def _along(self, path: tuple[str, ...], text: str) -> str:
        for source, target in zip(path, path[1:], strict=False):
            translator = self._get(source, target)
            if translator is None:  # removed since available() looked
                raise ModelNotFoundError("translation", f"{source}→{target}",
                                         hint=self._hint(source, target))
            text = translator.translate(text)
        return text

    def _hint(self, source: str, target: str) -> str:
        via = "" if self.pivot in (source, target) else (
            f" (a {source}→{target} package, or {source}→{self.pivot} and "
            f"{self.pivot}→{target} to translate through {languages.get(self.pivot).english})")
        return f"Install it with: counter-app models install {source} {target}{via}"
