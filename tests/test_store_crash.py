"""A pulled plug at every phase: the real CLI in a subprocess, SIGKILLed while it
downloads (from a local HTTP server), unpacks or swaps a model in, then the next
command must find a consistent store without debris.

The kill lands deterministically: COUNTER_APP_TEST_PAUSE_AT=<phase> makes the
process stop there (counter_app/store/pause.py) and touch a marker file.
"""

from __future__ import annotations

import http.server
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from counter_app.store import ModelStore
from counter_app.store.install import Installer
from counter_app.store.manifest import read_record
from counter_app.store.verify import check_model
from tests.conftest import MT_FIXTURES
from tests.test_store_install import VOSK_NAME, Handler, md5, vosk_zip  # noqa: F401

EN_JA, EN_KO = MT_FIXTURES / "en_ja", MT_FIXTURES / "en_ko"
FR_NAME = "vosk-model-small-fr-0.22"
pytestmark = pytest.mark.skipif(not (EN_JA / "metadata.json").exists(),
                                reason="tiny MT fixtures not built")


@pytest.fixture(scope="module")
def mirror(tmp_path_factory, vosk_zip):  # noqa: F811
    """A local HTTP server publishing a 252 MB Vosk model in a model-list.json: the
    Korean model's files, listed as French (a package already ships Korean, so an
    install for ko would download nothing)."""
    root = tmp_path_factory.mktemp("mirror")
    (root / "vosk").mkdir()
    os.link(vosk_zip, root / "vosk" / f"{FR_NAME}.zip")
    listing = [{"lang": "fr", "lang_text": "French", "md5": md5(vosk_zip), "name": FR_NAME,
                "obsolete": "false", "size": vosk_zip.stat().st_size, "size_text": "252MiB",
                "type": "small", "url": f"{FR_NAME}.zip", "version": "0.22"}]
    (root / "vosk" / "model-list.json").write_text(json.dumps(listing))
    handler = type("H", (Handler,), {"root": root, "drop_after": {}, "requests": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", handler
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture()
def store(tmp_path, mirror) -> Path:
    """A store holding one model installed earlier (en->ja), and settings whose
    only catalog is the local mirror's Vosk list."""
    base, _ = mirror
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"catalogs": {
        "vosk": f"{base}/vosk/model-list.json", "argos": "", "piper": "", "ct2": "off"}}))
    root = tmp_path / "store"
    Installer(root).import_path(EN_JA)
    return root


def env(store: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "COUNTER_APP_CONFIG": str(store.parent / "settings.json"),
            "HF_HUB_OFFLINE": "1", **extra}


def cli(store: Path, *argv: str) -> subprocess.CompletedProcess:
    """The real CLI, to completion."""
    return subprocess.run([sys.executable, "-m", "counter_app", "models", "--store",
                           str(store), *argv], env=env(store), capture_output=True,
                          text=True, timeout=120)


def start_paused(store: Path, phase: str, *argv: str) -> subprocess.Popen:
    """The real CLI, stopped at `phase` (returns once it is there)."""
    marker = store.parent / f"paused-{phase}"
    marker.unlink(missing_ok=True)
    proc = subprocess.Popen([sys.executable, "-m", "counter_app", "models", "--store",
                             str(store), *argv],
                            env=env(store, COUNTER_APP_TEST_PAUSE_AT=phase,
                                    COUNTER_APP_TEST_PAUSE_FILE=str(marker)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 90
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"the CLI ended before {phase}: {proc.communicate()}")
        assert time.monotonic() < deadline, f"never reached {phase}"
        time.sleep(0.05)
    return proc


def kill(proc: subprocess.Popen) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def staging(root: Path) -> list[Path]:
    return sorted(root.glob(".staging-*"))


def assert_consistent(root: Path, installed: set[str]) -> None:
    """No staging; exactly `installed` in the store, each matching its record; the
    model installed before the kills also loads with its engine (the Vosk model
    was just loaded by the install's own check)."""
    assert staging(root) == []
    models = ModelStore(root, include_packages=False).models()
    assert {m.name for m in models} == installed
    for model in models:
        check = check_model(model, load=model.name == "translate-en_ja")
        assert not check.problems, (model.name, check.problems)
        assert check.status == "ok" or check.unchecked == ["not loaded (--no-load)"]


def test_kill_while_downloading(store, mirror):
    _, handler = mirror
    proc = start_paused(store, "download", "install", "fr", "-y")
    assert len(staging(store)) == 1
    kill(proc)
    parts = list((store / ".partial").glob("*.part"))
    assert len(parts) == 1 and parts[0].stat().st_size > 0
    listed = cli(store, "list")  # the next command
    assert listed.returncode == 0 and "translate-en_ja" in listed.stdout
    assert FR_NAME not in listed.stdout and "interrupted install" in listed.stderr
    assert_consistent(store, {"translate-en_ja"})
    assert [p.name for p in (store / ".partial").iterdir()] == [parts[0].name]  # resumable
    handler.requests.clear()
    done = cli(store, "install", "fr", "-y")
    assert done.returncode == 0, done.stderr
    assert any(rng.startswith("bytes=") and rng != "bytes=0-"
               for _, rng in handler.requests)  # continued where it stopped
    assert not (store / ".partial").exists()
    assert_consistent(store, {"translate-en_ja", FR_NAME})


def test_a_download_never_resumed_is_deleted_after_a_week(store):
    kill(start_paused(store, "download", "install", "fr", "-y"))
    [part] = (store / ".partial").glob("*.part")
    week_ago = time.time() - 8 * 86400
    os.utime(part, (week_ago, week_ago))
    assert cli(store, "list").returncode == 0
    assert not (store / ".partial").exists()
    assert_consistent(store, {"translate-en_ja"})


def test_kill_while_unpacking(store, vosk_zip):  # noqa: F811
    proc = start_paused(store, "unpack", "import", str(vosk_zip))
    [stage] = staging(store)
    assert any(p.is_file() for p in stage.rglob("*"))  # half unpacked
    listed = cli(store, "list")  # an install that is alive keeps its staging
    assert listed.returncode == 0 and staging(store) == [stage]
    kill(proc)
    assert cli(store, "list").returncode == 0
    assert_consistent(store, {"translate-en_ja"})


def test_kill_between_the_two_renames_of_a_reinstall(store):
    target = store / "mt" / "argos" / "translate-en_ja"
    before = read_record(target)
    proc = start_paused(store, "swap", "import", str(EN_JA))
    assert not target.exists()  # the old model is aside, the new one not yet in place
    kill(proc)
    listed = cli(store, "list")
    assert listed.returncode == 0 and "translate-en_ja" in listed.stdout
    assert "Put back translate-en_ja" in listed.stderr
    assert read_record(target) == before  # the old model, whole
    assert_consistent(store, {"translate-en_ja"})


def test_kill_during_a_first_install_swap(store):
    proc = start_paused(store, "swap", "import", str(EN_KO))
    kill(proc)
    assert cli(store, "list").returncode == 0
    assert_consistent(store, {"translate-en_ja"})  # never half installed
    assert cli(store, "import", str(EN_KO)).returncode == 0  # and it installs afterwards
    assert_consistent(store, {"translate-en_ja", "translate-en_ko"})
