"""Safe extraction: every hostile archive is refused and nothing lands outside;
what an archive holds and whether it fits is decided from its headers, before
anything is written (the 8 GiB zero bomb)."""

from __future__ import annotations

import errno
import io
import stat
import struct
import tarfile
import zipfile
import zlib
from pathlib import Path

import pytest

from counter_app import engines
from counter_app.errors import ArchiveError, StoreError
from counter_app.store import archive, preflight
from counter_app.store.download_errors import classify
from counter_app.store.install import Installer


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


# --- checked before unpacking: model type, declared size, free space -----------------

ZERO_BOMB = 8 * 1024**3  # 8 GiB of zeros, about 8 MB zipped


def write_zero_bomb(path: Path, member: str) -> Path:
    """A real, valid zip of 8 GiB of zeros, streamed through zipfile.

    Deflating 8 GiB takes a minute, so each 16 MiB block of zeros is deflated once
    and its (byte-aligned, full-flushed) output repeated: the same bytes a
    compressor would write.  zipfile still computes the CRC and the ZIP64 headers."""
    block = bytes(16 * 1024**2)
    deflater = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = deflater.compress(block) + deflater.flush(zlib.Z_FULL_FLUSH)
    tail = deflater.flush(zlib.Z_FINISH)

    class Repeat:
        def compress(self, data: bytes) -> bytes:
            assert data == block
            return piece

        def flush(self) -> bytes:
            return tail

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, \
            zf.open(member, "w", force_zip64=True) as out:
        out._compressor = Repeat()
        for _ in range(ZERO_BOMB // len(block)):
            out.write(block)
    return path


@pytest.fixture(scope="session")
def zero_bomb(tmp_path_factory) -> Path:
    """8 GiB of zeros named like a Vosk model's weights."""
    return write_zero_bomb(tmp_path_factory.mktemp("bomb") / "vosk-model-small-xx-0.1.zip",
                           "vosk-model-small-xx-0.1/am/final.mdl")


def store_bytes(root: Path) -> int:
    return sum(p.stat().st_size for p in root.rglob("*") if p.is_file()) if root.exists() else 0


def test_the_bomb_is_real(zero_bomb):
    with zipfile.ZipFile(zero_bomb) as zf:
        [info] = zf.infolist()
        assert info.file_size == ZERO_BOMB and zero_bomb.stat().st_size < 10 * 1024**2
        with zf.open(info) as member:  # the first 64 MB really are zeros
            assert member.read(64 * 1024**2) == bytes(64 * 1024**2)


def test_the_issues_zero_bomb_is_refused_without_being_written(zero_bomb, tmp_path,
                                                              monkeypatch):
    unknown = tmp_path / "zeros.zip"  # the same archive, its member renamed zeros.bin
    unknown.write_bytes(zero_bomb.read_bytes().replace(b"am/final.mdl", b"am/zeros.bin"))
    store = tmp_path / "store"
    with pytest.raises(ArchiveError, match="possible decompression bomb"):
        Installer(store).import_path(unknown)
    assert store_bytes(store) < 64 * 1024 and not list(store.glob(".staging-*"))
    monkeypatch.setattr(archive, "MAX_RATIO", 10**9)  # ratio aside, its type refuses it
    with pytest.raises(ArchiveError, match="not a model the app knows"):
        Installer(store).import_path(unknown)
    assert store_bytes(store) < 64 * 1024 and not list(store.glob(".staging-*"))


def test_zero_bomb_named_like_a_model_is_refused_before_unpacking(zero_bomb, tmp_path):
    store = tmp_path / "store"
    with pytest.raises(ArchiveError, match="possible decompression bomb") as refused:
        Installer(store).import_path(zero_bomb)
    message = str(refused.value)
    assert "8192 MB compressed 1028:1" in message and "Nothing was unpacked" in message
    assert store_bytes(store) < 64 * 1024 and not list(store.glob(".staging-*"))


def test_headers_declaring_more_than_a_model_may_hold_are_refused(zero_bomb, tmp_path):
    with pytest.raises(ArchiveError, match="beyond the 1024 MB limit"):
        archive.list_members(zero_bomb, max_bytes=1024**3)
    assert not (tmp_path / "out").exists()


def test_tar_bomb_stops_at_its_first_header(tmp_path):
    bomb = tmp_path / "vosk-model-small-xx-0.1.tar.gz"
    with tarfile.open(bomb, "w:gz", compresslevel=1) as tf, open("/dev/zero", "rb") as zeros:
        info = tarfile.TarInfo("vosk-model-small-xx-0.1/am/final.mdl")
        info.size = 200 * 1024**2
        tf.addfile(info, zeros)
    assert bomb.stat().st_size < 2 * 1024**2
    store = tmp_path / "store"
    with pytest.raises(ArchiveError, match="possible decompression bomb"):
        Installer(store).import_path(bomb)
    assert store_bytes(store) < 64 * 1024


def test_a_member_expanding_beyond_its_header_is_stopped(tmp_path):
    """Headers patched to declare 1000 bytes for a member that inflates to 1 MiB."""
    honest = make_zip(tmp_path / "honest.zip", {"model/am/final.mdl": bytes(1024**2)})
    data = bytearray(honest.read_bytes())
    true_size = struct.pack("<I", 1024**2)
    for offset in (30 - 8, data.index(b"PK\x01\x02") + 24):  # local, central header
        assert data[offset:offset + 4] == true_size
        data[offset:offset + 4] = struct.pack("<I", 1000)
    lying = tmp_path / "lying.zip"
    lying.write_bytes(bytes(data))
    assert archive.list_members(lying).expanded == 1000
    with pytest.raises(ArchiveError, match="damaged|beyond"):
        archive.extract(lying, tmp_path / "out")
    assert store_bytes(tmp_path / "out") <= 1000


def test_unknown_archive_is_refused_before_anything_is_written(tmp_path, monkeypatch):
    junk = make_zip(tmp_path / "junk.zip", {"docs/readme.txt": b"x" * 100_000,
                                            "docs/data.bin": bytes(300_000)})
    store = tmp_path / "store"
    written = []
    real_copy = archive.copy_stream
    monkeypatch.setattr(archive, "copy_stream",  # a spy: counts, then really copies
                        lambda *a: written.append(a) or real_copy(*a))
    with pytest.raises(ArchiveError, match="not a model the app knows"):
        Installer(store).import_path(junk)
    assert written == [] and store_bytes(store) < 64 * 1024


def test_member_list_names_the_model_type():
    rows = preflight.importable_rows()
    found = preflight.model_rows({"vosk-model-x/am/final.mdl", "vosk-model-x/conf/mfcc.conf"},
                                 rows)
    assert [r.name for r in found] == ["vosk"]
    found = preflight.model_rows({"pkg/metadata.json", "pkg/model/model.bin"}, rows)
    assert found[0].name == "argos"  # first in table order, as the import picks
    assert [r.name for r in preflight.model_rows({"en_US-x.onnx", "en_US-x.onnx.json"},
                                                 rows)] == ["piper"]
    ct2 = [engines.get("ct2")]
    assert preflight.model_rows({"m/model/model.bin"}, ct2) == []
    assert preflight.model_rows({"m/model/model.bin"}, ct2, weights_only=True) == ct2
    assert preflight.model_rows({"a/b/c/d/am/final.mdl"}, rows) == []  # too deep


def test_an_archive_larger_than_the_free_space_is_refused_with_the_numbers(tmp_path):
    model = make_zip(tmp_path / "vosk-model-small-ko-0.22.zip",
                     {"vosk-model-small-ko-0.22/am/final.mdl": bytes(200_000)},
                     zipfile.ZIP_STORED)
    store = tmp_path / "store"
    free = 20 * 1024**2  # less than the 32 MB margin alone
    with pytest.raises(preflight.NotEnoughSpaceError) as refused:
        Installer(store, free_space=lambda path: free).import_path(model)
    error = refused.value
    assert error.needed == 200_000 + preflight.MARGIN_MIN and error.free == free
    assert "needs 32.2 MB (with 32.0 MB to spare) but only 20.0 MB is free" in str(error)
    assert "20.0 MB" in error.text("ja") and "空き容量が足りません" in error.text("ja")
    assert classify(error) == "disk_full"  # the model manager's words for a full disk
    assert store_bytes(store) < 64 * 1024 and not list(store.glob(".staging-*"))
