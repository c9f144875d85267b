"""Checks before anything is written: is it a model, and does it fit on the disk?

An archive's member list (archive.list_members, headers only) tells which
engine's model it holds, the same way the installer later finds the model
folder (the engine table's marker files, a few levels down), and how many
bytes it unpacks to.  Free space is compared with that size plus a margin, so
a pack larger than the disk is refused up front, with the numbers.
"""

from __future__ import annotations

import errno
import fnmatch
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path, PurePosixPath

from counter_app import engines
from counter_app.errors import ArchiveError, StoreError
from counter_app.store.archive import Listing, list_members

FreeSpace = Callable[[Path], int]  # free bytes on the disk holding a folder
MARGIN_MIN = 32 * 1024**2  # always keep this much free after an install
MARGIN_RATIO = 0.05  # and 5 % of what is written (file system overhead, logs)
SEARCH_DEPTH = 3  # model folders are found at most this many levels down

TEXT: dict[str, tuple[str, str]] = {  # key: (ja, en), for the UI
    "not_enough_space": (
        "空き容量が足りません：{what} には {needed}（余裕 {margin} を含む）が必要ですが、"
        "モデルの保存先 {root} のディスクには {free} しか空いていません。何も書き込んでいません。"
        "不要なモデルやファイルを消すか、別の保存先を選んでください。",
        "Not enough free space: {what} needs {needed} (with {margin} to spare) but only "
        "{free} is free on the disk of the model store {root}. Nothing was written; free "
        "some space or choose another store folder."),
}


def human_size(size: int) -> str:
    from counter_app.store.availability import human_size as human

    return human(size)


class NotEnoughSpaceError(StoreError):
    """Refused before writing: `needed` bytes (margin included) > `free`.  Its cause
    is an ENOSPC OSError, so download_errors.classify() calls it "disk_full"."""

    def __init__(self, what: str, needed: int, margin: int, free: int, root: Path):
        self.what, self.needed, self.margin, self.free, self.root = \
            what, needed, margin, free, root
        super().__init__(self.text("en"))

    def text(self, lang: str = "en") -> str:
        ja, en = TEXT["not_enough_space"]
        return (ja if lang == "ja" else en).format(
            what=self.what, needed=human_size(self.needed), margin=human_size(self.margin),
            free=human_size(self.free), root=self.root)


def free_bytes(path: Path) -> int:
    """Free bytes on the disk that holds path (or its nearest existing parent)."""
    path = Path(path)
    while not path.exists() and path != path.parent:
        path = path.parent
    return shutil.disk_usage(path).free


def margin(size: int) -> int:
    return max(MARGIN_MIN, int(size * MARGIN_RATIO))


def require_space(root: Path, size: int, what: str, free_space: FreeSpace | None = None
                  ) -> None:
    """NotEnoughSpaceError unless size bytes plus the margin fit beside the store."""
    spare = margin(size)
    free = (free_space or free_bytes)(root)
    if size + spare > free:
        error = NotEnoughSpaceError(what, size + spare, spare, free, root)
        raise error from OSError(errno.ENOSPC, "not enough free space (checked up front)")


# --- which model an archive holds ---------------------------------------------------

def candidate_folders(files: Iterable[str]) -> list[str]:
    """Folders (posix, "" = the top) that could hold a model, shallowest first."""
    found = {""}
    for name in files:
        parts = PurePosixPath(name).parts[:-1]
        for depth in range(1, min(len(parts), SEARCH_DEPTH) + 1):
            found.add("/".join(parts[:depth]))
    return sorted(found, key=lambda f: (f.count("/") + bool(f), f))


def holds(files: set[str], folder: str, patterns: Iterable[str]) -> bool:
    """Every pattern (a path, or a glob within the folder) names a file there."""
    prefix = f"{folder}/" if folder else ""
    for pattern in patterns:
        if "*" in pattern:
            if not any(f.startswith(prefix) and "/" not in f[len(prefix):]
                       and fnmatch.fnmatchcase(f[len(prefix):], pattern) for f in files):
                return False
        elif prefix + pattern not in files:
            return False
    return True


def model_rows(files: set[str], rows: Iterable[engines.Engine], weights_only: bool = False
               ) -> list[engines.Engine]:
    """The engine rows whose model folder the member list holds (table order).

    weights_only: the engine's weights (e.g. a CTranslate2 model.bin) count without
    its description file, as for catalog installs."""
    folders = candidate_folders(files)
    found = []
    for row in rows:
        options = [row.markers] + ([(w,) for w in row.weights] if weights_only else [])
        if any(holds(files, folder, option) for folder in folders for option in options):
            found.append(row)
    return found


def importable_rows() -> list[engines.Engine]:
    return [row for row in engines.table() if row.has_models and row.importable]


def unknown_model(source: str, rows: list[engines.Engine]) -> ArchiveError:
    labels = [row.label for row in rows]
    return ArchiveError(f"{source} is not a model the app knows ("
                        f"{', '.join(labels[:-1])} or {labels[-1]}).")


def check_archive(path: Path, root: Path, engine: str | None = None, *,
                  max_bytes: int | None = None, free_space: FreeSpace | None = None
                  ) -> Listing:
    """List an archive and refuse it before unpacking when it holds no model the
    app knows (or not the `engine` a catalog promised), or does not fit the disk."""
    listing = list_members(path, max_bytes)
    files = listing.files()
    if engine:
        row = engines.get(engine)
        if row is None or not model_rows(files, [row], weights_only=True):
            raise ArchiveError(f"{path.name} does not contain a {engine} model.")
    elif not model_rows(files, importable_rows()):
        raise unknown_model(path.name, importable_rows())
    require_space(root, listing.expanded, f"{path.name} (unpacked)", free_space)
    return listing
