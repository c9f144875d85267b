"""Upstream catalog formats: Vosk, Argos and Piper, each parsed into CatalogEntry.

* Vosk `model-list.json`: a list of {name, lang, lang_text, md5, size,
  size_text, type, url, version, obsolete}.
* Argos `index.json`: a list of {code, from_code, to_code, package_version,
  argos_version, links, ...}; no sizes or checksums upstream.
* Piper `voices.json`: {voice key: {key, language{code, family, ...},
  quality, files{relative path: {size_bytes, md5_digest}}, ...}}; file paths
  are relative to the folder holding voices.json.

Relative URLs resolve against the catalog's own URL.
"""

from __future__ import annotations

from urllib.parse import urljoin

from counter_app import languages
from counter_app.errors import CatalogError
from counter_app.store.catalog_entry import CatalogEntry, RemoteFile
from counter_app.store.catalog_entry import need as _need

VOSK_URL = "https://alphacephei.com/vosk/models/model-list.json"
ARGOS_URL = "https://raw.githubusercontent.com/argosopentech/argospm-index/main/index.json"
PIPER_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/v1.0.0/voices.json"


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
