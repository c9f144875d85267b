"""Typed-text language identification over our languages (offline, no model)."""

from __future__ import annotations

import importlib.util

import pytest

from counter_app import languages
from counter_app.langid import detect_text_language

# One counter-style sentence per language, written as residents type them.
SAMPLES = {
    "ja": "住民票の写しをください。",
    "en": "I need a copy of my residence certificate.",
    "zh": "我需要办理住址证明。",
    "zh-Hant": "我需要辦理住址證明。",
    "ko": "번호표를 뽑아 주세요.",
    "vi": "Tôi muốn đăng ký cư trú.",
    "tl": "Magandang umaga po, kailangan ko ng tulong.",
    "pt": "Bom dia, preciso de ajuda com o meu cartão.",
    "es": "Quiero registrar mi dirección, por favor.",
    "fr": "Je voudrais un certificat de résidence, s'il vous plaît.",
    "ru": "Мне нужна справка о месте жительства.",
    "uk": "Мені потрібна довідка про місце проживання.",
    "mn": "Сайн байна уу, надад тусламж хэрэгтэй.",
    "hi": "मुझे निवास प्रमाण पत्र चाहिए।",
    "ne": "मलाई बसोबास प्रमाणपत्र चाहिन्छ।",
    "th": "ฉันต้องการใบรับรองถิ่นที่อยู่",
    "id": "Saya butuh surat keterangan domisili.",
    "ms": "Saya perlukan surat pengesahan alamat, encik.",
    "de": "Ich brauche bitte eine Meldebescheinigung.",
    "it": "Ho bisogno di un certificato di residenza.",
    "nl": "Ik heb een bewijs van inschrijving nodig.",
    "pl": "Potrzebuję zaświadczenia o zameldowaniu.",
    "tr": "İkamet belgesine ihtiyacım var.",
    "ar": "أحتاج إلى شهادة إقامة من فضلك.",
    "fa": "من به گواهی اقامت نیاز دارم.",
    "ur": "مجھے رہائش کا سرٹیفکیٹ چاہیے۔",
    "bn": "আমার বাসস্থানের সনদ দরকার।",
    "km": "ខ្ញុំត្រូវការវិញ្ញាបនបត្រស្នាក់នៅ។",
    "my": "ကျွန်ုပ်သည် နေထိုင်ကြောင်း လက်မှတ် လိုအပ်ပါသည်။",
    "si": "මට පදිංචි සහතිකයක් අවශ්‍යයි.",
}


def test_samples_cover_every_language():
    assert set(SAMPLES) == set(languages.TEXT_LANGUAGES)


@pytest.mark.parametrize("code", sorted(SAMPLES))
def test_identifies_typed_sentence(code):
    ranked = detect_text_language(SAMPLES[code])
    assert ranked[0][0] == code, ranked[:3]
    assert ranked[0][1] > 0.5
    assert abs(sum(p for _, p in ranked) - 1.0) < 1e-6
    assert all(found in languages.LANGUAGES for found, _ in ranked)


def test_japanese_with_latin_letters_stays_japanese():
    ranked = detect_text_language("マイナンバーカードのIDはこれです")
    assert ranked[0][0] == "ja" and ranked[0][1] > 0.8


def test_kanji_only_words_are_ambiguous_unless_a_form_is_telling():
    assert detect_text_language("転出届")[0][0] == "ja"  # 転 and 届 are Japanese forms
    ranked = dict(detect_text_language("住民票"))
    assert set(ranked) == {"zh", "zh-Hant", "ja"} and max(ranked.values()) <= 0.5


def test_no_letters_gives_no_guess():
    assert detect_text_language("123 !? 。") == []
    assert detect_text_language("") == []


@pytest.mark.skipif(importlib.util.find_spec("lingua") is None,
                    reason="lingua-language-detector is optional and not installed")
@pytest.mark.parametrize("code", ["en", "vi", "tl", "pt", "es", "fr", "de", "it", "nl", "pl",
                                  "tr", "id"])
def test_lingua_backend_agrees_on_latin_script(code):
    assert detect_text_language(SAMPLES[code], use_lingua=True)[0][0] == code
