"""Store honesty: malformed manifests, unusable store folders, tampered models,
full disks and stale staging, through `counter_app.cli.main`, the Installer and
the GUI start-up path."""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from filelock import FileLock

from counter_app import cli
from counter_app.errors import StoreError
from counter_app.store import ModelStore, manifest
from counter_app.store.health import disk_use, store_problem
from counter_app.store.install import Installer
from counter_app.store.manifest import RECORD_FILE, read_record
from counter_app.store.packs import write_pack
from counter_app.store.preflight import NotEnoughSpaceError
from counter_app.store.verify import check_model
from counter_app.ui.notices import error_text
from tests.conftest import MT_FIXTURES
from tests.test_settings_faults import settings_path, start_app  # noqa: F401 (fixtures)

EN_JA = MT_FIXTURES / "en_ja"
NAME = "translate-en_ja"
pytestmark = pytest.mark.skipif(not (EN_JA / "metadata.json").exists(),
                                reason="tiny MT fixtures not built")

MALFORMED = {  # input -> what .counter-app.json holds
    "json-list": b"[1, 2]",
    "json-null": b"null",
    "not-json": b"{\"name\": ",
    "not-utf8": b"\xff\xfe\x81",
    "languages-a-string": json.dumps({"name": NAME, "kind": "mt", "engine": "argos",
                                      "languages": "en"}).encode(),
    "size-negative": json.dumps({"name": NAME, "kind": "mt", "engine": "argos",
                                 "languages": ["en", "ja"], "size": -1}).encode(),
    "no-name": json.dumps({"kind": "mt", "engine": "argos", "languages": []}).encode(),
}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def root(tmp_path, monkeypatch) -> Path:
    """A store holding one imported model (record with size and sha256)."""
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))
    store = tmp_path / "store"
    Installer(store).import_path(EN_JA)
    return store


def model_dir(root: Path) -> Path:
    return root / "mt" / "argos" / NAME


def debris(root: Path) -> list[str]:
    return [p.name for p in root.iterdir() if p.name.startswith((".staging-", ".partial"))]


# --- malformed manifest records ------------------------------------------------------

@pytest.mark.parametrize("name", MALFORMED)
def test_malformed_manifest_is_rebuilt_and_commands_run(root, capsys, caplog, name):
    (model_dir(root) / RECORD_FILE).write_bytes(MALFORMED[name])
    code, out, err = run(capsys, "models", "--store", str(root), "verify", "--no-load")
    assert code == 1 and "Traceback" not in err
    assert f"FAIL   {NAME}" in out and "manifest record was malformed" in out
    assert "rebuilt it from the model files" in caplog.text
    record = read_record(model_dir(root))  # rebuilt from disk, vouching for nothing
    assert record.languages == ["en", "ja"] and record.sha256 == ""
    code, out, _ = run(capsys, "models", "--store", str(root), "list")
    assert code == 0 and NAME in out
    code, out, _ = run(capsys, "models", "--store", str(root), "verify", "--no-load")
    assert code == 0 and "not checked: no checksum recorded" in out and "ok " not in out
    assert run(capsys, "models", "--store", str(root), "du")[0] == 0
    assert run(capsys, "--models", str(root), "languages")[0] == 0


def test_gui_starts_with_a_list_manifest(root, start_app):  # noqa: F811
    (model_dir(root) / RECORD_FILE).write_text("[1]")
    window = start_app(root)
    assert window.isVisible()
    assert ModelStore(root).find_mt("en", "ja") is not None


# --- verify checks what it claims ------------------------------------------------------

def test_verify_ok_only_when_checked(root, capsys):
    code, out, _ = run(capsys, "models", "--store", str(root), "verify", NAME)
    assert code == 0 and out.startswith(f"ok     {NAME}")
    code, out, _ = run(capsys, "models", "--store", str(root), "verify", NAME, "--no-load")
    assert code == 0 and "partly" in out and "not loaded (--no-load)" in out


