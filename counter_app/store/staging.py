"""The store lock, staging folders, the final swap, and cleaning up after a crash.

Crash safety, phase by phase (a SIGKILL or a pulled plug at any point):
- download: files grow in `<store>/.partial/` (resumed by the next attempt;
  kept PARTIAL_KEEP_DAYS, then deleted);
- unpack, check, record: all inside `<store>/.staging-*`, which exists only
  while an install holds the store lock: one found with the lock free is stale;
- swap: the new folder is complete and synced to disk, a journal names its
  place, the old model is renamed into staging and the new one renamed into
  place.  A crash between the two renames is undone from the journal (the old
  model put back), so a model is either wholly installed or not at all.

tidy() runs at the next store command or app start (ModelStore.models): it
takes the lock without waiting, so a live install's staging is never touched.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from counter_app.errors import StoreBusyError, StoreError
from counter_app.store.archive import remove_tree
from counter_app.store.health import (
    LOCK_FILE,
    PARTIAL_DIR,
    STAGING_PREFIX,
    disk_errors,
    staging_folders,
    tree_size,
)
from counter_app.store.manifest import RECORD_FILE, fsync_dir, read_record
from counter_app.store.pause import pause_at

log = logging.getLogger(__name__)

JOURNAL = "swap.json"  # in a staging folder: where its model goes
PREVIOUS = "previous"  # in a staging folder: the model it replaces
PARTIAL_KEEP_DAYS = 7  # a download not resumed within this time is deleted
Removed = list[tuple[Path, int]]  # (path, bytes freed)


@contextlib.contextmanager
def hold_lock(root: Path, timeout: float = 0) -> Iterator[None]:
    """Hold the store lock; StoreBusyError when another process (or task) has it."""
    from filelock import FileLock, Timeout  # only when there is something to lock

    lock = FileLock(str(root / LOCK_FILE))
    with disk_errors(f"opening the model store {root}"):
        root.mkdir(parents=True, exist_ok=True)
        try:
            lock.acquire(timeout=timeout)
        except Timeout as exc:
            raise StoreBusyError(f"Another install or removal is running on the model "
                                 f"store {root}; wait for it to finish and try "
                                 "again.") from exc
    try:
        yield
    finally:
        lock.release()


@contextlib.contextmanager
def staging_folder(root: Path) -> Iterator[Path]:
    """A new `.staging-*` folder in the store (hold the lock), deleted afterwards."""
    root.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
    try:
        yield folder
    finally:
        remove_tree(folder)


def sync_tree(folder: Path) -> None:
    """Flush every file and folder under folder to the disk (before it is swapped in,
    so a power cut cannot leave a renamed-in model with empty files)."""
    for parent, _dirs, files in os.walk(folder):
        for name in files:
            fd = os.open(os.path.join(parent, name), os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        fsync_dir(Path(parent))


def swap_into_place(folder: Path, root: Path, store_path: str, stage: Path) -> Path:
    """Rename the complete model folder to root/store_path, the old one (if any)
    into stage/previous; a crash in between is undone by recover()."""
    target = root / store_path
    target.parent.mkdir(parents=True, exist_ok=True)
    sync_tree(folder)
    journal = stage / JOURNAL
    journal.write_text(json.dumps({"target": store_path}), encoding="utf-8")
    fsync_file(journal)
    fsync_dir(stage)
    old = stage / PREVIOUS
    if target.exists():
        target.replace(old)
    pause_at("swap")  # test hook: a kill lands between the two renames
    try:
        folder.replace(target)
    except OSError:
        if old.exists():
            old.replace(target)
        raise
    fsync_dir(target.parent)
    return target


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- after a crash -------------------------------------------------------------------

def _journal_target(folder: Path, root: Path) -> Path | None:
    """Where the model in this staging folder was going (journal, else the record of
    the model it replaced, as older versions wrote no journal)."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        rel = json.loads((folder / JOURNAL).read_text(encoding="utf-8"))["target"]
        if isinstance(rel, str) and ".." not in Path(rel).parts and not Path(rel).is_absolute():
            return root / rel
    record = read_record(folder / PREVIOUS) if (folder / PREVIOUS).is_dir() else None
    return root / record.store_path if record else None


def recover(root: Path) -> Removed:
    """Delete stale staging folders; hold the store lock.  A model caught mid-swap
    (its old version in `previous`, nothing in place) is put back first."""
    removed = []
    for folder in staging_folders(root):
        previous = folder / PREVIOUS
        target = _journal_target(folder, root) if previous.is_dir() else None
        if target is not None and not target.exists():
            with contextlib.suppress(OSError):
                target.parent.mkdir(parents=True, exist_ok=True)
                previous.replace(target)
                log.warning("Put back %s, left half-swapped by an interrupted install.",
                            target.name)
        size = tree_size(folder)
        try:
            remove_tree(folder)
        except OSError as exc:
            log.warning("Could not delete stale staging folder %s: %s", folder, exc)
            continue
        removed.append((folder, size))
    return removed


def stale_partials(root: Path, now: float | None = None) -> list[Path]:
    """Partial downloads nobody resumed within PARTIAL_KEEP_DAYS."""
    partial = root / PARTIAL_DIR
    if not partial.is_dir():
        return []
    limit = (now or time.time()) - PARTIAL_KEEP_DAYS * 86400
    found = []
    for path in partial.iterdir():
        with contextlib.suppress(OSError):
            if path.lstat().st_mtime < limit:
                found.append(path)
    return found


def record_leftovers(root: Path) -> list[Path]:
    """Temporary manifest records a killed write left in model folders."""
    return sorted(root.glob(f"*/*/*/{RECORD_FILE}*.tmp"))


def tidy(root: Path) -> Removed:
    """Clear what crashed or killed installs left behind, if anything, under the
    store lock taken without waiting (skipped while an install runs or when the
    store cannot be written).  Returns what was deleted."""
    if not root.is_dir():
        return []
    old_partials = stale_partials(root)
    leftovers = record_leftovers(root)
    if not (staging_folders(root) or old_partials or leftovers):
        return []
    try:
        with hold_lock(root):
            removed = recover(root)
            for path in stale_partials(root) + record_leftovers(root):
                size = tree_size(path)
                with contextlib.suppress(OSError):
                    remove_tree(path)
                    removed.append((path, size))
            with contextlib.suppress(OSError):
                (root / PARTIAL_DIR).rmdir()  # only if empty
    except (StoreError, OSError) as exc:
        log.debug("Store %s not tidied: %s", root, exc)
        return []
    for path, size in removed:
        log.warning("Deleted %s (%d bytes) left by an interrupted install.", path, size)
    return removed
