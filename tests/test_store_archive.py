"""Safe extraction: every hostile archive is refused and nothing lands outside."""

from __future__ import annotations

import errno
import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from counter_app.errors import ArchiveError, StoreError
from counter_app.store import archive


def make_zip(path: Path, members: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


@pytest.mark.parametrize("name", ["../evil.txt", "model/../../evil.txt", "/tmp/evil.txt",
                                  "C:/evil.txt", "..\\evil.txt"])
def test_zip_slip_and_absolute_paths_are_refused(tmp_path, name):
    bad = make_zip(tmp_path / "bad.zip", {"model/ok.txt": b"ok", name: b"evil"})
    dest = tmp_path / "out"
    with pytest.raises(ArchiveError, match="absolute path|leaving its folder"):
        archive.extract(bad, dest)
    assert not (tmp_path / "evil.txt").exists()
    assert not any(dest.rglob("*.txt"))  # checked before anything was written


def test_zip_symlink_is_refused(tmp_path):
    bad = tmp_path / "link.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        info = zipfile.ZipInfo("model/escape")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc")
    with pytest.raises(ArchiveError, match="link"):
        archive.extract(bad, tmp_path / "out")
    assert not (tmp_path / "out" / "model" / "escape").exists()


def test_tar_symlink_pointing_outside_is_refused(tmp_path):
    bad = tmp_path / "link.tar.gz"
    with tarfile.open(bad, "w:gz") as tf:
        link = tarfile.TarInfo("model/am")
        link.type, link.linkname = tarfile.SYMTYPE, "../../../etc"
        tf.addfile(link)
        data = tarfile.TarInfo("model/am/final.mdl")
        data.size = 4
        tf.addfile(data, io.BytesIO(b"evil"))
    with pytest.raises(ArchiveError, match="link"):
        archive.extract(bad, tmp_path / "out")
    assert not (tmp_path / "out" / "model").exists()


def test_decompression_bomb_stops_at_the_cap(tmp_path):
    bomb = make_zip(tmp_path / "bomb.zip", {"model/zeros": bytes(64 * 1024 * 1024)})
    assert bomb.stat().st_size < 200_000
    with pytest.raises(ArchiveError, match="decompression bomb"):
        archive.extract(bomb, tmp_path / "out", max_bytes=8 * 1024 * 1024)
    written = sum(p.stat().st_size for p in (tmp_path / "out").rglob("*") if p.is_file())
    assert written <= 8 * 1024 * 1024


def test_truncated_archives_are_refused(tmp_path):
    good = make_zip(tmp_path / "good.zip", {"model/a.bin": bytes(range(256)) * 4000},
                    zipfile.ZIP_STORED)
    cut = tmp_path / "cut.zip"
    cut.write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    with pytest.raises(ArchiveError, match="neither a zip nor a tar|damaged or truncated"):
        archive.extract(cut, tmp_path / "out")
    tar = tmp_path / "model.tar.gz"
    with tarfile.open(tar, "w:gz") as tf:
        tf.add(good, "model/a.zip")
    cut_tar = tmp_path / "cut.tar.gz"
    cut_tar.write_bytes(tar.read_bytes()[: tar.stat().st_size // 2])
    with pytest.raises(ArchiveError, match="damaged or truncated|neither"):
        archive.extract(cut_tar, tmp_path / "out2")


def test_disk_full_during_unpack_is_a_clear_error(tmp_path, monkeypatch):
    good = make_zip(tmp_path / "good.zip", {"model/a.bin": b"x" * 1000})

    def full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(archive, "copy_stream", full)
    with pytest.raises(StoreError, match="disk is full"):
        archive.extract(good, tmp_path / "out")


def test_good_zip_extracts_with_its_top_folder(tmp_path):
    good = make_zip(tmp_path / "good.zip", {"vosk-model-x/am/final.mdl": b"m",
                                            "vosk-model-x/conf/mfcc.conf": b"c"})
    out = archive.extract(good, tmp_path / "out")
    top = archive.single_top_folder(out)
    assert top.name == "vosk-model-x" and (top / "am" / "final.mdl").read_bytes() == b"m"
