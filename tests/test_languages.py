import pytest

from counter_app import languages
from counter_app.errors import UnknownLanguageError


def test_thirty_text_and_eleven_voice_languages():
    assert len(languages.TEXT_LANGUAGES) == 30
    assert languages.VOICE_LANGUAGES == (
        "ja", "en", "zh", "ko", "vi", "tl", "pt", "es", "fr", "ru", "hi")


def test_every_language_has_a_native_name_in_its_own_script():
    natives = {lang.native for lang in languages.LANGUAGES.values()}
    assert len(natives) == 30  # no two share a label
    assert languages.get("ko").native == "한국어"
    assert languages.get("ne").native == "नेपाली"
    assert languages.get("ar").rtl and not languages.get("en").rtl


def test_aliases_and_unknown_codes():
    assert languages.get("zh-TW").code == "zh-Hant"
    assert languages.get("pb").code == "pt"
    with pytest.raises(UnknownLanguageError, match="xx"):
        languages.get("xx")


def test_gaps_are_explained_not_silent():
    for lang in languages.LANGUAGES.values():
        reasons = lang.gap_reasons
        if lang.argos is None:
            assert "argos" in reasons, lang.code
        if lang.voice and lang.piper is None:
            assert "piper" in reasons, lang.code
        if lang.espeak is None:
            assert "espeak" in reasons, lang.code
        if lang.voice:
            assert lang.vosk or "vosk" in reasons, lang.code
        assert lang.whisper, lang.code


def test_engine_code_mappings_round_trip():
    assert languages.from_argos("pb").code == "pt"
    assert languages.from_argos("zt").code == "zh-Hant"
    assert languages.from_vosk("vn").code == "vi"
    assert languages.from_whisper("zh").code == "zh"
