"""Search normalisation, fuzzy search, phrase recognition, a 10,000-phrase book."""

from __future__ import annotations

import pytest

from counter_app.phrasebook import load_phrasebook, readings
from counter_app.phrasebook.library import Library
from counter_app.phrasebook.model import Category, Phrase, Phrasebook
from counter_app.phrasebook.search import fold, match_phrase, search


@pytest.fixture(scope="module")
def book() -> Phrasebook:
    rows = [
        ("ticket", "番号札をお取りください。", "Please take a number ticket.",
         "번호표를 뽑아 주세요."),
        ("mynumber", "マイナンバーカードはお持ちですか。", "Do you have your My Number Card?",
         "마이넘버 카드를 가지고 계십니까?"),
        ("juminhyo", "住民票の写しをください。", "I would like a copy of my residence certificate.",
         "주민등록등본을 발급해 주세요."),
        ("thanks", "ありがとうございます。", "Thank you.", "감사합니다."),
        ("sign", "ここに署名してください。", "Please sign here.", "여기에 서명해 주세요."),
        ("wait", "少々お待ちください。", "Please wait a moment.", "잠시만 기다려 주세요."),
        ("card_no", "カードは使えません。", "Cards cannot be used.", "카드는 사용할 수 없습니다."),
    ]
    phrases = tuple(Phrase(i, "c", {"ja": ja, "en": en, "ko": ko}) for i, ja, en, ko in rows)
    return Phrasebook("t", "1", (Category("c", {"ja": "c", "en": "c"}),), phrases)


def ids(hits) -> list[str]:
    return [h.phrase.id for h in hits]


@pytest.mark.parametrize("raw,language,folded", [
    ("ﾏｲﾅﾝﾊﾞｰｶｰﾄﾞ", "ja", "まいなんばーかーど"),  # half-width katakana
    ("マイナンバー", "ja", "まいなんばー"),  # katakana -> hiragana
    ("ＭＹ　Ｎｕｍｂｅｒ，Card!", "en", "my number card"),  # full-width, case, punctuation
    ("감사 합니다.", "ko", "감사합니다"),  # Korean: spaces from ASR ignored
    ("住民 票 の 写し", "ja", "住民票の写し"),
])
def test_fold(raw, language, folded):
    assert fold(raw, language) == folded


@pytest.mark.parametrize("query,expected", [
    ("ﾏｲﾅﾝﾊﾞｰ", "mynumber"), ("まいなんばー", "mynumber"), ("マイナンバー", "mynumber"),
    ("MY NUMBER card", "mynumber"), ("ｓｉｇｎ　ｈｅｒｅ", "sign"), ("住民票", "juminhyo"),
    ("번호 표", "ticket"), ("감사합니다", "thanks"),
])
def test_search_is_kana_width_case_insensitive(book, query, expected):
    assert ids(search(book, query))[0] == expected


def test_substring_beats_fuzzy_and_shorter_phrase_ranks_first(book):
    hits = search(book, "カード")
    assert ids(hits)[:2] == ["card_no", "mynumber"]
    assert hits[0].score > hits[1].score > 90


def test_fuzzy_search_tolerates_typos(book):
    assert ids(search(book, "residnce certficate"))[0] == "juminhyo"
    assert ids(search(book, "numbr tiket"))[0] == "ticket"
    assert search(book, "qqqqzzzz") == []


def test_search_by_language_and_category(book):
    assert search(book, "Thank", ["ja"]) == []
    assert ids(search(book, "Thank", ["en"])) == ["thanks"]
    assert search(book, "署名", category="other") == []


@pytest.mark.skipif(not readings.available(), reason="pyopenjtalk not installed")
def test_kana_query_finds_kanji_phrase_through_readings(tmp_path, book):
    from counter_app.phrasebook import save_phrasebook

    save_phrasebook(book, tmp_path / "b.yaml")
    library = Library(tmp_path / "lib", shipped_dir=tmp_path / "none")
    library.import_phrasebook(tmp_path / "b.yaml")
    with_readings = library.phrasebook()
    assert with_readings.get("juminhyo").reading.startswith("じゅうみんひょう")
    assert ids(search(with_readings, "じゅうみんひょう"))[0] == "juminhyo"
    assert ids(search(with_readings, "ｼｮﾒｲ"))[0] == "sign"
    assert "juminhyo" not in ids(search(book, "じゅうみんひょう"))  # needs the reading


@pytest.mark.parametrize("heard,language,expected", [
    ("감사 합니다", "ko", "thanks"),  # Vosk word units
    ("번호표 를 뽑아 주세요", "ko", "ticket"),
    ("番号札を お取り ください", "ja", "ticket"),
    ("please take a number ticket", "en", "ticket"),
    ("Do you have your my number card", "en", "mynumber"),
])
def test_match_phrase_recognized_text(book, heard, language, expected):
    found = match_phrase(heard, language, book)
    assert found is not None and found.phrase.id == expected
    assert found.score >= 85
    assert found.translation("ja") == book.get(expected).text("ja")


def test_match_phrase_rejects_other_sentences(book):
    assert match_phrase("주민등록 등본 을 발급 를 뽑아 주세요", "ko", book, threshold=90) is None
    assert match_phrase("where is the station", "en", book) is None
    assert match_phrase("감사합니다", "vi", book) is None  # language not in the book
    assert match_phrase("", "ko", book) is None


def test_ten_thousand_phrases_import_and_search(tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    from phrasebook import generate

    from counter_app import languages
    from counter_app.phrasebook import save_phrasebook

    big = generate(10_000, list(languages.TEXT_LANGUAGES)[:4])
    save_phrasebook(big, tmp_path / "big.csv")
    library = Library(tmp_path / "lib", shipped_dir=tmp_path / "none")
    library.import_phrasebook(tmp_path / "big.csv", readings=False)
    loaded = library.phrasebook()
    assert len(loaded) == 10_000
    assert loaded.get("p09999").text("en").endswith("case 9999.")
    hits = search(loaded, "（9876）")
    assert ids(hits)[0] == "p09876"
    assert len(search(loaded, "ﾏｲﾅﾝﾊﾞｰ", limit=50)) == 50
    assert load_phrasebook(tmp_path / "big.csv").get("p00000") is not None