@pytest.mark.parametrize("tamper", ["byte", "extra-file", "deleted-file", "renamed-file"])
def test_verify_fails_on_a_tampered_model(root, capsys, tamper):
    folder = model_dir(root)
    victim = folder / "sentencepiece.model"
    if tamper == "byte":
        data = bytearray(victim.read_bytes())
        data[len(data) // 2] ^= 0xFF
        victim.write_bytes(bytes(data))
    elif tamper == "extra-file":
        (folder / "payload.py").write_text("print('hi')")
    elif tamper == "deleted-file":
        (folder / "README.md").unlink()
    else:
        victim.rename(folder / "sentencepiece.model.bak")
    code, out, _ = run(capsys, "models", "--store", str(root), "verify", "--no-load")
    assert code == 1 and f"FAIL   {NAME}" in out and "files differ from the manifest" in out


def test_verify_says_what_it_could_not_check(root, capsys):
    record = read_record(model_dir(root))
    record.sha256 = ""
    manifest.write_record(model_dir(root), record)
    code, out, _ = run(capsys, "models", "--store", str(root), "verify", "--no-load")
    assert code == 0 and "not checked: no checksum recorded" in out
    (model_dir(root) / RECORD_FILE).unlink()
    code, out, _ = run(capsys, "models", "--store", str(root), "verify", "--no-load")
    assert "not checked: no manifest record" in out and not out.startswith("ok")
    packaged = [m for m in ModelStore(root).models() if m.read_only]
    for model in packaged:
        assert "not checked: no checksum recorded" in check_model(model, load=False).unchecked[0]
    code, _, err = run(capsys, "models", "--store", str(root), "verify", "no-such-model")
    assert code == 1 and "no installed model is named no-such-model" in err


# --- a store folder that cannot be written -----------------------------------------

def test_store_path_that_is_a_file(tmp_path, capsys, monkeypatch, start_app):  # noqa: F811
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))
    store = tmp_path / "models"
    store.write_text("not a folder")
    for argv in (["import", str(EN_JA)], ["remove", NAME], ["clean"], ["install", "en", "-y"]):
        code, _, err = run(capsys, "models", "--store", str(store), *argv)
        assert code == 1 and "Traceback" not in err
        assert err.count("\n") == 1 and "is a file, not a folder" in err
    code, _, err = run(capsys, "models", "--store", str(store), "list")
    assert code == 0 and "warning: The model store" in err
    assert store.read_text() == "not a folder"
    window = start_app(store)
    assert "フォルダではなくファイル" in window.staff.status.text()


def test_read_only_store(root, capsys, monkeypatch, start_app):  # noqa: F811
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, **kw: False if Path(path) == root
                        else real_access(path, mode, **kw))
    assert store_problem(root).kind == "read_only"
    for argv in (["import", str(EN_JA)], ["remove", NAME]):
        code, _, err = run(capsys, "models", "--store", str(root), *argv)
        assert code == 1 and "is read-only" in err and "Traceback" not in err
    assert ModelStore(root).find_mt("en", "ja") is not None
    window = start_app(root)
    assert "書き込めません" in window.staff.status.text()
    with pytest.raises(StoreError) as refused:  # what the model manager shows
        Installer(root).remove(NAME)
    assert "書き込めません" in error_text(refused.value)


def test_permission_denied_while_removing_keeps_the_model(root, capsys, monkeypatch):
    real_replace = Path.replace

    def refuse(self, target):
        if self == model_dir(root):
            raise PermissionError(errno.EACCES, "Permission denied", str(self))
        return real_replace(self, target)

    monkeypatch.setattr(Path, "replace", refuse)
    code, _, err = run(capsys, "models", "--store", str(root), "remove", NAME)
    assert code == 1 and "Permission denied" in err and "Traceback" not in err
    assert (model_dir(root) / "metadata.json").exists() and not debris(root)


# --- a full disk --------------------------------------------------------------------

