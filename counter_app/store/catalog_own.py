"""Our own catalog format, for models no upstream catalog lists.

`counter-app-catalog`: {"format": "counter-app-catalog", "version": 1,
"models": [{kind, engine, name, languages, license, version?, variant?,
pairs?, format?, packaging?, ...}]} for CTranslate2 models (NLLB, Whisper)
and sentence splitters; any engine with model folders in the engine table
(counter_app/engines.py) may be listed under its kind.  `packaging` "zip"
(default): one archive {url, size?, sha256?}; "files": loose files {files:
[{name, url, size?, sha256?}]} put side by side in the model folder (`url`
is then just the model's page).  A size or sha256 that is null or missing is
unknown.  Relative URLs resolve against the catalog's own URL.  A malformed
model is skipped with a warning; the rest still loads.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from urllib.parse import urljoin

from counter_app import engines, languages
from counter_app.errors import CatalogError, UnknownLanguageError
from counter_app.store.catalog_entry import CatalogEntry, RemoteFile, collect
from counter_app.store.catalog_entry import need as _need

OWN_FORMAT = "counter-app-catalog"


def parse_own(data, url: str = "", skipped: list[str] | None = None) -> list[CatalogEntry]:
    if not isinstance(data, dict) or data.get("format") != OWN_FORMAT:
        raise CatalogError(f"Catalog {url}: not a {OWN_FORMAT!r} file "
                           "(expected an object with \"format\": \"counter-app-catalog\").")
    if data.get("version") != 1:
        raise CatalogError(f"Catalog {url}: unsupported version {data.get('version')!r}.")
    models = _need(data, "models", list, f"Catalog {url}")
    return collect(enumerate(models), lambda i, item: _own_entry(item, url, i), skipped)


def _own_entry(item, url: str, i: int) -> CatalogEntry:
    where = f"Catalog {url}, model {i}"
    kind = _need(item, "kind", str, where)
    engine = _need(item, "engine", str, where)
    if engine not in engines.store_kinds().get(kind, ()):
        raise CatalogError(f"{where}: unknown kind/engine {kind!r}/{engine!r}.")
    codes = _need(item, "languages", list, where)
    license_ = _need(item, "license", str, where)
    name = _safe_name(_need(item, "name", str, where), where, "name")
    packaging = item.get("packaging", "zip")
    if packaging == "files":
        files = _own_files(_need(item, "files", list, where), url, where)
    elif packaging == "zip":
        link = _need(item, "url", str, where)
        files = (RemoteFile(urljoin(url, link), name + ".zip", _size(item, where),
                            sha256=_sha256(item, where)),)
    else:
        raise CatalogError(f"{where}: unknown packaging {packaging!r} "
                           "(expected \"zip\" or \"files\").")
    langs = _own_languages(codes, where)
    if engine == "whisper" and name.endswith(".en"):
        langs = ("en",)  # Whisper ".en" models are English-only
    return CatalogEntry(
        kind, engine, name, langs, files, packaging=packaging,
        version=str(item.get("version", "")), license=license_, catalog="ct2",
        pairs=str(item.get("pairs", "")), variant=str(item.get("variant", "")),
        format=str(item.get("format", "")))


_SHA256 = re.compile(r"[0-9a-fA-F]{64}")


def _size(item: dict, where: str) -> int | None:
    """A byte count, None when null or missing (0 is read as unknown, too)."""
    size = item.get("size")
    if size is None:
        return None
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        raise CatalogError(f"{where}: the field 'size' has an unexpected value {size!r} "
                           "(a byte count, or null when unknown).")
    return size or None


def _sha256(item: dict, where: str) -> str | None:
    digest = item.get("sha256")
    if digest is None or digest == "":
        return None
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise CatalogError(f"{where}: the field 'sha256' has an unexpected value {digest!r} "
                           "(64 hex digits, or null when unknown).")
    return digest.lower()


def _safe_name(name: str, where: str, field_name: str, nested: bool = False) -> str:
    """A name that stays inside the model folder (no absolute path, '..' or hidden part)."""
    parts = name.split("/")
    if not name or "\\" in name or ":" in name or PurePosixPath(name).is_absolute() or (
            len(parts) > 1 and not nested) or any(not p or p.startswith(".") for p in parts):
        raise CatalogError(f"{where}: the {field_name} {name!r} is not a plain "
                           f"{'relative file path' if nested else 'folder name'}.")
    return name


def _own_files(items: list, url: str, where: str) -> tuple[RemoteFile, ...]:
    if not items:
        raise CatalogError(f"{where}: 'files' must list at least one file.")
    files = []
    for j, item in enumerate(items):
        at = f"{where}, file {j}"
        name = _safe_name(_need(item, "name", str, at), at, "file name", nested=True)
        link = _need(item, "url", str, at)
        files.append(RemoteFile(urljoin(url, link), name, _size(item, at),
                                sha256=_sha256(item, at)))
    names = [f.name for f in files]
    if len(set(names)) != len(names):
        raise CatalogError(f"{where}: a file name is listed twice in 'files'.")
    return tuple(files)


def _own_languages(codes: list, where: str) -> tuple[str, ...]:
    try:
        langs = tuple(c if c == "*" else languages.get(c).code for c in codes)
    except (UnknownLanguageError, TypeError, AttributeError) as exc:
        raise CatalogError(f"{where}: 'languages' holds a code the app does not know "
                           f"({exc}).") from exc
    if not langs:
        raise CatalogError(f"{where}: 'languages' is empty.")
    return langs
