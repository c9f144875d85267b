"""What the store knows about each installed model.

Each model folder carries `.counter-app.json` (its manifest record); a pack
carries `manifest.json` listing the records of the models inside.  The
sha256 is a digest of the folder's files (names and contents), so a model
can be verified wherever it was copied.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

RECORD_FILE = ".counter-app.json"
PACK_MANIFEST = "manifest.json"
PACK_FORMAT = "counter-app-pack"


@dataclass(slots=True)
class ModelRecord:
    name: str
    kind: str
    engine: str
    languages: list[str]
    version: str = ""
    source: str = ""
    size: int = 0
    sha256: str = ""
    license: str = ""
    installed_at: str = ""
    variant: str = ""
    pairs: str = ""
    urls: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict) -> ModelRecord:
        known = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**known)

    @classmethod
    def parse(cls, data: object) -> ModelRecord:
        """A record from untrusted JSON; ValueError names what is malformed."""
        if not isinstance(data, dict):
            raise ValueError(f"a JSON {type(data).__name__} instead of an object")
        for f in fields(cls):
            if f.name not in data:
                if f.name in ("name", "kind", "engine", "languages"):
                    raise ValueError(f"no {f.name!r}")
                continue
            value = data[f.name]
            ok = (isinstance(value, list) and all(isinstance(v, str) for v in value)
                  if f.name in ("languages", "urls") else
                  isinstance(value, int) and not isinstance(value, bool) and value >= 0
                  if f.name == "size" else isinstance(value, str))
            if not ok:
                raise ValueError(f"{f.name!r} is malformed ({value!r:.40})")
        return cls.from_dict(data)

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def store_path(self) -> str:
        return f"{self.kind}/{self.engine}/{self.name}"


def model_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.name != RECORD_FILE)


def tree_digest(folder: Path) -> tuple[str, int]:
    """(sha256 over relative names and contents, total bytes) of a model folder."""
    digest = hashlib.sha256()
    total = 0
    for path in model_files(folder):
        digest.update(path.relative_to(folder).as_posix().encode() + b"\0")
        with open(path, "rb") as handle:
            while chunk := handle.read(4 * 1024 * 1024):
                digest.update(chunk)
                total += len(chunk)
        digest.update(b"\0")
    return digest.hexdigest(), total


def stamp(record: ModelRecord, folder: Path) -> ModelRecord:
    """Fill size, sha256 and install time from the folder and write the record."""
    record.sha256, record.size = tree_digest(folder)
    record.installed_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
    write_record(folder, record)
    return record


def write_record(folder: Path, record: ModelRecord) -> None:
    """Write the record atomically and durably (temp file, fsync, rename, fsync of
    the folder): after a crash the old record or the new one is there, whole.
    OSError if the disk refuses."""
    text = json.dumps(record.to_dict(), ensure_ascii=False, indent=1)
    fd, tmp = tempfile.mkstemp(prefix=RECORD_FILE, suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, folder / RECORD_FILE)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(folder)


def fsync_dir(folder: Path) -> None:
    """Make renames and new names in folder durable (no-op where folders cannot be
    opened, e.g. Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def load_record(folder: Path) -> tuple[ModelRecord | None, str]:
    """(record, "") if readable; (None, "") if there is none; (None, why) if malformed."""
    path = folder / RECORD_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, f"cannot be read ({exc.strerror or exc})"
    try:
        return ModelRecord.parse(json.loads(raw.decode("utf-8"))), ""
    except ValueError as exc:  # also UnicodeDecodeError, JSONDecodeError
        return None, str(exc).splitlines()[0][:120]


def read_record(folder: Path) -> ModelRecord | None:
    """The model's record, or None when it is missing or malformed."""
    return load_record(folder)[0]
