"""Model catalogs: where they come from, the cache, and the parsed whole.

Formats: Vosk, Argos and Piper in their upstream formats (catalog_upstream.py),
our own `counter-app-catalog` for other models (catalog_own.py); each becomes
a list of CatalogEntry (catalog_entry.py).  Which catalog lists an engine's
models is the engine table's `catalog` column (counter_app/engines.py).

Relative URLs resolve against the catalog's own URL, so an office mirror can
serve everything from one folder.  Catalogs are read from the local cache
unless a refresh is asked for: nothing here touches the network by itself.
The app ships a default `counter-app-catalog` (data/ct2-catalog.json), used
when the ct2 catalog setting is empty; it is read from the package, never
fetched or cached.

A malformed entry is skipped with a warning (Catalog.warnings); the rest still
loads.  Sizes and checksums pinned at first download (store/pins.py, the office
copy) are filled into entries whose catalog gives none.  Region preferences
for Piper voices (settings: catalogs.piper_regions) travel with the catalog to
the planner (store/resolve.py).
"""

from __future__ import annotations

import importlib.resources
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from counter_app import languages
from counter_app.errors import CatalogError, DownloadError
from counter_app.store import pins
from counter_app.store.catalog_entry import CatalogEntry, RemoteFile
from counter_app.store.catalog_own import OWN_FORMAT, parse_own
from counter_app.store.catalog_upstream import (
    ARGOS_URL,
    PIPER_URL,
    VOSK_URL,
    parse_argos,
    parse_piper,
    parse_vosk,
)
from counter_app.store.download import check_url, fetch_bytes

__all__ = ["ARGOS_URL", "OFF", "OWN_FORMAT", "PIPER_URL", "SHIPPED", "VOSK_URL", "Catalog",
           "CatalogEntry", "CatalogSources", "RemoteFile", "load_catalogs", "parse",
           "parse_argos", "parse_own", "parse_piper", "parse_vosk", "shipped_catalog"]

log = logging.getLogger(__name__)

SHIPPED = "shipped"  # a CatalogSources value: the catalog file inside the app
OFF = "off"  # a catalog setting that turns the catalog off (empty does, except for ct2)
SHIPPED_CT2 = "data/ct2-catalog.json"  # in the counter_app package
SHIPPED_LABEL = f"counter_app/{SHIPPED_CT2} (shipped with the app)"


@dataclass(slots=True)
class CatalogSources:
    """Where catalogs come from (settings); None disables one."""

    vosk: str | None = VOSK_URL
    argos: str | None = ARGOS_URL
    piper: str | None = PIPER_URL
    # Our own format (NLLB / Whisper / splitters): SHIPPED = the app's own file,
    # or a URL on a mirror.
    ct2: str | None = None
    # Piper voice region per language where it differs from the language registry's
    # (en_US, pt_BR, es_ES), e.g. {"es": "es_MX"}.
    regions: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, catalogs) -> CatalogSources:
        """From config.CatalogSettings: an empty Vosk/Argos/Piper URL turns that catalog
        off; an empty ct2 URL means the catalog shipped with the app ("off": none)."""
        def url(value: str) -> str | None:
            return None if not value or value.strip().lower() == OFF else value

        return cls(vosk=url(catalogs.vosk), argos=url(catalogs.argos), piper=url(catalogs.piper),
                   ct2=url(catalogs.ct2) if catalogs.ct2 else SHIPPED,
                   regions=dict(getattr(catalogs, "piper_regions", {}) or {}))

    def items(self) -> list[tuple[str, str]]:
        return [(name, url) for name, url in (("vosk", self.vosk), ("argos", self.argos),
                                              ("piper", self.piper), ("ct2", self.ct2)) if url]


@dataclass(slots=True)
class Catalog:
    entries: list[CatalogEntry] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)  # catalog names present
    shipped: list[str] = field(default_factory=list)  # of those, read from the app itself
    warnings: list[str] = field(default_factory=list)  # malformed entries that were skipped
    regions: dict[str, str] = field(default_factory=dict)  # see CatalogSources.regions

    @property
    def fetched(self) -> list[str]:
        """Catalogs that came from the network (now or cached earlier)."""
        return [name for name in self.loaded if name not in self.shipped]

    def for_kind(self, kind: str, engine: str | None = None) -> list[CatalogEntry]:
        return [e for e in self.entries
                if e.kind == kind and (engine is None or e.engine == engine) and not e.obsolete]

    def find(self, name: str) -> CatalogEntry | None:
        return next((e for e in self.entries if e.name == name), None)

    def region(self, code: str) -> str:
        """The Piper voice region preferred for a language ("" when none)."""
        return self.regions.get(code) or languages.get(code).piper or ""


PARSERS = {"vosk": parse_vosk, "argos": parse_argos, "piper": parse_piper, "ct2": parse_own}


def parse(name: str, raw: bytes, url: str, skipped: list[str] | None = None
          ) -> list[CatalogEntry]:
    """Entries of one catalog; malformed entries are skipped (listed in `skipped`)."""
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(f"The {name} catalog at {url} is not JSON ({exc}). Check the "
                           "catalog URL in the settings.") from exc
    return PARSERS[name](data, url, skipped)


# --- loading (cache first; network only on request) ------------------------------

def load_catalogs(sources: CatalogSources, cache_dir: Path | None,
                  refresh: bool = False) -> Catalog:
    """Catalogs from the cache; with refresh=True, fetched first (and cached).  Files
    pinned in the cache folder's pins.json get their sizes and checksums back."""
    catalog = Catalog(regions=dict(sources.regions))
    for name, url in sources.items():
        if url == SHIPPED:
            catalog.entries += parse(name, shipped_catalog(name), SHIPPED_LABEL,
                                     catalog.warnings)
            catalog.loaded.append(name)
            catalog.shipped.append(name)
            continue
        check_url(url)
        raw = None
        if refresh:
            try:
                raw = fetch_bytes(url)
            except DownloadError as exc:
                raise CatalogError(f"The {name} catalog could not be fetched: {exc}") from exc
            entries = parse(name, raw, url, catalog.warnings)  # validate before caching
            if cache_dir:
                _write_cache(cache_dir, name, url, raw)
        else:
            raw = _read_cache(cache_dir, name, url) if cache_dir else None
            if raw is None:
                continue
            entries = parse(name, raw, url, catalog.warnings)
        catalog.entries += entries
        catalog.loaded.append(name)
    catalog.entries = pins.apply(catalog.entries, cache_dir)
    return catalog


def shipped_catalog(name: str = "ct2") -> bytes:
    """The catalog file inside the app (only our own format ships)."""
    if name != "ct2":
        raise CatalogError(f"The app ships no {name} catalog; set its URL in the settings.")
    return (importlib.resources.files("counter_app") / SHIPPED_CT2).read_bytes()


def _cache_paths(cache_dir: Path, name: str) -> tuple[Path, Path]:
    return cache_dir / f"{name}.json", cache_dir / f"{name}.url"


def _read_cache(cache_dir: Path, name: str, url: str) -> bytes | None:
    data, source = _cache_paths(cache_dir, name)
    if data.exists() and source.exists() and source.read_text().strip() == url:
        return data.read_bytes()
    return None


def _write_cache(cache_dir: Path, name: str, url: str, raw: bytes) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    data, source = _cache_paths(cache_dir, name)
    tmp = data.with_suffix(".tmp")
    tmp.write_bytes(raw)
    tmp.replace(data)
    source.write_text(url)
