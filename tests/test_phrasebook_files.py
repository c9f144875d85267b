"""Phrasebook files: round trips in every format/encoding and every validation error."""

from __future__ import annotations

import pytest

from counter_app.errors import CounterAppError
from counter_app.phrasebook import ImportValidationError, load_phrasebook, save_phrasebook
from counter_app.phrasebook.model import Category, Phrase, Phrasebook
from counter_app.phrasebook.problems import MAX_PROBLEMS, MAX_TEXT

HEADER = "phrase_id,category,ja,en,ko,zh-Hant,reviewed_en,reviewed_ko"


@pytest.fixture()
def book() -> Phrasebook:
    categories = (Category("reception", {"ja": "受付", "en": "Reception"}),
                  Category("fees", {"ja": "手数料", "en": "Fees"}))
    phrases = (
        Phrase("reception.take_ticket", "reception",
               {"ja": "番号札をお取りください。", "en": "Please take a number ticket.",
                "ko": "번호표를 뽑아 주세요.", "zh-Hant": "請抽號碼牌。", "th": "กรุณารับบัตรคิว"},
               {"en": True, "ko": False, "th": False}, note="受付で最初に"),
        Phrase("fees.300", "fees",
               {"ja": "手数料は三百円です。", "en": "The fee is 300 yen, \"cash\"."},
               {"en": True}, reading="てすうりょうはさんびゃくえんです"),
        Phrase("fees.multiline", "fees", {"ja": "一行目\n二行目", "ru": "Пошлина, 300 иен"}),
    )
    return Phrasebook("テスト", "3", categories, phrases)


def write(path, text: str, encoding: str = "utf-8"):
    path.write_bytes(text.encode(encoding))
    return path


def problems_of(path) -> list[str]:
    with pytest.raises(ImportValidationError) as info:
        load_phrasebook(path)
    return [str(p) for p in info.value.problems]


@pytest.mark.parametrize("name,encoding", [("book.yaml", None), ("book.csv", "utf-8"),
                                           ("book.csv", "utf-8-sig"), ("book.xlsx", None)])
def test_round_trip_keeps_every_phrase(tmp_path, book, name, encoding):
    path = tmp_path / name
    save_phrasebook(book, path, *(encoding,) if encoding else ())
    loaded = load_phrasebook(path)
    assert loaded.phrases == book.phrases
    assert loaded.categories == book.categories
    assert loaded.languages == ("ja", "en", "ko", "ru", "zh-Hant", "th")
    assert loaded.get("reception.take_ticket").is_reviewed("en")
    assert not loaded.get("reception.take_ticket").is_reviewed("ko")
    if encoding == "utf-8-sig":
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    if encoding == "utf-8":
        assert not path.read_bytes().startswith(b"\xef\xbb\xbf")


def test_yaml_keeps_name_version_and_is_one_value_per_line(tmp_path, book):
    path = tmp_path / "book.yaml"
    save_phrasebook(book, path)
    loaded = load_phrasebook(path)
    assert (loaded.name, loaded.version) == ("テスト", "3")
    text = path.read_text(encoding="utf-8")
    assert "    ja: 番号札をお取りください。\n" in text  # readable, not \u-escaped
    assert "    ko: false\n" in text


def test_cp932_round_trip_as_japanese_excel_saves(tmp_path):
    book = Phrasebook("cp", "1", (), (
        Phrase("a", "reception", {"ja": "住民票の写しは三百円です。", "en": "A copy is 300 yen."},
               {"en": True}),
        Phrase("b", "reception", {"ja": "ﾊﾝｶｸｶﾀｶﾅ①", "en": "Half-width"})))
    path = tmp_path / "sjis.csv"
    save_phrasebook(book, path, "cp932")
    path.read_bytes().decode("cp932")  # really CP932, not UTF-8
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")
    assert load_phrasebook(path).phrases == book.phrases


def test_cp932_export_of_korean_says_why_it_cannot(tmp_path, book):
    with pytest.raises(CounterAppError, match="cp932.*UTF-8"):
        save_phrasebook(book, tmp_path / "x.csv", "cp932")


def test_excel_style_csv_with_crlf_tab_and_bool_spellings(tmp_path):
    path = write(tmp_path / "t.txt", "phrase_id\tcategory\tja\ten\treviewed_en\r\n"
                                     "a\treception\tこんにちは\tHello\tはい\r\n"
                                     "\t\t\t\t\r\n"
                                     "b\treception\tどうぞ\tPlease\t0\r\n")
    book = load_phrasebook(path)
    assert [p.id for p in book.phrases] == ["a", "b"]
    assert book.get("a").is_reviewed("en") and not book.get("b").is_reviewed("en")
    assert book.category("reception").name("ja") == "受付・番号札"  # shipped default name


def test_unknown_language_column(tmp_path):
    path = write(tmp_path / "p.csv", "phrase_id,category,ja,xx,reviewed_yy\na,c,はい,x,TRUE\n")
    found = problems_of(path)
    assert any("header, column 'xx': unknown language column 'xx'" in p for p in found)
    assert any("unknown language column 'reviewed_yy'" in p for p in found)


