"""`fleet publish`: build the office mirror, a static folder any web server serves as is.

Layout: manifest.json + manifest.json.sig (signed last), catalog.json (our
catalog format, relative URLs into the mirror), models/<kind>-<engine>-<name>.zip
(one model folder each, deterministic zips), phrasebook.json, terms.json,
settings.json.  A file whose content did not change is not rewritten, so its
ETag and Last-Modified stay and tablets do not fetch it again.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from counter_app.errors import CounterAppError
from counter_app.fleet import signing
from counter_app.fleet.manifest import (
    CATALOG,
    MANIFEST,
    SETTINGS,
    SIGNATURE,
    FileEntry,
    Manifest,
    ManifestError,
    parse,
)
from counter_app.fleet.profile import Profile, load_profile
from counter_app.store.catalog_own import OWN_FORMAT
from counter_app.store.download import file_digest
from counter_app.store.local import InstalledModel, ModelStore
from counter_app.store.manifest import model_files
from counter_app.store.packs import models_for, record_for

MODELS_DIR = "models"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # fixed: the same model always zips to the same bytes


class PublishError(CounterAppError):
    """The mirror cannot be built as asked."""


@dataclass
class PublishResult:
    manifest: Manifest
    output: Path
    written: list[str] = field(default_factory=list)  # files whose content changed
    removed: list[str] = field(default_factory=list)  # files of the previous set, deleted


def publish(profile_path: Path, output: Path, *, store_root: Path | str | None = None,
            library_folder: Path | None = None, key_path: Path | None = None,
            log: Callable[[str], None] | None = None) -> PublishResult:
    """Build or update the mirror in `output` from the profile; sign its manifest."""
    profile = load_profile(profile_path)
    output = output.expanduser()
    key_file = (key_path or profile.key)
    if key_file is None:
        raise PublishError("No private key: give --key or 'key:' in the profile "
                           "(make one with `counter-app fleet keygen`).")
    key_file = key_file.expanduser()
    if key_file.resolve().is_relative_to(output.resolve()):
        raise PublishError(f"The private key {key_file} lies inside the mirror {output}; the "
                           "web server would hand it out. Keep it outside the mirror folder.")
    key = signing.load_private(key_file)
    public = signing.public_b64(key.public_key())
    output.mkdir(parents=True, exist_ok=True)
    previous = _previous(output)
    result = PublishResult(Manifest(0, "", "", "", ()), output)
    say = log or (lambda _line: None)

    store = ModelStore(profile.store or store_root, include_packages=True)
    entries = [_publish_model(output, model, previous, result, say)
               for model in _chosen_models(store, profile)]
    entries += _publish_library(output, profile, library_folder, result)
    entries.append(_put_bytes(output, SETTINGS, _settings_bytes(profile), "settings", result))
    entries.append(_put_bytes(output, CATALOG, _catalog_bytes(entries), "catalog", result))

    serial = (max(previous.serial, 0) if previous else 0) + 1
    manifest = Manifest(serial, time.strftime("%Y-%m-%dT%H:%M:%S%z"), profile.office,
                        signing.key_id(public), tuple(entries))
    data = manifest.to_bytes()
    _atomic(output / SIGNATURE, signing.sign(key, data))
    _atomic(output / MANIFEST, data)  # last: a tablet sees the new set only when it is whole
    keep = {e.path for e in entries}
    if previous:
        for old in previous.files:
            if old.path not in keep and old.path.startswith(f"{MODELS_DIR}/"):
                (output / old.path).unlink(missing_ok=True)
                result.removed.append(old.path)
    result.manifest = manifest
    return result


def _previous(output: Path) -> Manifest | None:
    try:
        return parse((output / MANIFEST).read_bytes())
    except (OSError, ManifestError):
        return None


def _chosen_models(store: ModelStore, profile: Profile) -> list[InstalledModel]:
    """The profile's `models` by name when it lists them, else what its languages need."""
    if not profile.models:
        chosen = {m.path: m for m in models_for(store, list(profile.languages))} \
            if profile.languages else {}
    else:
        chosen = {}
    installed = store.models()
    for name in profile.models:
        found = [m for m in installed if m.name == name]
        if not found:
            raise PublishError(f"The profile names the model {name!r}, which is not installed "
                               f"in {store.root} (see `counter-app models list`).")
        chosen.setdefault(found[0].path, found[0])
    if not chosen:
        raise PublishError(f"No installed model in {store.root} serves the profile's "
                           "languages; install them first (counter-app models install ...).")
    return sorted(chosen.values(), key=lambda m: (m.kind, m.engine, m.name))


