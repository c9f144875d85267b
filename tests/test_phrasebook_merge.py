"""Importing into the shipped phrasebook: preview, merge (default) or replace, rollback."""

from __future__ import annotations

import pytest

from counter_app.phrasebook import ImportValidationError
from counter_app.phrasebook.library import SHIPPED_DIR, Library
from counter_app.phrasebook.merge import (
    MERGE,
    REPLACE,
    ImportPlan,
    diff_phrasebooks,
    merge_phrase,
    merge_phrasebooks,
)
from counter_app.phrasebook.model import Category, Phrase, Phrasebook, Review

# What an office saves from Excel (Shift_JIS): one shipped phrase reworded in English,
# one phrase of its own.
OFFICE_CSV = ("phrase_id,category,ja,en\r\n"
              "reception.take_ticket,reception,番号札をお取りください。,Please take a ticket.\r\n"
              "office.parking,counter,駐車券をお出しください。,Show your parking ticket.\r\n")


@pytest.fixture(scope="module")
def shipped() -> Phrasebook:
    book = Library(SHIPPED_DIR / "none", shipped_dir=SHIPPED_DIR).phrasebook()
    assert len(book) == 166 and len(book.languages) == 30
    return book


@pytest.fixture()
def library(tmp_path) -> Library:
    return Library(tmp_path / "admin")


@pytest.fixture()
def office_csv(tmp_path):
    path = tmp_path / "office.csv"
    path.write_bytes(OFFICE_CSV.encode("cp932"))
    return path


def test_preview_counts_for_merge_and_replace(library, office_csv, shipped):
    plan = library.plan_phrasebook_import(office_csv, readings=False)
    assert library.phrasebooks.versions()[-1].label == "shipped"  # nothing written yet
    merge = plan.diff(MERGE)
    assert merge.added == ("office.parking",) and merge.changed == ("reception.take_ticket",)
    assert merge.removed == () and plan.lost(MERGE) == []
    replace = plan.diff(REPLACE)
    assert replace.counts == (1, 1, 165)
    lost = plan.lost(REPLACE)
    assert [p.id for p in lost] == [p.id for p in shipped.phrases
                                    if p.id != "reception.take_ticket"]
    assert lost[0].source_text == shipped.phrases[0].source_text  # id + Japanese to list


def test_merge_keeps_every_shipped_phrase_and_its_other_languages(library, office_csv, shipped):
    version = library.import_phrasebook(office_csv, readings=False)  # merge is the default
    assert version.label == "v0001"
    book = library.phrasebook()
    assert len(book) == 167
    assert {p.id for p in shipped.phrases} <= {p.id for p in book.phrases}
    ticket, before = book.get("reception.take_ticket"), shipped.get("reception.take_ticket")
    assert ticket.text("en") == "Please take a ticket."
    assert ticket.text("ko") == before.text("ko") and len(ticket.texts) == 30  # kept
    assert book.get("office.parking").text("ja") == "駐車券をお出しください。"
    assert book.category("counter") is not None and book.category("reception") is not None
    assert len(book.languages) == 30


def test_replace_loses_the_rest_and_rollback_restores(library, office_csv, shipped):
    library.import_phrasebook(office_csv, readings=False, mode=REPLACE)
    assert [p.id for p in library.phrasebook().phrases] == ["reception.take_ticket",
                                                            "office.parking"]
    assert library.rollback_phrasebook().label == "shipped"
    restored = library.phrasebook()
    assert [p.texts for p in restored.phrases] == [p.texts for p in shipped.phrases]


