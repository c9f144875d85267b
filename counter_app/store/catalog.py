"""Model catalogs in their upstream formats, plus our own for other models.

* Vosk `model-list.json`: a list of {name, lang, lang_text, md5, size,
  size_text, type, url, version, obsolete}.
* Argos `index.json`: a list of {code, from_code, to_code, package_version,
  argos_version, links, ...}; no sizes or checksums upstream.
* Piper `voices.json`: {voice key: {key, language{code, family, ...},
  quality, files{relative path: {size_bytes, md5_digest}}, ...}}; file paths
  are relative to the folder holding voices.json.
* `counter-app-catalog` (ours): {"format": "counter-app-catalog",
  "version": 1, "models": [{kind, engine, name, languages, license, version?,
  variant?, pairs?, format?, packaging?, ...}]} for CTranslate2 models (NLLB,
  Whisper) and sentence splitters.  `packaging` "zip" (default): one archive
  {url, size?, sha256?}; "files": loose files {files: [{name, url, size?,
  sha256?}]} put side by side in the model folder (`url` is then just the
  model's page).  A size or sha256 that is null or missing is unknown.

Relative URLs resolve against the catalog's own URL, so an office mirror can
serve everything from one folder.  Catalogs are read from the local cache
unless a refresh is asked for: nothing here touches the network by itself.
The app ships a default `counter-app-catalog` (data/ct2-catalog.json), used
when the ct2 catalog setting is empty; it is read from the package, never
fetched or cached.
"""

from __future__ import annotations

import importlib.resources
import json
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin

from counter_app import engines, languages
from counter_app.errors import CatalogError, DownloadError, UnknownLanguageError
from counter_app.store.download import check_url, fetch_bytes

log = logging.getLogger(__name__)

VOSK_URL = "https://alphacephei.com/vosk/models/model-list.json"
ARGOS_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
PIPER_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0/voices.json"
OWN_FORMAT = "counter-app-catalog"
SHIPPED = "shipped"  # a CatalogSources value: the catalog file inside the app
OFF = "off"  # a catalog setting that turns the catalog off (empty does, except for ct2)
SHIPPED_CT2 = "data/ct2-catalog.json"  # in the counter_app package
SHIPPED_LABEL = f"counter_app/{SHIPPED_CT2} (shipped with the app)"


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


@dataclass(slots=True)
class CatalogSources:
    """Where catalogs come from (settings); None disables one."""

    vosk: str | None = VOSK_URL
    argos: str | None = ARGOS_URL
    piper: str | None = PIPER_URL
    # Our own format (NLLB / Whisper / splitters): SHIPPED = the app's own file,
    # or a URL on a mirror.
    ct2: str | None = None

    @classmethod
    def from_settings(cls, catalogs) -> CatalogSources:
        """From config.CatalogSettings: an empty Vosk/Argos/Piper URL turns that catalog
        off; an empty ct2 URL means the catalog shipped with the app ("off": none)."""
        def url(value: str) -> str | None:
            return None if not value or value.strip().lower() == OFF else value

        return cls(vosk=url(catalogs.vosk), argos=url(catalogs.argos), piper=url(catalogs.piper),
                   ct2=url(catalogs.ct2) if catalogs.ct2 else SHIPPED)

    def items(self) -> list[tuple[str, str]]:
        return [(name, url) for name, url in (("vosk", self.vosk), ("argos", self.argos),
                                              ("piper", self.piper), ("ct2", self.ct2)) if url]


@dataclass(slots=True)
class Catalog:
    entries: list[CatalogEntry] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)  # catalog names present
    shipped: list[str] = field(default_factory=list)  # of those, read from the app itself

    @property
    def fetched(self) -> list[str]:
        """Catalogs that came from the network (now or cached earlier)."""
        return [name for name in self.loaded if name not in self.shipped]

    def for_kind(self, kind: str, engine: str | None = None) -> list[CatalogEntry]:
        return [e for e in self.entries
                if e.kind == kind and (engine is None or e.engine == engine) and not e.obsolete]

    def find(self, name: str) -> CatalogEntry | None:
        return next((e for e in self.entries if e.name == name), None)


# --- parsers ---------------------------------------------------------------------

def _need(item: dict, key: str, kinds: type | tuple, where: str):
    if not isinstance(item, dict):
        raise CatalogError(f"{where}: expected an object, found {type(item).__name__}.")
    if key not in item:
        raise CatalogError(f"{where}: the field {key!r} is missing.")
    value = item[key]
    if not isinstance(value, kinds) or (isinstance(value, bool) and kinds is int):
        raise CatalogError(f"{where}: the field {key!r} has an unexpected value {value!r}.")
    return value


def parse_vosk(data, url: str = VOSK_URL) -> list[CatalogEntry]:
    if not isinstance(data, list):
        raise CatalogError(f"Vosk model list {url}: expected a JSON list of models.")
    entries = []
    for i, item in enumerate(data):
        where = f"Vosk model list {url}, entry {i}"
        name = _need(item, "name", str, where)
        code = _need(item, "lang", str, where)
        link = _need(item, "url", str, where)
        size = _need(item, "size", int, where)
        md5 = item.get("md5") or None
        if md5 is not None and not isinstance(md5, str):
            raise CatalogError(f"{where}: the field 'md5' has an unexpected value {md5!r}.")
        lang = languages.from_vosk(code)
        if lang is None or not name.startswith("vosk-model") or "-spk-" in name:
            continue
        entries.append(CatalogEntry(
            "asr", "vosk", name, (lang.code,),
            (RemoteFile(urljoin(url, link), name + ".zip", size or None, md5),),
            version=str(item.get("version", "")), license="see the model page",
            catalog="vosk", variant=str(item.get("type", "")),
            obsolete=str(item.get("obsolete", "false")).lower() == "true"))
    return entries


