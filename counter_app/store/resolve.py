"""What a set of languages needs: ASR, MT both ways with the staff language, TTS.

Preferences: Vosk small models (Whisper where Vosk has none: a model for
that language before a multilingual one, then base, tiny, small: tiny is too
weak outside English and small is three times the size); a direct Argos
package, else two via English, else a multilingual CTranslate2 model (NLLB);
the smallest Piper voice quality that sounds fine (low, then medium).  Models
already installed are skipped.  Pure logic over a Catalog and a ModelStore.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from counter_app import engines, languages
from counter_app.store.catalog import Catalog, CatalogEntry
from counter_app.store.local import ModelStore


@dataclass(slots=True)
class Plan:
    entries: list[CatalogEntry] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what cannot be downloaded, and why
    missing: list[str] = field(default_factory=list)  # "<kind> <detail>" still unserved

    def add(self, entry: CatalogEntry) -> None:
        if all(e.name != entry.name or e.engine != entry.engine for e in self.entries):
            self.entries.append(entry)

    @property
    def total_size(self) -> int:
        return sum(e.size or 0 for e in self.entries)

    @property
    def unknown_sizes(self) -> int:
        return sum(e.size is None for e in self.entries)


def _smallest(entries: list[CatalogEntry], rank=lambda e: 0) -> CatalogEntry | None:
    """The best-ranked entry, the smallest among equals (unknown sizes last)."""
    entries = sorted(entries, key=lambda e: (rank(e), e.size is None, e.size or 0, e.name))
    return entries[0] if entries else None


def best_entry(catalog: Catalog, kind: str, code: str) -> CatalogEntry | None:
    """The download serving one language, engines in table order: within an engine
    a model for that language before a multilingual one, then the engine's
    preferred variants (its `variant_order`), then the smallest."""
    for row in engines.of_kind(kind):
        found = [e for e in catalog.for_kind(kind, row.name)
                 if code in e.languages or "*" in e.languages]
        if best := _smallest(found, lambda e, row=row: ("*" in e.languages,
                                                        row.variant_rank(e.variant))):
            return best
    return None


def asr_entry(catalog: Catalog, code: str) -> CatalogEntry | None:
    return best_entry(catalog, "asr", code)


def tts_entry(catalog: Catalog, code: str) -> CatalogEntry | None:
    return best_entry(catalog, "tts", code)


def mt_entries(catalog: Catalog, store: ModelStore, source: str,
               target: str) -> list[CatalogEntry] | None:
    """Entries that make source->target work ([] if it already does), None if impossible."""
    if store.find_mt(source, target):
        return []
    rows = engines.of_kind("mt")  # per-pair engines (Argos) first, pivoting through
    # English; then multilingual ones (shared: one model serves many pairs)
    pairwise = [e for row in rows if not row.shared for e in catalog.for_kind("mt", row.name)]

    def direct(src: str, tgt: str) -> CatalogEntry | None:
        return next((e for e in pairwise if e.serves_pair(src, tgt)), None)

    if entry := direct(source, target):
        return [entry]
    pivot = languages.PIVOT_LANGUAGE
    if pivot not in (source, target):
        legs = []
        for src, tgt in ((source, pivot), (pivot, target)):
            if store.find_mt(src, tgt):
                continue
            legs.append(direct(src, tgt))
        if None not in legs:
            return legs
    other = [e for row in rows if row.shared for e in catalog.for_kind("mt", row.name)
             if e.serves_pair(source, target)]
    if best := _smallest(other):
        return [best]
    return None


def plan(codes: list[str], catalog: Catalog, store: ModelStore,
         staff: str = languages.STAFF_LANGUAGE) -> Plan:
    """The downloads that make the staff language and each of codes work."""
    wanted = [languages.get(c).code for c in codes]
    result = Plan()
    for code in dict.fromkeys([staff, *wanted]):
        lang = languages.get(code)
        if not store.find("asr", code):
            if entry := asr_entry(catalog, code):
                result.add(entry)
            else:
                result.missing.append(f"asr {code}")
        _plan_tts(result, catalog, store, lang)
        if code != staff:
            for source, target in ((staff, code), (code, staff)):
                entries = mt_entries(catalog, store, source, target)
                if entries is None:
                    result.missing.append(f"mt {source}->{target}")
                else:
                    for entry in entries:
                        result.add(entry)
    return result


def _plan_tts(result: Plan, catalog: Catalog, store: ModelStore, lang) -> None:
    """A voice model to download, unless an engine without model files speaks the
    language well; a fallback engine (espeak-ng) is only noted."""
    if not lang.voice:
        return
    spoken = [row for row in engines.of_kind("tts")
              if not row.has_models and not row.opt_in and row.serves(lang)]
    if good := next((row for row in spoken if not row.fallback), None):
        result.notes.append(f"{lang.code}: {good.note}")
        return
    if store.find("tts", lang.code):
        return
    if entry := tts_entry(catalog, lang.code):
        result.add(entry)
        return
    first = next(row for row in engines.of_kind("tts") if row.catalog)
    reason = lang.gap_reasons.get(
        first.name, f"No {first.label} voice for {lang.english} in the catalog.")
    if fallback := next((row for row in spoken if row.fallback), None):
        result.notes.append(f"{lang.code}: {reason} ({fallback.note})")
    else:
        result.notes.append(f"{lang.code}: {reason}")
        result.missing.append(f"tts {lang.code}")
