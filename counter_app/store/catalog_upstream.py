"""Upstream catalog formats: Vosk, Argos and Piper, each parsed into CatalogEntry.

* Vosk `model-list.json`: a list of {name, lang, lang_text, md5, size,
  size_text, type, url, version, obsolete}.  It has no licence field: each
  model's licence comes from data/vosk-licences.json (the Vosk models page).
* Argos `index.json`: a list of {code, from_code, to_code, package_version,
  argos_version, links, ...}; no sizes or checksums upstream.
* Piper `voices.json`: {voice key: {key, language{code, family, ...},
  quality, files{relative path: {size_bytes, md5_digest}}, ...}}; file paths
  are relative to the folder holding voices.json.  A voice's MODEL_CARD is
  downloaded with it: it states the licence (model_card_licence).

Relative URLs resolve against the catalog's own URL.  A malformed entry is
skipped with a warning (catalog_entry.collect); the rest still loads.
"""

from __future__ import annotations

import importlib.resources
import json
import re
from functools import cache
from pathlib import Path
from urllib.parse import urljoin

from counter_app import languages
from counter_app.errors import CatalogError, UnknownLanguageError
from counter_app.store.catalog_entry import CatalogEntry, RemoteFile, collect
from counter_app.store.catalog_entry import need as _need

# The one place these defaults live (config.CatalogSettings uses them).  Piper's
# is the URL piper itself downloads voices.json from (piper/download_voices.py).
VOSK_URL = "https://alphacephei.com/vosk/models/model-list.json"
ARGOS_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
PIPER_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main/voices.json"

VOSK_LICENCES = "data/vosk-licences.json"  # in the counter_app package
UNKNOWN_VOSK_LICENCE = "see the model page"
MODEL_CARD = "MODEL_CARD"
NO_CARD_LICENCE = "not stated in its MODEL_CARD"


@cache
def vosk_licences() -> dict[str, str]:
    """{model name: licence as the Vosk models page states it}."""
    raw = (importlib.resources.files("counter_app") / VOSK_LICENCES).read_text("utf-8")
    return dict(json.loads(raw)["licences"])


def parse_vosk(data, url: str = VOSK_URL, skipped: list[str] | None = None
               ) -> list[CatalogEntry]:
    if not isinstance(data, list):
        raise CatalogError(f"Vosk model list {url}: expected a JSON list of models.")
    licences = vosk_licences()

    def one(i: int, item) -> CatalogEntry | None:
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
            return None
        version = str(item.get("version", ""))
        return CatalogEntry(
            "asr", "vosk", name, (lang.code,),
            (RemoteFile(urljoin(url, link), name + ".zip", size or None, md5),),
            version=version, license=licences.get(name, UNKNOWN_VOSK_LICENCE),
            catalog="vosk", variant=str(item.get("type", "")),
            obsolete=str(item.get("obsolete", "false")).lower() == "true",
            edition=vosk_edition(name, code))

    return collect(enumerate(data), one, skipped)


def vosk_edition(name: str, code: str) -> str:
    """"" for Alpha Cephei's own line (vosk-model-small-fr-0.22, vosk-model-en-us-0.22),
    else the tag naming another trainer or build ("pguyot", "zamia", "generic")."""
    rest = re.sub(r"^vosk-model-(small-)?", "", name)
    rest = rest.removeprefix(code + "-")
    return "-".join(part for part in rest.split("-") if not re.fullmatch(r"[\d.]+", part))


def parse_argos(data, url: str = ARGOS_URL, skipped: list[str] | None = None
                ) -> list[CatalogEntry]:
    if not isinstance(data, list):
        raise CatalogError(f"Argos package index {url}: expected a JSON list of packages.")

    def one(i: int, item) -> CatalogEntry | None:
        where = f"Argos package index {url}, entry {i}"
        src_code = _need(item, "from_code", str, where)
        tgt_code = _need(item, "to_code", str, where)
        links = _need(item, "links", list, where)
        if not links or not all(isinstance(link, str) for link in links):
            raise CatalogError(f"{where}: 'links' must list at least one URL.")
        if item.get("type", "translate") != "translate":
            return None
        src, tgt = languages.from_argos(src_code), languages.from_argos(tgt_code)
        if src is None or tgt is None:
            return None
        name = str(item.get("code") or f"translate-{src_code}_{tgt_code}")
        return CatalogEntry(
            "mt", "argos", name, (src.code, tgt.code),
            (RemoteFile(urljoin(url, links[0]), name + ".argosmodel"),),
            version=str(item.get("package_version", "")),
            license=str(item.get("license", "see the package README")), catalog="argos")

    return collect(enumerate(data), one, skipped)


