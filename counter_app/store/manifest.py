"""What the store knows about each installed model.

Each model folder carries `.counter-app.json` (its manifest record); a pack
carries `manifest.json` listing the records of the models inside.  The
sha256 is a digest of the folder's files (names and contents), so a model
can be verified wherever it was copied.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
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
    (folder / RECORD_FILE).write_text(json.dumps(record.to_dict(), ensure_ascii=False,
                                                 indent=1), encoding="utf-8")


def read_record(folder: Path) -> ModelRecord | None:
    path = folder / RECORD_FILE
    try:
        return ModelRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return None