def test_broken_file_is_rejected_before_any_preview(library, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_bytes((OFFICE_CSV + "office.blank,counter,,Blank\r\n").encode("cp932"))
    with pytest.raises(ImportValidationError):
        library.plan_phrasebook_import(bad, readings=False)
    assert len(library.phrasebooks.versions()) == 1


def test_plan_follows_a_book_activated_after_it(library, office_csv, tmp_path):
    plan = library.plan_phrasebook_import(office_csv, readings=False)
    other = tmp_path / "other.csv"
    other.write_text("phrase_id,category,ja,en\nx,c,はい,Yes\n", encoding="utf-8")
    library.import_phrasebook(other, readings=False, mode=REPLACE)
    library.apply_phrasebook_import(plan, MERGE)
    assert [p.id for p in library.phrasebook().phrases] == [
        "x", "reception.take_ticket", "office.parking"]


def test_unknown_mode_is_refused(library, office_csv):
    plan = library.plan_phrasebook_import(office_csv, readings=False)
    with pytest.raises(ValueError, match="unknown import mode"):
        library.apply_phrasebook_import(plan, "append")  # type: ignore[arg-type]
    assert len(library.phrasebooks.versions()) == 1


# --- the merge rules, on small books ------------------------------------------------------

def phrase(ident: str, texts: dict[str, str], reviewed=None, **extra) -> Phrase:
    return Phrase(ident, extra.pop("category", "c"), texts, reviewed or {}, **extra)


def test_merged_phrase_keeps_reviewed_unchanged_translations():
    review = Review("Kim", "2026-01-01")
    old = phrase("a", {"ja": "はい", "en": "Yes", "ko": "네"}, {"ko": True},
                 reviews={"ko": review}, note="old note", reading="はい")
    new = phrase("a", {"ja": "はい", "ko": "네", "vi": "Vâng"}, category="d")
    merged = merge_phrase(old, new)
    assert merged.texts == {"ja": "はい", "en": "Yes", "ko": "네", "vi": "Vâng"}
    assert merged.is_reviewed("ko") and merged.reviews == {"ko": review}
    assert not merged.is_reviewed("vi")
    assert merged.category == "d" and merged.note == "old note" and merged.reading == "はい"
    changed = merge_phrase(old, phrase("a", {"ja": "はい", "ko": "예"}))
    assert changed.text("ko") == "예" and not changed.is_reviewed("ko") and not changed.reviews


def test_new_japanese_drops_translations_of_the_old_sentence():
    old = phrase("a", {"ja": "はい", "en": "Yes", "ko": "네"}, reading="はい")
    merged = merge_phrase(old, phrase("a", {"ja": "いいえ", "en": "No"}))
    assert merged.texts == {"ja": "いいえ", "en": "No"} and merged.reading == ""


def test_merge_and_diff_of_books():
    current = Phrasebook("office", "1", (Category("c", {"ja": "窓口"}),),
                         (phrase("a", {"ja": "はい"}), phrase("b", {"ja": "いいえ"})))
    incoming = Phrasebook("file", "2", (Category("c", {"en": "Counter"}), Category("d")),
                          (phrase("c", {"ja": "どうぞ"}, category="d"),
                           phrase("b", {"ja": "いいえ", "en": "No"})))
    merged = merge_phrasebooks(current, incoming)
    assert [p.id for p in merged.phrases] == ["a", "b", "c"]
    assert merged.category("c").names == {"ja": "窓口", "en": "Counter"}
    assert merged.name == "office" and merged.languages == ("ja", "en")
    assert diff_phrasebooks(current, merged).counts == (1, 1, 0)
    plan = ImportPlan(current, incoming)
    assert plan.diff(REPLACE).removed == ("a",) and plan.diff(MERGE).removed == ()
    same = ImportPlan(current, current)
    assert same.diff(MERGE).counts == (0, 0, 0) and same.diff(REPLACE).counts == (0, 0, 0)


# --- command line ---------------------------------------------------------------------------

def test_cli_import_previews_merges_by_default_and_replaces_on_request(tmp_path, office_csv,
                                                                      capsys):
    from counter_app import cli

    admin = str(tmp_path / "cli-admin")
    assert cli.main(["phrasebook", "import", str(office_csv), "--dry-run", "--replace",
                     "--no-readings", "--library", admin]) == 0
    out = capsys.readouterr().out
    assert "replace: 1 added, 1 changed, 165 removed (166 -> 2 phrases)" in out
    assert "  lost: reception.hello_how_can_i_help\t" in out and out.count("  lost: ") == 165
    assert "Dry run: nothing was installed." in out
    assert len(Library(admin).phrasebook()) == 166

    assert cli.main(["phrasebook", "import", str(office_csv), "--no-readings",
                     "--library", admin]) == 0
    out = capsys.readouterr().out
    assert "merge: 1 added, 1 changed, 0 removed (166 -> 167 phrases)" in out
    assert "lost:" not in out and "(merge): 167 phrases, active as v0001" in out

    assert cli.main(["phrasebook", "import", str(office_csv), "--replace", "--no-readings",
                     "--library", admin]) == 0
    out = capsys.readouterr().out
    assert "replace: 0 added, 1 changed, 165 removed (167 -> 2 phrases)" in out
    assert "'phrasebook rollback' restores the previous version." in out
    assert cli.main(["phrasebook", "rollback", "--library", admin]) == 0
    assert len(Library(admin).phrasebook()) == 167
