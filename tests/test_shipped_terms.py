import pytest

from counter_app.phrasebook.library import Library

# Whisper base wrote the left-hand forms on Open JTalk speech (ENGINE_NOTES, test runs).
CORRECTIONS = [
    ("住民兵の写しをください。", "住民票の写しをください。"),
    ("手数道は三百円です", "手数料は三百円です"),
    ("サイルカードをお持ちですか。", "在留カードをお持ちですか。"),
    ("今日は", "こんにちは"),
    ("今日は雨です", "今日は雨です"),  # 今日は -> こんにちは only as a whole utterance
]


@pytest.fixture(scope="module")
def terms(tmp_path_factory):
    return Library(tmp_path_factory.mktemp("library")).terms()


@pytest.mark.parametrize(("heard", "corrected"), CORRECTIONS)
def test_shipped_term_dictionary_corrects_office_homophones(terms, heard, corrected):
    assert terms.apply_asr_corrections(heard, "ja") == corrected


def test_shipped_term_dictionary_lists_office_vocabulary(terms):
    assert len(terms) >= 10
    assert "マイナンバーカード" in terms.vocabulary("ja")
