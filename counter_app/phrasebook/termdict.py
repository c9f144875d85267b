"""Terms and the term dictionary: ASR corrections and the terms MT must enforce.

Every lookup structure (one trie per language, the enforced terms per
direction, the variants per target) is built on first use and kept, so the
work per utterance does not grow with the size of the dictionary.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from counter_app.phrasebook.matching import FormMatcher, replace_leftmost
from counter_app.phrasebook.model import SOURCE_LANGUAGE, sort_languages

if TYPE_CHECKING:
    from counter_app.phrasebook.problems import Problem


@dataclass(frozen=True, slots=True)
class Term:
    term: str  # as written in Japanese (the source language)
    reading: str = ""  # hiragana
    translations: dict[str, str] = field(default_factory=dict, hash=False)
    do_not_translate: bool = False  # names: kept verbatim through MT
    force_translation: bool = False  # always rendered as translations[target]
    # ASR: language -> forms a recognizer produces instead of this term
    heard_as: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    # Only correct when the heard form is the whole utterance (今日は -> こんにちは).
    whole_utterance: bool = False
    # MT: language -> other renderings a model produces, replaced by the preferred one
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False)
    note: str = ""

    def form(self, language: str) -> str | None:
        """How the term is written in `language` (None: no translation given)."""
        return self.term if language == SOURCE_LANGUAGE else self.translations.get(language)

    def output(self, source: str, target: str) -> str | None:
        """What translation from `source` to `target` must produce, or None if not enforced."""
        if self.do_not_translate:
            return self.form(source) or self.term
        if self.force_translation and self.form(source):
            return self.form(target)
        return None


@dataclass(frozen=True, slots=True)
class _AsrRules:
    anywhere: FormMatcher
    whole: FormMatcher | None
    replacements: list[str]


@dataclass(frozen=True, slots=True)
class _Enforced:
    items: list[tuple[Term, str, str]]  # (term, source spelling, required output), longest first
    matcher: FormMatcher


class TermDictionary:
    def __init__(self, terms: Sequence[Term], name: str = "terms", version: str = "1"):
        self.terms = tuple(terms)
        self.name, self.version = name, version
        self.warnings: tuple[Problem, ...] = ()  # findings of the import that did not reject it
        self._lock = threading.Lock()
        self._asr: dict[str, _AsrRules | None] = {}
        self._enforced: dict[tuple[str, str], _Enforced] = {}
        self._variants: dict[str, dict[str, list[str]]] = {}

    def __len__(self) -> int:
        return len(self.terms)

    @classmethod
    def empty(cls) -> TermDictionary:
        return cls((), "(empty)", "0")

    @cached_property
    def _by_term(self) -> dict[str, Term]:
        found: dict[str, Term] = {}
        for term in self.terms:
            found.setdefault(term.term, term)
        return found

    def get(self, term: str) -> Term | None:
        return self._by_term.get(term)

    @cached_property
    def languages(self) -> tuple[str, ...]:
        found = {c for t in self.terms for c in (*t.translations, *t.heard_as, *t.variants)}
        return sort_languages(found | {SOURCE_LANGUAGE})

    # --- ASR --------------------------------------------------------------------------
    def vocabulary(self, language: str) -> list[str]:
        """Terms as written in `language`, for phrase lists and recognizer prompts."""
        return [form for t in self.terms if (form := t.form(language))]

    def _asr_rules(self, language: str) -> _AsrRules | None:
        if language in self._asr:
            return self._asr[language]
        items: list[tuple[str, str, bool]] = []
        for term in self.terms:
            heard = term.heard_as.get(language)
            if heard and (written := term.form(language)) is not None:
                items += [(form, written, term.whole_utterance) for form in heard]
        items.sort(key=lambda item: -len(item[0]))  # longest rule wins, then file order
        rules = None
        if items:
            whole = [form if is_whole else "" for form, _, is_whole in items]
            rules = _AsrRules(
                FormMatcher((form if not is_whole else "" for form, _, is_whole in items),
                            language),
                FormMatcher(whole, language) if any(whole) else None,
                [written for _, written, _ in items])
        with self._lock:
            self._asr[language] = rules
        return rules

    def apply_asr_corrections(self, text: str, language: str) -> str:
        """Rewrite misrecognitions registered for `language` (longest rule wins)."""
        rules = self._asr_rules(language) if text else None
        if rules is None:
            return text
        return replace_leftmost(text, rules.anywhere, rules.replacements, rules.whole)

    # --- MT ---------------------------------------------------------------------------
    def _enforced_for(self, source: str, target: str) -> _Enforced:
        cached = self._enforced.get((source, target))
        if cached is not None:
            return cached
        found = []
        for term in self.terms:
            output = term.output(source, target)
            form = term.form(source) or (term.term if term.do_not_translate else None)
            if not output or not form:
                continue
            # Variants count as source spellings too (마이넘버 카드 for 개인번호 카드).
            for spelling in dict.fromkeys((form, *term.variants.get(source, ()))):
                found.append((term, spelling, output))
        found.sort(key=lambda item: -len(item[1]))
        enforced = _Enforced(found, FormMatcher((s for _, s, _ in found), source))
        with self._lock:
            self._enforced[(source, target)] = enforced
        return enforced

    def enforced(self, source: str, target: str) -> list[tuple[Term, str, str]]:
        """(term, source form, required output) for this direction, longest first."""
        return list(self._enforced_for(source, target).items)

    def protect(self, text: str, source: str, target: str) -> tuple[str, Restorer]:
        """Replace enforced terms by placeholders; `restore(translation)` puts them back."""
        spans = self.find(text, source, target)[:MAX_PLACEHOLDERS]
        pieces, outputs, last = [], [], 0
        for start, end, output in spans:
            pieces.append(text[last:start])
            pieces.append(placeholder(len(outputs)))
            outputs.append(output)
            last = end
        pieces.append(text[last:])
        return "".join(pieces), Restorer(tuple(outputs))

    def find(self, text: str, source: str, target: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, required output) spans of enforced terms in text.

        Longer forms claim their spans first; each form's matches are taken left to
        right, skipping any that overlap a span already taken."""
        enforced = self._enforced_for(source, target)
        if not enforced.items or not text:
            return []
        by_rule: dict[int, list[tuple[int, int]]] = {}
        for start, end, rule in enforced.matcher.find_all(text):
            by_rule.setdefault(rule, []).append((start, end))
        taken: list[tuple[int, int, str]] = []
        for rule in sorted(by_rule):
            output, last_end = enforced.items[rule][2], -1
            for start, end in sorted(by_rule[rule]):
                if start < last_end:
                    continue  # one form's matches never overlap (as re.finditer)
                last_end = end
                if all(end <= s or start >= e for s, e, _ in taken):
                    taken.append((start, end, output))
        return sorted(taken)

    def variants(self, output: str, target: str) -> list[str]:
        """Known renderings of the term whose required output is `output` in `target`."""
        index = self._variants.get(target)
        if index is None:
            index = {}
            for term in self.terms:
                known = term.variants.get(target, ())
                for key in dict.fromkeys((term.form(target), term.term)):
                    if key is not None:
                        index.setdefault(key, []).extend(known)
            with self._lock:
                self._variants[target] = index
        return list(index.get(output, ()))


