"""Reading phrasebook files: YAML (the shipped format), JSON, CSV and XLSX (writing: export.py).

Every loader validates the whole file and raises ImportValidationError with
all problems found (up to a cap); nothing half-loaded ever comes back.
The format is documented in phrasebooks/FORMAT.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from counter_app import languages
from counter_app.errors import UnknownLanguageError
from counter_app.phrasebook.export import (
    CSV_FIXED,
    FORMAT_TAG,
    REVIEW_COLUMNS,
    REVIEWED_PREFIX,
    phrasebook_to_data,
    save_json,
    save_phrasebook,
    save_table,
    save_yaml,
    table_rows,
)
from counter_app.phrasebook.model import (
    ID_PATTERN,
    SOURCE_LANGUAGE,
    Category,
    Phrase,
    Phrasebook,
    Review,
    sort_languages,
)
from counter_app.phrasebook.problems import (
    MAX_TEXT,
    PHRASEBOOK_LIMITS,
    Limits,
    Problems,
    Progress,
    check_entries,
    check_size,
    check_text,
)
from counter_app.phrasebook.review import parse_review
from counter_app.phrasebook.tables import (
    Table,
    parse_bool,
    read_table,
    scan_cells,
    warn_substitutions,
)
from counter_app.phrasebook.yamlfile import (
    dump_yaml,
    flag_of,
    list_of,
    load_yaml_data,
    mapping_of,
    text_of,
)

__all__ = ["dump_yaml", "load_phrasebook", "load_yaml_data", "phrasebook_to_data", "save_json",
           "save_phrasebook", "save_table", "save_yaml", "table_rows"]
T = TypeVar("T")
PROGRESS_EVERY = 1000  # phrases between progress reports

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

@dataclass(slots=True)
class RawPhrase:
    where: Callable[[str | None], str]
    id: str
    category: str
    texts: dict[str, str]
    reviewed: dict[str, bool] = field(default_factory=dict)
    note: str = ""
    reading: str = ""
    reviews: dict[str, Review] = field(default_factory=dict)


def load_yaml(path: Path, limits: Limits = PHRASEBOOK_LIMITS,
              progress: Progress | None = None) -> Phrasebook:
    problems = Problems(path.name)
    data = load_yaml_data(path, problems)
    problems.raise_if_any()
    if not isinstance(data, dict) or "phrases" not in data:
        problems.add("", "not a phrasebook: expected a mapping with 'name', 'version', "
                         "'categories' and 'phrases'")
        problems.raise_if_any()
    fmt = text_of(data.get("format"), "format", problems) or FORMAT_TAG
    if fmt != FORMAT_TAG:
        problems.add("format", f"unsupported format {fmt!r}; expected {FORMAT_TAG!r}")
    entries = list_of(data["phrases"], "phrases", problems)
    check_entries(len(entries), limits, problems)
    declared = _declared_languages(list_of(data.get("languages"), "languages", problems),
                                   problems)
    categories = _yaml_categories(list_of(data.get("categories"), "categories", problems),
                                  problems)
    raws = [raw for index, entry in enumerate(entries, start=1)
            if (raw := _yaml_phrase(index, entry, problems)) is not None]
    name = text_of(data.get("name"), "name", problems) or path.stem
    version = text_of(data.get("version"), "version", problems) or "1"
    book = build_phrasebook(name, version, categories, raws, problems, declared=declared,
                            strict_categories=True, progress=progress)
    problems.raise_if_any()
    book.warnings = tuple(problems.warnings)
    return book


def _declared_languages(codes: list, problems: Problems) -> tuple[str, ...]:
    found = []
    for index, value in enumerate(codes, start=1):
        code = text_of(value, f"languages #{index}", problems)
        if code not in languages.LANGUAGES:
            problems.add("languages", f"unknown language code {code!r}")
        else:
            found.append(code)
    return sort_languages(found) if found else ()


def _yaml_categories(entries: list, problems: Problems) -> list[Category]:
    categories = []
    for index, entry in enumerate(entries, start=1):
        where = f"categories #{index}"
        if not isinstance(entry, dict) or not entry.get("id"):
            problems.add(where, "a category needs an 'id' and a 'name' map (ja, en)")
            continue
        ident = text_of(entry["id"], f"{where}, id", problems)
        names = entry.get("name")
        names = {"ja": names} if isinstance(names, str) else mapping_of(
            names, f"{where}, name", problems)
        names = {code: text for code, value in names.items()
                 if (text := text_of(value, f"{where}, name, {code}", problems))}
        for code in ("ja", "en"):
            if code not in names:
                problems.add(f"category {ident!r}", f"missing the {code} display name")
        categories.append(Category(ident, names))
    return categories


def _yaml_phrase(index: int, entry: object, problems: Problems) -> RawPhrase | None:
    if not isinstance(entry, dict):
        problems.add(f"phrases #{index}", "expected a mapping with id, category, text")
        return None
    ident = text_of(entry.get("id"), f"phrases #{index}, id", problems)
    label = f"phrase #{index}" + (f" (id {ident!r})" if ident else "")

    def where(field_name: str | None) -> str:
        return label if field_name is None else f"{label}, {field_name}"

    texts = {code: text_of(value, where(code), problems) for code, value in
             mapping_of(entry.get("text"), where("text"), problems).items()}
    reviewed = entry.get("reviewed")
    if isinstance(reviewed, bool):
        flags = {code: reviewed for code in texts}
    else:
        flags = {code: flag_of(value, where(f"reviewed, {code}"), problems) for code, value
                 in mapping_of(reviewed, where("reviewed"), problems).items()}
    reviews = {}
    for code, value in mapping_of(entry.get("reviewed_by"), where("reviewed_by"),
                                  problems).items():
        place = where(f"reviewed_by, {code}")
        fields = {key: text_of(item, f"{place}, {key}", problems)
                  for key, item in mapping_of(value, place, problems).items()}
        if review := parse_review(fields.get("name", ""), fields.get("date", ""),
                                  fields.get("comment", ""), place, problems):
            reviews[code] = review
    return RawPhrase(where, ident, text_of(entry.get("category"), where("category"), problems),
                     texts, flags, text_of(entry.get("note"), where("note"), problems),
                     text_of(entry.get("reading"), where("reading"), problems), reviews)


def build_phrasebook(name: str, version: str, categories: list[Category], raws: list[RawPhrase],
                     problems: Problems, declared: tuple[str, ...] = (),
                     strict_categories: bool = False,
                     progress: Progress | None = None) -> Phrasebook:
    """Validate raw phrases (from any format) and assemble the phrasebook."""
    known = {c.id: c for c in categories}
    first_seen: dict[str, str] = {}
    phrases = []
    for number, raw in enumerate(raws):
        if progress and number % PROGRESS_EVERY == 0:
            progress("checking", number, len(raws))
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
        for code in raw.reviews:
            if not reviewed.get(code) or code == SOURCE_LANGUAGE:
                problems.add(raw.where(f"reviewed_by, {code}"), "a reviewer is recorded but "
                             f"the {code} translation is not marked reviewed")
        phrases.append(Phrase(raw.id, raw.category, texts, reviewed, raw.note, raw.reading,
                              raw.reviews))
    return Phrasebook(name, version, tuple(known.values()), tuple(phrases), declared)


# --- CSV / XLSX -----------------------------------------------------------------------


def _column_languages(table: Table, problems: Problems) -> dict[str, str]:
    """Map header -> language code for language and reviewed_ columns; report the rest."""
    mapping: dict[str, str] = {}
    for header in table.header:
        if not header or header in CSV_FIXED:
            continue
        prefix = next((p for p in (REVIEWED_PREFIX, *REVIEW_COLUMNS) if header.startswith(p)), "")
        base = header[len(prefix):]
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


def load_table(path: Path, limits: Limits = PHRASEBOOK_LIMITS,
               progress: Progress | None = None) -> Phrasebook:
    """Import a CSV or XLSX phrasebook (all-or-nothing)."""
    problems = Problems(path.name)
    table = read_table(path, problems, limits)
    mapping = _column_languages(table, problems)
    scan_cells(table, problems, limits.text, progress)
    warn_substitutions(table, [h for h, c in mapping.items() if c != SOURCE_LANGUAGE and not
                               h.startswith((REVIEWED_PREFIX, *REVIEW_COLUMNS))], problems)
    categories: dict[str, Category] = {}
    raws = []
    for row in table.rows:
        texts, reviewed, reviews = {}, {}, {}
        for header, code in mapping.items():
            value = row.get(header)
            if header.startswith(REVIEW_COLUMNS[0]):
                cells = [row.get(prefix + code) for prefix in REVIEW_COLUMNS]
                if review := parse_review(*cells, row.where(header), problems):
                    reviews[code] = review
            elif header.startswith(REVIEW_COLUMNS[1:]):
                if row.get(header) and not row.get(REVIEW_COLUMNS[0] + code):
                    problems.add(row.where(header), f"filled in without {REVIEW_COLUMNS[0]}{code}")
            elif header.startswith(REVIEWED_PREFIX):
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
                              row.get("note"), row.get("reading"), reviews))
    book = build_phrasebook(path.stem, "1", list(categories.values()), raws, problems,
                            progress=progress)
    problems.raise_if_any()
    book.warnings = tuple(problems.warnings)
    return book


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

        def where(field_name: str | None, i: int = index) -> str:
            return f"entry #{i}" + (f", {field_name}" if field_name else "")

        texts = {c: text_of(entry[c], where(c), problems) for c in languages.LANGUAGES
                 if c in entry and c not in ("id", "category", "note")}
        raws.append(RawPhrase(where, text_of(entry.get("id"), where("id"), problems),
                              text_of(entry.get("category"), where("category"), problems),
                              texts, {}, text_of(entry.get("note"), where("note"), problems)))
    book = build_phrasebook("master", "source", [], raws, problems)
    problems.raise_if_any()
    from counter_app.phrasebook.readings import fill_readings

    return fill_readings(book)


# --- any format -----------------------------------------------------------------------


def load_by_suffix(path: str | Path, from_yaml: Callable[..., T], from_table: Callable[..., T],
                   limits: Limits, progress: Progress | None = None) -> T:
    """Load a YAML/JSON file with `from_yaml`, anything else (CSV, XLSX) with
    `from_table`; a missing or oversized file is reported like any other problem."""
    path = Path(path)
    problems = Problems(path.name)
    if not path.is_file():
        problems.add("", "file not found")
        problems.raise_if_any()
    check_size(path, limits, problems)
    if progress:
        progress("reading", 0, 1)
    if path.suffix.lower() in (".yaml", ".yml", ".json"):
        return from_yaml(path, limits, progress)
    return from_table(path, limits, progress)


def load_phrasebook(path: str | Path, progress: Progress | None = None) -> Phrasebook:
    """Load and validate a phrasebook from .yaml/.yml, .csv/.tsv/.txt or .xlsx.

    `progress(stage, done, total)` hears about long imports; the result's
    `warnings` lists findings that did not stop the import."""
    return load_by_suffix(path, load_yaml, load_table, PHRASEBOOK_LIMITS, progress)
