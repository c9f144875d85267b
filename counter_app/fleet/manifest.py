"""The fleet manifest: every file of the mirror with its size and sha256.

`manifest.json` = {"format": "counter-app-fleet", "version": 1, "serial": n,
"published": iso time, "office": name, "key_id": fingerprint, "files": [{path,
size, sha256, role, ...}]}; `manifest.json.sig` holds the detached Ed25519
signature of its exact bytes.  Roles: "model" (one model folder zipped; `model`
holds its store record facts and `tree_sha256`, the store's folder digest),
"phrasebook", "terms" (with "version"), "settings", "catalog".
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from counter_app.errors import CounterAppError

FORMAT = "counter-app-fleet"
MANIFEST = "manifest.json"
SIGNATURE = "manifest.json.sig"
CATALOG = "catalog.json"
SETTINGS = "settings.json"
SETTINGS_FORMAT = "counter-app-fleet-settings"
ROLES = ("model", "phrasebook", "terms", "settings", "catalog")
SINGLE_ROLES = ("phrasebook", "terms", "settings", "catalog")
_PATH = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*")
_SHA256 = re.compile(r"[0-9a-f]{64}")
MODEL_FIELDS = ("kind", "engine", "name", "languages", "license", "version", "variant",
                "pairs", "tree_sha256", "tree_size")


class ManifestError(CounterAppError):
    """A manifest that is signed but malformed (never applied)."""


@dataclass(frozen=True, slots=True)
class FileEntry:
    path: str
    size: int
    sha256: str
    role: str
    version: str = ""
    model: dict = field(default_factory=dict, hash=False, compare=False)

    def to_dict(self) -> dict:
        data = {"path": self.path, "size": self.size, "sha256": self.sha256, "role": self.role}
        if self.version:
            data["version"] = self.version
        if self.model:
            data["model"] = self.model
        return data

    @property
    def store_path(self) -> str:
        """kind/engine/name of a model entry."""
        return f"{self.model['kind']}/{self.model['engine']}/{self.model['name']}"


@dataclass(frozen=True, slots=True)
class Manifest:
    serial: int
    published: str
    office: str
    key_id: str
    files: tuple[FileEntry, ...]

    def role(self, role: str) -> FileEntry | None:
        return next((f for f in self.files if f.role == role), None)

    def models(self) -> list[FileEntry]:
        return [f for f in self.files if f.role == "model"]

    @property
    def total_size(self) -> int:
        return sum(f.size for f in self.files)

    def to_bytes(self) -> bytes:
        data = {"format": FORMAT, "version": 1, "serial": self.serial,
                "published": self.published, "office": self.office, "key_id": self.key_id,
                "files": [f.to_dict() for f in self.files]}
        return json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"


def parse(raw: bytes) -> Manifest:
    """A Manifest from (already signature-checked) bytes; ManifestError if malformed."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except ValueError as exc:
        raise ManifestError(f"The manifest is not JSON ({exc}).") from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ManifestError(f"The manifest is not a {FORMAT!r} file.")
    if data.get("version") != 1:
        raise ManifestError(f"The manifest has version {data.get('version')!r}; this app "
                            "reads version 1. Update the app.")
    serial = data.get("serial")
    if not isinstance(serial, int) or isinstance(serial, bool) or serial < 1:
        raise ManifestError("The manifest has no valid serial number.")
    items = data.get("files")
    if not isinstance(items, list):
        raise ManifestError("The manifest lists no files.")
    files = tuple(_entry(item, i) for i, item in enumerate(items))
    paths = [f.path for f in files]
    if len(set(paths)) != len(paths) or {MANIFEST, SIGNATURE} & set(paths):
        raise ManifestError("The manifest lists a file twice, or itself.")
    for role in SINGLE_ROLES:
        if sum(f.role == role for f in files) > 1:
            raise ManifestError(f"The manifest lists more than one {role} file.")
    if len({f.store_path for f in files if f.role == "model"}) != \
            sum(f.role == "model" for f in files):
        raise ManifestError("The manifest lists a model twice.")
    return Manifest(serial, str(data.get("published", "")), str(data.get("office", "")),
                    str(data.get("key_id", "")), files)


def _entry(item: object, index: int) -> FileEntry:
    where = f"The manifest's file {index}"
    if not isinstance(item, dict):
        raise ManifestError(f"{where} is not an object.")
    path, size, digest, role = (item.get(k) for k in ("path", "size", "sha256", "role"))
    if not isinstance(path, str) or not _PATH.fullmatch(path) or ".." in path.split("/"):
        raise ManifestError(f"{where} has an unsafe path {path!r}.")
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise ManifestError(f"{where} ({path}) has no valid size.")
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise ManifestError(f"{where} ({path}) has no valid sha256.")
    if role not in ROLES:
        raise ManifestError(f"{where} ({path}) has an unknown role {role!r}.")
    model = item.get("model") or {}
    if role == "model":
        if not isinstance(model, dict) or not all(
                isinstance(model.get(k), str) and model.get(k)
                for k in ("kind", "engine", "name", "tree_sha256")) or \
                "/" in model["name"] or model["name"].startswith(".") or \
                not isinstance(model.get("languages"), list):
            raise ManifestError(f"{where} ({path}) does not describe its model.")
        model = {k: model[k] for k in MODEL_FIELDS if k in model}
    return FileEntry(path, size, digest, role, str(item.get("version", "")), model)
