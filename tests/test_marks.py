"""One honest vocabulary of translation marks on both halves (issue: verified marks)."""

import json
from importlib import resources

import pytest

from counter_app import languages
from counter_app.events import Translation
from counter_app.marks import Mark, mark_for, resident_languages, resident_mark, resident_text


def _translation(**kw) -> Translation:
    return Translation("住所を書いてください", "ja", "ko", "주소를 써 주세요", **kw)


def test_each_source_gets_its_own_mark():
    assert mark_for(_translation(phrase_id="p1", reviewed=True)) is Mark.CHECKED
    assert mark_for(_translation(phrase_id="p1", reviewed=False)) is Mark.PHRASE_UNREVIEWED
    assert mark_for(_translation(path=("ja", "ko"))) is Mark.MACHINE
    assert mark_for(_translation(path=("ja", "en", "ko"))) is Mark.MACHINE_VIA_ENGLISH


def test_only_a_checked_phrase_carries_a_tick():
    ticks = [mark for mark in Mark if "✔" in mark.icon]
    assert ticks == [Mark.CHECKED]


def test_every_mark_exists_in_all_30_languages():
    codes = set(languages.LANGUAGES)
    for mark in Mark:
        assert resident_languages(mark.value) == codes, mark
        texts = {resident_text(mark.value, code)[0] for code in codes}
        assert len(texts) == len(codes), f"{mark}: some languages share one text"


def test_only_japanese_and_english_strings_claim_review():
    """The other 28 were written by the developers: honest flags until a native checks."""
    doc = json.loads(resources.files("counter_app.data").joinpath(
        "resident-strings.json").read_text(encoding="utf-8"))
    for key, entries in doc["strings"].items():
        reviewed = {code for code, entry in entries.items() if entry["reviewed"]}
        assert reviewed == {"ja", "en"}, key


@pytest.mark.parametrize(("code", "expected"), [
    ("ko", "⚙ 기계 번역 (오류가 있을 수 있음)"),
    ("vi", "⚙ Dịch máy (có thể có lỗi)"),
    ("ar", "⚙ ترجمة آلية (قد تحتوي على أخطاء)"),
])
def test_resident_reads_the_mark_in_their_language(code, expected):
    assert resident_mark(Mark.MACHINE, code) == expected


def test_unknown_language_falls_back_to_english():
    assert resident_text("mark_machine", "xx")[0] == "Machine translation (may contain errors)"


def test_every_resident_string_exists_in_all_30_languages():
    doc = json.loads(resources.files("counter_app.data").joinpath(
        "resident-strings.json").read_text(encoding="utf-8"))
    codes = set(languages.LANGUAGES)
    for key, entries in doc["strings"].items():
        assert set(entries) == codes, key
        assert all(entry["text"].strip() for entry in entries.values()), key
