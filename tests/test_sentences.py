"""Offline sentence splitting across the scripts of the 30 text languages."""

from __future__ import annotations

import logging

import pytest

from counter_app import languages
from counter_app.pipeline.sentences import (
    MAX_SENTENCE_CHARS,
    SentenceSplitter,
    find_minisbd_model,
    join_sentences,
    split_rules,
)

# Two counter sentences per language, as each script writes them.
TWO_SENTENCES = {
    "ja": ["番号札をお取りください。", "少々お待ちください。"],
    "en": ["Please take a number.", "Please wait a moment."],
    "zh": ["请取号。", "请稍等。"],
    "ko": ["번호표를 뽑아 주세요.", "잠시만 기다려 주세요."],
    "vi": ["Vui lòng lấy số.", "Xin chờ một chút."],
    "tl": ["Kumuha po kayo ng numero.", "Maghintay po sandali."],
    "pt": ["Por favor, pegue uma senha.", "Aguarde um momento."],
    "es": ["Por favor, tome un número.", "¿Tiene su tarjeta de residencia?"],
    "fr": ["Veuillez prendre un ticket.", "Attendez un instant !"],
    "ru": ["Возьмите талон.", "Подождите немного."],
    "hi": ["कृपया टोकन लें।", "कृपया थोड़ा इंतजार करें।"],
    "zh-Hant": ["請取號。", "請稍等。"],
    "th": ["กรุณารับบัตรคิว?", "กรุณารอสักครู่"],
    "id": ["Silakan ambil nomor antrean.", "Mohon tunggu sebentar."],
    "ne": ["कृपया टोकन लिनुहोस्।", "कृपया एकछिन पर्खनुहोस्।"],
    "my": ["နံပါတ်ယူပါ။", "ခဏစောင့်ပါ။"],
    "ms": ["Sila ambil nombor.", "Sila tunggu sebentar."],
    "de": ["Bitte ziehen Sie eine Nummer.", "Bitte warten Sie kurz."],
    "it": ["Prenda un numero, per favore.", "Attenda un momento."],
    "nl": ["Neem een nummer.", "Wacht even, alstublieft."],
    "pl": ["Proszę pobrać numerek.", "Proszę chwilę poczekać."],
    "uk": ["Візьміть талон.", "Зачекайте трохи."],
    "tr": ["Lütfen numara alın.", "Lütfen biraz bekleyin."],
    "ar": ["خذ رقمًا من فضلك.", "هل لديك بطاقة إقامة؟"],
    "fa": ["لطفاً شماره بگیرید.", "آیا کارت اقامت دارید؟"],
    "ur": ["براہ کرم نمبر لیں۔", "کیا آپ کے پاس کارڈ ہے؟"],
    "bn": ["অনুগ্রহ করে একটি নম্বর নিন।", "একটু অপেক্ষা করুন।"],
    "km": ["សូមយកលេខ។", "សូមរង់ចាំបន្តិច។"],
    "mn": ["Дугаар авна уу.", "Түр хүлээнэ үү."],
    "si": ["කරුණාකර අංකයක් ගන්න.", "මොහොතක් රැඳී සිටින්න."],
}
NO_SPACE = {"ja", "zh", "zh-Hant", "my", "km"}  # scripts written without a space between


def test_every_text_language_has_a_sample():
    assert set(TWO_SENTENCES) == set(languages.TEXT_LANGUAGES)


@pytest.mark.parametrize("code", sorted(TWO_SENTENCES))
def test_two_sentences_split_in_every_script(code):
    sentences = TWO_SENTENCES[code]
    text = ("" if code in NO_SPACE else " ").join(sentences)
    assert SentenceSplitter(code).split(text) == sentences
    assert split_rules(f"  {text}\n", code) == sentences


def test_samples_end_with_the_registry_sentence_ends():
    for code, sentences in TWO_SENTENCES.items():
        ends = languages.sentence_ends(code)
        marked = [s for s in sentences if code != "th" or s.endswith("?")]  # Thai: no full stop
        assert marked and all(s[-1] in ends for s in marked), code


