"""One downloadable model as a catalog lists it, whatever the catalog's format."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from counter_app.errors import CatalogError
from counter_app.store import licences

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RemoteFile:
    url: str
    name: str  # file name inside the model folder (for packaging "files")
    size: int | None = None
    md5: str | None = None
    sha256: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One downloadable model."""

    kind: str  # asr | mt | tts | sbd
    engine: str  # vosk | whisper | argos | ct2 | piper | minisbd
    name: str  # folder name in the store
    languages: tuple[str, ...]  # our codes; MT: (source, target) unless pairs == "any"
    files: tuple[RemoteFile, ...]
    packaging: str = "zip"  # zip (any archive) | files (loose files)
    version: str = ""
    license: str = ""
    catalog: str = ""
    variant: str = ""  # Vosk small/big, Piper x_low/low/medium/high
    pairs: str = ""  # "any": a multilingual MT model serving every pair of its languages
    obsolete: bool = False
    format: str = ""  # ct2 MT: "nllb" | "m2m100" (see pipeline/mt_ct2.py)
    region: str = ""  # Piper: the voice's locale, e.g. "en_US", "es_MX"
    # Vosk: "" for the vendor's own line of models (vosk-model-small-fr-0.22), else the
    # third-party tag in the name ("pguyot", "zamia", "rhasspy", "generic", "linto").
    edition: str = ""

    @property
    def non_commercial(self) -> bool:
        """Its licence forbids commercial use (an office should not rely on it)."""
        return licences.needs_acceptance(self.license)

    @property
    def version_key(self) -> tuple[int, ...]:
        """The version's numbers for comparing (Vosk "0.22" > "0.3" > "0.15"; none: ())."""
        return tuple(int(n) for n in re.findall(r"\d+", self.version))

    @property
    def size(self) -> int | None:
        """Download size in bytes, None when the catalog does not say."""
        sizes = [f.size for f in self.files]
        return None if any(s is None for s in sizes) else sum(sizes)

    def serves_pair(self, source: str, target: str) -> bool:
        if self.pairs == "any":
            return source in self.languages and target in self.languages and source != target
        return self.languages[:2] == (source, target)

    def meta(self) -> dict:
        """Facts recorded beside the installed model."""
        return {"name": self.name, "kind": self.kind, "engine": self.engine,
                "languages": list(self.languages), "version": self.version,
                "license": self.license, "source": self.catalog or "catalog",
                "variant": self.variant, "pairs": self.pairs, "format": self.format,
                "urls": [f.url for f in self.files]}

    def description(self) -> dict:
        """The `counter-model.json` of a ct2 MT model, for downloads that lack one."""
        return {"name": self.name, "engine": self.engine, "format": self.format or "nllb",
                "languages": list(self.languages), "pairs": self.pairs,
                "license": self.license, "version": self.version,
                "source": f"{self.catalog or 'catalog'} catalog"}


def need(item: dict, key: str, kinds: type | tuple, where: str):
    """item[key], checked to be of the expected type (CatalogError saying where if not)."""
    if not isinstance(item, dict):
        raise CatalogError(f"{where}: expected an object, found {type(item).__name__}.")
    if key not in item:
        raise CatalogError(f"{where}: the field {key!r} is missing.")
    value = item[key]
    if not isinstance(value, kinds) or (isinstance(value, bool) and kinds is int):
        raise CatalogError(f"{where}: the field {key!r} has an unexpected value {value!r}.")
    return value


def collect(items, parse_one, skipped: list[str] | None = None) -> list[CatalogEntry]:
    """parse_one(index, item) -> CatalogEntry | None (None: not for this app) over a
    catalog's items.  A malformed item (CatalogError) is skipped with a warning (and
    its message appended to `skipped`); the rest still loads.  Only when no item at
    all is readable is the whole catalog an error."""
    entries: list[CatalogEntry] = []
    problems: list[str] = []
    readable = 0
    for index, item in items:
        try:
            entry = parse_one(index, item)
        except CatalogError as exc:
            problems.append(str(exc))
            continue
        readable += 1
        if entry is not None:
            entries.append(entry)
    if problems and not readable:
        more = f" ({len(problems) - 1} more entries are malformed too)" if len(problems) > 1 \
            else ""
        raise CatalogError(problems[0] + more)
    for problem in problems:
        log.warning("Catalog entry skipped: %s", problem)
    if skipped is not None:
        skipped.extend(problems)
    return entries
