"""The store's own state: can it be written, what fills its disk, what is stale.

Staging folders (`.staging-*`) live only while an install holds the store lock
(`.lock`), so any staging folder found while the lock is free was left by an
install that crashed or was killed: it is stale, and store/staging.py deletes it.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from counter_app.errors import StoreError
from counter_app.store.local import InstalledModel, ModelStore

log = logging.getLogger(__name__)

PARTIAL_DIR = ".partial"  # resumable downloads survive only network failures
STAGING_PREFIX = ".staging-"
LOCK_FILE = ".lock"
CATALOG_CACHE = "catalogs"
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)


@dataclass(frozen=True, slots=True)
class StoreProblem:
    """Why the store cannot take installs: kind "not_a_folder", "read_only" or
    "cannot_create"."""

    kind: str
    root: Path

    def __str__(self) -> str:
        if self.kind == "not_a_folder":
            return (f"The model store {self.root} is a file, not a folder; models cannot be "
                    "installed or removed. Choose another folder (settings: models_dir, or "
                    "--models).")
        if self.kind == "read_only":
            return (f"The model store {self.root} is read-only; models cannot be installed "
                    "or removed. Ask an administrator for write access, or choose another "
                    "folder (settings: models_dir, or --models).")
        return (f"The model store {self.root} does not exist and cannot be created here; "
                "choose another folder (settings: models_dir, or --models).")


def store_problem(root: Path) -> StoreProblem | None:
    """What keeps the store at root from being written, or None."""
    if root.exists() and not root.is_dir():
        return StoreProblem("not_a_folder", root)
    if root.is_dir():
        return None if os.access(root, os.W_OK | os.X_OK) else StoreProblem("read_only", root)
    parent = root.parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        return StoreProblem("cannot_create", root)
    return None


@contextlib.contextmanager
def disk_errors(doing: str) -> Iterator[None]:
    """Turn a raw OSError while `doing` (e.g. "importing x into /store") into a
    StoreError a person can act on; a full disk gets one clear sentence."""
    try:
        yield
    except OSError as exc:
        if isinstance(exc, StoreError):
            raise
        if exc.errno in DISK_FULL:
            raise StoreError(f"The disk is full while {doing}. "
                             "Free some space and try again.") from exc
        raise StoreError(f"Could not finish {doing}: {exc.strerror or exc}"
                         f"{f' ({exc.filename})' if exc.filename else ''}.") from exc


class StoreUnusableError(StoreError):
    """The store folder cannot be written; `problem` says why (for UI text)."""

    def __init__(self, problem: StoreProblem):
        super().__init__(str(problem))
        self.problem = problem


def check_writable(root: Path) -> None:
    """StoreUnusableError when the store cannot be written (see StoreProblem)."""
    if problem := store_problem(root):
        raise StoreUnusableError(problem)


# --- staging left behind ------------------------------------------------------------

def staging_folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(p for p in root.iterdir() if p.name.startswith(STAGING_PREFIX))


def install_running(root: Path) -> bool:
    """True while some process holds the store lock (an install or removal)."""
    if not (root / LOCK_FILE).exists():
        return False
    from filelock import FileLock, Timeout  # only when a lock file exists

    lock = FileLock(str(root / LOCK_FILE))
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    except OSError:
        return False  # cannot even open the lock (read-only store): nobody installs
    lock.release()
    return False


def tree_size(path: Path) -> int:
    """Bytes of the files under path (links are not followed)."""
    if path.is_symlink() or path.is_file():
        return path.lstat().st_size
    total = 0
    for folder, _dirs, files in os.walk(path):
        for name in files:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(folder, name)).st_size
    return total


# --- disk use -----------------------------------------------------------------------

@dataclass(slots=True)
class DiskUse:
    """Everything in a store folder, by what it is."""

    models: list[tuple[InstalledModel, int]] = field(default_factory=list)  # store models
    packaged: list[tuple[InstalledModel, int]] = field(default_factory=list)  # not counted
    staging: int = 0  # `.staging-*` folders
    staging_stale: bool = False  # no install holds the lock: all of staging can go
    partial: int = 0  # resumable downloads, kept on purpose
    catalogs: int = 0  # cached catalogs
    other: int = 0  # anything else in the store folder

    @property
    def total(self) -> int:
        return (sum(size for _, size in self.models) + self.staging + self.partial
                + self.catalogs + self.other)


def disk_use(store: ModelStore) -> DiskUse:
    """Count every byte in the store folder; package-shipped models are listed apart."""
    use = DiskUse()
    inside: set[Path] = set()
    for model in store.models():
        if model.read_only:
            use.packaged.append((model, model.size))
        else:
            use.models.append((model, model.size))
            inside.add(model.path)
    root = store.root
    if not root.is_dir():
        return use
    for entry in root.iterdir():
        if entry.name.startswith(STAGING_PREFIX):
            use.staging += tree_size(entry)
        elif entry.name == PARTIAL_DIR:
            use.partial += tree_size(entry)
        elif entry.name == CATALOG_CACHE:
            use.catalogs += tree_size(entry)
        else:
            use.other += _size_outside(entry, inside)
    use.staging_stale = bool(use.staging) and not install_running(root)
    return use


def _size_outside(path: Path, models: set[Path]) -> int:
    """Bytes under path that belong to none of the model folders."""
    if path in models:
        return 0
    if path.is_dir() and not path.is_symlink():
        return sum(_size_outside(child, models) for child in path.iterdir())
    return tree_size(path)
