"""Safe extraction of model archives (zip, .argosmodel, tar.*).

An archive is listed first (list_members): every member is checked before
anything is written (no absolute paths, no `..`, no links, no devices), and
the sizes its headers declare are added up, so a caller can decide the model
type and check free space before unpacking.  Headers that declare more than
one model may hold, or a compression ratio no model has, are refused at once
as a decompression bomb.  Unpacking then stops any member that yields more
bytes than its header declared, and counts the bytes written against a cap.
"""

from __future__ import annotations

import shutil
import stat
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from counter_app.errors import ArchiveError
from counter_app.store.health import disk_errors
from counter_app.store.pause import pause_at

MAX_EXPANDED_BYTES = 8 * 1024**3  # the largest model we accept unpacked
MAX_MEMBERS = 100_000
CHUNK = 1024 * 1024
# Models are weights and text: they compress a few times at most.  More than
# MAX_RATIO:1 over more than RATIO_FLOOR bytes is a bomb, not a model.
MAX_RATIO = 100
RATIO_FLOOR = 64 * 1024**2


@dataclass(frozen=True, slots=True)
class Member:
    """One archive member as its header declares it."""

    path: PurePosixPath  # safe relative path
    size: int  # declared unpacked bytes (0 for folders)
    is_dir: bool
    ref: object = field(compare=False, repr=False)  # the ZipInfo / TarInfo


@dataclass(slots=True)
class Listing:
    """The checked members of one archive, in archive order."""

    archive: Path
    kind: str  # "zip" | "tar"
    members: list[Member]

    @property
    def expanded(self) -> int:
        """Bytes the archive declares it unpacks to."""
        return sum(m.size for m in self.members)

    def files(self) -> set[str]:
        return {m.path.as_posix() for m in self.members if not m.is_dir}


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


def _bomb(archive: Path, why: str) -> ArchiveError:
    return ArchiveError(f"{archive.name} {why}; refusing it (possible decompression bomb). "
                        "Nothing was unpacked.")


def _too_big(archive: Path, declared: int, cap: int) -> ArchiveError:
    return _bomb(archive, f"declares {declared // 1024**2} MB unpacked, beyond the "
                          f"{cap // 1024**2} MB limit for one model")


def list_members(archive: Path, max_bytes: int | None = None) -> Listing:
    """Check and list every member from the headers alone (nothing is written).

    ArchiveError for unsafe members, a damaged archive, or headers that declare
    more than max_bytes (default MAX_EXPANDED_BYTES) or a bomb's ratio."""
    cap = MAX_EXPANDED_BYTES if max_bytes is None else max_bytes
    if zipfile.is_zipfile(archive):
        return _list_zip(archive, cap)
    if _is_tar(archive):
        return _list_tar(archive, cap)
    raise ArchiveError(f"{archive.name} is neither a zip nor a tar archive "
                       "(damaged or truncated download?).")


def _list_zip(archive: Path, cap: int) -> Listing:
    try:
        with zipfile.ZipFile(archive) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError,
            ValueError) as exc:
        raise ArchiveError(f"{archive.name} is damaged or truncated ({exc}).") from exc
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError(f"{archive.name} holds too many files ({len(infos)}).")
    members, declared = [], 0
    for info in infos:
        if stat.S_ISLNK(info.external_attr >> 16):
            raise ArchiveError(f"{archive.name} holds a link ({info.filename!r}); "
                               "links could point outside the store, refusing it.")
        size = 0 if info.is_dir() else info.file_size
        declared += size
        if declared > cap:
            raise _too_big(archive, declared, cap)
        if size > RATIO_FLOOR and size > MAX_RATIO * max(info.compress_size, 1):
            raise _bomb(archive, f"holds {info.filename!r}: {size // 1024**2} MB compressed "
                                 f"{size // max(info.compress_size, 1)}:1, more than any "
                                 "model compresses")
        members.append(Member(safe_member_path(info.filename, archive), size,
                              info.is_dir(), info))
    return Listing(archive, "zip", members)