def test_thai_without_punctuation_stays_whole():
    text = "กรุณารับบัตรคิว กรุณารอสักครู่"
    assert split_rules(text, "th") == [text]


@pytest.mark.parametrize(("text", "expected"), [
    ("Mr. Tanaka is at window 3. He will call you.",
     ["Mr. Tanaka is at window 3.", "He will call you."]),
    ("The fee is 3.5 dollars. Pay here.", ["The fee is 3.5 dollars.", "Pay here."]),
    ("Bring an ID, e.g. a passport. Thank you.", ["Bring an ID, e.g. a passport.", "Thank you."]),
    ("Take ticket No. 5 please. Thanks.", ["Take ticket No. 5 please.", "Thanks."]),
    ("J. R. Smith signed. Next!", ["J. R. Smith signed.", "Next!"]),
    ("I said no. Then I left.", ["I said no.", "Then I left."]),
    ('He said "Wait here." Then he left.', ['He said "Wait here."', "Then he left."]),
    ("Wait... really? Yes.", ["Wait... really?", "Yes."]),
    ("Visit www.city.example.jp today. Bye.", ["Visit www.city.example.jp today.", "Bye."]),
    ("Bitte z.B. den Pass mitbringen. Danke.", ["Bitte z.B. den Pass mitbringen.", "Danke."]),
    ("Это т.е. пример. Спасибо.", ["Это т.е. пример.", "Спасибо."]),
])
def test_latin_and_cyrillic_abbreviations_and_numbers(text, expected):
    assert split_rules(text, "en") == expected


def test_japanese_quotes_and_mixed_punctuation():
    assert split_rules("「はい。」と言いました。「いいえ。」「そうです。」", "ja") == [
        "「はい。」と言いました。", "「いいえ。」", "「そうです。」"]
    assert split_rules("本当ですか?はい!そうです.", "ja") == ["本当ですか?", "はい!", "そうです."]


def test_korean_without_space_after_full_stop():
    assert split_rules("안녕하세요.감사합니다.", "ko") == ["안녕하세요.", "감사합니다."]


def test_empty_and_blank_text():
    assert split_rules("", "en") == []
    assert SentenceSplitter("en").split("  \t ") == []


def test_overlong_text_is_cut_at_spaces():
    words = ["กรุณารอสักครู่"] * 60
    pieces = split_rules(" ".join(words), "th")
    assert len(pieces) > 1
    assert all(len(piece) <= MAX_SENTENCE_CHARS for piece in pieces)
    assert " ".join(pieces).split() == words


def test_join_sentences_by_script():
    assert join_sentences(["こんにちは。", "ありがとう。"], "ja") == "こんにちは。ありがとう。"
    assert join_sentences(["Hello.", "", "Thanks."], "en") == "Hello. Thanks."


def test_without_model_the_rules_are_used():
    assert SentenceSplitter("en").engine == "rules"


def test_missing_minisbd_model_falls_back_to_rules(tmp_path, caplog, no_network):
    splitter = SentenceSplitter("en", tmp_path / "missing.onnx")
    with caplog.at_level(logging.WARNING):
        assert splitter.split("Hello. Thanks.") == ["Hello.", "Thanks."]
    assert splitter.engine == "rules"
    assert "not found" in caplog.text


def test_broken_minisbd_model_falls_back_without_network(tmp_path, caplog, no_network):
    broken = tmp_path / "minisbd" / "en.onnx"
    broken.parent.mkdir()
    broken.write_bytes(b"not an onnx model")
    assert find_minisbd_model(tmp_path / "minisbd") == broken
    splitter = SentenceSplitter("en", broken)
    with caplog.at_level(logging.WARNING):
        assert splitter.split("Hello. Thanks.") == ["Hello.", "Thanks."]
    assert splitter.engine == "rules"
    assert "Cannot load MiniSBD model" in caplog.text


def test_find_minisbd_model_in_empty_or_missing_folder(tmp_path):
    assert find_minisbd_model(tmp_path / "nothing") is None
    assert find_minisbd_model(tmp_path) is None
