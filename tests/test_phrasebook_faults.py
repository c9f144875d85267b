"""Hostile and broken admin files (issue 11): each test feeds the kind of input that
used to become the active phrasebook as garbage, hang, or end in a traceback."""

from __future__ import annotations

import pytest

from counter_app.phrasebook import ImportValidationError
from counter_app.phrasebook.library import Library


def csv_file(path, *rows: str):
    path.write_text("phrase_id,category,ja,en\n" + "".join(r + "\n" for r in rows),
                    encoding="utf-8")
    return path


@pytest.fixture()
def library(tmp_path) -> Library:
    shipped = tmp_path / "shipped"
    (shipped / "source").mkdir(parents=True)
    (shipped / "source" / "master.yaml").write_text(
        "- id: reception.take_ticket\n  category: reception\n"
        "  ja: 番号札をお取りください。\n  en: Please take a number ticket.\n", encoding="utf-8")
    return Library(tmp_path / "admin", shipped_dir=shipped, keep=3)


def problems_of(load, path) -> list[str]:
    with pytest.raises(ImportValidationError) as info:
        load(path)
    return [str(p) for p in info.value.problems]


# --- rollback -----------------------------------------------------------------------------

def test_rollback_returns_to_the_version_active_before(tmp_path, library):
    for name in ("v1", "v2"):
        library.import_phrasebook(csv_file(tmp_path / f"{name}.csv", f"{name},c,はい,Yes"),
                                  readings=False)
    assert library.rollback_phrasebook().label == "v0001"
    library.import_phrasebook(csv_file(tmp_path / "v3.csv", "v3,c,はい,Yes"), readings=False)
    assert library.phrasebook().get("v3") is not None
    # v2 was rolled back: going back from v3 must reach v1, then the shipped default.
    assert library.rollback_phrasebook().label == "v0001"
    assert library.phrasebook().get("v1") is not None
    assert library.rollback_phrasebook().label == "shipped"
    assert Library(library.folder, shipped_dir=library.shipped_dir).phrasebooks.history() == [0]


def test_rollback_of_terms_follows_the_same_history(tmp_path, library):
    for name in ("一", "二"):
        path = tmp_path / f"{name}.csv"
        path.write_text(f"term,en\n{name},x\n", encoding="utf-8")
        library.import_terms(path)
    library.rollback_terms()
    (tmp_path / "三.csv").write_text("term,en\n三,x\n", encoding="utf-8")
    library.import_terms(tmp_path / "三.csv")
    assert library.rollback_terms().label == "v0001"
    assert library.terms().get("一") is not None


# --- encodings ----------------------------------------------------------------------------

PB_HEADER = "phrase_id,category,ja,en,vi\n"


def load_pb(path):
    from counter_app.phrasebook import load_phrasebook

    return load_phrasebook(path)


def load_tm(path):
    from counter_app.phrasebook.terms import load_terms

    return load_terms(path)


def test_mixed_encoding_csv_is_rejected_even_when_cp932_decodes_it(tmp_path):
    # Rows pasted from a UTF-8 file into a CP932 one: as a whole this decodes as CP932
    # (窓口 -> 遯灘哨), which used to become the active phrasebook as mojibake.
    data = (PB_HEADER.encode() + "a,c,窓口,Counter,Quầy\n".encode()
            + "b,c,番号札をお取りください,Take a ticket,\n".encode("cp932"))
    assert data.decode("cp932")  # the old whole-file fallback "worked"
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    (message,) = problems_of(load_pb, path)
    assert message.startswith("mixed.csv: mixed encodings: lines 2 are UTF-8, lines 3 are not")
    terms = tmp_path / "terms.csv"
    terms.write_bytes("term,en\n窓口,counter\n".encode() + "番号札,ticket\n".encode("cp932"))
    assert "mixed encodings" in problems_of(load_tm, terms)[0]