def no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def test_disk_full_while_copying_a_folder(tmp_path, capsys, monkeypatch):
    store = tmp_path / "store"
    calls = []
    real_copy = shutil.copyfile

    def copy_then_fill(src, dst, **kwargs):
        calls.append(src)
        if len(calls) > 1:  # the first file fits, the disk fills on the second
            no_space()
        return real_copy(src, dst, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", copy_then_fill)
    code, _, err = run(capsys, "models", "--store", str(store), "import", str(EN_JA))
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1
    assert "The disk is full while copying" in err and "Free some space" in err
    assert not debris(store) and ModelStore(store, include_packages=False).models() == []


def test_disk_full_while_importing_a_voice(tmp_path, monkeypatch):
    voice = tmp_path / "xx_XX-test-low.onnx"
    voice.write_bytes(b"onnx")
    voice.with_name(voice.name + ".json").write_text("{}")
    monkeypatch.setattr(shutil, "copyfile", no_space)
    with pytest.raises(StoreError, match="The disk is full while copying xx_XX-test-low"):
        Installer(tmp_path / "store").import_path(voice)
    assert not debris(tmp_path / "store")


def test_disk_full_while_writing_the_record_keeps_the_old_model(root, monkeypatch):
    before = (model_dir(root) / RECORD_FILE).read_bytes()
    monkeypatch.setattr(manifest, "write_record", no_space)
    with pytest.raises(StoreError, match="The disk is full while importing en_ja"):
        Installer(root).import_path(EN_JA)
    assert (model_dir(root) / RECORD_FILE).read_bytes() == before  # previous one untouched
    assert not debris(root)
    assert check_model(ModelStore(root).find_mt("en", "ja"), load=False).problems == []


# --- disk use and stale staging -------------------------------------------------------

def stale_staging(root: Path, size: int = 1536 * 1024**2) -> Path:
    """A staging folder left by a killed install: a sparse 1.5 GB file."""
    folder = root / ".staging-killed"
    (folder / "unpacked").mkdir(parents=True)
    with open(folder / "unpacked" / "model.bin", "wb") as handle:
        handle.truncate(size)
    return folder


def test_next_command_deletes_stale_staging_and_clean_deletes_downloads(root, capsys, caplog):
    stale = stale_staging(root)
    (root / ".partial").mkdir()
    (root / ".partial" / "half.onnx.part").write_bytes(b"x" * 1000)
    code, out, _ = run(capsys, "models", "--store", str(root), "du")
    assert code == 0 and not stale.exists()  # the command itself cleared it
    assert "left by an interrupted install" in caplog.text and "1610612736 bytes" in caplog.text
    assert "  staging (" not in out and "partial downloads" in out
    assert (root / ".partial" / "half.onnx.part").exists()  # fresh: kept to resume
    use = disk_use(ModelStore(root))
    assert use.staging == 0 and use.partial == 1000
    code, out, _ = run(capsys, "models", "--store", str(root), "clean", "--downloads")
    assert code == 0 and not (root / ".partial").exists()
    assert "deleted .partial" in out


def test_staging_of_a_running_install_is_left_alone(root, capsys):
    stale = stale_staging(root, 1024)
    lock = FileLock(str(root / ".lock"))
    lock.acquire()
    try:
        code, out, _ = run(capsys, "models", "--store", str(root), "du")
        assert "staging (an install is running)" in out
        code, _, err = run(capsys, "models", "--store", str(root), "clean")
        assert code == 1 and "Another install or removal is running" in err
        assert stale.exists()
    finally:
        lock.release()


def test_next_install_cleans_stale_staging_and_restores_a_half_swapped_model(root):
    stale = stale_staging(root, 1024)
    model_dir(root).replace(stale / "previous")  # killed between the two renames
    installer = Installer(root)
    installer.clean()
    assert not stale.exists()
    assert (model_dir(root) / "metadata.json").exists()
    assert [p for p, _ in installer.cleaned] == [stale]


def test_app_start_clears_stale_staging_and_puts_back_a_half_swapped_model(root,
                                                                           start_app):  # noqa: F811
    stale = stale_staging(root)
    model_dir(root).replace(stale / "previous")  # killed between the two renames
    window = start_app(root)
    assert window.isVisible()
    assert not stale.exists() and (model_dir(root) / "metadata.json").exists()
    assert check_model(ModelStore(root).find_mt("en", "ja"), load=False).problems == []


def test_a_pack_larger_than_the_free_space_is_refused_with_the_numbers(root, tmp_path):
    pack = write_pack([m for m in ModelStore(root).models() if not m.read_only],
                      tmp_path / "office.zip")
    target = tmp_path / "other-store"
    free = 10 * 1024**2
    with pytest.raises(NotEnoughSpaceError) as refused:
        Installer(target, free_space=lambda path: free).import_path(pack)
    assert re.search(r"office\.zip \(unpacked\) needs 3\d\.\d MB \(with 32\.0 MB to spare\) "
                     r"but only 10\.0 MB is free", str(refused.value))
    assert not debris(target) and ModelStore(target, include_packages=False).models() == []
    assert Installer(target).import_path(pack)[0].name == NAME  # with room, it installs
