"""Finding many term forms in a short text: one trie per language, built once.

A form matches the way `token_pattern` describes it (and the regexes used
before this trie did): case-insensitive; any whitespace, or none, between its
units (characters in scripts written without spaces, words otherwise); in
spaced scripts not inside a longer word.  The cost per text grows with the
text's length and the matches found, not with the number of forms.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from counter_app import languages

# Trie keys besides characters (ints, so that no text character can reach them):
_ENDS = 0  # indices of the forms ending at this node
_GAP = 1  # whitespace (or none) between two words of a form


def token_pattern(text: str, language: str) -> str:
    """A regex matching `text` with or without spaces between its units."""
    if languages.by_characters(language):
        units = [ch for ch in text if not ch.isspace()]
        return r"\s*".join(map(re.escape, units))
    body = r"\s*".join(map(re.escape, text.split()))
    return rf"(?<!\w){body}(?!\w)"


def _fold(ch: str) -> str:
    low = ch.lower()
    return low if len(low) == 1 else ch


def _word(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _tokens(form: str, language: str) -> list[str | int]:
    if languages.by_characters(language):  # a gap may follow every character: see `gaps`
        return [_fold(ch) for ch in form if not ch.isspace()]
    tokens: list[str | int] = []
    units = form.split()
    for unit in units:
        if tokens:
            tokens.append(_GAP)
        tokens.extend(_fold(ch) for ch in unit)
    return tokens


class FormMatcher:
    """All forms of one language; `forms[i]` is found as rule i (lower i wins ties)."""

    def __init__(self, forms: Iterable[str], language: str):
        self.bounded = not languages.by_characters(language)  # (?<!\w) ... (?!\w)
        self.gaps = not self.bounded  # whitespace allowed between any two characters
        self.root: dict = {}
        self.size = 0
        for index, form in enumerate(forms):
            tokens = _tokens(form, language)
            if not tokens:
                continue
            node = self.root
            for token in tokens:
                node = node.setdefault(token, {})
            node.setdefault(_ENDS, []).append(index)
            self.size += 1

    def __len__(self) -> int:
        return self.size

    def starting_at(self, text: str, low: str, start: int) -> Iterator[tuple[int, int]]:
        """(rule, end) for every form matching `text` at `start` (`low`: folded text)."""
        if self.bounded and start and _word(text[start - 1]):
            return
        size = len(text)
        states = [(self.root, start)]
        while states:
            node, pos = states.pop()
            ends = node.get(_ENDS)
            if ends and not (self.bounded and pos < size and _word(text[pos])):
                for rule in ends:
                    yield rule, pos
            if pos < size and (child := node.get(low[pos])) is not None:
                states.append((child, pos + 1))
            if self.gaps and node is not self.root:
                after = pos
                while after < size and text[after].isspace():
                    after += 1
                if after > pos and after < size and (child := node.get(low[after])) is not None:
                    states.append((child, after + 1))
                continue
            gap = node.get(_GAP)
            if gap is not None:
                after = pos
                while after < size and text[after].isspace():
                    after += 1
                if after < size and (child := gap.get(low[after])) is not None:
                    states.append((child, after + 1))

    def find_all(self, text: str) -> Iterator[tuple[int, int, int]]:
        """(start, end, rule) for every form at every position (overlaps included)."""
        low = fold_text(text)
        first = self.root
        for start, ch in enumerate(low):
            if ch in first:
                for rule, end in self.starting_at(text, low, start):
                    yield start, end, rule


def fold_text(text: str) -> str:
    """Per-character lower case, same length as `text` (positions stay valid)."""
    low = text.lower()  # fast path; final sigma is the one context-dependent lower case
    if len(low) == len(text) and "ς" not in low:
        return low
    return "".join(map(_fold, text))


def replace_leftmost(text: str, matcher: FormMatcher, replacements: list[str],
                     whole: FormMatcher | None = None) -> str:
    """Like `re.sub` with an alternation of the forms in rule order: at each position the
    lowest-numbered matching rule is replaced, then scanning resumes after it.

    `whole`: rules that only count when they are the whole text (leading whitespace
    and trailing punctuation aside)."""
    low = fold_text(text)
    pieces: list[str] = []
    last = pos = 0
    first = matcher.root
    while pos < len(text):
        found = list(matcher.starting_at(text, low, pos)) if low[pos] in first else []
        if pos == 0 and whole is not None:
            lead = len(text) - len(text.lstrip())
            found += [(rule, end) for rule, end in whole.starting_at(text, low, lead)
                      if not any(ch.isalnum() for ch in text[end:])]
        if not found:
            pos += 1
            continue
        rule, end = min(found)
        pieces += [text[last:pos], replacements[rule]]
        last = pos = end
    pieces.append(text[last:])
    return "".join(pieces)