def test_mixed_encoding_where_neither_decode_works(tmp_path):
    data = (PB_HEADER.encode() + "a,c,はい,Yes,Vâng\n".encode()
            + "b,c,いいえ,No,\n".encode("cp932") + b"c,c,\x82\xa0\x82,x,\n")
    path = tmp_path / "mixed.csv"
    path.write_bytes(data)
    assert "mixed encodings" in problems_of(load_pb, path)[0]


@pytest.mark.parametrize("garbled,original", [
    ("遯灘哨", "窓口"), ("Qu蘯ｧy", "Quầy"), ("逡ｪ蜿ｷ譛ｭ", "番号札"),
    ("ƒ}ƒCƒiƒ“ƒo\x81[ƒJ\x81[ƒh", "マイナンバーカード"),  # CP932 read as Windows-1252
    ("CafÃ©", "Café"),  # UTF-8 read as Latin-1
])
def test_mojibake_cells_are_rejected_with_what_they_should_say(tmp_path, garbled, original):
    path = tmp_path / "m.csv"
    path.write_text(PB_HEADER + f"a,c,はい,{garbled},\n", encoding="utf-8")
    (message,) = problems_of(load_pb, path)
    assert message.startswith("m.csv: row 2, column 'en': looks like mojibake")
    assert repr(original) in message
    if "\x81" in garbled:
        return  # YAML itself refuses C1 control characters
    terms = tmp_path / "t.yaml"
    terms.write_text(f"terms:\n- term: 住民票\n  translations: {{en: '{garbled}'}}\n",
                     encoding="utf-8")
    assert "looks like mojibake" in problems_of(load_tm, terms)[0]


def test_whole_file_utf8_read_as_cp932_stays_utf8(tmp_path):
    path = tmp_path / "u.csv"
    path.write_text(PB_HEADER + "a,c,窓口,Counter,Quầy\n", encoding="utf-8")
    assert path.read_bytes().decode("cp932")  # also decodes as CP932, into mojibake
    book = load_pb(path)
    assert book.get("a").text("ja") == "窓口" and book.get("a").text("vi") == "Quầy"


def test_real_text_is_not_taken_for_mojibake(tmp_path):
    from counter_app.phrasebook.encoding import mojibake

    for text in ("émén élèv âgée", "não são", "ｱｲｳｴｵ ﾃｽﾄｶ", "Größe", "¿Qué?", "縺", "Привет",
                 "番号札をお取りください。", "Xin vui lòng", "कृपया", "ยินดีต้อนรับ"):
        assert mojibake(text) is None, text


def test_cp932_custom_characters_are_named(tmp_path):
    # 外字: Shift_JIS user-defined characters (private use), as old ward systems write names.
    path = tmp_path / "g.csv"
    path.write_bytes(PB_HEADER.encode() + "a,c,髙橋".encode("cp932") + b"\xf0\x40,x,\n")
    (message,) = problems_of(load_pb, path)
    assert message.startswith("g.csv: line 2: not UTF-8; read as Shift_JIS (CP932) it contains "
                              "the control or private-use character U+E000")
    assert "外字" in message


def test_ambiguous_encoding_is_rejected(tmp_path):
    # Halfwidth katakana in CP932 that is also valid two-byte UTF-8 ("ﾃｽﾄｶ" / "ýĶ").
    path = tmp_path / "a.csv"
    path.write_bytes(PB_HEADER.encode() + b"a,c,\xc3\xbd\xc4\xb6,x,\n")
    assert "cannot tell the encoding" in problems_of(load_pb, path)[0]


