"""Native review of translations: export a sheet, import corrections and sign-offs."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from counter_app import cli
from counter_app.errors import CounterAppError
from counter_app.phrasebook import ImportValidationError, load_phrasebook, save_phrasebook
from counter_app.phrasebook.library import Library
from counter_app.phrasebook.model import Category, Phrase, Phrasebook, Review
from counter_app.phrasebook.review import export_review, import_review, review_sheet

ROWS = [
    ("address", "住所を書いてください。", "Please write your address.", "주소를 써 주세요.",
     "Vui lòng viết địa chỉ."),
    ("wait", "少々お待ちください。", "Please wait a moment.", "잠시만 기다려 주세요.",
     "Vui lòng đợi một chút."),
    ("thanks", "ありがとうございます。", "Thank you.", "감사합니다.", "Cảm ơn."),
]


@pytest.fixture
def library(tmp_path) -> Library:
    phrases = tuple(Phrase(i, "c", {"ja": ja, "en": en, "ko": ko, "vi": vi}, {"en": True})
                    for i, ja, en, ko, vi in ROWS)
    book = Phrasebook("t", "1", (Category("c", {"ja": "窓口", "en": "Counter"}),), phrases)
    shipped = tmp_path / "shipped"
    shipped.mkdir()
    save_phrasebook(book, shipped / "phrasebook.yaml")
    return Library(tmp_path / "lib", shipped_dir=shipped)


def read_sheet(path: Path) -> list[list[str]]:
    if path.suffix == ".xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(path).active
        return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(
            values_only=True)]
    with path.open(encoding="utf-8-sig", newline="") as file:
        return list(csv.reader(file))


def write_sheet(path: Path, rows: list[list[str]], encoding: str = "utf-8-sig") -> None:
    if path.suffix == ".xlsx":
        import openpyxl

        book = openpyxl.Workbook()
        for row in rows:
            book.active.append(row)
        book.save(path)
        return
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file).writerows(rows)


def edit(rows: list[list[str]], ident: str, column: str, value: str) -> None:
    header = rows[0]
    next(r for r in rows if r[0] == ident)[header.index(column)] = value


def test_sheet_columns():
    book = Phrasebook("t", "1", (), (Phrase("a", "c", {"ja": "は", "en": "Yes", "ko": "네"}),))
    header, rows = review_sheet(book, "ko")
    assert header == ["phrase_id", "category", "ja", "en", "ko", "reviewed_ko", "corrected_ko",
                      "comment"]
    assert rows == [["a", "c", "は", "Yes", "네", "FALSE", "", ""]]
    assert review_sheet(book, "en")[0][2:5] == ["ja", "en", "reviewed_en"]
    with pytest.raises(CounterAppError, match="source language"):
        review_sheet(book, "ja")


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_round_trip_sets_flags_with_name_and_date_and_rollback_restores(library, tmp_path,
                                                                        suffix):
    sheet = tmp_path / f"review_ko{suffix}"
    assert export_review(library.phrasebook(), "ko", sheet) == 3
    rows = read_sheet(sheet)
    edit(rows, "address", "reviewed_ko", "TRUE")
    edit(rows, "wait", "corrected_ko", "잠시 기다려 주십시오.")
    edit(rows, "wait", "comment", "더 정중하게")
    write_sheet(sheet, rows)

    result = import_review(library, sheet, "Kim Minji", "2026-12-01")
    assert (result.approved, result.corrected, result.withdrawn) == (["address"], ["wait"], [])
    assert result.version.label == "v0001"
    book = library.phrasebook()
    address, wait, thanks = (book.get(i) for i in ("address", "wait", "thanks"))
    assert address.is_reviewed("ko") and address.text("ko") == "주소를 써 주세요."
    assert address.reviews["ko"] == Review("Kim Minji", "2026-12-01")
    assert wait.text("ko") == "잠시 기다려 주십시오."
    assert wait.reviews["ko"] == Review("Kim Minji", "2026-12-01", "더 정중하게")
    assert not thanks.is_reviewed("ko") and "ko" not in thanks.reviews
    assert not address.is_reviewed("vi")  # other languages untouched

    for kept in ("kept.yaml", "kept.csv", "kept.xlsx"):  # exports keep the sign-offs
        save_phrasebook(book, tmp_path / kept)
        again = load_phrasebook(tmp_path / kept)
        assert again.get("wait").reviews == wait.reviews, kept
        assert again.get("thanks").reviews == {}

    library.rollback_phrasebook()
    restored = library.phrasebook()
    assert not restored.get("address").is_reviewed("ko")
    assert restored.get("wait").text("ko") == "잠시만 기다려 주세요."
    assert restored.get("wait").reviews == {}


def test_setting_false_withdraws_an_earlier_sign_off(library, tmp_path):
    sheet = tmp_path / "r.csv"
    export_review(library.phrasebook(), "vi", sheet)
    rows = read_sheet(sheet)
    edit(rows, "thanks", "reviewed_vi", "TRUE")
    write_sheet(sheet, rows)
    import_review(library, sheet, "Nguyen An", "2026-12-01")
    assert library.phrasebook().get("thanks").reviews["vi"].reviewer == "Nguyen An"

    export_review(library.phrasebook(), "vi", sheet)
    rows = read_sheet(sheet)
    assert rows[3][5] == "TRUE"
    edit(rows, "thanks", "reviewed_vi", "FALSE")
    write_sheet(sheet, rows)
    result = import_review(library, sheet, "Tran Binh", "2026-12-02")
    assert result.withdrawn == ["thanks"]
    thanks = library.phrasebook().get("thanks")
    assert not thanks.is_reviewed("vi") and thanks.reviews == {}


def broken(rows: list[list[str]], kind: str) -> tuple[list[list[str]], str]:
    """A filled-in ko sheet with one kind of fault, and the message expected."""
    header = rows[0]
    edit(rows, "address", "reviewed_ko", "TRUE")
    if kind == "unknown id":
        rows.append(["no.such.phrase", "c", "", "", "", "TRUE", "", ""])
        return rows, "unknown phrase id 'no.such.phrase'"
    if kind == "wrong language column":
        header[header.index("ko")] = "vi"
        return rows, "wrong language column"
    if kind == "corrections in another language":
        edit(rows, "wait", "corrected_ko", "少々お待ちください。")
        edit(rows, "thanks", "corrected_ko", "ありがとうございます。")
        return rows, "not in the script of Korean"
    if kind == "mojibake":
        edit(rows, "wait", "corrected_ko", "ì\u009e\u00a0ì\u008b\u009c ê¸°ë\u008b¤ë ¤")
        return rows, "mojibake"
    if kind == "bad flag":
        edit(rows, "wait", "reviewed_ko", "maybe")
        return rows, "expected TRUE or FALSE"
    if kind == "two corrected columns":
        header.append("corrected_vi")
        for row in rows[1:]:
            row.append("")
        return rows, "exactly one corrected_<language> column"
    if kind == "current text edited":
        edit(rows, "wait", "ko", "잠깐만요.")
        return rows, "differs from the active phrasebook"
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["unknown id", "wrong language column",
                                  "corrections in another language", "mojibake", "bad flag",
                                  "two corrected columns", "current text edited"])
def test_broken_sheet_is_rejected_whole(library, tmp_path, kind):
    sheet = tmp_path / "r.csv"
    export_review(library.phrasebook(), "ko", sheet)
    rows, message = broken(read_sheet(sheet), kind)
    write_sheet(sheet, rows)
    with pytest.raises(ImportValidationError, match=message):
        import_review(library, sheet, "Kim Minji", "2026-12-01")
    assert [v.label for v in library.phrasebooks.versions()] == ["shipped"]
    assert not library.phrasebook().get("address").is_reviewed("ko")  # nothing applied


def test_cp932_mojibake_file_is_rejected(library, tmp_path):
    sheet = tmp_path / "r.csv"
    export_review(library.phrasebook(), "vi", sheet)
    rows = read_sheet(sheet)
    edit(rows, "address", "reviewed_vi", "TRUE")
    raw = "\n".join(",".join(row) for row in rows).encode("utf-8").decode("cp1252", "replace")
    sheet.write_text(raw, encoding="utf-8")
    with pytest.raises(ImportValidationError):
        import_review(library, sheet, "Nguyen An", "2026-12-01")
    assert [v.label for v in library.phrasebooks.versions()] == ["shipped"]


def test_reviewer_date_and_empty_sheet_checks(library, tmp_path):
    sheet = tmp_path / "r.xlsx"
    export_review(library.phrasebook(), "ko", sheet)
    with pytest.raises(CounterAppError, match="nothing to import"):
        import_review(library, sheet, "Kim Minji", "2026-12-01")
    with pytest.raises(ImportValidationError, match="YYYY-MM-DD"):
        import_review(library, sheet, "Kim Minji", "01/12/2026")
    with pytest.raises(ImportValidationError, match="reviewer's name"):
        import_review(library, sheet, " ", "2026-12-01")


def test_phrasebook_file_checks_review_records(tmp_path):
    source = tmp_path / "b.yaml"
    base = ("format: counter-app-phrasebook/1\nname: t\nversion: '1'\ncategories:\n"
            "- id: c\n  name: {ja: c, en: c}\nphrases:\n- id: a\n  category: c\n"
            "  text: {ja: はい, ko: 네}\n")
    source.write_text(base + "  reviewed: {ko: true}\n  reviewed_by:\n    ko: {name: Kim, "
                             "date: 2026-12-01}\n", encoding="utf-8")
    assert load_phrasebook(source).get("a").reviews["ko"] == Review("Kim", "2026-12-01")
    source.write_text(base + "  reviewed_by:\n    ko: {name: Kim, date: 2026-12-01}\n",
                      encoding="utf-8")
    with pytest.raises(ImportValidationError, match="not marked reviewed"):
        load_phrasebook(source)
    source.write_text(base + "  reviewed: {ko: true}\n  reviewed_by:\n    ko: {name: Kim, "
                             "date: 1 Dec 2026}\n", encoding="utf-8")
    with pytest.raises(ImportValidationError, match="not a date"):
        load_phrasebook(source)


def test_cli_review_export_and_import(tmp_path, capsys):
    sheet = tmp_path / "review_ko.csv"
    args = ["--library", str(tmp_path / "lib")]  # the shipped phrasebook is active
    assert cli.main(["phrasebook", "review-export", "ko", "-o", str(sheet), *args]) == 0
    rows = read_sheet(sheet)
    first = rows[1][0]
    edit(rows, first, "reviewed_ko", "TRUE")
    edit(rows, first, "comment", "OK")
    write_sheet(sheet, rows)
    assert cli.main(["phrasebook", "review-import", str(sheet), "--reviewer", "Kim Minji",
                     "--date", "2026-12-01", *args]) == 0
    out = capsys.readouterr().out
    assert "1 approved" in out and f"comment on {first}: OK" in out
    assert Library(tmp_path / "lib").phrasebook().get(first).reviews["ko"].reviewer == "Kim Minji"
    rows.append(["bogus", "", "", "", "", "", "", ""])
    write_sheet(sheet, rows)
    assert cli.main(["phrasebook", "review-import", str(sheet), "--reviewer", "X", *args]) == 2
    assert "unknown phrase id 'bogus'" in capsys.readouterr().err
    assert cli.main(["phrasebook", "rollback", *args]) == 0
    assert not Library(tmp_path / "lib").phrasebook().get(first).reviews


def test_shipped_korean_and_vietnamese_stay_unreviewed():
    book = load_phrasebook(Path(__file__).resolve().parents[1] / "phrasebooks"
                           / "phrasebook.yaml")
    assert not any(p.is_reviewed(c) for p in book.phrases for c in ("ko", "vi"))
    assert not any(p.reviews for p in book.phrases)
