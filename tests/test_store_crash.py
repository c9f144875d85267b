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
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from counter_app.store import ModelStore
from counter_app.store.catalog import CatalogSources, load_catalogs
from counter_app.store.install import Installer
from counter_app.store.manifest import read_record
from counter_app.store.preflight import NotEnoughSpaceError
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


# --- a full disk: a real 48 MB file system ------------------------------------------

FULL_DISK_DRIVER = r'''
"""Runs inside a private mount namespace where the store is a 48 MB tmpfs."""
import json, shutil, sys
from pathlib import Path
from counter_app import cli
from counter_app.errors import StoreError
from counter_app.store import ModelStore
from counter_app.store.catalog import CatalogSources, load_catalogs
from counter_app.store.install import Installer
from counter_app.store.verify import check_model

store, en_ja, vosk_zip, catalog = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
facts = {"fs_size": shutil.disk_usage(store).total}
facts["first"] = cli.main(["models", "--store", str(store), "import", en_ja])
free = facts["free_before"] = shutil.disk_usage(store).free
facts["refused"] = cli.main(["models", "--store", str(store), "import", vosk_zip])
facts["free_after_refusal"] = shutil.disk_usage(store).free
lying = Installer(store, free_space=lambda path: 10**12)  # the checks pass: the disk fills
try:
    lying.import_path(vosk_zip)
except StoreError as exc:
    facts["unpack_error"] = str(exc)
entry = load_catalogs(CatalogSources(vosk=catalog, argos=None, piper=None),
                      Path(sys.argv[5]), refresh=True).entries[0]
try:
    lying.install(entry)
except StoreError as exc:
    facts["download_error"] = str(exc)
facts["free_after"] = shutil.disk_usage(store).free
facts["debris"] = [p.name for p in store.iterdir() if p.name.startswith((".staging", ".partial"))]
models = ModelStore(store, include_packages=False).models()
facts["models"] = [m.name for m in models]
facts["problems"] = [p for m in models for p in check_model(m).problems]
print(json.dumps(facts))
'''


def mount_namespace_works() -> bool:
    probe = subprocess.run(["unshare", "-rm", "mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs",
                            "/mnt"], capture_output=True, timeout=20) \
        if shutil.which("unshare") else None
    return probe is not None and probe.returncode == 0


@pytest.mark.skipif(not mount_namespace_works(),
                    reason="no user/mount namespaces for a small tmpfs")
def test_full_disk_on_a_real_small_file_system(tmp_path, mirror, vosk_zip, capfd):  # noqa: F811
    """The store is a 48 MB tmpfs: a 252 MB model is refused up front with the numbers;
    with the free-space check lied to, the real ENOSPC while unpacking and while
    downloading fails cleanly: nothing half installed, no staging, space given back."""
    base, _ = mirror
    store = tmp_path / "store"
    store.mkdir()
    driver = tmp_path / "driver.py"
    driver.write_text(FULL_DISK_DRIVER)
    script = (f'mount -t tmpfs -o size=48m tmpfs "{store}" && exec "{sys.executable}" '
              f'"{driver}" "{store}" "{EN_JA}" "{vosk_zip}" '
              f'"{base}/vosk/model-list.json" "{tmp_path / "cache"}"')
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True,
                          text=True, timeout=120, cwd=Path(__file__).parents[1],
                          env={**os.environ, "COUNTER_APP_CONFIG": str(tmp_path / "s.json")})
    assert done.returncode == 0, done.stderr
    facts = json.loads(done.stdout.strip().splitlines()[-1])
    assert facts["fs_size"] == 48 * 1024**2 and facts["first"] == 0
    assert facts["refused"] == 1
    assert re.search(r"Not enough free space: vosk-model-small-ko-0.22.zip \(unpacked\) "
                     r"needs 284\.\d MB \(with 32\.0 MB to spare\) but only 4\d\.\d MB is free",
                     done.stderr), done.stderr
    assert facts["free_after_refusal"] == facts["free_before"]
    assert facts["unpack_error"].startswith("The disk is full while unpacking vosk-model")
    assert facts["download_error"].startswith("The disk is full while installing")
    assert facts["free_after"] == facts["free_before"]  # every byte given back
    assert facts["debris"] == [] and facts["models"] == ["translate-en_ja"]
    assert facts["problems"] == []


def test_a_download_that_cannot_fit_is_refused_before_it_starts(store, mirror):
    """A 252 MB zip and its unpacked files need about 2 x 252 MB: refused up front."""
    base, handler = mirror
    entry = load_catalogs(CatalogSources(vosk=f"{base}/vosk/model-list.json", argos=None,
                                         piper=None), store.parent / "cache",
                          refresh=True).entries[0]
    handler.requests.clear()
    with pytest.raises(NotEnoughSpaceError, match=r"needs 5\d\d\.\d MB .* only 300\.0 MB"):
        Installer(store, free_space=lambda path: 300 * 1024**2).install(entry)
    assert handler.requests == []  # not a byte fetched
    assert not (store / ".partial").exists()
    assert_consistent(store, {"translate-en_ja"})