def test_cp932_question_marks_are_a_warning_naming_the_cells(tmp_path, library, capsys):
    # What Excel writes when a Vietnamese or Hindi column is saved as CSV (Shift_JIS).
    path = tmp_path / "q.csv"
    path.write_bytes(("phrase_id,category,ja,en,vi,hi\n"
                      "a,c,窓口,Counter,Qu?y,????\n"
                      "b,c,番号札,Is it yours?,Vé,\n").encode("cp932", errors="replace")
                     .replace(b"V?", b"Ve"))
    version = library.import_phrasebook(path, readings=False)
    (warning,) = version.warnings
    assert "row 2, column 'vi'" in str(warning) and "row 2, column 'hi'" in str(warning)
    assert "row 3" not in str(warning)  # a question in English is fine
    assert library.phrasebook().get("a").text("vi") == "Qu?y"
    from counter_app import cli

    assert cli.main(["phrasebook", "validate", str(path)]) == 0
    assert "row 2, column 'vi'" in capsys.readouterr().err


def test_question_marks_in_utf8_are_not_a_warning(tmp_path, library):
    path = tmp_path / "q.csv"
    path.write_text(PB_HEADER + "a,c,窓口,Really??,Quầy\n", encoding="utf-8")
    assert library.import_phrasebook(path, readings=False).warnings == ()


# --- YAML -------------------------------------------------------------------------------

LAUGHS = "\n".join([f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 9) + "]"
                    for i in range(1, 10)])


@pytest.mark.parametrize("load", [load_pb, load_tm])
def test_billion_laughs_is_refused_before_it_expands(tmp_path, load):
    path = tmp_path / "bomb.yaml"
    path.write_text(f"l0: &l0 [lol]\n{LAUGHS}\nphrases: *l9\nterms: *l9\n", encoding="utf-8")
    (message,) = problems_of(load, path)
    assert message == ("bomb.yaml: line 1, column 5: not valid YAML: anchors (&name) and "
                       "aliases (*name) are not allowed; write values out")