def _publish_model(output: Path, model: InstalledModel, previous: Manifest | None,
                   result: PublishResult, say: Callable[[str], None]) -> FileEntry:
    record = record_for(model)  # tree digest and size computed from the files
    facts = {"kind": record.kind, "engine": record.engine, "name": record.name,
             "languages": list(record.languages), "license": record.license,
             "version": record.version, "variant": record.variant, "pairs": record.pairs,
             "tree_sha256": record.sha256, "tree_size": record.size}
    rel = f"{MODELS_DIR}/{record.kind}-{record.engine}-{record.name}.zip"
    old = next((f for f in previous.files if f.path == rel), None) if previous else None
    target = output / rel
    if old and old.model.get("tree_sha256") == record.sha256 and target.is_file() \
            and target.stat().st_size == old.size:
        return FileEntry(rel, old.size, old.sha256, "model", model=facts)  # unchanged
    say(f"zipping {record.store_path}")
    target.parent.mkdir(parents=True, exist_ok=True)
    return _put_file(output, rel, lambda temp: _zip_model(model, record.name, temp), "model",
                     result, model=facts)


def _zip_model(model: InstalledModel, name: str, path: Path) -> None:
    """One model folder as `<name>/...` (what our catalog's "zip" packaging installs)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
        for file in model_files(model.path):
            info = zipfile.ZipInfo(f"{name}/{file.relative_to(model.path).as_posix()}",
                                   date_time=_ZIP_TIME)
            info.external_attr = 0o644 << 16
            with open(file, "rb") as source, zf.open(info, "w", force_zip64=True) as target:
                shutil.copyfileobj(source, target, 1024 * 1024)


def _publish_library(output: Path, profile: Profile, library_folder: Path | None,
                     result: PublishResult) -> list[FileEntry]:
    from counter_app.phrasebook.export import save_json
    from counter_app.phrasebook.files import load_phrasebook
    from counter_app.phrasebook.library import Library
    from counter_app.phrasebook.readings import fill_readings
    from counter_app.phrasebook.terms import load_terms, save_terms_json

    library = Library(library_folder)
    book = load_phrasebook(profile.phrasebook) if profile.phrasebook else library.phrasebook()
    book = fill_readings(book)  # read once here, not on every tablet (kana search)
    terms = load_terms(profile.terms) if profile.terms else library.terms()
    return [
        _put_file(output, "phrasebook.json", lambda temp: save_json(book, temp), "phrasebook",
                  result, version=str(book.version)),
        _put_file(output, "terms.json", lambda temp: save_terms_json(terms, temp), "terms",
                  result, version=str(getattr(terms, "version", ""))),
    ]


def _settings_bytes(profile: Profile) -> bytes:
    return json.dumps(profile.settings_data(), ensure_ascii=False, indent=1,
                      sort_keys=True).encode("utf-8") + b"\n"


def _catalog_bytes(entries: list[FileEntry]) -> bytes:
    """Our catalog format over the mirror's model archives (relative URLs)."""
    models = []
    for entry in entries:
        if entry.role != "model":
            continue
        m = entry.model
        item = {"kind": m["kind"], "engine": m["engine"], "name": m["name"],
                "languages": m["languages"], "license": m["license"] or "unknown",
                "url": entry.path, "size": entry.size, "sha256": entry.sha256}
        item |= {k: m[k] for k in ("version", "variant", "pairs") if m.get(k)}
        models.append(item)
    data = {"format": OWN_FORMAT, "version": 1, "models": models}
    return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def _put_bytes(output: Path, rel: str, data: bytes, role: str,
               result: PublishResult) -> FileEntry:
    return _put_file(output, rel, lambda temp: temp.write_bytes(data), role, result)


def _put_file(output: Path, rel: str, write: Callable[[Path], None], role: str,
              result: PublishResult, version: str = "", model: dict | None = None) -> FileEntry:
    """Write through a temporary file; an unchanged file stays as it was (same ETag)."""
    target = output / rel
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                    dir=target.parent)
    os.close(handle)
    temp = Path(name)
    try:
        write(temp)
        digest, size = file_digest(temp), temp.stat().st_size
        old = target.stat() if target.is_file() else None
        if old and old.st_size == size and file_digest(target) == digest:
            temp.unlink()
        else:
            temp.chmod(0o644)
            os.replace(temp, target)
            _newer_than(target, old)
            result.written.append(rel)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return FileEntry(rel, size, digest, role, version, model or {})


def _newer_than(target: Path, old: os.stat_result | None) -> None:
    """Web servers derive ETag and Last-Modified from whole seconds of mtime (and the
    size): a file rewritten within the same second must still look changed."""
    if old is not None and int(target.stat().st_mtime) <= int(old.st_mtime):
        later = int(old.st_mtime) + 1
        os.utime(target, (later, later))


def _atomic(target: Path, data: bytes) -> None:
    def write(temp: Path) -> None:
        temp.write_bytes(data)
    dummy = PublishResult(Manifest(0, "", "", "", ()), target.parent)
    _put_file(target.parent, target.name, write, "", dummy)