def _list_tar(archive: Path, cap: int) -> Listing:
    packed = max(archive.stat().st_size, 1)
    members, declared = [], 0
    try:
        with tarfile.open(archive) as tf:
            for member in tf:  # header by header: a bomb stops at its first header
                if len(members) >= MAX_MEMBERS:
                    raise ArchiveError(f"{archive.name} holds too many files.")
                if member.issym() or member.islnk():
                    raise ArchiveError(f"{archive.name} holds a link ({member.name!r} -> "
                                       f"{member.linkname!r}); refusing it.")
                if not (member.isfile() or member.isdir()):
                    raise ArchiveError(f"{archive.name} holds a special file "
                                       f"({member.name!r}); refusing it.")
                size = member.size if member.isfile() else 0
                declared += size
                if declared > cap:
                    raise _too_big(archive, declared, cap)
                if declared > RATIO_FLOOR and declared > MAX_RATIO * packed:
                    raise _bomb(archive, f"declares {declared // 1024**2} MB from "
                                         f"{packed // 1024} KB packed")
                members.append(Member(safe_member_path(member.name, archive), size,
                                      member.isdir(), member))
    except (tarfile.TarError, EOFError, OSError) as exc:
        if isinstance(exc, OSError) and exc.errno is not None:
            raise
        raise ArchiveError(f"{archive.name} is damaged or truncated ({exc}).") from exc
    return Listing(archive, "tar", members)


def copy_stream(source: BinaryIO, target: BinaryIO, budget: list[int], archive: Path,
                declared: int | None = None) -> None:
    """Copy in chunks, charging each chunk to budget[0] (bytes still allowed); a
    member yielding more than its declared size is stopped."""
    written = 0
    while chunk := source.read(CHUNK):
        written += len(chunk)
        budget[0] -= len(chunk)
        if declared is not None and written > declared:
            raise _bomb(archive, f"has a member that expands beyond the {declared} bytes "
                                 "its header declares")
        if budget[0] < 0:
            raise ArchiveError(f"{archive.name} expands beyond the "
                               f"{MAX_EXPANDED_BYTES // 1024**2} MB limit for one model; "
                               "refusing it (possible decompression bomb).")
        target.write(chunk)


def extract(archive: Path, dest: Path, max_bytes: int | None = None,
            listing: Listing | None = None) -> Path:
    """Unpack a zip or tar archive into the (new or empty) folder dest.

    listing: from list_members (listed here when not given)."""
    budget = [MAX_EXPANDED_BYTES if max_bytes is None else max_bytes]
    listing = listing or list_members(archive, max_bytes)
    dest.mkdir(parents=True, exist_ok=True)
    with disk_errors(f"unpacking {archive.name} into {dest}"):
        if listing.kind == "zip":
            _extract_zip(listing, dest, budget)
        else:
            _extract_tar(listing, dest, budget)
    return dest


def _write_members(listing: Listing, dest: Path, budget: list[int], open_member) -> None:
    half, written = listing.expanded // 2, 0
    for member in listing.members:
        target = dest / member.path
        if member.is_dir:
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        with open_member(member.ref) as source, open(target, "wb") as out:
            copy_stream(source, out, budget, listing.archive, member.size)
        if written < half <= written + member.size:
            pause_at("unpack")  # test hook: a kill lands with the unpack half done
        written += member.size


def _extract_zip(listing: Listing, dest: Path, budget: list[int]) -> None:
    archive = listing.archive
    try:
        with zipfile.ZipFile(archive) as zf:
            _write_members(listing, dest, budget, zf.open)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, NotImplementedError) as exc:
        raise ArchiveError(f"{archive.name} is damaged or truncated ({exc}).") from exc
    except OSError as exc:
        if exc.errno is None:  # zlib/CRC errors surface as bare OSErrors
            raise ArchiveError(f"{archive.name} is damaged or truncated ({exc}).") from exc
        raise


def _extract_tar(listing: Listing, dest: Path, budget: list[int]) -> None:
    archive = listing.archive
    try:
        with tarfile.open(archive) as tf:
            _write_members(listing, dest, budget, tf.extractfile)
    except (tarfile.TarError, EOFError) as exc:
        raise ArchiveError(f"{archive.name} is damaged or truncated ({exc}).") from exc


def _is_tar(archive: Path) -> bool:
    try:
        return tarfile.is_tarfile(archive)
    except OSError:
        return False


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
