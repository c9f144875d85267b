"""Reading one model folder per engine: which languages it serves, its name.

The engine table (counter_app/engines.py) points at these readers; each gets
the folder and the facts the installer recorded (meta) and returns our
language codes, () when unknown.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from counter_app import languages
from counter_app.store.model_language import language_from_files

_VOSK_NAME = re.compile(r"vosk-model-(?:small-)?([a-z]{2}(?:-[a-z]{2})?)", re.I)


def _recorded(meta: dict) -> tuple[str, ...]:
    """The languages the installer recorded (when the files do not say)."""
    return tuple(meta.get("languages") or ())


def vosk_languages(path: Path, meta: dict) -> tuple[str, ...]:
    code = meta.get("lang")
    if not code and (match := _VOSK_NAME.search(meta.get("name") or path.name)):
        code = match.group(1).lower()
    lang = languages.from_vosk(code) if code else None
    if lang is None and code in languages.LANGUAGES:
        lang = languages.LANGUAGES[code]
    if lang is None and not meta.get("languages"):  # a renamed folder: its README may say
        lang = languages.LANGUAGES.get(language_from_files(path) or "")
    return (lang.code,) if lang else _recorded(meta)


def whisper_languages(path: Path, meta: dict) -> tuple[str, ...]:
    """("en",) for English-only ".en" models, else what the installer recorded, else ("*",)."""
    if path.name.endswith(".en") or str(meta.get("name", "")).endswith(".en"):
        return ("en",)
    return _recorded(meta) or ("*",)


def argos_languages(path: Path, meta: dict) -> tuple[str, ...]:
    """From metadata.json only (a recorded list never stands in for it)."""
    data = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    src, tgt = languages.from_argos(data["from_code"]), languages.from_argos(data["to_code"])
    if src is None or tgt is None:
        return ()
    return (src.code, tgt.code)


def argos_name(folder: Path) -> str:
    """An imported Argos package is named after its pair, as the index names it."""
    data = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
    return f"translate-{data['from_code']}_{data['to_code']}"


def ct2_languages(path: Path, meta: dict) -> tuple[str, ...]:
    data = json.loads((path / "counter-model.json").read_text(encoding="utf-8"))
    if data.get("pairs"):
        meta.setdefault("pairs", data["pairs"])  # "any": multilingual (NLLB)
    return tuple(data.get("languages", ())) or _recorded(meta)


def piper_languages(path: Path, meta: dict) -> tuple[str, ...]:
    configs = sorted(path.glob("*.onnx.json"))
    if not configs:
        return _recorded(meta)
    data = json.loads(configs[0].read_text(encoding="utf-8"))
    family = data.get("language", {}).get("family") or data.get("espeak", {}).get("voice", "")
    region = data.get("language", {}).get("code", "")
    if region == "pt_BR":
        return ("pt",)
    try:
        return (languages.get(family.split("-")[0]).code,)
    except Exception:
        return _recorded(meta)


def minisbd_languages(path: Path, meta: dict) -> tuple[str, ...]:
    return _recorded(meta) or (path.name,)
