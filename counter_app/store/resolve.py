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

from counter_app import languages
from counter_app.store.catalog import Catalog, CatalogEntry
from counter_app.store.local import ModelStore

PIPER_ORDER = {"low": 0, "medium": 1, "x_low": 2, "high": 3}
WHISPER_ORDER = {"base": 0, "tiny": 1, "small": 2, "medium": 3}


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


def asr_entry(catalog: Catalog, code: str) -> CatalogEntry | None:
    vosk = [e for e in catalog.for_kind("asr", "vosk") if code in e.languages]
    if best := _smallest(vosk, lambda e: e.variant != "small"):
        return best
    whisper = [e for e in catalog.for_kind("asr", "whisper") if e.languages and
               (code in e.languages or "*" in e.languages)]
    return _smallest(whisper, lambda e: ("*" in e.languages, WHISPER_ORDER.get(e.variant, 9)))


def tts_entry(catalog: Catalog, code: str) -> CatalogEntry | None:
    voices = [e for e in catalog.for_kind("tts", "piper") if code in e.languages]
    return _smallest(voices, lambda e: PIPER_ORDER.get(e.variant, 9))


def mt_entries(catalog: Catalog, store: ModelStore, source: str,
               target: str) -> list[CatalogEntry] | None:
    """Entries that make source->target work ([] if it already does), None if impossible."""
    if store.find_mt(source, target):
        return []
    argos = catalog.for_kind("mt", "argos")

    def direct(src: str, tgt: str) -> CatalogEntry | None:
        return next((e for e in argos if e.serves_pair(src, tgt)), None)

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
    other = [e for e in catalog.for_kind("mt", "ct2") if e.serves_pair(source, target)]
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
    if not lang.voice:
        return
    if lang.openjtalk:
        result.notes.append(f"{lang.code}: speech by Open JTalk (pyopenjtalk), not a download.")
        return
    if store.find("tts", lang.code):
        return
    if entry := tts_entry(catalog, lang.code):
        result.add(entry)
        return
    reason = lang.gap_reasons.get("piper", f"No Piper voice for {lang.english} in the catalog.")
    if lang.espeak:
        result.notes.append(f"{lang.code}: {reason} (espeak-ng is a system package, "
                            "not a download.)")
    else:
        result.notes.append(f"{lang.code}: {reason}")
        result.missing.append(f"tts {lang.code}")
