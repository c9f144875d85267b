"""The shipped phrasebook is what tools/build_phrasebook.py makes of the translators' sources."""

from __future__ import annotations

import yaml

from counter_app import languages
from counter_app.phrasebook import load_phrasebook
from counter_app.phrasebook.library import SHIPPED_DIR

SOURCE = SHIPPED_DIR / "source"


def test_shipped_phrasebook_matches_master_and_every_translation_file():
    book = load_phrasebook(SHIPPED_DIR / "phrasebook.yaml")
    master = yaml.safe_load((SOURCE / "master.yaml").read_text(encoding="utf-8"))
    assert [p.id for p in book.phrases] == [entry["id"] for entry in master]
    assert len(book) >= 150
    for entry, phrase in zip(master, book.phrases, strict=True):
        assert (phrase.category, phrase.text("ja"), phrase.text("en")) == (
            entry["category"], entry["ja"], entry["en"])
        assert phrase.reading, f"{phrase.id} has no kana reading"
    translated = {"ja", "en"}
    for path in sorted((SOURCE / "translations").glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        code = data["language"]
        translated.add(code)
        for phrase_id, text in data["phrases"].items():
            assert book.get(phrase_id).text(code) == text.strip(), (code, phrase_id)
    assert set(book.languages) == translated
    assert set(book.languages) <= set(languages.TEXT_LANGUAGES)
    for phrase in book.phrases:  # only the Japanese source is reviewed
        assert {c for c in phrase.texts if phrase.is_reviewed(c)} == {"ja"}
    for category in book.categories:
        assert category.names["ja"] and category.names["en"]
    assert {p.category for p in book.phrases} == {c.id for c in book.categories}
