"""Phrasebook files: YAML (the shipped, diff-friendly format), CSV and XLSX.

Every loader validates the whole file and raises ImportValidationError with
all problems found (up to a cap); nothing half-loaded ever comes back.
The format is documented in phrasebooks/FORMAT.md.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from counter_app import languages
from counter_app.errors import UnknownLanguageError
from counter_app.phrasebook.model import (
    ID_PATTERN,
    SOURCE_LANGUAGE,
    Category,
    Phrase,
    Phrasebook,
    sort_languages,
)
from counter_app.phrasebook.problems import MAX_TEXT, Problems, check_text
from counter_app.phrasebook.tables import (
    Table,
    parse_bool,
    read_table,
    scan_cells,
    write_csv,
    write_xlsx,
)

FORMAT_TAG = "counter-app-phrasebook/1"
CSV_FIXED = ("phrase_id", "category", "category_ja", "category_en", "note", "reading")
REVIEWED_PREFIX = "reviewed_"
# Display names of the shipped categories; used when a CSV or the master gives none.
CATEGORY_NAMES = {
    "reception": ("受付・番号札", "Reception and number tickets"),
    "residence": ("住民登録・転入転出", "Residence registration and moving"),
    "mynumber": ("マイナンバーカード", "My Number Card"),
    "insurance_pension": ("国民健康保険・年金", "Health insurance and pension"),
    "tax": ("税金", "Taxes"),
    "childcare": ("子育て・学校", "Childcare and school"),
    "certificates_fees": ("証明書・手数料", "Certificates and fees"),
    "disaster": ("災害・緊急", "Disaster and emergency"),
    "health_welfare": ("健康・福祉", "Health and welfare"),
    "instructions": ("お願い・ご案内", "Requests and directions"),
}


def default_category(category_id: str) -> Category:
    ja, en = CATEGORY_NAMES.get(category_id, (category_id, category_id))
    return Category(category_id, {"ja": ja, "en": en})


# --- YAML -----------------------------------------------------------------------------


# libyaml (C) when PyYAML was built with it: ~10x faster on big files.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Dumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
    """Block style, one value per line, no line folding: clean diffs."""


def _str(dumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump_yaml(data: object) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=10_000, indent=2)


def load_yaml_data(path: Path, problems: Problems) -> object | None:
    """Parse YAML (or JSON, the library's fast internal copy) into plain data."""
    if path.suffix.lower() == ".json":
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            problems.add("", f"not valid JSON: {error}")
            return None
    try:
        return yaml.load(path.read_text(encoding="utf-8-sig"), Loader=_SafeLoader)  # noqa: S506
    except UnicodeDecodeError as error:
        problems.add("", f"broken encoding: not UTF-8 ({error.reason} at byte {error.start})")
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problems.add(where, f"not valid YAML: {getattr(error, 'problem', error)}")
    return None


def phrasebook_to_data(book: Phrasebook) -> dict:
    return {
        "format": FORMAT_TAG,
        "name": book.name,
        "version": book.version,
        "source_language": book.source_language,
        "languages": list(book.languages),
        "categories": [{"id": c.id, "name": dict(c.names)} for c in book.categories],
        "phrases": [_phrase_data(p, book.languages) for p in book.phrases],
    }


def _phrase_data(phrase: Phrase, codes: tuple[str, ...]) -> dict:
    data: dict = {"id": phrase.id, "category": phrase.category,
                  "text": {c: phrase.texts[c] for c in codes if c in phrase.texts}}
    data["reviewed"] = {c: phrase.is_reviewed(c) for c in codes
                        if c in phrase.texts and c != SOURCE_LANGUAGE}
    if not data["reviewed"]:
        del data["reviewed"]
    if phrase.note:
        data["note"] = phrase.note
    if phrase.reading:
        data["reading"] = phrase.reading
    return data


def save_yaml(book: Phrasebook, path: Path) -> None:
    path.write_text(dump_yaml(phrasebook_to_data(book)), encoding="utf-8")


def save_json(book: Phrasebook, path: Path) -> None:
    """Same data as the YAML, loads ~20x faster: the library's stored versions."""
    path.write_text(json.dumps(phrasebook_to_data(book), ensure_ascii=False), encoding="utf-8")


@dataclass(slots=True)
class RawPhrase:
    where: Callable[[str | None], str]
    id: str
    category: str
    texts: dict[str, str]
    reviewed: dict[str, bool] = field(default_factory=dict)
    note: str = ""
    reading: str = ""


def load_yaml(path: Path) -> Phrasebook:
    problems = Problems(path.name)
    data = load_yaml_data(path, problems)
    problems.raise_if_any()
    if not isinstance(data, dict) or "phrases" not in data:
        problems.add("", "not a phrasebook: expected a mapping with 'name', 'version', "
                         "'categories' and 'phrases'")
        problems.raise_if_any()
    if data.get("format", FORMAT_TAG) != FORMAT_TAG:
        problems.add("format", f"unsupported format {data.get('format')!r}; "
                               f"expected {FORMAT_TAG!r}")
    declared = _declared_languages(data.get("languages") or [], problems)
    categories = _yaml_categories(data.get("categories") or [], problems)
    raws = []
    for index, entry in enumerate(data.get("phrases") or [], start=1):
        raw = _yaml_phrase(index, entry, problems)
        if raw is not None:
            raws.append(raw)
    book = build_phrasebook(str(data.get("name") or path.stem), str(data.get("version") or "1"),
                            categories, raws, problems, declared=declared,
                            strict_categories=True)
    problems.raise_if_any()
    return book


def _declared_languages(codes: list, problems: Problems) -> tuple[str, ...]:
    found = []
    for code in codes:
        if str(code) not in languages.LANGUAGES:
            problems.add("languages", f"unknown language code {code!r}")
        else:
            found.append(str(code))
    return sort_languages(found) if found else ()


def _yaml_categories(entries: list, problems: Problems) -> list[Category]:
    categories = []
    for index, entry in enumerate(entries, start=1):
        where = f"categories #{index}"
        if not isinstance(entry, dict) or not entry.get("id"):
            problems.add(where, "a category needs an 'id' and a 'name' map (ja, en)")
            continue
        names = entry.get("name") or {}
        if isinstance(names, str):
            names = {"ja": names}
        names = {str(k): str(v) for k, v in names.items() if v}
        for code in ("ja", "en"):
            if code not in names:
                problems.add(f"category {entry['id']!r}", f"missing the {code} display name")
        categories.append(Category(str(entry["id"]), names))
    return categories


def _yaml_phrase(index: int, entry: object, problems: Problems) -> RawPhrase | None:
    if not isinstance(entry, dict):
        problems.add(f"phrases #{index}", "expected a mapping with id, category, text")
        return None
    ident = str(entry.get("id") or "")
    label = f"phrase #{index}" + (f" (id {ident!r})" if ident else "")

    def where(field_name: str | None) -> str:
        return label if field_name is None else f"{label}, {field_name}"

    texts = entry.get("text") or {}
    if not isinstance(texts, dict):
        problems.add(where("text"), "expected a map of language code to text")
        texts = {}
    reviewed = entry.get("reviewed", {})
    if isinstance(reviewed, bool):
        reviewed = {code: reviewed for code in texts}
    elif not isinstance(reviewed, dict):
        problems.add(where("reviewed"), "expected true/false or a map of language to true/false")
        reviewed = {}
    return RawPhrase(where, ident, str(entry.get("category") or ""),
                     {str(k): "" if v is None else str(v).strip() for k, v in texts.items()},
                     {str(k): bool(v) for k, v in reviewed.items()},
                     str(entry.get("note") or "").strip(), str(entry.get("reading") or "").strip())


def build_phrasebook(name: str, version: str, categories: list[Category], raws: list[RawPhrase],
                     problems: Problems, declared: tuple[str, ...] = (),
                     strict_categories: bool = False) -> Phrasebook:
    """Validate raw phrases (from any format) and assemble the phrasebook."""
    known = {c.id: c for c in categories}
    first_seen: dict[str, str] = {}
    phrases = []
    for raw in raws:
        if not raw.id:
            problems.add(raw.where("id"), "empty id")
        elif not ID_PATTERN.match(raw.id):
            problems.add(raw.where("id"), f"invalid id {raw.id!r}: use letters, digits, '_', "
                                          "'.', '-' (at most 64)")
        elif raw.id in first_seen:
            problems.add(raw.where("id"), f"duplicate id {raw.id!r} (first used at "
                                          f"{first_seen[raw.id]})")
        else:
            first_seen[raw.id] = raw.where(None)
        if not raw.category:
            problems.add(raw.where("category"), "empty category")
        elif raw.category not in known:
            if strict_categories:
                problems.add(raw.where("category"), f"unknown category {raw.category!r}; "
                                                    "declare it under 'categories'")
            else:
                known[raw.category] = default_category(raw.category)
        if not raw.texts.get(SOURCE_LANGUAGE):
            problems.add(raw.where(SOURCE_LANGUAGE), "empty source (ja) text")
        for code, text in raw.texts.items():
            if code not in languages.LANGUAGES:
                problems.add(raw.where(code), f"unknown language {code!r}")
            elif text:
                check_text(problems, raw.where(code), text, MAX_TEXT)
        for extra, value in (("note", raw.note), ("reading", raw.reading)):
            if value:
                check_text(problems, raw.where(extra), value, MAX_TEXT)
        texts = {c: t for c, t in raw.texts.items() if t}
        reviewed = {c: raw.reviewed.get(c, c == SOURCE_LANGUAGE) for c in texts}
        phrases.append(Phrase(raw.id, raw.category, texts, reviewed, raw.note, raw.reading))
    return Phrasebook(name, version, tuple(known.values()), tuple(phrases), declared)


# --- CSV / XLSX -----------------------------------------------------------------------


def _column_languages(table: Table, problems: Problems) -> dict[str, str]:
    """Map header -> language code for language and reviewed_ columns; report the rest."""
    mapping: dict[str, str] = {}
    for header in table.header:
        if not header or header in CSV_FIXED:
            continue
        base = header[len(REVIEWED_PREFIX):] if header.startswith(REVIEWED_PREFIX) else header
        try:
            code = languages.get(base).code
        except UnknownLanguageError:
            problems.add(f"header, column {header!r}",
                         f"unknown language column {header!r}: not a language code of the app "
                         f"(e.g. en, zh-Hant; see 'counter-app languages') nor one of "
                         f"{', '.join(CSV_FIXED)}")
            continue
        mapping[header] = code
    for required in ("phrase_id", "category", SOURCE_LANGUAGE):
        if required not in table.header:
            problems.add("header", f"missing column {required!r}; the header must contain "
                                   "phrase_id, category, ja and one column per language "
                                   "('id' is Indonesian)")
    return mapping


def load_table(path: Path) -> Phrasebook:
    """Import a CSV or XLSX phrasebook (all-or-nothing)."""
    problems = Problems(path.name)
    table = read_table(path, problems)
    mapping = _column_languages(table, problems)
    scan_cells(table, problems, MAX_TEXT)
    categories: dict[str, Category] = {}
    raws = []
    for row in table.rows:
        texts, reviewed = {}, {}
        for header, code in mapping.items():
            value = row.get(header)
            if header.startswith(REVIEWED_PREFIX):
                flag = parse_bool(value)
                if flag is None:
                    problems.add(row.where(header), f"expected TRUE or FALSE, got {value!r}")
                reviewed[code] = bool(flag)
            else:
                texts[code] = value
        category = row.get("category")
        names = {c: row.get(f"category_{c}") for c in ("ja", "en") if row.get(f"category_{c}")}
        if category and names:
            previous = categories.get(category)
            if previous and any(previous.names.get(c) not in (None, n) for c, n in names.items()):
                problems.add(row.where("category_ja"), f"category {category!r} has a different "
                                                       f"name than on an earlier row")
            elif previous is None:
                default = default_category(category).names
                categories[category] = Category(category, default | names)
        def where(field_name: str | None, row=row) -> str:
            return row.where("phrase_id" if field_name == "id" else field_name)

        raws.append(RawPhrase(where, row.get("phrase_id"), category, texts, reviewed,
                              row.get("note"), row.get("reading")))
    book = build_phrasebook(path.stem, "1", list(categories.values()), raws, problems)
    problems.raise_if_any()
    return book


def table_rows(book: Phrasebook) -> tuple[list[str], list[list[str]]]:
    codes = list(book.languages)
    header = list(CSV_FIXED) + codes + [REVIEWED_PREFIX + c for c in codes
                                        if c != SOURCE_LANGUAGE]
    rows = []
    for phrase in book.phrases:
        category = book.category(phrase.category) or Category(phrase.category)
        row = [phrase.id, phrase.category, category.names.get("ja", ""),
               category.names.get("en", ""), phrase.note, phrase.reading]
        row += [phrase.texts.get(c, "") for c in codes]
        row += ["TRUE" if phrase.is_reviewed(c) else "FALSE" for c in codes
                if c != SOURCE_LANGUAGE]
        rows.append(row)
    return header, rows


def save_table(book: Phrasebook, path: Path, encoding: str = "utf-8-sig") -> None:
    """Export to .csv (encoding: utf-8-sig, utf-8 or cp932) or .xlsx."""
    header, rows = table_rows(book)
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, header, rows)
    else:
        write_csv(path, header, rows, encoding)


