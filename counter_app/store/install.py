"""Installing, importing and removing models, atomically.

Every install goes: (download) -> check the archive's member list (a model
the app knows? does it fit the disk?, store/preflight.py) -> unpack into a
staging folder inside the store -> find the model folder -> let its engine
load it -> write its record -> swap it into place with renames
(store/staging.py).  Any failure removes the staging folder and leaves the
previous model untouched; a crash at any phase is cleared up by the next
store command.  One file lock per store serializes installs and removals
(across processes).  Disk and permission errors reach people as StoreError
sentences (store/health.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

from counter_app import engines
from counter_app.errors import ArchiveError, StoreError
from counter_app.store import archive, pins, preflight
from counter_app.store.catalog import CatalogEntry, RemoteFile
from counter_app.store.catalog_upstream import folder_licence
from counter_app.store.download import Cancel, Progress, download, file_digest
from counter_app.store.health import PARTIAL_DIR, check_writable, disk_errors, tree_size
from counter_app.store.local import InstalledModel, ModelStore, describe
from counter_app.store.manifest import (
    PACK_FORMAT,
    PACK_MANIFEST,
    ModelRecord,
    stamp,
    tree_digest,
)
from counter_app.store.pause import pause_at
from counter_app.store.preflight import FreeSpace, require_space
from counter_app.store.staging import hold_lock, recover, staging_folder, swap_into_place
from counter_app.store.validate import check_loads

log = logging.getLogger(__name__)


class Installer:
    """Changes to one store; reading stays with ModelStore."""

    def __init__(self, store: ModelStore | str | Path, *, validate: bool = True,
                 max_bytes: int | None = None, lock_timeout: float = 0,
                 free_space: FreeSpace | None = None):
        """free_space(folder) -> free bytes on its disk (default: shutil.disk_usage)."""
        self.store = store if isinstance(store, ModelStore) else ModelStore(store)
        self.root = self.store.root
        self.validate = validate
        self.max_bytes = max_bytes
        self.lock_timeout = lock_timeout
        self.free_space = free_space
        self.cleaned: list[tuple[Path, int]] = []  # stale staging deleted at the last lock

    # --- locking and staging ------------------------------------------------------

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the store lock (StoreError if the store cannot be written); stale
        staging folders go first."""
        check_writable(self.root)
        with hold_lock(self.root, self.lock_timeout):
            self.cleaned = recover(self.root)
            yield

    def clean(self, downloads: bool = False) -> list[tuple[Path, int]]:
        """Delete stale staging (and, if asked, partial downloads): (path, bytes)."""
        with self.locked(), self._doing("cleaning"):
            removed = list(self.cleaned)
            partial = self.root / PARTIAL_DIR
            if downloads and partial.is_dir():
                size = tree_size(partial)
                archive.remove_tree(partial)
                removed.append((partial, size))
            return removed

    def staging(self) -> contextlib.AbstractContextManager[Path]:
        """A new staging folder in the store (hold the lock), deleted afterwards."""
        return staging_folder(self.root)

    def _fits(self, size: int, what: str) -> None:
        """NotEnoughSpaceError (before anything is written) unless size bytes fit."""
        require_space(self.root, size, what, self.free_space)

    # --- catalog installs -----------------------------------------------------------

    def install(self, entry: CatalogEntry, progress: Progress | None = None,
                cancel: Cancel | None = None) -> InstalledModel:
        """Download, verify, unpack, check and put one catalog model in place.

        `progress(done, total, label)` is called per file, one label per file
        (the file name, prefixed by the model name unless it already starts
        with it); summing the latest `done` per label gives the whole.
        """
        with self.locked(), self._doing(f"installing {entry.name}"), \
                self.staging() as stage:
            unpacked = stage / "unpacked"
            if entry.size:  # an archive and its unpacked files are on disk together
                self._fits(entry.size * (1 if entry.packaging == "files" else 2), entry.name)
            if entry.packaging == "files":
                new_pins = pins.measure(entry, self._download(entry, unpacked, progress, cancel))
                folder = unpacked
            else:
                [file] = self._download(entry, stage, progress, cancel)
                new_pins = pins.measure(entry, [file])  # sizes/sha256 the catalog lacks
                listing = preflight.check_archive(file, self.root, entry.engine,
                                                  max_bytes=self.max_bytes,
                                                  free_space=self.free_space)
                archive.extract(file, unpacked, self.max_bytes, listing)
                file.unlink()
                folder = self.find_model(entry.kind, entry.engine, unpacked, file.name,
                                          weights_only=True)
            row = engines.get(entry.engine)
            if row and row.description and not (folder / row.description).exists():
                (folder / row.description).write_text(
                    json.dumps(entry.description(), ensure_ascii=False, indent=1),
                    encoding="utf-8")
            record = ModelRecord(**{k: v for k, v in entry.meta().items()
                                    if k in ModelRecord.__dataclass_fields__})
            record.license = folder_licence(entry.engine, folder, record.license)  # MODEL_CARD
            model = self.put_in_place(folder, record, stage)
            pins.record_in_store(self.root, new_pins)  # the office copy of the catalog
            return model

    def _doing(self, what: str):
        """disk_errors for `what` ("installing x") into this store."""
        return disk_errors(f"{what} into the model store {self.root}")

    def _download(self, entry: CatalogEntry, dest: Path, progress: Progress | None,
                  cancel: Cancel | None) -> list[Path]:
        """Every file of the entry, verified, into dest (under its catalog name).

        Files collect in `<store>/.partial/` first.  After a network failure
        they stay there (finished ones too) so the next attempt resumes; after
        any other failure (checksum, size, cancel) this entry's files are deleted.
        """
        partial = self.root / PARTIAL_DIR
        partial.mkdir(exist_ok=True)
        keeps = [(remote, partial / _partial_name(entry, remote)) for remote in entry.files]
        progress = _pausing(progress)
        try:
            for remote, keep in keeps:
                label = remote.name if remote.name.startswith(entry.name) \
                    else f"{entry.name}/{remote.name}"
                if _complete(keep, remote):
                    if progress:
                        size = keep.stat().st_size
                        progress(size, size, label)
                    continue
                keep.unlink(missing_ok=True)
                download(remote.url, keep, size=remote.size, md5=remote.md5,
                         sha256=remote.sha256, progress=progress, cancel=cancel, label=label)
        except BaseException as exc:
            if not getattr(exc, "resumable", False):
                for _, keep in keeps:
                    keep.unlink(missing_ok=True)
                    keep.with_name(keep.name + ".part").unlink(missing_ok=True)
            raise
        finally:
            with contextlib.suppress(OSError):
                partial.rmdir()  # only if empty
        done = []
        for remote, keep in keeps:
            target = dest.joinpath(*remote.name.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            keep.replace(target)
            done.append(target)
        with contextlib.suppress(OSError):
            partial.rmdir()
        return done

    # --- shared tail: locate, check, record, swap (also the fleet's, fleet/apply.py) ---

    def find_model(self, kind: str, engine: str, unpacked: Path, source: str,
                   weights_only: bool = False) -> Path:
        """The model folder in an unpacked archive (at most three levels down).

        weights_only: a folder holding the engine's weights (the table's `weights`,
        e.g. a CTranslate2 model.bin) counts even without its description file
        (the installer writes it).
        """
        row = engines.get(engine)
        weights = row.weights if row and weights_only else ()

        def found(folder: Path) -> bool:
            if any((folder / p).is_file() for p in weights):
                return True
            return describe(kind, engine, folder) is not None

        queue = [archive.single_top_folder(unpacked), unpacked]
        for depth in range(3):
            for folder in queue:
                if found(folder):
                    return folder
            queue = [p for f in queue for p in sorted(f.iterdir()) if p.is_dir()]
            if depth == 2 or not queue:
                break
        raise ArchiveError(f"{source} does not contain a {engine} model.")

    def put_in_place(self, folder: Path, record: ModelRecord, stage: Path) -> InstalledModel:
        """Check (when validating), record and swap a staged model folder into the store;
        under `locked()`, with `stage` from `staging()`."""
        if self.validate:
            check_loads(record.engine, folder, record.name)
        stamp(record, folder)
        model = describe(record.kind, record.engine, folder, meta=record.to_dict())
        if model is None or not model.languages:
            raise StoreError(f"{record.name} looks like a {record.engine} model but its "
                             "languages cannot be read; it was not installed.")
        target = swap_into_place(folder, self.root, record.store_path, stage)
        log.info("Installed %s into %s", record.name, target)
        return describe(record.kind, record.engine, target, meta=record.to_dict())

    # --- imports ----------------------------------------------------------------------

    def import_path(self, path: str | Path, language: str | None = None
                    ) -> list[InstalledModel]:
        """Install from a pack, a Vosk zip or folder, an .argosmodel, or a Piper voice;
        `language` (our code) for a model whose name and files do not tell it."""
        path = Path(path)
        if not path.exists():
            raise StoreError(f"{path} does not exist.")
        with self.locked(), self._doing(f"importing {path.name}"), \
                self.staging() as stage:
            if path.is_dir():
                self._fits(tree_size(path), path.name)
                source = path.parent.name if path.name == "model" else path.name
                return [self._import_folder(path, stage, copy=True, source=source,
                                            language=language)]
            if path.name.endswith(".onnx") or path.name.endswith(".onnx.json"):
                return [self._import_piper(path, stage)]
            if zipfile.is_zipfile(path) and _is_pack(path):
                return self._import_pack(path, stage)
            listing = preflight.check_archive(path, self.root, max_bytes=self.max_bytes,
                                              free_space=self.free_space)
            unpacked = archive.extract(path, stage / "unpacked", self.max_bytes, listing)
            return [self._import_folder(unpacked, stage, copy=False, source=path.name,
                                        language=language)]

    def _import_folder(self, folder: Path, stage: Path, copy: bool,
                       source: str = "", language: str | None = None) -> InstalledModel:
        source = source or folder.name
        rows = [row for row in engines.table() if row.has_models and row.importable]
        for row in rows:
            kind, engine = row.kind, row.name
            with contextlib.suppress(ArchiveError):
                found = self.find_model(kind, engine, folder, source)
                break
        else:
            raise preflight.unknown_model(source, rows)
        name = _model_name(row, found, source)
        meta = {"name": name, "languages": [language] if language else []}
        model = describe(kind, engine, found, meta=meta)
        record = ModelRecord(name, kind, engine, list(model.languages) if model else [],
                             version=_version(row, name), source=f"import {source}")
        if copy:
            shutil.copytree(found, stage / "copy", symlinks=False, copy_function=self._copy)
            found = stage / "copy"
        return self.put_in_place(found, record, stage)

    def _import_piper(self, path: Path, stage: Path) -> InstalledModel:
        onnx = path if path.name.endswith(".onnx") else path.with_name(path.name[:-5])
        config = onnx.with_name(onnx.name + ".json")
        if not (onnx.is_file() and config.is_file()):
            raise StoreError(f"A Piper voice needs both {onnx.name} and {config.name} "
                             "side by side.")
        self._fits(onnx.stat().st_size + config.stat().st_size, onnx.name)
        folder = stage / "voice"
        folder.mkdir()
        card = onnx.with_name("MODEL_CARD")  # the voice's licence, when it came along
        for file in (onnx, config, *([card] if card.is_file() else [])):
            self._copy(file, folder / file.name)
        name = onnx.name[:-5]
        model = describe("tts", "piper", folder)
        record = ModelRecord(name, "tts", "piper", list(model.languages) if model else [],
                             source=f"import {onnx.name}",
                             license=folder_licence("piper", folder, ""))
        return self.put_in_place(folder, record, stage)

    def _copy(self, source: str | Path, target: str | Path) -> None:
        """Copy one file; a failure is a StoreError at once (copytree would collect
        OSErrors into one shutil.Error and go on copying)."""
        with self._doing(f"copying {Path(source).name}"):
            shutil.copyfile(source, target)

    def _import_pack(self, path: Path, stage: Path) -> list[InstalledModel]:
        with zipfile.ZipFile(path) as zf:
            try:
                manifest = json.loads(zf.read(PACK_MANIFEST))
                records = [ModelRecord.from_dict(m) for m in manifest["models"]]
            except (KeyError, ValueError, TypeError) as exc:
                raise ArchiveError(f"{path.name} has no readable {PACK_MANIFEST}.") from exc
        declared = sum(r.size for r in records) + 16 * 1024**2  # records, slack
        cap = declared if self.max_bytes is None else min(declared, self.max_bytes)
        listing = archive.list_members(path, cap)
        self._fits(listing.expanded, f"{path.name} (unpacked)")
        unpacked = archive.extract(path, stage / "unpacked", cap, listing)
        installed = []
        for record in records:
            row = engines.get(record.engine)
            if row is None or not row.has_models or row.kind != record.kind or \
                    "/" in record.name or record.name.startswith("."):
                raise ArchiveError(f"{path.name} lists an invalid model {record.name!r}.")
            folder = unpacked / "models" / record.store_path
            if not folder.is_dir():
                raise ArchiveError(f"{path.name} lacks the files of {record.name}.")
            digest, size = tree_digest(folder)
            if digest != record.sha256 or size != record.size:
                raise ArchiveError(f"{record.name} in {path.name} does not match its "
                                   "checksum; the pack is damaged. Nothing more was installed.")
            record.source = f"pack {path.name} ({record.source})"
            installed.append(self.put_in_place(folder, record, stage))
            archive.remove_tree(stage / "previous")
        return installed

    # --- removal ----------------------------------------------------------------------

    def remove(self, name: str) -> InstalledModel:
        """Delete an installed model by name; package-shipped models are refused."""
        with self.locked(), self._doing(f"removing {name}"):
            matches = [m for m in self.store.models() if m.name == name or m.path.name == name]
            if not matches:
                raise StoreError(f"No installed model is named {name!r}. "
                                 "See: counter-app models list")
            writable = [m for m in matches if not m.read_only]
            if not writable:
                raise StoreError(f"{name} is shipped by a Python package ({matches[0].source}) "
                                 "and is read-only; uninstall that package with pip instead.")
            with self.staging() as stage:  # a rename first: never half a model
                for n, model in enumerate(writable):
                    model.path.replace(stage / f"removed-{n}")
            return writable[0]


def _pausing(progress: Progress | None) -> Progress | None:
    """progress, plus the test hook that stops once the first bytes arrived."""
    def report(done: int, total: int, label: str) -> None:
        if done:
            pause_at("download")
        if progress:
            progress(done, total, label)
    return report


def _partial_name(entry: CatalogEntry, remote: RemoteFile) -> str:
    """One resumable file per model, file and URL (a changed URL starts afresh)."""
    key = hashlib.sha1(remote.url.encode()).hexdigest()[:10]
    return f"{entry.engine}-{entry.name}-{key}-{remote.name.replace('/', '_')}"


def _complete(path: Path, remote: RemoteFile) -> bool:
    """A file finished by an earlier, interrupted attempt (download() verified it then;
    its size and checksums are checked again when the catalog gives them)."""
    if not path.is_file() or (remote.size and path.stat().st_size != remote.size):
        return False
    return all(not expected or file_digest(path, name) == expected.lower()
               for name, expected in (("sha256", remote.sha256), ("md5", remote.md5)))


def _is_pack(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        if PACK_MANIFEST not in zf.namelist():
            return False
        try:
            manifest = json.loads(zf.read(PACK_MANIFEST))
        except ValueError:
            return False
        return isinstance(manifest, dict) and manifest.get("format") == PACK_FORMAT


def _model_name(row: engines.Engine, folder: Path, source: str) -> str:
    if row.import_name:
        return engines.resolve(row.import_name)(folder)
    name = folder.name
    if name in ("unpacked", "model"):
        name = Path(source).name
        for suffix in (".zip", ".tar.gz", ".tgz", ".tar", ".argosmodel"):
            name = name.removesuffix(suffix)
    return name


def _version(row: engines.Engine, name: str) -> str:
    return name.rsplit("-", 1)[-1] if row.version_in_name else ""
