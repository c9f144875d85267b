import ast
from pathlib import Path

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


def test_every_language_has_a_japanese_name_and_script_facts():
    names = {lang.japanese for lang in languages.LANGUAGES.values()}
    assert len(names) == 30 and all("語" in name for name in names)
    assert languages.japanese_name("vi") == "ベトナム語"
    assert languages.japanese_name("zh-TW") == "中国語（繁体字）"
    for lang in languages.LANGUAGES.values():
        script = lang.script
        assert script.joiner.strip(" ") or script.joiner == " ", lang.code
        assert script.sentence_gap in ("", " "), lang.code
        assert script.ends, lang.code
        assert script.spaced or script.by_characters, lang.code


def test_which_scripts_are_written_without_spaces():
    unspaced = {code for code in languages.LANGUAGES if not languages.is_spaced(code)}
    assert unspaced == {"ja", "zh", "zh-Hant", "th", "my", "km"}
    # Korean is spaced, but matched and joined by characters (particles attach).
    assert languages.is_spaced("ko") and languages.by_characters("ko")
    assert languages.word_gap("ja") == "" and languages.word_gap("en") == " "
    assert languages.sentence_gap("ja") == "" and languages.sentence_gap("th") == " "
    assert {code for code in languages.LANGUAGES if languages.uses_han(code)} == {
        "ja", "zh", "zh-Hant"}


def test_list_separators_and_sentence_ends():
    assert languages.joiner("ja") == "、"
    assert languages.joiner("zh") == languages.joiner("zh-Hant") == "，"
    assert languages.joiner("en") == languages.joiner("ko") == ", "
    assert languages.joiner("ar") == "، "
    assert languages.sentence_ends("ja") == "。！？"
    assert languages.sentence_ends("my") == "။"
    assert all("।" in languages.sentence_ends(code) for code in ("hi", "ne", "bn"))
    assert all("؟" in languages.sentence_ends(code) for code in ("ar", "fa", "ur"))
    assert "." not in languages.sentence_ends("th")  # no full stop: a space ends a statement


def test_unknown_codes_get_the_spaced_defaults():
    for code in (None, "auto", "ja-reading", "xx"):
        assert languages.script(code) is languages.SPACED
    assert not languages.is_spaced("zh-TW")  # aliases count


_SCRIPT_CODES = {"ja", "zh", "zh-Hant", "ko", "th", "my", "km", "yue", "lo", "bo"}


def _code_sets(path: Path) -> list[str]:
    """Set/tuple/list literals in `path` naming two or more script-defined codes."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Set | ast.Tuple | ast.List):
            codes = {e.value for e in node.elts if isinstance(e, ast.Constant)} & _SCRIPT_CODES
            if len(codes) >= 2:
                found.append(f"{path.name}:{node.lineno} {sorted(codes)}")
    return found


def test_no_module_keeps_its_own_set_of_unspaced_languages():
    """Script facts live in the registry; `{"ja", "zh", ...}` elsewhere duplicates one."""
    package = Path(languages.__file__).parent
    found = [hit for path in sorted(package.rglob("*.py")) if path.name != "languages.py"
             for hit in _code_sets(path)]
    assert found == []