def test_deeply_nested_yaml_is_refused(tmp_path):
    path = tmp_path / "deep.yaml"
    path.write_text("phrases: " + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    (message,) = problems_of(load_pb, path)
    assert "nest" in message and "not valid YAML" in message


GOOD_BOOK = {"name": "b", "version": "1", "categories": [{"id": "c", "name": {"ja": "c",
                                                                             "en": "c"}}],
             "phrases": [{"id": "a", "category": "c", "text": {"ja": "はい", "en": "Yes"},
                          "reviewed": {"en": True}, "note": "n"}]}


@pytest.mark.parametrize("path,value,where", [
    (("phrases",), 42, "phrases"),
    (("name",), ["a", "b"], "name"),
    (("version",), {"a": 1}, "version"),
    (("languages",), "en", "languages"),
    (("categories",), 5, "categories"),
    (("categories", 0, "name"), ["c"], "categories #1, name"),
    (("categories", 0, "id"), ["c"], "categories #1, id"),
    (("phrases", 0), "text", "phrases #1"),
    (("phrases", 0, "id"), {"x": 1}, "phrases #1, id"),
    (("phrases", 0, "text"), ["はい"], "phrase #1 (id 'a'), text"),
    (("phrases", 0, "text", "en"), ["Yes"], "phrase #1 (id 'a'), en"),
    (("phrases", 0, "reviewed"), "maybe", "phrase #1 (id 'a'), reviewed"),
    (("phrases", 0, "reviewed", "en"), [True], "phrase #1 (id 'a'), reviewed, en"),
    (("phrases", 0, "note"), {"a": 1}, "phrase #1 (id 'a'), note"),
])
def test_wrong_shaped_phrasebook_yaml_names_where(tmp_path, path, value, where):
    import copy

    from counter_app.phrasebook.files import dump_yaml

    data = copy.deepcopy(GOOD_BOOK)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    file = tmp_path / "b.yaml"
    file.write_text(dump_yaml(data), encoding="utf-8")
    found = problems_of(load_pb, file)
    assert any(p.startswith(f"b.yaml: {where}: expected") for p in found), found


GOOD_TERMS = {"terms": [{"term": "住民票", "reading": "じゅうみんひょう",
                         "translations": {"en": "residence certificate"},
                         "force_translation": True, "heard_as": {"ja": ["住民兵"]},
                         "variants": {"en": ["certificate of residence"]}}]}


@pytest.mark.parametrize("path,value,where", [
    (("terms",), 42, "terms"),
    (("name",), ["a"], "name"),
    (("terms", 0, "term"), ["住民票"], "term #1, term"),
    (("terms", 0, "translations"), ["residence certificate"], "term #1, translations"),
    (("terms", 0, "translations", "en"), {"a": 1}, "term #1, translations, en"),
    (("terms", 0, "heard_as"), 3, "term #1, heard_as"),
    (("terms", 0, "heard_as", "ja"), [["住民兵"]], "term #1, heard_as, ja"),
    (("terms", 0, "variants"), "x", "term #1, variants"),
    (("terms", 0, "force_translation"), [True], "term #1, force_translation"),
    (("terms", 0, "note"), ["n"], "term #1, note"),
])
def test_wrong_shaped_terms_yaml_names_where(tmp_path, path, value, where):
    import copy

    from counter_app.phrasebook.files import dump_yaml

    data = copy.deepcopy(GOOD_TERMS)
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    file = tmp_path / "t.yaml"
    file.write_text(dump_yaml(data), encoding="utf-8")
    found = problems_of(load_tm, file)
    assert any(p.startswith(f"t.yaml: {where}: expected") for p in found), found


def test_wrong_shaped_master_names_where(tmp_path):
    from counter_app.phrasebook.files import load_master

    path = tmp_path / "master.yaml"
    path.write_text("- id: a\n  category: c\n  ja: [はい]\n  en: Yes\n", encoding="utf-8")
    assert problems_of(load_master, path) == ["master.yaml: entry #1, ja: expected text, "
                                              "got a list", "master.yaml: entry #1, ja: "
                                              "empty source (ja) text"]


# --- XLSX ---------------------------------------------------------------------------------

def _xlsx(tmp_path):
    from counter_app.phrasebook import save_phrasebook
    from counter_app.phrasebook.model import Category, Phrase, Phrasebook

    phrases = tuple(Phrase(f"p{i}", "c", {"ja": f"はい{i}", "en": f"Yes {i}"})
                    for i in range(300))
    path = tmp_path / "book.xlsx"
    save_phrasebook(Phrasebook("b", "1", (Category("c", {"ja": "c", "en": "c"}),), phrases),
                    path)
    return path


def test_truncated_xlsx_is_reported_not_a_traceback(tmp_path):
    path = _xlsx(tmp_path)
    data = path.read_bytes()
    for keep in (len(data) // 2, len(data) - 30, 100):
        cut = tmp_path / "cut.xlsx"
        cut.write_bytes(data[:keep])
        (message,) = problems_of(load_pb, cut)
        assert message.startswith("cut.xlsx: not a readable XLSX workbook")


def test_xlsx_with_a_truncated_sheet_is_reported(tmp_path):
    import zipfile

    path = _xlsx(tmp_path)
    cut = tmp_path / "cut.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(cut, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.startswith("xl/worksheets/sheet"):
                data = data[: len(data) // 2]
            target.writestr(info, data)
    (message,) = problems_of(load_pb, cut)
    assert message.startswith(("cut.xlsx: not a readable XLSX workbook (ParseError",
                               "cut.xlsx: row "))
    with pytest.raises(ImportValidationError):
        load_tm(cut)


# --- sizes ------------------------------------------------------------------------------

def test_oversized_files_are_refused_before_reading(tmp_path):
    from counter_app.phrasebook.problems import PHRASEBOOK_LIMITS, TERM_LIMITS

    for load, limits in ((load_tm, TERM_LIMITS), (load_pb, PHRASEBOOK_LIMITS)):
        path = tmp_path / "big.csv"
        with path.open("wb") as handle:  # sparse: no need to write the bytes
            handle.truncate(limits.file_bytes + 1)
        (message,) = problems_of(load, path)
        assert message.startswith(f"big.csv: the file is {limits.file_mb}.0 MB; a {limits.kind} "
                                  f"may have at most {limits.entries:,} entries")


def test_term_dictionary_entry_and_form_limits(tmp_path, monkeypatch):
    from counter_app.phrasebook import term_files
    from counter_app.phrasebook.problems import TERM_LIMITS, Limits

    path = tmp_path / "t.csv"
    path.write_text("term,en,heard_ja\n" + "".join(f"語{i},word {i},\n" for i in range(30))
                    + "長" * 101 + ",long,\n" + "多,many," + "|".join("x" * 30) + "\n",
                    encoding="utf-8")
    found = problems_of(load_tm, path)
    assert found == ["t.csv: row 32, column 'term': text is 101 characters long; the limit is "
                     f"{TERM_LIMITS.text}",
                     "t.csv: row 33, column 'heard_ja': 30 forms; at most 20 per language"]
    monkeypatch.setattr(term_files, "TERM_LIMITS", Limits("term dictionary", 20, 10, 100))
    (message,) = problems_of(load_tm, path)
    assert message == ("t.csv: 32 entries; a term dictionary may have at most 10 entries, "
                       "100 characters per text and 20 MB per file")
    from counter_app.phrasebook.tables import write_xlsx

    write_xlsx(tmp_path / "t.xlsx", ["term", "en"], [[f"語{i}", "x"] for i in range(30)])
    (message,) = problems_of(load_tm, tmp_path / "t.xlsx")
    assert message.startswith("t.xlsx: 30 entries; a term dictionary may have at most 10")
    yaml_path = tmp_path / "t.yaml"
    yaml_path.write_text("terms:\n" + "".join(f"- term: 語{i}\n" for i in range(11)),
                         encoding="utf-8")
    assert problems_of(load_tm, yaml_path) == ["t.yaml: 11 entries; a term dictionary may "
                                               "have at most 10 entries, 100 characters per "
                                               "text and 20 MB per file"]


# --- progress -----------------------------------------------------------------------------

def test_import_reports_progress(tmp_path, library):
    seen: list[tuple[str, int, int]] = []
    path = csv_file(tmp_path / "a.csv", *(f"p{i},c,はい{i},Yes" for i in range(1500)))
    library.import_phrasebook(path, progress=lambda *event: seen.append(event))
    stages = list(dict.fromkeys(stage for stage, _, _ in seen))
    assert stages[:3] == ["reading", "cells", "checking"] and stages[-1] == "saving"
    assert ("checking", 1000, 1500) in seen
    terms = tmp_path / "t.csv"
    terms.write_text("term,en\n住民票,certificate\n", encoding="utf-8")
    seen.clear()
    library.import_terms(terms, progress=lambda *event: seen.append(event))
    assert [s for s, _, _ in seen] == ["reading", "cells", "checking", "saving"]


def test_admin_screen_shows_import_progress_and_warnings(tmp_path, library, qtbot):
    pytest.importorskip("PySide6")
    from counter_app.ui.phrase_admin import PhraseAdminDialog, overall_percent

    assert overall_percent("reading", 0, 1) == 0 and overall_percent("saving", 1, 1) == 100
    assert overall_percent("readings", 50, 100) == 67
    dialog = PhraseAdminDialog(library)
    qtbot.addWidget(dialog)
    seen: list[int] = []
    dialog.progress.valueChanged.connect(seen.append)
    path = tmp_path / "q.csv"
    path.write_bytes("phrase_id,category,ja,vi\na,c,窓口,Qu?y\n".encode("cp932"))
    with qtbot.waitSignal(dialog.import_done, timeout=20_000) as done:
        dialog.start_import("phrasebook", path, preview=False)  # merged at once
    assert done.args == ["phrasebook", True]
    assert seen and seen == sorted(seen) and seen[-1] == 95  # "saving" starts at 95 %
    assert not dialog.progress.isVisible()
    assert "row 2, column 'vi'" in dialog.problems.item(0).text()