# --- placeholders -------------------------------------------------------------------

def placeholder(index: int) -> str:
    """A token MT models copy through: digits they have seen everywhere."""
    return f"{PLACEHOLDER_BASE + index}"


MAX_PLACEHOLDERS = 9
PLACEHOLDER_BASE = 9071  # unusual numbers, unlikely in office text
_PLACEHOLDER_SEEN = re.compile(r"9\s*0\s*7\s*(\d)")


@dataclass(frozen=True, slots=True)
class Restorer:
    outputs: tuple[str, ...]

    def found(self, translated: str) -> set[int]:
        return {int(m.group(1)) - 1 for m in _PLACEHOLDER_SEEN.finditer(translated)
                if 0 <= int(m.group(1)) - 1 < len(self.outputs)}

    def complete(self, translated: str) -> bool:
        """Every placeholder came back exactly once."""
        seen = [int(m.group(1)) - 1 for m in _PLACEHOLDER_SEEN.finditer(translated)]
        return sorted(seen) == list(range(len(self.outputs)))

    def __call__(self, translated: str) -> str:
        def put_back(match: re.Match) -> str:
            index = int(match.group(1)) - 1
            return self.outputs[index] if 0 <= index < len(self.outputs) else match.group(0)

        return _PLACEHOLDER_SEEN.sub(put_back, translated)