def test_duplicate_column(tmp_path):
    path = write(tmp_path / "p.csv", "phrase_id,category,ja,en,en\na,c,はい,Yes,No\n")
    assert problems_of(path) == ["p.csv: header: column 'en' appears more than once"]


def test_language_aliases_are_accepted(tmp_path):
    path = write(tmp_path / "p.csv", "phrase_id,category,ja,zh-TW,pt-BR\na,c,はい,是,Sim\n")
    assert load_phrasebook(path).get("a").texts == {"ja": "はい", "zh-Hant": "是", "pt": "Sim"}


def test_duplicate_id_names_both_rows(tmp_path):
    path = write(tmp_path / "p.csv", "phrase_id,category,ja\na,c,はい\nb,c,いいえ\na,c,どうぞ\n")
    assert problems_of(path) == [
        "p.csv: row 4, column 'phrase_id': duplicate id 'a' (first used at row 2)"]


def test_empty_source_text(tmp_path):
    path = write(tmp_path / "p.csv", "phrase_id,category,ja,en\na,c,,Hello\n")
    assert problems_of(path) == ["p.csv: row 2, column 'ja': empty source (ja) text"]


def test_broken_encoding_gives_line(tmp_path):
    data = "phrase_id,category,ja\na,c,はい\n".encode() + b"b,c,\xff\xfe\x80\n"
    path = tmp_path / "p.csv"
    path.write_bytes(data)
    (message,) = problems_of(path)
    assert message.startswith("p.csv: line 3: broken encoding: byte 0xff")
    assert "CSV UTF-8" in message


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_formula_start_is_rejected_in_any_column(tmp_path, start):
    path = write(tmp_path / "p.csv",
                 f"phrase_id,category,ja,en,note\na,c,はい,Yes,{start}SUM(A1)\n")
    assert problems_of(path) == [
        f"p.csv: row 2, column 'note': text starts with '{start}', which spreadsheet programs "
        "run as a formula (CSV injection); reword it so it starts differently"]


def test_formula_cell_in_xlsx_is_rejected_with_cell_name(tmp_path):
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["phrase_id", "category", "ja", "en"])
    sheet.append(["a", "c", "はい", "Yes"])
    sheet.append(["b", "c", "いいえ", "=HYPERLINK(\"http://x\")"])
    sheet.append(["c", "c", "+81 3", "phone"])
    path = tmp_path / "p.xlsx"
    workbook.save(path)
    found = problems_of(path)
    assert "p.xlsx: cell D3: formula cells are not allowed (CSV injection risk); paste the " \
           "value instead" in found
    assert any(p.startswith("p.xlsx: cell C4 (column 'ja'): text starts with '+'") for p in found)


def test_over_long_text(tmp_path):
    path = write(tmp_path / "p.csv", f"phrase_id,category,ja\na,c,{'あ' * (MAX_TEXT + 1)}\n")
    assert problems_of(path) == [f"p.csv: row 2, column 'ja': text is {MAX_TEXT + 1} characters "
                                 f"long; the limit is {MAX_TEXT}"]


def test_missing_columns(tmp_path):
    path = write(tmp_path / "p.csv", "category,en\nc,Hello\n")
    found = problems_of(path)
    assert any("header: missing column 'phrase_id'" in p for p in found)
    assert any("header: missing column 'ja'" in p for p in found)


def test_all_problems_reported_together_up_to_a_cap(tmp_path):
    rows = "".join(f"dup,c,{'' if i % 2 else 'x'}\n" for i in range(200))
    path = write(tmp_path / "p.csv", "phrase_id,category,ja\n" + rows)
    with pytest.raises(ImportValidationError) as info:
        load_phrasebook(path)
    assert len(info.value.problems) == MAX_PROBLEMS and info.value.truncated
    assert f"only the first {MAX_PROBLEMS} shown" in str(info.value)


def test_bad_yaml_reports_line(tmp_path):
    path = write(tmp_path / "p.yaml", "name: x\nphrases:\n  - id: a\n   category: [\n")
    (message,) = problems_of(path)
    assert message.startswith("p.yaml: line 4") and "not valid YAML" in message


def test_yaml_unknown_category_and_language(tmp_path):
    path = write(tmp_path / "p.yaml", """format: counter-app-phrasebook/1
name: x
version: '1'
categories:
- id: reception
  name: {ja: 受付, en: Reception}
phrases:
- id: a
  category: nowhere
  text: {ja: はい, xx: 'yes'}
""")
    assert problems_of(path) == [
        "p.yaml: phrase #1 (id 'a'), category: unknown category 'nowhere'; declare it under "
        "'categories'",
        "p.yaml: phrase #1 (id 'a'), xx: unknown language 'xx'"]


def test_missing_file(tmp_path):
    assert problems_of(tmp_path / "none.csv") == ["none.csv: file not found"]
