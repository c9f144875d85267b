"""Japanese numerals: read for scoring, written for display as offices write them."""

from __future__ import annotations

import pytest

from counter_app.ja_numbers import format_numbers, normalize_numerals, parse_number


@pytest.mark.parametrize(("numeral", "value"), [
    ("三百", 300), ("二千五百", 2500), ("千二百", 1200), ("十五", 15), ("十", 10),
    ("二〇二六", 2026), ("2千5百", 2500), ("1万5千", 15000), ("一万", 10000),
    ("二十万", 200000), ("300", 300), ("３００", 300), ("四百五十", 450),
])
def test_parse_number(numeral, value):
    assert parse_number(numeral) == value


@pytest.mark.parametrize("not_numeral", ["", "円", "2三"])
def test_parse_number_rejects(not_numeral):
    assert parse_number(not_numeral) is None


@pytest.mark.parametrize(("text", "normalized"), [
    ("三百円です", "300円です"),
    ("1,500円", "1500円"),
    ("１，５００円", "1500円"),
    ("二千五百円", "2500円"),
    ("三月十五日", "3月15日"),
    ("090から", "090から"),  # a phone number keeps its leading 0
])
def test_normalize_numerals_for_scoring(text, normalized):
    assert normalize_numerals(text) == normalized


def test_normalized_forms_of_one_amount_agree():
    forms = ["三百円", "300円", "３００円", "3百円"]
    assert {normalize_numerals(form) for form in forms} == {"300円"}


@pytest.mark.parametrize(("text", "shown"), [
    ("住民票は一通三百円です。", "住民票は1通300円です。"),
    ("合計で千五百円になります。", "合計で1,500円になります。"),
    ("１５００円", "1,500円"),
    ("1500円", "1,500円"),
    ("2千5百円", "2,500円"),
    ("一万五千円", "15,000円"),
    ("百円", "100円"),
    ("三月十五日までに", "3月15日までに"),
    ("令和八年四月一日", "令和8年4月1日"),
    ("午後五時十五分", "午後5時15分"),
    ("二〇二六年", "2026年"),
    ("数字四桁", "数字4桁"),
    ("2026年3月15日", "2026年3月15日"),  # already as offices write it
    ("10,000円", "10,000円"),
    ("コピーは3倍く円です", "コピーは300円です"),  # Whisper's spellings of 三百円
    ("コピーは3枚円です", "コピーは300円です"),
    ("六ぴゃく円", "600円"),
])
def test_format_numbers_writes_amounts_and_dates_as_offices_do(text, shown):
    assert format_numbers(text) == shown


@pytest.mark.parametrize("text", [
    "一人で来てください。", "もう一度お願いします。", "一緒に行きましょう。",
    "一番の窓口へどうぞ。", "十分です。", "一日中開いています。", "一時お待ちください。",
    "三分の一を払います。", "数百円かかります。", "何日ですか。", "縦4.5センチ",
    "第二小学校", "千葉県から来ました。", "二人で来ました。", "一つください。",
    "電話番号は090から始まります。", "ご視聴", "3枚ください。", "2倍になります。", "",
])
def test_format_numbers_leaves_words_alone(text):
    assert format_numbers(text) == text
