"""The office copy of the catalogs: sizes and checksums pinned at first download.

Upstream catalogs leave some files unpinned: the Argos index has no sizes or
checksums, and Hugging Face files in our own catalog may carry none (they
follow a moving branch).  The first verified install of such a file records
its size and sha256 here, in `<store>/catalogs/pins.json`; every later
catalog load fills them in (load_catalogs), so a mirror that later serves a
changed file is refused by the download's size/checksum check instead of
being installed.  Files a catalog already pins (a sha256 or md5) are left
to the catalog.  A file fetched from a moving Hugging Face branch
(`…/resolve/main/…`) whose server named the commit it served (X-Repo-Commit)
is also pinned to that revision: later installs fetch `…/resolve/<commit>/…`,
the very same file, even after the branch moved on.

Format: {"format": "counter-app-pins", "version": 1,
"files": {url: {"size": bytes, "sha256": hex, "model": name, "pinned": iso date,
"revision": commit or absent}}}.
A damaged file is ignored with a warning (nothing is pinned then) and
replaced by the next recorded install.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import os
import re
import tempfile
import time
from pathlib import Path

from counter_app.store.catalog_entry import CatalogEntry, RemoteFile

log = logging.getLogger(__name__)

PINS_FILE = "pins.json"
PINS_FORMAT = "counter-app-pins"


@dataclasses.dataclass(frozen=True, slots=True)
class Pin:
    url: str
    size: int
    sha256: str
    model: str = ""
    pinned: str = ""  # date recorded
    revision: str = ""  # the commit a moving branch was pinned to ("" = none)

    def pinned_url(self) -> str:
        """The URL with its `/resolve/<branch>/` replaced by the pinned commit."""
        if not self.revision:
            return self.url
        return _RESOLVE.sub(lambda m: f"{m.group(1)}{self.revision}/", self.url, count=1)


_RESOLVE = re.compile(r"(/resolve/)[^/]+/")
_COMMIT = re.compile(r"[0-9a-f]{40}")


def unpinned(remote: RemoteFile) -> bool:
    """The catalog gives this file no checksum: it is ours to pin."""
    return not (remote.sha256 or remote.md5)


def read(cache_dir: Path) -> dict[str, Pin]:
    """{url: Pin} from `<cache_dir>/pins.json` ({} when absent or damaged)."""
    path = cache_dir / PINS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        files = data["files"] if data.get("format") == PINS_FORMAT else None
        if not isinstance(files, dict):
            raise ValueError("not a counter-app-pins file")
        return {url: Pin(url, int(info["size"]), str(info["sha256"]).lower(),
                         str(info.get("model", "")), str(info.get("pinned", "")),
                         _commit(info.get("revision")))
                for url, info in files.items()}
    except FileNotFoundError:
        return {}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("Pinned checksums in %s are unreadable (%s); ignoring them.", path, exc)
        return {}


def apply(entries: list[CatalogEntry], cache_dir: Path | None) -> list[CatalogEntry]:
    """The entries, with pinned sizes and sha256 filled into their unpinned files."""
    pins = read(cache_dir) if cache_dir else {}
    if not pins:
        return entries
    out = []
    for entry in entries:
        files = tuple(
            dataclasses.replace(f, url=pins[f.url].pinned_url(), size=pins[f.url].size,
                                sha256=pins[f.url].sha256)
            if f.url in pins and unpinned(f) else f
            for f in entry.files)
        out.append(dataclasses.replace(entry, files=files) if files != entry.files else entry)
    return out


def measure(entry: CatalogEntry, paths: list[Path]) -> list[Pin]:
    """Pins for the just-downloaded files of entry (in entry.files order) that the
    catalog left unpinned (sha256 read from disk)."""
    from counter_app.store.download import SERVED_REVISIONS, file_digest

    return [Pin(remote.url, path.stat().st_size, file_digest(path, "sha256"), entry.name,
                revision=_commit(SERVED_REVISIONS.get(remote.url))
                if _RESOLVE.search(remote.url) else "")
            for remote, path in zip(entry.files, paths, strict=False)
            if unpinned(remote) and path.is_file()]


def record_in_store(store_root: Path, new: list[Pin]) -> None:
    """record() into the store's catalog folder (where load_catalogs reads them)."""
    from counter_app.store.health import CATALOG_CACHE

    record(Path(store_root) / CATALOG_CACHE, new)


def record(cache_dir: Path, pins: list[Pin]) -> None:
    """Add pins (after a successful install); an existing pin for a URL is kept."""
    if not pins:
        return
    known = read(cache_dir)
    new = [pin for pin in pins if pin.url not in known]
    if not new:
        return
    stamp = time.strftime("%Y-%m-%d")
    files = {pin.url: {"size": pin.size, "sha256": pin.sha256, "model": pin.model,
                       "pinned": pin.pinned or stamp,
                       **({"revision": pin.revision} if pin.revision else {})}
             for pin in [*known.values(), *new]}
    _write_atomic(cache_dir / PINS_FILE,
                  {"format": PINS_FORMAT, "version": 1, "files": files})
    log.info("Pinned %d file(s) of %s", len(new), ", ".join(sorted({p.model for p in new})))


def _commit(value) -> str:
    """A full commit id, else "" (a branch name is no pin)."""
    return value if isinstance(value, str) and _COMMIT.fullmatch(value) else ""


def _write_atomic(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".pins.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
