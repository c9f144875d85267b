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
