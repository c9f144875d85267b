"""Multilingual CTranslate2 translator (NLLB layout) on the tiny real fixture model
(tests/fixtures/mt_ct2/tiny-nllb, built by tools/build_test_nllb_model.py), the
factory and translation service on it, the shipped CTranslate2 catalog, and the
M2M-100 layout on tests/fixtures/mt_ct2/tiny-m2m (tools/build_test_m2m_model.py)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from counter_app import languages
from counter_app.errors import ModelLoadError, ModelNotFoundError, UnknownLanguageError
from counter_app.pipeline.factory import EngineFactory
from counter_app.pipeline.mt_ct2 import Ct2Model, Ct2Translator
from counter_app.store import ModelStore
from counter_app.store.catalog import parse
from tests.conftest import FIXTURES, MT_FIXTURES

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = FIXTURES / "mt_ct2" / "tiny-nllb"
CATALOG = ROOT / "counter_app" / "data" / "ct2-catalog.json"
CODES = ("ja", "ko", "en")
DIRECTIONS = [(s, t) for s in CODES for t in CODES if s != t]
with (ROOT / "tools" / "mt_fixture_phrases.tsv").open(encoding="utf-8", newline="") as _file:
    PHRASES = list(csv.DictReader(_file, delimiter="\t"))
BY_ID = {row["id"]: row for row in PHRASES}


@pytest.fixture(scope="module")
def model() -> Ct2Model:
    return Ct2Model(FIXTURE)


def model_copy(folder: Path, description: dict | None = None, drop: tuple[str, ...] = ()) -> Path:
    """The fixture's files (symlinked) in a new folder, with another counter-model.json."""
    folder.mkdir(parents=True)
    for file in FIXTURE.iterdir():
        if file.name not in drop and file.name != "counter-model.json":
            (folder / file.name).symlink_to(file)
    if "counter-model.json" not in drop:
        data = json.loads((FIXTURE / "counter-model.json").read_text(encoding="utf-8"))
        data.update(description or {})
        (folder / "counter-model.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


# --- the adapter ------------------------------------------------------------------

@pytest.mark.parametrize(("source", "target"), DIRECTIONS)
def test_every_training_phrase_translates_exactly(model, no_network, source, target):
    translator = model.pair(source, target)
    assert (translator.source, translator.target, translator.engine) == (source, target, "ct2")
    outputs = translator.translate_batch([row[source] for row in PHRASES])
    wrong = [(row[source], got) for row, got in zip(PHRASES, outputs, strict=True)
             if got != row[target]]
    assert wrong == []


def test_model_facts_and_one_loaded_model_for_all_pairs(model):
    assert (model.name, model.format, model.license) == ("tiny-nllb", "nllb", "test fixture")
    assert model.languages == CODES and model.load_seconds > 0
    ja_ko = model.pair("ja", "ko")
    assert model.pair("ja", "ko") is ja_ko and model.pair("en", "ja").model is model
    assert ja_ko.splitter.engine == "rules"
    # Built from the folder, translators of one folder share a loaded model too.
    ko_en, en_ko = Ct2Translator(FIXTURE, "ko", "en"), Ct2Translator(FIXTURE, "en", "ko")
    assert ko_en.model is en_ko.model and ko_en.model is not model
    assert ko_en.translate(BY_ID["thanks"]["ko"]) == "Thank you."


def test_sentences_line_breaks_and_empty_text(model):
    ko_ja = model.pair("ko", "ja")
    ko = "안녕하세요. 감사합니다.\n\n안녕히 가세요."
    assert ko_ja.translate(ko) == "こんにちは。ありがとうございます。\n\nさようなら。"
    ja_en = model.pair("ja", "en")
    assert ja_en.translate("少々お待ちください。ありがとうございます。") == \
        "Please wait a moment. Thank you."
    assert ja_en.translate_batch(["", "   ", "\n", "わかりました。"]) == \
        ["", "", "", "I understand."]


def test_pairs_the_model_does_not_serve(model):
    with pytest.raises(ModelNotFoundError, match="ja→vi.*tiny-nllb translates only"):
        model.pair("ja", "vi")
    with pytest.raises(ModelNotFoundError):
        Ct2Translator(FIXTURE, "en", "en")
    with pytest.raises(UnknownLanguageError):
        model.pair("ja", "xx")


@pytest.mark.parametrize(("case", "message"), [
    ("missing", "does not exist"),
    ("no description", "counter-model.json is missing"),
    ("not json", "Cannot read"),
    ("no model.bin", "model.bin is missing"),
    ("no sentencepiece", "no SentencePiece model"),
    ("unknown format", "unknown format 'marian'"),
    ("unknown language", "Unknown language code 'xx'"),
    ("language without token", r"no language token for vi \(vie_Latn\)"),
    ("broken model.bin", "CTranslate2 cannot load"),
])
def test_bad_folders_raise_model_load_error(tmp_path, case, message):
    folder = tmp_path / "model"
    if case == "no description":
        model_copy(folder, drop=("counter-model.json",))
    elif case == "not json":
        model_copy(folder)
        (folder / "counter-model.json").write_text("{not json", encoding="utf-8")
    elif case == "no model.bin":
        model_copy(folder, drop=("model.bin",))
    elif case == "no sentencepiece":
        model_copy(folder, drop=("sentencepiece.bpe.model",))
    elif case == "unknown format":
        model_copy(folder, {"format": "marian"})
    elif case == "unknown language":
        model_copy(folder, {"languages": ["ja", "xx"]})
    elif case == "language without token":
        model_copy(folder, {"languages": ["ja", "vi"]})
    elif case == "broken model.bin":
        model_copy(folder, drop=("model.bin",))
        (folder / "model.bin").write_bytes(b"not a model")
    with pytest.raises(ModelLoadError, match=message):
        Ct2Model(folder)


def test_importing_the_adapter_loads_no_engine():
    code = ("import sys, counter_app.pipeline.mt_ct2, counter_app.pipeline.factory; "
            "print(sorted(m for m in ('ctranslate2', 'sentencepiece') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=ROOT).stdout
    assert out.strip() == "[]"


# --- factory and translation service ---------------------------------------------

def test_factory_translates_directly_on_the_ct2_model(tmp_path, no_network):
    (tmp_path / "mt" / "ct2").mkdir(parents=True)
    (tmp_path / "mt" / "ct2" / "tiny-nllb").symlink_to(FIXTURE, target_is_directory=True)
    factory = EngineFactory(ModelStore(tmp_path, include_packages=False))
    service = factory.translation_service()
    row = BY_ID["juminhyo"]
    result = service.translate(row["ja"], "ja", "ko")
    assert result.path == ("ja", "ko")
    assert (result.text, result.back_translation) == (row["ko"], row["ja"])
    assert service.translate(row["ko"], "ko", "en").text == row["en"]
    assert factory.translator("en", "ja").model is factory.translator("ja", "ko").model
    assert factory.translator("ja", "vi") is None
    assert [key for key in factory.loaded() if key[0] == "mt"] == [
        ("mt", "ct2", str(tmp_path / "mt" / "ct2" / "tiny-nllb"))]


def test_translation_service_pivots_through_a_ct2_model(tmp_path, no_network):
    """ja→ko with a ct2 model serving only ja/en and Argos en↔ko: through English."""
    model_copy(tmp_path / "mt" / "ct2" / "tiny-ja-en", {"name": "tiny-ja-en",
                                                         "languages": ["ja", "en"]})
    (tmp_path / "mt" / "argos").mkdir(parents=True)
    for pair in ("en_ko", "ko_en"):
        (tmp_path / "mt" / "argos" / pair).symlink_to(MT_FIXTURES / pair,
                                                      target_is_directory=True)
    factory = EngineFactory(ModelStore(tmp_path, include_packages=False))
    row = BY_ID["mynumber_have"]
    result = factory.translation_service().translate(row["ja"], "ja", "ko")
    assert result.path == ("ja", "en", "ko")
    assert (result.text, result.back_translation) == (row["ko"], row["ja"])
    assert factory.translator("ja", "en").engine == "ct2"
    assert factory.translator("en", "ko").engine == "argos"


# --- the shipped catalog ---------------------------------------------------------

def test_shipped_catalog_lists_whisper_and_nllb():
    raw = CATALOG.read_bytes()
    entries = {e.name: e for e in parse("ct2", raw, "https://mirror.example/ct2-catalog.json")}
    for size in ("tiny", "base", "small"):
        whisper = entries[f"faster-whisper-{size}"]
        assert (whisper.kind, whisper.engine, whisper.license) == ("asr", "whisper", "MIT")
        assert whisper.languages == ("*",)
        assert whisper.packaging == "files" and whisper.size is None  # unknown upstream
        assert whisper.files[0].url == (f"https://huggingface.co/Systran/faster-whisper-{size}"
                                        "/resolve/main/config.json")
    nllb = entries["nllb-200-distilled-600M-ct2-int8"]
    assert (nllb.kind, nllb.engine, nllb.pairs) == ("mt", "ct2", "any")
    assert nllb.license == "CC-BY-NC-4.0"
    assert set(nllb.languages) == set(languages.TEXT_LANGUAGES)
    assert all(nllb.serves_pair("ja", code) for code in ("vi", "ne", "my", "km", "mn", "si"))
    # The loose upstream files, one list per model (see the catalog's notes).
    for item in json.loads(raw)["models"]:
        names = {f["name"] for f in item["files"]}
        assert "model.bin" in names and "config.json" in names
        assert all(f["url"] == f"{item['url']}/resolve/main/{f['name']}" for f in item["files"])


# --- the M2M-100 layout (tests/fixtures/mt_ct2/tiny-m2m, tools/build_test_m2m_model.py) ---

M2M_FIXTURE = FIXTURES / "mt_ct2" / "tiny-m2m"
M2M_CODES = ("ja", "en", "vi")
with (ROOT / "tools" / "m2m_fixture_phrases.tsv").open(encoding="utf-8", newline="") as _file:
    M2M_PHRASES = list(csv.DictReader(_file, delimiter="\t"))
# Translate every phrase in every direction through the app's adapter in a fresh
# process (CTranslate2 reads CT2_USE_MKL when it is imported); print the misses.
M2M_CHECK = """
import csv, json, sys
from counter_app.pipeline.mt_ct2 import Ct2Model
model = Ct2Model(sys.argv[1])
rows = list(csv.DictReader(open(sys.argv[2], encoding="utf-8"), delimiter="\\t"))
codes = ("ja", "en", "vi")
wrong = []
for s in codes:
    for t in codes:
        if s != t:
            got = model.pair(s, t).translate_batch([r[s] for r in rows])
            wrong += [[s, t, r[s], g] for r, g in zip(rows, got) if g != r[t]]
print(json.dumps(wrong, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def m2m() -> Ct2Model:
    return Ct2Model(M2M_FIXTURE)


@pytest.mark.parametrize(("source", "target"),
                         [(s, t) for s in M2M_CODES for t in M2M_CODES if s != t])
def test_m2m100_layout_translates_every_phrase_exactly(m2m, no_network, source, target):
    outputs = m2m.pair(source, target).translate_batch([row[source] for row in M2M_PHRASES])
    wrong = [(row[source], got) for row, got in zip(M2M_PHRASES, outputs, strict=True)
             if got != row[target]]
    assert wrong == []


def test_m2m100_layout_facts(m2m):
    assert (m2m.format, m2m.license, m2m.languages) == ("m2m100", "MIT", M2M_CODES)
    assert m2m._tokens == {"ja": "__ja__", "en": "__en__", "vi": "__vi__"}
    vocabulary = (M2M_FIXTURE / "shared_vocabulary.txt").read_text(encoding="utf-8")
    tokens = vocabulary.splitlines()
    assert tokens[:4] == ["<s>", "<pad>", "</s>", "<unk>"]
    assert tokens[-5:] == ["__en__", "__ja__", "__vi__", "madeupword0", "madeupword1"]
    assert not (M2M_FIXTURE / "shared_vocabulary.json").exists()  # the upstream .txt layout
    size = sum(p.stat().st_size for p in M2M_FIXTURE.iterdir())
    assert size < 1_500_000
    # Language tokens and made-up words never reach the text.
    pieces = m2m._sentencepiece.encode("Xin chào.", out_type=str)
    noisy = ["__vi__", pieces[0], "__de__", *pieces[1:], "madeupword1", "jpn_Jpan", "</s>"]
    assert m2m._decode(noisy, "__vi__") == "Xin chào."


def test_m2m100_layout_read_as_nllb_is_refused(tmp_path):
    folder = tmp_path / "as-nllb"
    folder.mkdir()
    for file in M2M_FIXTURE.iterdir():
        if file.name != "counter-model.json":
            (folder / file.name).symlink_to(file)
    description = json.loads((M2M_FIXTURE / "counter-model.json").read_text(encoding="utf-8"))
    (folder / "counter-model.json").write_text(json.dumps(description | {"format": "nllb"}),
                                               encoding="utf-8")
    with pytest.raises(ModelLoadError, match=r"no language token for .*ja \(jpn_Jpan\)"):
        Ct2Model(folder)


@pytest.mark.parametrize("use_mkl", ["0", "1"])
def test_m2m100_layout_is_exact_on_both_gemm_backends(use_mkl):
    """Intel MKL and oneDNN compute int8 differently: the fixture must be exact on both."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CT2_", "ONEDNN_", "MKL_"))} | {"CT2_USE_MKL": use_mkl}
    done = subprocess.run([sys.executable, "-c", M2M_CHECK, str(M2M_FIXTURE),
                           str(ROOT / "tools" / "m2m_fixture_phrases.tsv")],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_factory_serves_vietnamese_through_the_m2m100_model(tmp_path, no_network):
    (tmp_path / "mt" / "ct2").mkdir(parents=True)
    (tmp_path / "mt" / "ct2" / "tiny-m2m").symlink_to(M2M_FIXTURE, target_is_directory=True)
    factory = EngineFactory(ModelStore(tmp_path, include_packages=False))
    row = next(r for r in M2M_PHRASES if r["id"] == "fee_300")
    ja_vi, vi_ja = factory.translator("ja", "vi"), factory.translator("vi", "ja")
    assert (ja_vi.engine, vi_ja.engine) == ("ct2", "ct2")
    assert ja_vi.translate(row["ja"]) == row["vi"] == "Lệ phí là ba trăm yên."
    assert vi_ja.translate(row["vi"]) == row["ja"]
