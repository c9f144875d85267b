"""Translation that enforces the term dictionary: placeholders, post-editing, pivots.

`TermTranslator` wraps any Translator; `TermTranslationService` does it end to end
along a pivot path.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from counter_app import languages
from counter_app.phrasebook.matching import token_pattern
from counter_app.phrasebook.termdict import TermDictionary
from counter_app.pipeline.base import Translator
from counter_app.pipeline.translation import GetTranslator, TranslationService

# --- a Translator that enforces terms -------------------------------------------------

class TermTranslator(Translator):
    """Wraps a Translator (one model, or a ChainTranslator for a pivot) and enforces terms.

    Per text, the first strategy that yields every required term wins:
    1. "post-edit": the plain translation, where the term's preferred form already
       appears up to case/spacing, or an admin-registered variant (what the model
       says instead, e.g. "My Number card") is replaced by the preferred form;
    2. "placeholder": terms replaced by placeholder tokens; used when the model
       copied every token through (large models usually do, tiny ones do not);
    3. "split": the text between terms translated piecewise and joined with the
       terms (the term is guaranteed; the word order may suffer).
    Texts with no enforced term are translated as they are ("plain").
    """

    def __init__(self, inner: Translator, terms: TermDictionary):
        self.inner, self.terms = inner, terms
        self.engine = getattr(inner, "engine", "mt")
        self.source, self.target = inner.source, inner.target
        self.last_strategies: list[str] = []  # per text of the last call, for diagnostics

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        spans = [self.terms.find(text, self.source, self.target) for text in texts]
        results = list(self.inner.translate_batch(list(texts)))
        strategies = ["plain"] * len(texts)
        pending = []
        for i, out in enumerate(results):
            if not spans[i]:
                continue
            edited = self._post_edit(out, [output for _, _, output in spans[i]])
            if edited is not None:
                results[i], strategies[i] = edited, "post-edit"
            else:
                pending.append(i)
        if pending:
            protected = [self.terms.protect(texts[i], self.source, self.target) for i in pending]
            outs = self.inner.translate_batch([p for p, _ in protected])
            for i, (_, restore), out in zip(pending, protected, outs, strict=True):
                if restore.complete(out) and len(restore.outputs) == len(spans[i]):
                    results[i], strategies[i] = restore(out), "placeholder"
                else:
                    results[i], strategies[i] = self._split(texts[i], spans[i]), "split"
        self.last_strategies = strategies
        return results

    def _post_edit(self, out: str, required: list[str]) -> str | None:
        for output in dict.fromkeys(required):
            if output in out:
                continue
            for candidate in sorted({output, *self.terms.variants(output, self.target)},
                                    key=len, reverse=True):
                pattern = token_pattern(candidate, self.target)
                edited = re.sub(pattern, lambda _m, o=output: o, out, flags=re.IGNORECASE)
                if edited != out:
                    out = edited
                    break
            else:
                return None
        return out

    def _split(self, text: str, spans: list[tuple[int, int, str]]) -> str:
        pieces: list[tuple[str, bool]] = []  # (text, is_term)
        last = 0
        for start, end, output in spans:
            pieces.append((text[last:start], False))
            pieces.append((output, True))
            last = end
        pieces.append((text[last:], False))
        todo = [p for p, is_term in pieces if not is_term and re.search(r"\w", p)]
        done = iter(self.inner.translate_batch(todo)) if todo else iter(())
        joined = []
        for piece, is_term in pieces:
            if is_term:
                joined.append(piece)
            elif re.search(r"\w", piece):
                joined.append(next(done).strip())
            elif piece.strip():
                joined.append(piece.strip())
        glue = "" if languages.by_characters(self.target) else " "  # Korean too: particles
        return glue.join(p for p in joined if p)


class ChainTranslator(Translator):
    """Several translators in a row (ko->en, en->ja) as one Translator, so a
    TermTranslator can enforce terms end to end across a pivot."""

    def __init__(self, legs: Sequence[Translator]):
        if not legs or any(a.target != b.source for a, b in zip(legs, legs[1:], strict=False)):
            raise ValueError("legs must connect: each target is the next source")
        self.legs = tuple(legs)
        self.engine = "+".join(dict.fromkeys(getattr(leg, "engine", "mt") for leg in legs))
        self.source, self.target = legs[0].source, legs[-1].target

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        out = list(texts)
        for leg in self.legs:
            out = leg.translate_batch(out)
        return out


class TermTranslationService(TranslationService):
    """A TranslationService that enforces terms end to end: along a pivot path the
    legs run as one ChainTranslator, so terms are checked on the final text (the
    intermediate English is left as the models like it)."""

    def __init__(self, get_translator: GetTranslator, terms: TermDictionary,
                 pivot: str = languages.PIVOT_LANGUAGE):
        super().__init__(get_translator, pivot)
        self.terms = terms

    def _along(self, path: tuple[str, ...], text: str) -> str:
        if len(path) < 2 or not self.terms.enforced(path[0], path[-1]):
            return super()._along(path, text)
        legs = [self._get(s, t) for s, t in zip(path, path[1:], strict=False)]
        if any(leg is None for leg in legs):
            return super()._along(path, text)  # raises the usual "install it" error
        return TermTranslator(ChainTranslator(legs), self.terms).translate(text)
