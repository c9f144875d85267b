"""Writing phrasebooks: YAML (shipped, diff-friendly), JSON (the library's copies), CSV, XLSX.

The column and key layout defined here is what files.py reads back.
"""

from __future__ import annotations

import json
from pathlib import Path

from counter_app.phrasebook.model import SOURCE_LANGUAGE, Category, Phrase, Phrasebook, Review
from counter_app.phrasebook.tables import write_csv, write_xlsx
from counter_app.phrasebook.yamlfile import dump_yaml

FORMAT_TAG = "counter-app-phrasebook/1"
CSV_FIXED = ("phrase_id", "category", "category_ja", "category_en", "note", "reading")
REVIEWED_PREFIX = "reviewed_"
# Per reviewed translation, for languages where any phrase has a sign-off:
REVIEW_COLUMNS = ("reviewer_", "review_date_", "review_comment_")


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
    if phrase.reviews:
        data["reviewed_by"] = {c: _review_data(phrase.reviews[c]) for c in codes
                               if c in phrase.reviews}
    if phrase.note:
        data["note"] = phrase.note
    if phrase.reading:
        data["reading"] = phrase.reading
    return data


def _review_data(review: Review) -> dict[str, str]:
    data = {"name": review.reviewer, "date": review.date}
    return data | {"comment": review.comment} if review.comment else data


def save_yaml(book: Phrasebook, path: Path) -> None:
    path.write_text(dump_yaml(phrasebook_to_data(book)), encoding="utf-8")


def save_json(book: Phrasebook, path: Path) -> None:
    """Same data as the YAML, loads ~20x faster: the library's stored versions."""
    path.write_text(json.dumps(phrasebook_to_data(book), ensure_ascii=False), encoding="utf-8")


def table_rows(book: Phrasebook) -> tuple[list[str], list[list[str]]]:
    codes = list(book.languages)
    header = list(CSV_FIXED) + codes + [REVIEWED_PREFIX + c for c in codes
                                        if c != SOURCE_LANGUAGE]
    signed = [c for c in codes if any(c in p.reviews for p in book.phrases)]
    header += [prefix + c for c in signed for prefix in REVIEW_COLUMNS]
    rows = []
    for phrase in book.phrases:
        category = book.category(phrase.category) or Category(phrase.category)
        row = [phrase.id, phrase.category, category.names.get("ja", ""),
               category.names.get("en", ""), phrase.note, phrase.reading]
        row += [phrase.texts.get(c, "") for c in codes]
        row += ["TRUE" if phrase.is_reviewed(c) else "FALSE" for c in codes
                if c != SOURCE_LANGUAGE]
        for code in signed:
            review = phrase.reviews.get(code)
            row += [review.reviewer, review.date, review.comment] if review else ["", "", ""]
        rows.append(row)
    return header, rows


def save_table(book: Phrasebook, path: Path, encoding: str = "utf-8-sig") -> None:
    """Export to .csv (encoding: utf-8-sig, utf-8 or cp932) or .xlsx."""
    header, rows = table_rows(book)
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, header, rows)
    else:
        write_csv(path, header, rows, encoding)


def save_phrasebook(book: Phrasebook, path: str | Path, encoding: str = "utf-8-sig") -> None:
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        save_yaml(book, path)
    elif path.suffix.lower() == ".json":
        save_json(book, path)
    else:
        save_table(book, path, encoding)
