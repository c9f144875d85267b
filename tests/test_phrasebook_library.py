"""The admin library: versions, all-or-nothing imports, rollback, favourites, CLI."""

from __future__ import annotations

import pytest

from counter_app.errors import CounterAppError
from counter_app.phrasebook import ImportValidationError
from counter_app.phrasebook.library import Library


def csv_file(path, *rows: str):
    path.write_text("phrase_id,category,ja,en\n" + "".join(r + "\n" for r in rows),
                    encoding="utf-8")
    return path


@pytest.fixture()
def shipped(tmp_path):
    folder = tmp_path / "shipped"
    (folder / "source").mkdir(parents=True)
    (folder / "source" / "master.yaml").write_text(
        "- id: reception.take_ticket\n  category: reception\n"
        "  ja: 番号札をお取りください。\n  en: Please take a number ticket.\n", encoding="utf-8")
    return folder


@pytest.fixture()
def library(tmp_path, shipped) -> Library:
    return Library(tmp_path / "admin", shipped_dir=shipped, keep=2)


def test_shipped_master_is_the_default(library):
    book = library.phrasebook()
    assert [p.id for p in book.phrases] == ["reception.take_ticket"]
    assert not book.phrases[0].is_reviewed("en")  # no native review recorded
    assert [v.label for v in library.phrasebooks.versions()] == ["shipped"]


def test_shipped_phrasebook_yaml_wins_over_master(tmp_path, shipped, library):
    from counter_app.phrasebook import save_phrasebook

    save_phrasebook(library.phrasebook(), shipped / "phrasebook.yaml")
    again = Library(tmp_path / "admin2", shipped_dir=shipped)
    assert again.phrasebooks.shipped.name == "phrasebook.yaml"
    assert len(again.phrasebook()) == 1


def test_import_then_failed_import_keeps_previous(tmp_path, library):
    version = library.import_phrasebook(csv_file(tmp_path / "a.csv", "a,c,はい,Yes"))
    assert version.label == "v0001"
    assert library.phrasebook().get("a").text("en") == "Yes"
    bad = csv_file(tmp_path / "b.csv", "b,c,いいえ,No", "b,c,,Again")
    with pytest.raises(ImportValidationError):
        library.import_phrasebook(bad)
    assert library.phrasebook().get("a") is not None and library.phrasebook().get("b") is None
    assert [v.label for v in library.phrasebooks.versions()] == ["shipped", "v0001"]
    assert not list((library.folder / "phrasebook").glob("*.tmp"))


def test_interrupted_write_leaves_active_version(tmp_path, library, monkeypatch):
    library.import_phrasebook(csv_file(tmp_path / "a.csv", "a,c,はい,Yes"))

    def crash(book, path):
        path.write_text("half", encoding="utf-8")
        raise OSError("disk full")

    monkeypatch.setattr(library.phrasebooks, "_save", crash)
    with pytest.raises(OSError):
        library.import_phrasebook(csv_file(tmp_path / "b.csv", "b,c,いいえ,No"))
    assert library.phrasebook().get("a") is not None
    assert sorted(p.name for p in (library.folder / "phrasebook").iterdir()) == [
        "current", "history", "v0001.json"]


def test_rollback_walks_back_to_shipped(tmp_path, library):
    for name in "abc":
        library.import_phrasebook(csv_file(tmp_path / f"{name}.csv", f"{name},c,はい,Yes"))
    # keep=2: the active version and two before it
    assert [v.label for v in library.phrasebooks.versions()] == [
        "shipped", "v0001", "v0002", "v0003"]
    library.import_phrasebook(csv_file(tmp_path / "d.csv", "d,c,はい,Yes"))
    assert [v.label for v in library.phrasebooks.versions()] == [
        "shipped", "v0002", "v0003", "v0004"]
    assert library.rollback_phrasebook().label == "v0003"
    assert library.phrasebook().get("c") is not None
    assert library.rollback_phrasebook().label == "v0002"
    assert library.rollback_phrasebook().label == "shipped"
    assert library.phrasebook().get("reception.take_ticket") is not None
    with pytest.raises(CounterAppError, match="Nothing to roll back"):
        library.rollback_phrasebook()


def test_favourites_are_per_office(library):
    library.set_favourite("a", office="tokyo-1")
    library.set_favourite("b", office="tokyo-1")
    library.set_favourite("c", office="osaka")
    library.set_favourite("a", False, office="tokyo-1")
    assert library.favourites("tokyo-1") == ["b"]
    assert Library(library.folder).favourites("osaka") == ["c"]
    assert library.favourites() == []


def test_terms_import_rollback_and_failure(tmp_path, library):
    good = tmp_path / "t.csv"
    good.write_text("term,en,force_translation\nマイナンバーカード,My Number Card,TRUE\n",
                    encoding="utf-8")
    library.import_terms(good)
    assert library.terms().get("マイナンバーカード").force_translation
    bad = tmp_path / "bad.csv"
    bad.write_text("term,en,force_translation\n住民票,,TRUE\n", encoding="utf-8")
    with pytest.raises(ImportValidationError):
        library.import_terms(bad)
    assert len(library.terms()) == 1
    assert library.rollback_terms().label == "shipped"
    assert len(library.terms()) == 0


def test_cli_import_export_list_search_rollback(tmp_path, capsys):
    from counter_app import cli

    admin = str(tmp_path / "admin")
    source = csv_file(tmp_path / "a.csv", "a,reception,番号札をお取りください。,Take a ticket",
                      "b,reception,ここに署名してください。,Please sign here")
    assert cli.main(["phrasebook", "validate", str(source)]) == 0
    assert "OK, 2 phrases" in capsys.readouterr().out
    assert cli.main(["phrasebook", "import", str(source), "--library", admin]) == 0
    assert cli.main(["phrasebook", "search", "ｼｮﾒｲ", "--show", "en", "--library", admin]) == 0
    out = capsys.readouterr().out
    assert "b  ここに署名してください。  |  Please sign here" in out
    assert cli.main(["phrasebook", "export", str(tmp_path / "out.xlsx"), "--library", admin]) == 0
    assert (tmp_path / "out.xlsx").stat().st_size > 0
    assert cli.main(["phrasebook", "list", "--library", admin]) == 0
    assert "* v0001" in capsys.readouterr().out
    bad = csv_file(tmp_path / "bad.csv", "a,c,,x")
    assert cli.main(["phrasebook", "import", str(bad), "--library", admin]) == 2
    assert "row 2, column 'ja': empty source (ja) text" in capsys.readouterr().err
    assert cli.main(["phrasebook", "rollback", "--library", admin]) == 0
    terms = tmp_path / "terms.csv"
    terms.write_text("term,heard_ja\n住民票,住民兵\n", encoding="utf-8")
    assert cli.main(["terms", "import", str(terms), "--library", admin]) == 0
    assert cli.main(["terms", "list", "--library", admin]) == 0
    assert "住民票" in capsys.readouterr().out
