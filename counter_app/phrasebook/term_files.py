"""Term dictionary files: YAML, JSON (the library's copies), CSV and XLSX.

Loading is all-or-nothing and bounded by TERM_LIMITS (file size, number of
terms, characters per form, forms per language), because every term becomes
part of every utterance's correction and translation step.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from counter_app import languages
from counter_app.errors import UnknownLanguageError
from counter_app.phrasebook.files import load_by_suffix
from counter_app.phrasebook.model import SOURCE_LANGUAGE, sort_languages
from counter_app.phrasebook.problems import (
    MAX_TEXT,
    TERM_LIMITS,
    Limits,
    Problems,
    Progress,
    check_entries,
    check_text,
)
from counter_app.phrasebook.tables import (
    Row,
    parse_bool,
    read_table,
    scan_cells,
    warn_substitutions,
    write_csv,
    write_xlsx,
)
from counter_app.phrasebook.termdict import Term, TermDictionary
from counter_app.phrasebook.yamlfile import (
    dump_yaml,
    flag_of,
    list_of,
    load_yaml_data,
    mapping_of,
    text_of,
)

FORMAT_TAG = "counter-app-terms/1"
CSV_FIXED = ("term", "reading", "do_not_translate", "force_translation", "whole_utterance",
             "note")
HEARD_PREFIX = "heard_"  # heard_ja: misrecognitions, "|"-separated
VARIANTS_PREFIX = "variants_"  # variants_en: other renderings MT produces, "|"-separated
LIST_SEPARATOR = "|"
MAX_FORMS = 20  # heard_as / variants forms per language and term
FLAGS = ("do_not_translate", "force_translation", "whole_utterance")

Where = Callable[[str | None], str]  # column/field name (None: the whole entry) -> location


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in value.split(LIST_SEPARATOR) if part.strip())


def _validate_terms(entries: list[tuple[Where, Term]], problems: Problems,
                    limits: Limits) -> None:
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
        for prefix, lists in ((HEARD_PREFIX, term.heard_as), (VARIANTS_PREFIX, term.variants)):
            for code, forms in lists.items():
                if len(forms) > MAX_FORMS:
                    problems.add(where_at(prefix + code), f"{len(forms)} forms; at most "
                                                          f"{MAX_FORMS} per language")
        forms = [("term", term.term), ("reading", term.reading), *term.translations.items(),
                 *((f"{HEARD_PREFIX}{c}", f) for c, fs in term.heard_as.items() for f in fs),
                 *((f"{VARIANTS_PREFIX}{c}", f) for c, fs in term.variants.items() for f in fs)]
        for name, text in forms:
            if text:
                check_text(problems, where_at(name), text, limits.text)
        if term.note:
            check_text(problems, where_at("note"), term.note, MAX_TEXT)


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


def load_terms_table(path: Path, limits: Limits = TERM_LIMITS,
                     progress: Progress | None = None) -> TermDictionary:
    problems = Problems(path.name)
    table = read_table(path, problems, limits)
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
    scan_cells(table, problems, MAX_TEXT, progress)
    warn_substitutions(table, [h for h, (_, code) in columns.items() if code != SOURCE_LANGUAGE],
                       problems)
    if progress:
        progress("checking", 0, len(table.rows))
    entries = [(row.where, _row_term(row, columns, problems)) for row in table.rows]
    _validate_terms(entries, problems, limits)
    problems.raise_if_any()
    terms = TermDictionary([t for _, t in entries], path.stem, "1")
    terms.warnings = tuple(problems.warnings)
    return terms


def _row_term(row: Row, columns: dict[str, tuple[str, str]], problems: Problems) -> Term:
    flags = {}
    for name in FLAGS:
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


def _yaml_term(item: dict, where: str, problems: Problems) -> Term:
    def texts(key: str) -> dict[str, str]:
        found = {}
        for code, value in mapping_of(item.get(key), f"{where}, {key}", problems).items():
            if code not in languages.LANGUAGES:
                problems.add(f"{where}, {key}", f"unknown language {code!r}")
            found[code] = text_of(value, f"{where}, {key}, {code}", problems)
        return found

    def lists(key: str) -> dict[str, tuple[str, ...]]:
        found = {}
        for code, value in mapping_of(item.get(key), f"{where}, {key}", problems).items():
            if code not in languages.LANGUAGES:
                problems.add(f"{where}, {key}", f"unknown language {code!r}")
            values = value if isinstance(value, list) else [value]
            found[code] = tuple(text_of(v, f"{where}, {key}, {code}", problems) for v in values)
        return found

    flags = {name: flag_of(item.get(name), f"{where}, {name}", problems) for name in FLAGS}
    return Term(text_of(item.get("term"), f"{where}, term", problems),
                text_of(item.get("reading"), f"{where}, reading", problems),
                texts("translations"), heard_as=lists("heard_as"), variants=lists("variants"),
                note=text_of(item.get("note"), f"{where}, note", problems), **flags)


def load_terms_yaml(path: Path, limits: Limits = TERM_LIMITS,
                    progress: Progress | None = None) -> TermDictionary:
    problems = Problems(path.name)
    data = load_yaml_data(path, problems)
    problems.raise_if_any()
    if not isinstance(data, dict):
        problems.add("", "not a term dictionary: expected a mapping with 'terms'")
        problems.raise_if_any()
    items = list_of(data.get("terms"), "terms", problems)
    check_entries(len(items), limits, problems)
    if progress:
        progress("checking", 0, len(items))
    entries = []
    for index, item in enumerate(items, start=1):
        where = f"term #{index}"
        if not isinstance(item, dict):
            problems.add(where, "expected a mapping with 'term'")
            continue

        def where_at(name: str | None, label: str = where) -> str:
            return label if name is None else f"{label}, {name}"

        entries.append((where_at, _yaml_term(item, where, problems)))
    _validate_terms(entries, problems, limits)
    name = text_of(data.get("name"), "name", problems) or path.stem
    version = text_of(data.get("version"), "version", problems) or "1"
    problems.raise_if_any()
    terms = TermDictionary([t for _, t in entries], name, version)
    terms.warnings = tuple(problems.warnings)
    return terms


def load_terms(path: str | Path, progress: Progress | None = None) -> TermDictionary:
    """Load and validate a term dictionary (.yaml, .csv/.tsv/.txt, .xlsx); all-or-nothing."""
    return load_by_suffix(path, load_terms_yaml, load_terms_table, TERM_LIMITS, progress)


def terms_to_data(terms: TermDictionary) -> dict:
    items = []
    for t in terms.terms:
        item: dict = {"term": t.term}
        if t.reading:
            item["reading"] = t.reading
        if t.translations:
            item["translations"] = {c: t.translations[c]
                                    for c in sort_languages(t.translations)}
        for flag in FLAGS:
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
        rows.append([t.term, t.reading, *("TRUE" if getattr(t, f) else "FALSE" for f in FLAGS),
                     t.note, *(t.translations.get(c, "") for c in codes),
                     *(LIST_SEPARATOR.join(t.heard_as.get(c, ())) for c in heard),
                     *(LIST_SEPARATOR.join(t.variants.get(c, ())) for c in variants)])
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, header, rows, title="terms")
    else:
        write_csv(path, header, rows, encoding)