def parse_argos(data, url: str = ARGOS_URL) -> list[CatalogEntry]:
    if not isinstance(data, list):
        raise CatalogError(f"Argos package index {url}: expected a JSON list of packages.")
    entries = []
    for i, item in enumerate(data):
        where = f"Argos package index {url}, entry {i}"
        src_code = _need(item, "from_code", str, where)
        tgt_code = _need(item, "to_code", str, where)
        links = _need(item, "links", list, where)
        if not links or not all(isinstance(link, str) for link in links):
            raise CatalogError(f"{where}: 'links' must list at least one URL.")
        if item.get("type", "translate") != "translate":
            continue
        src, tgt = languages.from_argos(src_code), languages.from_argos(tgt_code)
        if src is None or tgt is None:
            continue
        name = str(item.get("code") or f"translate-{src_code}_{tgt_code}")
        entries.append(CatalogEntry(
            "mt", "argos", name, (src.code, tgt.code),
            (RemoteFile(urljoin(url, links[0]), name + ".argosmodel"),),
            version=str(item.get("package_version", "")),
            license=str(item.get("license", "see the package README")), catalog="argos"))
    return entries


_PIPER_QUALITY = {"x_low": 0, "low": 1, "medium": 2, "high": 3}


def parse_piper(data, url: str = PIPER_URL) -> list[CatalogEntry]:
    if not isinstance(data, dict):
        raise CatalogError(f"Piper voices.json {url}: expected a JSON object keyed by voice.")
    entries = []
    for key, item in data.items():
        where = f"Piper voices.json {url}, voice {key!r}"
        language = _need(item, "language", dict, where)
        family = _need(language, "family", str, where + " language")
        region_code = _need(language, "code", str, where + " language")
        quality = _need(item, "quality", str, where)
        files = _need(item, "files", dict, where)
        remote = []
        for path, info in files.items():
            size = _need(info, "size_bytes", int, f"{where} file {path!r}")
            md5 = info.get("md5_digest")
            if not (path.endswith(".onnx") or path.endswith(".onnx.json")):
                continue  # the MODEL_CARD is informative only
            remote.append(RemoteFile(urljoin(url, path), path.rsplit("/", 1)[-1], size, md5))
        if len(remote) != 2:
            raise CatalogError(f"{where}: expected one .onnx and one .onnx.json file.")
        if family == "pt" and region_code != "pt_BR":
            continue
        try:
            lang = languages.get(family)
        except Exception:
            continue
        entries.append(CatalogEntry(
            "tts", "piper", str(item.get("key", key)), (lang.code,), tuple(remote),
            packaging="files", version=str(item.get("version", "")),
            license="see MODEL_CARD", catalog="piper", variant=quality))
    return entries


def parse_own(data, url: str = "") -> list[CatalogEntry]:
    if not isinstance(data, dict) or data.get("format") != OWN_FORMAT:
        raise CatalogError(f"Catalog {url}: not a {OWN_FORMAT!r} file "
                           "(expected an object with \"format\": \"counter-app-catalog\").")
    if data.get("version") != 1:
        raise CatalogError(f"Catalog {url}: unsupported version {data.get('version')!r}.")
    entries = []
    for i, item in enumerate(_need(data, "models", list, f"Catalog {url}")):
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
        entries.append(CatalogEntry(
            kind, engine, name, langs, files, packaging=packaging,
            version=str(item.get("version", "")), license=license_, catalog="ct2",
            pairs=str(item.get("pairs", "")), variant=str(item.get("variant", "")),
            format=str(item.get("format", ""))))
    return entries


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


PARSERS = {"vosk": parse_vosk, "argos": parse_argos, "piper": parse_piper, "ct2": parse_own}


def parse(name: str, raw: bytes, url: str) -> list[CatalogEntry]:
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise CatalogError(f"The {name} catalog at {url} is not JSON ({exc}). Check the "
                           "catalog URL in the settings.") from exc
    return PARSERS[name](data, url)


# --- loading (cache first; network only on request) ------------------------------

def load_catalogs(sources: CatalogSources, cache_dir: Path | None,
                  refresh: bool = False) -> Catalog:
    """Catalogs from the cache; with refresh=True, fetched first (and cached)."""
    catalog = Catalog()
    for name, url in sources.items():
        if url == SHIPPED:
            catalog.entries += parse(name, shipped_catalog(name), SHIPPED_LABEL)
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
            entries = parse(name, raw, url)  # validate before caching
            if cache_dir:
                _write_cache(cache_dir, name, url, raw)
        else:
            raw = _read_cache(cache_dir, name, url) if cache_dir else None
            if raw is None:
                continue
            entries = parse(name, raw, url)
        catalog.entries += entries
        catalog.loaded.append(name)
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
