"""The engine table: complete, resolvable, and enough on its own to add an engine."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from counter_app import engines, languages
from counter_app.config import CatalogSettings, EngineSettings
from counter_app.errors import ModelLoadError
from counter_app.events import AudioChunk
from counter_app.pipeline.base import Recognizer, Synthesizer, Translator
from counter_app.pipeline.factory import EngineFactory
from counter_app.store import ModelStore
from counter_app.store.catalog import PARSERS, Catalog, CatalogSources, parse_own
from counter_app.store.install import Installer
from counter_app.store.resolve import tts_entry
from counter_app.store.validate import check_loads

BASES = {"asr": Recognizer, "mt": Translator, "tts": Synthesizer}


def test_every_engine_named_in_settings_and_registry_has_a_row():
    names = {row.name for row in engines.ENGINES}
    catalogs = {row.catalog for row in engines.ENGINES if row.catalog}
    urls = {f.name for f in dataclasses.fields(CatalogSettings)} - {"piper_regions"}
    assert urls == catalogs == set(PARSERS)
    assert {name for name, _ in CatalogSources().items()} <= catalogs
    preferences = EngineSettings(asr={"ko": "whisper"}, tts={"ko": "espeak"})
    assert set(preferences.asr.values()) | set(preferences.tts.values()) <= names
    gaps = {engine for lang in languages.LANGUAGES.values() for engine, _ in lang.gaps}
    assert gaps <= names
    assert len(names) == len(engines.ENGINES)  # one row per engine


@pytest.mark.parametrize("row", engines.ENGINES, ids=lambda row: row.name)
def test_every_row_resolves(row: engines.Engine):
    if row.adapter:
        adapter = engines.resolve(row.adapter)
        assert issubclass(adapter, BASES[row.kind]) or row.shared  # shared: a model object
    if row.has_models:
        assert callable(engines.resolve(row.languages_of))
        assert callable(engines.resolve(row.check))
        assert row.folder == f"{row.kind}/{row.name}"
    else:
        assert not (row.languages_of or row.check or row.catalog)
    for ref in (row.import_name,):
        assert not ref or callable(engines.resolve(ref))


# --- a toy engine: its adapter plus one row ------------------------------------------

class ToySynthesizer(Synthesizer):
    engine = "toy"
    sample_rate = 16_000

    def __init__(self, voice: Path, language: str):
        self.voice, self.language = voice, language

    def synthesize(self, text: str, speed: float = 1.0) -> Iterator[AudioChunk]:
        yield AudioChunk(np.zeros(160, dtype=np.int16).tobytes(), self.sample_rate)


def toy_languages(path: Path, meta: dict) -> tuple[str, ...]:
    return (json.loads((path / "voice.toy").read_text())["language"],)


def check_toy(path: Path) -> None:
    if json.loads((path / "voice.toy").read_text()).get("broken"):
        raise RuntimeError("toy voice is broken")


TOY = engines.Engine(
    "tts", "toy", "Toy", adapter="tests.test_engine_table:ToySynthesizer",
    build=lambda cls, model, language, settings: cls(model.path / "voice.toy", language),
    markers=("voice.toy",), languages_of="tests.test_engine_table:toy_languages",
    check="tests.test_engine_table:check_toy", catalog="ct2")


@pytest.fixture
def toy(monkeypatch) -> engines.Engine:
    monkeypatch.setattr(engines, "ENGINES", engines.ENGINES + (TOY,))
    return TOY


def _voice(folder: Path, language: str = "tl", **extra) -> Path:
    folder.mkdir(parents=True)
    (folder / "voice.toy").write_text(json.dumps({"language": language, **extra}))
    return folder


def test_a_toy_engine_row_is_chosen_by_the_factory(tmp_path, toy):
    store = ModelStore(tmp_path, include_packages=False)
    factory = EngineFactory(store)
    assert "tl" not in {m.languages[0] for m in store.models("tts")}
    _voice(tmp_path / "tts" / "toy" / "tl-toy")
    assert factory.choose_synthesizer("tl").engine == "toy"  # no other voice speaks Filipino
    voice = factory.synthesizer("tl")
    assert isinstance(voice, ToySynthesizer) and voice.language == "tl"
    assert factory.synthesizer("tl") is voice  # cached like any engine
    assert next(voice.synthesize("Magandang araw")).rate == 16_000


def test_a_toy_engine_row_is_validated_and_installed_by_the_store(tmp_path, toy):
    root = tmp_path / "store"
    installer = Installer(ModelStore(root, include_packages=False))
    [model] = installer.import_path(_voice(tmp_path / "tl-toy"))
    assert (model.kind, model.engine, model.languages) == ("tts", "toy", ("tl",))
    assert model.path == root / "tts" / "toy" / "tl-toy"
    assert installer.store.find("tts", "tl") == model
    check_loads("toy", model.path)
    with pytest.raises(ModelLoadError, match="toy voice is broken"):
        installer.import_path(_voice(tmp_path / "broken-toy", broken=True))
    assert not (root / "tts" / "toy" / "broken-toy").exists()


def test_a_toy_engine_row_is_listed_and_planned_from_our_catalog(toy):
    data = {"format": "counter-app-catalog", "version": 1, "models": [
        {"kind": "tts", "engine": "toy", "name": "tl-toy", "languages": ["tl"],
         "license": "MIT", "url": "https://example.org/tl-toy.zip"}]}
    catalog = Catalog(parse_own(data, "https://example.org/catalog.json"))
    assert tts_entry(catalog, "tl").name == "tl-toy"
