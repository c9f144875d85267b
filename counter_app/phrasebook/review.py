"""Review by a native speaker: a sheet per language out, corrections and sign-offs in.

    counter-app phrasebook review-export ko -o review_ko.xlsx
    counter-app phrasebook review-import review_ko.xlsx --reviewer "Kim Minji"

The sheet has one row per phrase: phrase_id, category, ja, en, the current
translation (column named by the language code), reviewed_<code>, and empty
corrected_<code> and comment columns.  On import a row with a correction gets
that text; a row with a correction or reviewed TRUE counts as reviewed, with
the reviewer's name, the date and the comment recorded on that translation; a
row set to FALSE loses an earlier sign-off.  The result is a new library version
(rollback as for any import).  A broken sheet is rejected whole.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app import languages
from counter_app.errors import CounterAppError, UnknownLanguageError
from counter_app.phrasebook.model import SOURCE_LANGUAGE, Phrase, Phrasebook, Review
from counter_app.phrasebook.problems import (
    MAX_TEXT,
    PHRASEBOOK_LIMITS,
    Problem,
    Problems,
    check_size,
    check_text,
)

if TYPE_CHECKING:
    from counter_app.phrasebook.library import Library, Version

CORRECTED_PREFIX = "corrected_"
COMMENT = "comment"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_review(name: str, date: str, comment: str, where: str,
                 problems: Problems) -> Review | None:
    """A sign-off from its fields (None when all are empty); bad fields are problems."""
    if not (name or date or comment):
        return None
    if not name or not date:
        problems.add(where, "a review needs the reviewer's name and the date (YYYY-MM-DD)")
        return None
    if not valid_date(date):
        problems.add(where, f"review date {date!r} is not a date written YYYY-MM-DD")
    for value in (name, comment):
        if value:
            check_text(problems, where, value, MAX_TEXT)
    return Review(name, date, comment)


def valid_date(text: str) -> bool:
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return bool(_DATE.fullmatch(text))


def _language(code: str) -> str:
    try:
        found = languages.get(code).code
    except UnknownLanguageError:
        raise CounterAppError(f"Unknown language {code!r}; use a code such as ko, vi, "
                              "zh-Hant (see 'counter-app languages').") from None
    if found == SOURCE_LANGUAGE:
        raise CounterAppError("Japanese is the source language; review a translation "
                              "language (ko, vi, ...).")
    return found


def review_sheet(book: Phrasebook, code: str) -> tuple[list[str], list[list[str]]]:
    """Header and rows of the review sheet for `code`."""
    code = _language(code)
    shown = ["ja", "en"] if code != "en" else ["ja"]
    header = ["phrase_id", "category", *shown, code, f"reviewed_{code}",
              CORRECTED_PREFIX + code, COMMENT]
    rows = [[p.id, p.category, *(p.texts.get(c, "") for c in shown), p.texts.get(code, ""),
             "TRUE" if p.text(code) and p.is_reviewed(code) else "FALSE", "", ""]
            for p in book.phrases]
    return header, rows


def export_review(book: Phrasebook, code: str, path: str | Path) -> int:
    """Write the review sheet (.xlsx, or .csv in UTF-8 with BOM); the number of rows."""
    from counter_app.phrasebook.tables import write_csv, write_xlsx

    path, code = Path(path), _language(code)
    header, rows = review_sheet(book, code)
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, header, rows, title=f"review {code}")
    else:
        write_csv(path, header, rows)
    return len(rows)


@dataclass(frozen=True, slots=True)
class ReviewResult:
    """What an imported review changed."""

    language: str
    approved: list[str]  # phrase ids signed off as they were
    corrected: list[str]  # phrase ids with a new text
    withdrawn: list[str]  # phrase ids whose earlier sign-off the reviewer withdrew
    comments: dict[str, str]  # phrase id -> comment
    book: Phrasebook
    warnings: tuple[Problem, ...] = ()
    version: Version | None = None


def _sheet_language(header: list[str], problems: Problems) -> str | None:
    """The one language a review sheet is for, from its corrected_<code> column."""
    corrected = [h for h in header if h.startswith(CORRECTED_PREFIX)]
    if len(corrected) != 1:
        problems.add("header", f"expected exactly one {CORRECTED_PREFIX}<language> column "
                               f"(found {len(corrected)}); export the sheet with "
                               "'counter-app phrasebook review-export LANG'")
        return None
    try:
        code = _language(corrected[0][len(CORRECTED_PREFIX):])
    except CounterAppError as error:
        problems.add(f"header, column {corrected[0]!r}", str(error))
        return None
    expected = {"phrase_id", code, f"reviewed_{code}", CORRECTED_PREFIX + code}
    for missing in sorted(expected - set(header)):
        problems.add("header", f"missing column {missing!r} (a sheet for {code} needs "
                               f"{', '.join(sorted(expected))})")
    known = {"phrase_id", "category", "ja", "en", COMMENT} | expected
    for other in header:
        if other and other not in known:
            problems.add(f"header, column {other!r}", f"not a column of a review sheet for "
                                                      f"{code}: wrong language column?")
    return code


def _scripts(text: str) -> Counter[str]:
    """Letters per Unicode script name (LATIN, HANGUL, CJK, HIRAGANA...)."""
    return Counter(unicodedata.name(ch, "?").split(" ")[0] for ch in text if ch.isalpha())


def _check_language(book: Phrasebook, code: str, texts: list[str],
                    problems: Problems) -> None:
    """Corrections mostly in a script the language's translations never use (Japanese in
    the Korean column) reject the sheet: a wrong language column."""
    usual = _scripts("".join(p.texts.get(code, "") for p in book.phrases))
    found = _scripts("".join(texts))
    foreign = sum(n for script, n in found.items() if script not in usual)
    if usual and foreign * 2 > sum(found.values()):
        problems.add(f"column {CORRECTED_PREFIX + code!r}",
                     f"the corrections are mostly not in the script of "
                     f"{languages.get(code).english} ({', '.join(sorted(usual))}): "
                     "wrong language column?")


def read_review(book: Phrasebook, path: str | Path, reviewer: str,
                date: str | None = None) -> ReviewResult:
    """Apply a filled-in review sheet to `book` (nothing is written; see import_review)."""
    from counter_app.phrasebook.tables import parse_bool, read_table, scan_cells

    path = Path(path)
    problems = Problems(path.name)
    date = date or datetime.date.today().isoformat()
    if not reviewer.strip():
        problems.add("", "the reviewer's name is required (--reviewer NAME)")
    if not valid_date(date):
        problems.add("", f"review date {date!r} is not a date written YYYY-MM-DD")
    if not path.is_file():
        problems.add("", "file not found")
    problems.raise_if_any()
    check_size(path, PHRASEBOOK_LIMITS, problems)
    table = read_table(path, problems, PHRASEBOOK_LIMITS)
    scan_cells(table, problems, PHRASEBOOK_LIMITS.text)  # mojibake, formulas, length
    code = _sheet_language(table.header, problems)
    problems.raise_if_any()
    assert code is not None
    if code not in book.languages:
        problems.add("", f"the active phrasebook has no {code} translations")
    sign = Review(reviewer.strip(), date)
    phrases = {p.id: p for p in book.phrases}
    result = ReviewResult(code, [], [], [], {}, book)
    seen: set[str] = set()
    corrections: list[str] = []
    for row in table.rows:
        ident = row.get("phrase_id")
        phrase = phrases.get(ident)
        if phrase is None:
            problems.add(row.where("phrase_id"), f"unknown phrase id {ident!r} (not in the "
                                                 f"active phrasebook {book.version})")
            continue
        if ident in seen:
            problems.add(row.where("phrase_id"), f"phrase {ident!r} appears twice")
        seen.add(ident)
        for column in ("ja", code):
            if column in table.header and row.get(column) != phrase.texts.get(column, ""):
                problems.add(row.where(column), f"differs from the active phrasebook (changed "
                             f"since export, or edited here); put corrections in "
                             f"{CORRECTED_PREFIX + code} and export a fresh sheet if needed")
        flag = parse_bool(row.get(f"reviewed_{code}"))
        if flag is None:
            problems.add(row.where(f"reviewed_{code}"), "expected TRUE or FALSE, got "
                                                        f"{row.get(f'reviewed_{code}')!r}")
            continue
        fixed, comment = row.get(CORRECTED_PREFIX + code), row.get(COMMENT)
        if comment:
            result.comments[ident] = comment
        was = phrase.is_reviewed(code) and bool(phrase.text(code))
        if fixed and fixed != phrase.text(code):
            corrections.append(fixed)
            result.corrected.append(ident)
            phrases[ident] = _signed(phrase, code, fixed, dataclasses.replace(sign,
                                                                              comment=comment))
        elif (flag or fixed) and not was:
            if not phrase.text(code):
                problems.add(row.where(f"reviewed_{code}"), "marked reviewed but there is no "
                             f"translation; write it in {CORRECTED_PREFIX + code}")
                continue
            result.approved.append(ident)
            phrases[ident] = _signed(phrase, code, phrase.texts[code],
                                     dataclasses.replace(sign, comment=comment))
        elif not flag and not fixed and was:
            result.withdrawn.append(ident)
            phrases[ident] = dataclasses.replace(phrase, reviewed=phrase.reviewed | {code: False})
    _check_language(book, code, corrections, problems)
    problems.raise_if_any()
    if not (result.approved or result.corrected or result.withdrawn):
        raise CounterAppError(f"{path.name}: nothing to import: no row is newly marked "
                              f"reviewed_{code} TRUE or has a {CORRECTED_PREFIX + code} text.")
    reviewed = Phrasebook(book.name, f"{book.version}+review-{code}-{date}", book.categories,
                          tuple(phrases[p.id] for p in book.phrases), book.languages,
                          book.source_language)
    return dataclasses.replace(result, book=reviewed, warnings=tuple(problems.warnings))


def _signed(phrase: Phrase, code: str, text: str, review: Review) -> Phrase:
    return dataclasses.replace(phrase, texts=phrase.texts | {code: text},
                               reviewed=phrase.reviewed | {code: True},
                               reviews=phrase.reviews | {code: review})


def import_review(library: Library, path: str | Path, reviewer: str,
                  date: str | None = None) -> ReviewResult:
    """Apply a review sheet to the active phrasebook and install it as a new version."""
    result = read_review(library.phrasebook(), path, reviewer, date)
    version = library.phrasebooks.install(result.book)
    return dataclasses.replace(result, version=version)