def load_master(path: Path) -> Phrasebook:
    """The translators' source list (phrasebooks/source/master.yaml: a list of
    {id, category, ja, en, note?}); English counts as not reviewed by a native speaker."""
    problems = Problems(path.name)
    data = load_yaml_data(path, problems)
    problems.raise_if_any()
    if not isinstance(data, list):
        problems.add("", "expected a list of {id, category, ja, en} entries")
        problems.raise_if_any()
    raws = []
    for index, entry in enumerate(data, start=1):
        if not isinstance(entry, dict):
            problems.add(f"entry #{index}", "expected a mapping")
            continue
        texts = {c: str(entry.get(c) or "").strip() for c in languages.LANGUAGES
                 if c in entry and c not in ("id", "category", "note")}
        raws.append(RawPhrase(lambda f, i=index: f"entry #{i}" + (f", {f}" if f else ""),
                              str(entry.get("id") or ""), str(entry.get("category") or ""),
                              texts, {}, str(entry.get("note") or "").strip()))
    book = build_phrasebook("master", "source", [], raws, problems)
    problems.raise_if_any()
    from counter_app.phrasebook.readings import fill_readings

    return fill_readings(book)


# --- any format -----------------------------------------------------------------------


def load_by_suffix(path: str | Path, from_yaml, from_table):
    """Load a YAML/JSON file with `from_yaml`, anything else (CSV, XLSX) with
    `from_table`; a missing file is reported like any other problem."""
    path = Path(path)
    if not path.is_file():
        problems = Problems(path.name)
        problems.add("", "file not found")
        problems.raise_if_any()
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        return from_yaml(path)
    return from_table(path)


def load_phrasebook(path: str | Path) -> Phrasebook:
    """Load and validate a phrasebook from .yaml/.yml, .csv/.tsv/.txt or .xlsx."""
    return load_by_suffix(path, load_yaml, load_table)


def save_phrasebook(book: Phrasebook, path: str | Path, encoding: str = "utf-8-sig") -> None:
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        save_yaml(book, path)
    elif path.suffix.lower() == ".json":
        save_json(book, path)
    else:
        save_table(book, path, encoding)