def parse_piper(data, url: str = PIPER_URL, skipped: list[str] | None = None
                ) -> list[CatalogEntry]:
    if not isinstance(data, dict):
        raise CatalogError(f"Piper voices.json {url}: expected a JSON object keyed by voice.")

    def one(key: str, item) -> CatalogEntry | None:
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
            if not path.endswith((".onnx", ".onnx.json", "/" + MODEL_CARD)) \
                    and path != MODEL_CARD:
                continue
            remote.append(RemoteFile(urljoin(url, path), path.rsplit("/", 1)[-1], size, md5))
        names = [f.name for f in remote]
        if sum(n.endswith(".onnx") for n in names) != 1 or \
                sum(n.endswith(".onnx.json") for n in names) != 1:
            raise CatalogError(f"{where}: expected one .onnx and one .onnx.json file.")
        if family == "pt" and region_code != "pt_BR":
            return None
        try:
            lang = languages.get(family)
        except UnknownLanguageError:
            return None
        card = MODEL_CARD in names
        return CatalogEntry(
            "tts", "piper", str(item.get("key", key)), (lang.code,), tuple(remote),
            packaging="files", version=str(item.get("version", "")),
            license="see MODEL_CARD" if card else "see the voice's page", catalog="piper",
            variant=quality, region=region_code)

    return collect(data.items(), one, skipped)


# --- a Piper voice's licence, from its MODEL_CARD ---------------------------------

_LICENCE_LINE = re.compile(r"^\s*[*-]?\s*licen[cs]e\s*:\s*(.*?)\s*$", re.I | re.M)
_URL_LINE = re.compile(r"^\s*[*-]?\s*URL\s*:\s*(\S+)", re.I | re.M)
_LICENCE_SECTION = re.compile(r"^#+\s*licen[cs]e\s*$\n+(.+?)(?:\n\s*\n|\n#|\Z)",
                              re.I | re.M | re.S)


_CC_URL = re.compile(r"creativecommons\.org/(?:licenses/([a-z-]+)|publicdomain/(zero))/"
                     r"([\d.]+)", re.I)


def _named(value: str) -> str:
    """A licence URL that names a well-known licence, as that name plus the URL."""
    if match := _CC_URL.search(value):
        kind = "0" if match.group(2) else " " + match.group(1).upper()
        return f"CC{kind} {match.group(3)} ({value})"
    if "unlicense.org" in value.lower():
        return f"Unlicense ({value})"
    return value


def model_card_licence(text: str) -> str:
    """The licence a Piper MODEL_CARD states: its "* License: ..." line ("CC BY 4.0";
    a Creative Commons or Unlicense URL becomes its name plus the URL; "See URL"
    becomes "see <the dataset URL>"), else the first paragraph of a "## License"
    section, else NO_CARD_LICENCE."""
    if match := _LICENCE_LINE.search(text):
        value = match.group(1)
        if value.lower().startswith("see url") and (url := _URL_LINE.search(text)):
            return f"see {url.group(1)}"
        if value:
            return _named(value)
    if match := _LICENCE_SECTION.search(text):
        return " ".join(match.group(1).split())[:200]
    return NO_CARD_LICENCE


def folder_licence(engine: str, folder: Path, recorded: str) -> str:
    """The licence a model's own files state (a Piper voice's MODEL_CARD), else
    `recorded` (what the catalog said)."""
    card = folder / MODEL_CARD
    if engine == "piper" and card.is_file():
        return model_card_licence(card.read_text(encoding="utf-8", errors="replace"))
    return recorded
