"""What each language can do with the models installed, and what completing it costs.

Read by the `languages` command, the model manager and the session; never touches
the network (catalogs come from the store's cache, or none).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from counter_app import languages
from counter_app.errors import CounterAppError
from counter_app.store.catalog import Catalog, CatalogSources, load_catalogs
from counter_app.store.health import CATALOG_CACHE
from counter_app.store.local import InstalledModel, ModelStore
from counter_app.store.resolve import plan


def human_size(size: int | None) -> str:
    if size is None:
        return "size unknown"
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


@dataclass(slots=True)
class LanguageAvailability:
    code: str
    installed: dict[str, list[str]] = field(default_factory=dict)  # kind -> engine names
    missing: list[str] = field(default_factory=list)  # kinds (or "mt ja->xx") still missing
    download_size: int | None = None  # bytes to complete; None without a cached catalog
    notes: list[str] = field(default_factory=list)


def language_availability(store: ModelStore, catalogs: Catalog | None = None,
                          staff: str = languages.STAFF_LANGUAGE) -> list[LanguageAvailability]:
    """Per language of the registry: installed engines, gaps, size to complete.

    Never touches the network: pass catalogs loaded from the cache (or None).
    """
    models = store.models()
    rows = []
    for code, lang in languages.LANGUAGES.items():
        row = LanguageAvailability(code)
        for kind in ("asr", "tts"):
            engines = sorted({m.engine for m in models if m.kind == kind and m.serves(code)})
            if engines:
                row.installed[kind] = engines
        if lang.openjtalk:
            row.installed.setdefault("tts", []).append("openjtalk (system)")
        mt = sorted({m.engine for m in models if m.kind == "mt" and code in m.languages})
        if mt:
            row.installed["mt"] = mt
        needed = _needs(store, code, staff, lang)
        row.missing = needed
        if catalogs is not None and needed:
            wanted = plan([code], catalogs, store, staff)
            row.download_size = wanted.total_size if not wanted.unknown_sizes else None
            row.notes = wanted.notes + [f"not in any catalog: {m}" for m in wanted.missing]
        elif not needed:
            row.download_size = 0
        rows.append(row)
    return rows


def _needs(store: ModelStore, code: str, staff: str, lang) -> list[str]:
    missing = []
    if not store.find("asr", code):
        missing.append("asr")
    if code != staff:
        for source, target in ((staff, code), (code, staff)):
            if not store.can_translate(source, target):
                missing.append(f"mt {source}->{target}")
    if lang.voice and not lang.openjtalk and not store.find("tts", code) and not lang.espeak:
        missing.append("tts")
    return missing




def cached_catalogs(store: ModelStore, sources: CatalogSources) -> Catalog | None:
    """The catalogs as last fetched into the store's cache; None when nothing was ever
    fetched (sizes stay unknown until an install fetches) or the cache is unreadable."""
    try:
        catalogs = load_catalogs(sources, store.root / CATALOG_CACHE)
    except CounterAppError:
        return None
    return catalogs if catalogs.fetched else None


@dataclass(frozen=True, slots=True)
class Overview:
    """What the model manager shows, gathered off the GUI thread."""

    models: list[tuple[InstalledModel, int]]  # with sizes in bytes
    rows: list[LanguageAvailability]
    catalog: Catalog | None  # from the cache; None when nothing is cached
    catalog_problem: str = ""


def gather(store: ModelStore, sources: CatalogSources) -> Overview:
    """Installed models and per-language availability, from disk only."""
    problem = ""
    try:
        catalog: Catalog | None = load_catalogs(sources, store.root / CATALOG_CACHE)
    except CounterAppError as exc:
        catalog, problem = None, str(exc)
    if catalog is not None and not catalog.loaded:
        catalog = None
    models = [(model, model.size) for model in store.models()]
    return Overview(models, language_availability(store, catalog), catalog, problem)
