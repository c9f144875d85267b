"""Term dictionary (辞書登録): office vocabulary for recognition and translation.

* ASR: `apply_asr_corrections(text, language)` rewrites known misrecognitions
  ("住民兵" -> "住民票"), with or without the spaces recognizers put between
  word units; `vocabulary(language)` lists terms for recognizer phrase lists
  and Whisper prompts.
* MT: terms flagged `force_translation` come out as the preferred translation,
  terms flagged `do_not_translate` come out verbatim.  `TermTranslator` wraps
  any Translator (see `protect` for the strategy).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from counter_app import languages
from counter_app.errors import UnknownLanguageError
from counter_app.phrasebook.files import dump_yaml, load_by_suffix, load_yaml_data
from counter_app.phrasebook.model import SOURCE_LANGUAGE, sort_languages
from counter_app.phrasebook.problems import MAX_TEXT, Problems, check_text
from counter_app.phrasebook.search import SPACELESS
from counter_app.phrasebook.tables import (
    Row,
    parse_bool,
    read_table,
    scan_cells,
    write_csv,
    write_xlsx,
)
from counter_app.pipeline.base import Translator
from counter_app.pipeline.translation import GetTranslator, TranslationService

FORMAT_TAG = "counter-app-terms/1"
CSV_FIXED = ("term", "reading", "do_not_translate", "force_translation", "whole_utterance",
             "note")
HEARD_PREFIX = "heard_"  # heard_ja: misrecognitions, "|"-separated
VARIANTS_PREFIX = "variants_"  # variants_en: other renderings MT produces, "|"-separated
LIST_SEPARATOR = "|"


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


def token_pattern(text: str, language: str) -> str:
    """A regex matching `text` with or without spaces between its units."""
    if language in SPACELESS:
        units = [ch for ch in text if not ch.isspace()]
        return r"\s*".join(map(re.escape, units))
    body = r"\s*".join(map(re.escape, text.split()))
    return rf"(?<!\w){body}(?!\w)"


class TermDictionary:
    def __init__(self, terms: Sequence[Term], name: str = "terms", version: str = "1"):
        self.terms = tuple(terms)
        self.name, self.version = name, version

    def __len__(self) -> int:
        return len(self.terms)

    @classmethod
    def empty(cls) -> TermDictionary:
        return cls((), "(empty)", "0")

    def get(self, term: str) -> Term | None:
        return next((t for t in self.terms if t.term == term), None)

    @property
    def languages(self) -> tuple[str, ...]:
        found = {c for t in self.terms for c in (*t.translations, *t.heard_as, *t.variants)}
        return sort_languages(found | {SOURCE_LANGUAGE})

    # --- ASR --------------------------------------------------------------------------
    def vocabulary(self, language: str) -> list[str]:
        """Terms as written in `language`, for phrase lists and recognizer prompts."""
        return [form for t in self.terms if (form := t.form(language))]

    @cached_property
    def _asr_rules(self) -> dict[str, tuple[re.Pattern, list[str]]]:
        rules: dict[str, list[tuple[str, str, bool]]] = {}
        for term in self.terms:
            for language, heard in term.heard_as.items():
                if (written := term.form(language)) is None:
                    continue
                for form in heard:
                    rules.setdefault(language, []).append((form, written, term.whole_utterance))
        compiled = {}
        for language, items in rules.items():
            items.sort(key=lambda item: -len(item[0]))
            parts = []
            for form, _, whole in items:
                pattern = token_pattern(form, language)
                parts.append(rf"^\s*{pattern}(?=\s*[\W_]*\s*$)" if whole else pattern)
            alternation = "|".join(f"({p})" for p in parts)
            compiled[language] = (re.compile(alternation, re.IGNORECASE),
                                  [written for _, written, _ in items])
        return compiled

    def apply_asr_corrections(self, text: str, language: str) -> str:
        """Rewrite misrecognitions registered for `language` (longest rule wins)."""
        rule = self._asr_rules.get(language)
        if rule is None or not text:
            return text
        pattern, replacements = rule
        return pattern.sub(lambda m: replacements[m.lastindex - 1], text)

    # --- MT ---------------------------------------------------------------------------
    def enforced(self, source: str, target: str) -> list[tuple[Term, str, str]]:
        """(term, source form, required output) for this direction, longest first."""
        found = []
        for term in self.terms:
            output = term.output(source, target)
            form = term.form(source) or (term.term if term.do_not_translate else None)
            if not output or not form:
                continue
            # Variants count as source spellings too (마이넘버 카드 for 개인번호 카드).
            for spelling in dict.fromkeys((form, *term.variants.get(source, ()))):
                found.append((term, spelling, output))
        return sorted(found, key=lambda item: -len(item[1]))

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
        """Non-overlapping (start, end, required output) spans of enforced terms in text."""
        taken: list[tuple[int, int, str]] = []
        for _, form, output in self.enforced(source, target):
            for match in re.finditer(token_pattern(form, source), text, re.IGNORECASE):
                if all(match.end() <= s or match.start() >= e for s, e, _ in taken):
                    taken.append((match.start(), match.end(), output))
        return sorted(taken)

    def variants(self, output: str, target: str) -> list[str]:
        """Known renderings of the term whose required output is `output` in `target`."""
        found = []
        for term in self.terms:
            if output in (term.form(target), term.term):
                found += term.variants.get(target, ())
        return found


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
        glue = "" if self.target in SPACELESS else " "
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


# --- files ----------------------------------------------------------------------------

def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(LIST_SEPARATOR) if part.strip())


Where = Callable[[str | None], str]  # column/field name (None: the whole entry) -> location


def _validate_terms(entries: list[tuple[Where, Term]], problems: Problems) -> None:
    """entries: (location function, term) pairs in file order."""
    first_seen: dict[str, str] = {}
    for where_at, term in entries:
        where = where_at(None)
        if not term.term:
            problems.add(where, "empty term (the Japanese source text)")
        elif term.term in first_seen:
            problems.add(where, f"duplicate term {term.term!r} (first defined at "
                                f"{first_seen[term.term]})")
        else:
            first_seen[term.term] = where
        if term.do_not_translate and term.force_translation:
            problems.add(where, "do_not_translate and force_translation cannot both be set")
        if term.force_translation and not term.translations:
            problems.add(where, "force_translation needs at least one translation column")
        texts = [("term", term.term), ("reading", term.reading), ("note", term.note),
                 *term.translations.items(),
                 *((f"{HEARD_PREFIX}{c}", f) for c, fs in term.heard_as.items() for f in fs),
                 *((f"{VARIANTS_PREFIX}{c}", f) for c, fs in term.variants.items() for f in fs)]
        for name, text in texts:
            if text:
                check_text(problems, where_at(name), text, MAX_TEXT)


def _term_column(header: str) -> tuple[str, str] | None:
    """('text'|'heard'|'variants', language code) for a language-bearing column."""
    kind, base = "text", header
    for prefix, name in ((HEARD_PREFIX, "heard"), (VARIANTS_PREFIX, "variants")):
        if header.startswith(prefix):
            kind, base = name, header[len(prefix):]
    try:
        return kind, languages.get(base).code
    except UnknownLanguageError:
        return None


def load_terms_table(path: Path) -> TermDictionary:
    problems = Problems(path.name)
    table = read_table(path, problems)
    columns: dict[str, tuple[str, str]] = {}
    for header in table.header:
        if not header or header in CSV_FIXED:
            continue
        found = _term_column(header)
        if found is None or (found == ("text", SOURCE_LANGUAGE)):
            problems.add(f"header, column {header!r}",
                         f"unknown language column {header!r}: expected a language code "
                         f"(e.g. en, zh-Hant), heard_<code>, variants_<code> or one of "
                         f"{', '.join(CSV_FIXED)} (the Japanese goes in 'term')")
        else:
            columns[header] = found
    if "term" not in table.header:
        problems.add("header", "missing column 'term'")
    scan_cells(table, problems, MAX_TEXT)
    entries = [(row.where, _row_term(row, columns, problems)) for row in table.rows]
    _validate_terms(entries, problems)
    problems.raise_if_any()
    return TermDictionary([t for _, t in entries], path.stem, "1")


def _row_term(row: Row, columns: dict[str, tuple[str, str]], problems: Problems) -> Term:
    flags = {}
    for name in ("do_not_translate", "force_translation", "whole_utterance"):
        flag = parse_bool(row.get(name))
        if flag is None:
            problems.add(row.where(name), f"expected TRUE or FALSE, got {row.get(name)!r}")
        flags[name] = bool(flag)
    translations, heard, variants = {}, {}, {}
    for header, (kind, code) in columns.items():
        value = row.get(header)
        if not value:
            continue
        if kind == "text":
            translations[code] = value
        else:
            (heard if kind == "heard" else variants)[code] = _split_list(value)
    return Term(row.get("term"), row.get("reading"), translations, heard_as=heard,
                variants=variants, note=row.get("note"), **flags)


def load_terms_yaml(path: Path) -> TermDictionary:
    problems = Problems(path.name)
    data = load_yaml_data(path, problems)
    problems.raise_if_any()
    if not isinstance(data, dict) or not isinstance(data.get("terms", []), list):
        problems.add("", "not a term dictionary: expected a mapping with 'terms'")
        problems.raise_if_any()
    entries = []
    for index, item in enumerate(data.get("terms") or [], start=1):
        where = f"term #{index}"
        if not isinstance(item, dict):
            problems.add(where, "expected a mapping with 'term'")
            continue
        for key in ("translations", "heard_as", "variants"):
            for code in item.get(key) or {}:
                if str(code) not in languages.LANGUAGES:
                    problems.add(f"{where}, {key}", f"unknown language {code!r}")

        def lists(value: object) -> dict[str, tuple[str, ...]]:
            return {str(k): tuple(str(x) for x in (v if isinstance(v, list) else [v]))
                    for k, v in (value or {}).items()}

        def where_at(name: str | None, label=where) -> str:
            return label if name is None else f"{label}, {name}"

        entries.append((where_at, Term(
            str(item.get("term") or "").strip(), str(item.get("reading") or ""),
            {str(k): str(v) for k, v in (item.get("translations") or {}).items()},
            bool(item.get("do_not_translate")), bool(item.get("force_translation")),
            lists(item.get("heard_as")), bool(item.get("whole_utterance")),
            lists(item.get("variants")), str(item.get("note") or ""))))
    _validate_terms(entries, problems)
    problems.raise_if_any()
    return TermDictionary([t for _, t in entries], str(data.get("name") or path.stem),
                          str(data.get("version") or "1"))


def load_terms(path: str | Path) -> TermDictionary:
    """Load and validate a term dictionary (.yaml, .csv/.tsv/.txt, .xlsx); all-or-nothing."""
    return load_by_suffix(path, load_terms_yaml, load_terms_table)


def terms_to_data(terms: TermDictionary) -> dict:
    items = []
    for t in terms.terms:
        item: dict = {"term": t.term}
        if t.reading:
            item["reading"] = t.reading
        if t.translations:
            item["translations"] = {c: t.translations[c]
                                    for c in sort_languages(t.translations)}
        for flag in ("do_not_translate", "force_translation", "whole_utterance"):
            if getattr(t, flag):
                item[flag] = True
        for key, value in (("heard_as", t.heard_as), ("variants", t.variants)):
            if value:
                item[key] = {c: list(value[c]) for c in sort_languages(value)}
        if t.note:
            item["note"] = t.note
        items.append(item)
    return {"format": FORMAT_TAG, "name": terms.name, "version": terms.version, "terms": items}


def save_terms_yaml(terms: TermDictionary, path: Path) -> None:
    path.write_text(dump_yaml(terms_to_data(terms)), encoding="utf-8")


def save_terms_json(terms: TermDictionary, path: Path) -> None:
    path.write_text(json.dumps(terms_to_data(terms), ensure_ascii=False), encoding="utf-8")


def save_terms(terms: TermDictionary, path: str | Path, encoding: str = "utf-8-sig") -> None:
    """Export to .yaml, .csv (utf-8-sig, utf-8 or cp932) or .xlsx."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        save_terms_yaml(terms, path)
        return
    if path.suffix.lower() == ".json":
        save_terms_json(terms, path)
        return
    codes = [c for c in terms.languages if c != SOURCE_LANGUAGE]
    heard = sort_languages(c for t in terms.terms for c in t.heard_as)
    variants = sort_languages(c for t in terms.terms for c in t.variants)
    header = (list(CSV_FIXED) + codes + [HEARD_PREFIX + c for c in heard]
              + [VARIANTS_PREFIX + c for c in variants])
    rows = []
    for t in terms.terms:
        rows.append([t.term, t.reading, *("TRUE" if getattr(t, f) else "FALSE" for f in
                                          ("do_not_translate", "force_translation",
                                           "whole_utterance")), t.note,
                     *(t.translations.get(c, "") for c in codes),
                     *(LIST_SEPARATOR.join(t.heard_as.get(c, ())) for c in heard),
                     *(LIST_SEPARATOR.join(t.variants.get(c, ())) for c in variants)])
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, header, rows, title="terms")
    else:
        write_csv(path, header, rows, encoding)
