"""Argos translator and translation service on the tiny real fixture models
(tests/fixtures/mt, built by tools/build_test_mt_model.py)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from counter_app.errors import ModelLoadError, ModelNotFoundError, UnknownLanguageError
from counter_app.pipeline.mt_argos import ArgosTranslator
from counter_app.pipeline.translation import TranslationService
from tests.conftest import MT_FIXTURES

ROOT = Path(__file__).resolve().parents[1]
PAIRS = ("ko_en", "en_ko", "ja_en", "en_ja")
with (ROOT / "tools" / "mt_fixture_phrases.tsv").open(encoding="utf-8", newline="") as _file:
    PHRASES = list(csv.DictReader(_file, delimiter="\t"))
BY_ID = {row["id"]: row for row in PHRASES}


@pytest.fixture(scope="module")
def translators() -> dict[tuple[str, str], ArgosTranslator]:
    found = {}
    for pair in PAIRS:
        translator = ArgosTranslator(MT_FIXTURES / pair)
        found[(translator.source, translator.target)] = translator
    return found


def service_with(translators, *pairs: str) -> TranslationService:
    chosen = {tuple(pair.split("_")): translators[tuple(pair.split("_"))] for pair in pairs}
    return TranslationService(lambda source, target: chosen.get((source, target)))


# --- the adapter ------------------------------------------------------------------

@pytest.mark.parametrize("pair", PAIRS)
def test_every_training_phrase_translates_exactly(translators, pair):
    source, target = pair.split("_")
    translator = translators[(source, target)]
    assert (translator.source, translator.target, translator.engine) == (source, target, "argos")
    outputs = translator.translate_batch([row[source] for row in PHRASES])
    wrong = [(row[source], got) for row, got in zip(PHRASES, outputs, strict=True)
             if got != row[target]]
    assert wrong == []


def test_package_facts(translators):
    translator = translators[("ko", "en")]
    assert translator.load_seconds > 0
    assert translator.splitter.engine == "rules"
    assert translator.metadata["from_code"] == "ko"
    assert json.loads((MT_FIXTURES / "ko_en" / "model" / "config.json").read_text())[
        "add_source_eos"] is True


def test_several_sentences_are_translated_one_by_one(translators):
    ko_en, en_ja = translators[("ko", "en")], translators[("en", "ja")]
    ko = " ".join(BY_ID[i]["ko"] for i in ("greet_hello", "ticket_take", "thanks"))
    assert ko_en.translate(ko) == "Hello. Please take a number ticket. Thank you."
    en = "Hello. Do you have your seal? Thank you."
    assert en_ja.translate(en) == "こんにちは。印鑑をお持ちですか。ありがとうございます。"


def test_line_breaks_and_empty_text_are_kept(translators):
    ko_en = translators[("ko", "en")]
    text = "안녕하세요.\n\n잠시만 기다려 주세요. 감사합니다.\r\n안녕히 가세요."
    assert ko_en.translate(text) == "Hello.\n\nPlease wait a moment. Thank you.\nGoodbye."
    assert ko_en.translate_batch(["", "   ", "\n", "감사합니다."]) == ["", "", "", "Thank you."]


def test_translate_batch_is_thread_safe(translators):
    ja_en = translators[("ja", "en")]
    sources = [row["ja"] for row in PHRASES]
    expected = [row["en"] for row in PHRASES]
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda i: ja_en.translate_batch(sources[i::6]), range(6)))
    assert results == [expected[i::6] for i in range(6)]


def test_no_network_during_load_and_translate(no_network):
    with pytest.raises(AssertionError, match="network access attempted"):
        socket.create_connection(("192.0.2.1", 80), timeout=1)
    translator = ArgosTranslator(MT_FIXTURES / "ja_en")
    assert translator.translate("こんにちは。ありがとうございます。") == "Hello. Thank you."


def test_importing_and_translating_loads_neither_torch_nor_stanza(tmp_path):
    code = (
        "import sys\n"
        "import counter_app.pipeline.mt_argos as m, counter_app.pipeline.translation\n"
        "assert 'ctranslate2' not in sys.modules and 'argostranslate' not in sys.modules\n"
        f"print(m.ArgosTranslator({str(MT_FIXTURES / 'ko_en')!r}).translate('감사합니다.'))\n"
        "print(sorted(n for n in ('torch', 'stanza', 'spacy', 'transformers') "
        "if n in sys.modules))\n")
    home = tmp_path / "home"
    home.mkdir()
    env = {key: value for key, value in os.environ.items() if not key.startswith("XDG_")}
    env["HOME"] = str(home)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, env=env, check=True).stdout.splitlines()
    assert out == ["Thank you.", "[]"]
    assert list(home.iterdir()) == []  # argostranslate's settings module would make folders


# --- broken packages ---------------------------------------------------------------

@pytest.fixture()
def package_copy(tmp_path) -> Path:
    copy = tmp_path / "ko_en"
    shutil.copytree(MT_FIXTURES / "ko_en", copy)
    return copy


def test_missing_package_folder(tmp_path):
    with pytest.raises(ModelLoadError, match="does not exist"):
        ArgosTranslator(tmp_path / "nowhere")


@pytest.mark.parametrize(("damage", "message"), [
    (lambda p: (p / "metadata.json").unlink(), "metadata.json is missing"),
    (lambda p: (p / "metadata.json").write_text("{not json"), "Cannot read"),
    (lambda p: (p / "model" / "model.bin").unlink(), "has no CTranslate2 model"),
    (lambda p: (p / "model" / "model.bin").write_bytes(b"garbage"), "CTranslate2 cannot load"),
    (lambda p: (p / "sentencepiece.model").unlink(), "has no tokenizer"),
    (lambda p: (p / "sentencepiece.model").write_bytes(b"garbage"), "Cannot load the tokenizer"),
    (lambda p: _edit_metadata(p, from_code="xx"), "language 'xx', which counter-app does not"),
    (lambda p: _edit_metadata(p, to_code=None), "has no 'to_code'"),
    (lambda p: _edit_metadata(p, type="sbd"), "not a translation package"),
])
def test_bad_package_gives_a_clear_error(package_copy, damage, message):
    damage(package_copy)
    with pytest.raises(ModelLoadError, match=message) as error:
        ArgosTranslator(package_copy)
    assert str(package_copy) in str(error.value)


def _edit_metadata(path: Path, **changes) -> None:
    metadata = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    metadata.update(changes)
    (path / "metadata.json").write_text(json.dumps(metadata), encoding="utf-8")


# --- the service: direct, pivot, back-translation ----------------------------------

def test_direct_translation_with_back_translation(translators):
    service = service_with(translators, *PAIRS)
    row = BY_ID["form_fill"]
    result = service.translate(row["ko"], "ko", "en")
    assert (result.text, result.back_translation) == (row["en"], row["ko"])
    assert result.path == ("ko", "en") and not result.pivoted
    assert (result.source_text, result.source, result.target) == (row["ko"], "ko", "en")


def test_pivot_through_english(translators):
    service = service_with(translators, *PAIRS)
    assert service.available("ko", "ja") == ("ko", "en", "ja")
    row = BY_ID["zairyu_have"]
    result = service.translate(row["ko"], "ko", "ja")
    assert result.text == row["ja"]
    assert result.path == ("ko", "en", "ja") and result.pivoted
    assert result.back_translation == row["ko"]


def test_every_phrase_pivots_ja_to_ko(translators):
    service = service_with(translators, *PAIRS)
    results = [service.translate(row["ja"], "ja", "ko", back=False) for row in PHRASES]
    assert [r.text for r in results] == [row["ko"] for row in PHRASES]
    assert all(r.back_translation is None for r in results)


def test_same_language_is_identity(translators):
    result = service_with(translators).translate("こんにちは。", "ja", "ja")
    assert (result.text, result.back_translation, result.path) == (
        "こんにちは。", "こんにちは。", ("ja",))


def test_no_back_translation_without_reverse_path(translators):
    result = service_with(translators, "ko_en").translate("감사합니다.", "ko", "en")
    assert (result.text, result.back_translation) == ("Thank you.", None)


def test_missing_path_names_the_pair_and_the_install_command(translators):
    service = service_with(translators, "ko_en")
    assert service.available("ko", "ja") is None
    with pytest.raises(ModelNotFoundError, match="ko→ja") as error:
        service.translate("감사합니다.", "ko", "ja")
    assert "counter-app models install ko ja" in str(error.value)
    assert "en→ja" in str(error.value)


def test_unknown_language_code(translators):
    with pytest.raises(UnknownLanguageError):
        service_with(translators, *PAIRS).translate("Hello.", "en", "xx")


def test_aliases_are_normalised(translators):
    assert service_with(translators, *PAIRS).available("KO", "en") == ("ko", "en")


def test_service_on_the_model_store(store, no_network):
    def from_store(source, target):
        model = store.find_mt(source, target)
        return ArgosTranslator(model.path) if model else None

    result = TranslationService(from_store).translate("ありがとうございます。", "ja", "ko")
    assert (result.text, result.path, result.back_translation) == (
        "감사합니다.", ("ja", "en", "ko"), "ありがとうございます。")
