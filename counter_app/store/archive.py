"""Safe extraction of model archives (zip, .argosmodel, tar.*).

Every member is checked before anything is written: no absolute paths, no
`..`, no links, no devices; the bytes actually written are counted against a
cap so a decompression bomb stops early whatever its headers claim.
"""

from __future__ import annotations

import shutil
import stat
import tarfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from counter_app.errors import ArchiveError
from counter_app.store.health import disk_errors

MAX_EXPANDED_BYTES = 8 * 1024**3  # the largest model we accept unpacked
MAX_MEMBERS = 100_000
CHUNK = 1024 * 1024


def safe_member_path(name: str, archive: Path) -> PurePosixPath:
    """The member's relative path, or ArchiveError if it would land outside."""
    clean = name.replace("\\", "/")
    path = PurePosixPath(clean)
    if clean.startswith("/") or (len(clean) > 1 and clean[1] == ":") or path.is_absolute():
        raise ArchiveError(f"{archive.name} holds an absolute path ({name!r}); refusing it.")
    if ".." in path.parts:
        raise ArchiveError(f"{archive.name} holds a path leaving its folder ({name!r}); "
                           "refusing it.")
    parts = [p for p in path.parts if p not in ("", ".")]
    return PurePosixPath(*parts) if parts else PurePosixPath(".")


def copy_stream(source: BinaryIO, target: BinaryIO, budget: list[int], archive: Path) -> None:
    """Copy in chunks, charging each chunk to budget[0] (bytes still allowed)."""
    while chunk := source.read(CHUNK):
        budget[0] -= len(chunk)
        if budget[0] < 0:
            raise ArchiveError(f"{archive.name} expands beyond the "
                               f"{MAX_EXPANDED_BYTES // 1024**2} MB limit for one model; "
                               "refusing it (possible decompression bomb).")
        target.write(chunk)


def extract(archive: Path, dest: Path, max_bytes: int | None = None) -> Path:
    """Unpack a zip or tar archive into the (new or empty) folder dest."""
    budget = [MAX_EXPANDED_BYTES if max_bytes is None else max_bytes]
    dest.mkdir(parents=True, exist_ok=True)
    with disk_errors(f"unpacking {archive.name} into {dest}"):
        if zipfile.is_zipfile(archive):
            _extract_zip(archive, dest, budget)
        elif _is_tar(archive):
            _extract_tar(archive, dest, budget)
        else:
            raise ArchiveError(f"{archive.name} is neither a zip nor a tar archive "
                               "(damaged or truncated download?).")
    return dest


def _is_tar(archive: Path) -> bool:
    try:
        return tarfile.is_tarfile(archive)
    except OSError:
        return False


def _extract_zip(archive: Path, dest: Path, budget: list[int]) -> None:
    try:
        with zipfile.ZipFile(archive) as zf:
            members = zf.infolist()
            if len(members) > MAX_MEMBERS:
                raise ArchiveError(f"{archive.name} holds too many files ({len(members)}).")
            checked = []
            for info in members:
                mode = info.external_attr >> 16
                if stat.S_ISLNK(mode):
                    raise ArchiveError(f"{archive.name} holds a link ({info.filename!r}); "
                                       "links could point outside the store, refusing it.")
                checked.append((info, safe_member_path(info.filename, archive)))
            for info, rel in checked:
                target = dest / rel
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as source, open(target, "wb") as out:
                    copy_stream(source, out, budget, archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise ArchiveError(f"{archive.name} is damaged or truncated ({exc}).") from exc
    except OSError as exc:
        if exc.errno is None:  # zlib/CRC errors surface as bare OSErrors
            raise ArchiveError(f"{archive.name} is damaged or truncated ({exc}).") from exc
        raise


def _extract_tar(archive: Path, dest: Path, budget: list[int]) -> None:
    try:
        with tarfile.open(archive) as tf:
            members = tf.getmembers()
            if len(members) > MAX_MEMBERS:
                raise ArchiveError(f"{archive.name} holds too many files ({len(members)}).")
            checked = []
            for member in members:
                if member.issym() or member.islnk():
                    raise ArchiveError(f"{archive.name} holds a link ({member.name!r} -> "
                                       f"{member.linkname!r}); refusing it.")
                if not (member.isfile() or member.isdir()):
                    raise ArchiveError(f"{archive.name} holds a special file "
                                       f"({member.name!r}); refusing it.")
                checked.append((member, safe_member_path(member.name, archive)))
            for member, rel in checked:
                target = dest / rel
                if member.isdir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with tf.extractfile(member) as source, open(target, "wb") as out:
                    copy_stream(source, out, budget, archive)
    except (tarfile.TarError, EOFError) as exc:
        raise ArchiveError(f"{archive.name} is damaged or truncated ({exc}).") from exc


def single_top_folder(folder: Path) -> Path:
    """The one folder an archive wraps its content in (Vosk, Argos), else folder."""
    entries = [p for p in folder.iterdir() if p.name != "__MACOSX"]
    if len(entries) == 1 and entries[0].is_dir():
        return entries[0]
    return folder


def remove_tree(path: Path) -> None:
    """Delete a folder even when files in it are read-only."""
    def unlock(func, p, _exc):
        Path(p).chmod(stat.S_IWRITE | stat.S_IREAD | stat.S_IEXEC)
        func(p)

    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, onerror=unlock)
