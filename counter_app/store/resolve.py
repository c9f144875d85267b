"""What a set of languages needs: ASR, MT both ways with the staff language, TTS.

Preferences: a model whose licence allows commercial use before any other
engine's non-commercial one (an office is not a research lab: Filipino's only
Vosk model is CC-BY-NC-SA, so Whisper serves it; a non-commercial model is
only the last resort, and the plan says so).  Then Vosk small models, Alpha
Cephei's own line and the newest version first (vosk-model-small-fr-0.22, not
the older third-party small-fr-pguyot-0.3); Whisper where Vosk has none: a
model for that language before a multilingual one, then base, tiny, small
(tiny is too weak outside English, small three times the size); a direct
Argos package, else two via English, else a multilingual CTranslate2 model
(NLLB); a Piper voice of the language's region (en_US, pt_BR, es_ES, or the
catalogs.piper_regions setting) before other regions, the smallest quality
that sounds fine (low, then medium).  Models already installed are skipped.
Pure logic over a Catalog and a ModelStore.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from counter_app import engines, languages
from counter_app.store import licences
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


def _rank(row: engines.Engine, region: str):
    """Sort key of one engine's entries for a language (before size)."""
    def key(e: CatalogEntry) -> tuple:
        return ("*" in e.languages,
                bool(row.regional and region and e.region and e.region != region),
                row.variant_rank(e.variant),
                bool(row.newest_first and e.edition),
                tuple(-n for n in e.version_key) if row.newest_first else ())
    return key


def best_entry(catalog: Catalog, kind: str, code: str) -> CatalogEntry | None:
    """The download serving one language: engines in table order, skipping models
    whose licence forbids commercial use while any engine has another; within an
    engine its preferences (_rank), then the smallest."""
    region = catalog.region(code) if kind == "tts" else ""
    for usable in (lambda e: not e.non_commercial, lambda e: True):
        for row in engines.of_kind(kind):
            found = [e for e in catalog.for_kind(kind, row.name)
                     if (code in e.languages or "*" in e.languages) and usable(e)]
            if best := _smallest(found, _rank(row, region)):
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
    if best := _smallest(other, lambda e: licences.needs_acceptance(e.license)):
        return [best]  # a permissive model before one whose licence needs acceptance
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
                _note_licence(result, entry, lang)
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
        _note_licence(result, entry, lang)
        return
    first = next(row for row in engines.of_kind("tts") if row.catalog)
    reason = lang.gap_reasons.get(
        first.name, f"No {first.label} voice for {lang.english} in the catalog.")
    if fallback := next((row for row in spoken if row.fallback), None):
        result.notes.append(f"{lang.code}: {reason} ({fallback.note})")
    else:
        result.notes.append(f"{lang.code}: {reason}")
        result.missing.append(f"tts {lang.code}")


def _note_licence(result: Plan, entry: CatalogEntry, lang) -> None:
    """Say so when the only model the catalogs offer forbids commercial use."""
    if entry.non_commercial:
        result.notes.append(
            f"{lang.code}: {entry.name} is the only {entry.kind} model the catalogs offer "
            f"for {lang.english}, and its licence ({entry.license}) forbids commercial use.")
