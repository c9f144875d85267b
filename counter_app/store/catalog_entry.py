"""One downloadable model as a catalog lists it, whatever the catalog's format."""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.errors import CatalogError


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
