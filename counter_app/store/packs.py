"""Offline packs: one zip holding the models some languages need, with a manifest.

Layout: `manifest.json` ({"format": "counter-app-pack", "version": 1,
"languages": [...], "models": [records]}) and `models/<kind>/<engine>/<name>/`.
Import lives in install.Installer.import_path (same checks as downloads).
"""

from __future__ import annotations

import json
import time
import zipfile
from pathlib import Path

from counter_app import engines, languages
from counter_app.errors import StoreError
from counter_app.store.local import InstalledModel, ModelStore
from counter_app.store.manifest import (
    PACK_FORMAT,
    PACK_MANIFEST,
    ModelRecord,
    model_files,
    read_record,
    tree_digest,
)


def models_for(store: ModelStore, codes: list[str],
               staff: str = languages.STAFF_LANGUAGE) -> list[InstalledModel]:
    """Installed models serving the staff language and codes: per language the
    recognizer chosen by default plus a Whisper model serving it if one is
    installed (push-to-talk, languages Vosk lacks, language identification),
    MT both ways (a multilingual CTranslate2 model counts once), TTS."""
    wanted = list(dict.fromkeys([staff, *(languages.get(c).code for c in codes)]))
    chosen: dict[Path, InstalledModel] = {}

    def take(model: InstalledModel | None) -> bool:
        if model:
            chosen.setdefault(model.path, model)
        return model is not None

    pivot = languages.PIVOT_LANGUAGE
    for code in wanted:
        for row in engines.of_kind("asr"):  # the default one, and Whisper for push-to-talk
            take(store.find("asr", code, row.name))
        take(store.find("tts", code))
        for model in store.models("sbd"):
            if model.serves(code):
                take(model)
        if code == staff:
            continue
        for source, target in ((staff, code), (code, staff)):
            if not take(store.find_mt(source, target)) and pivot not in (source, target):
                take(store.find_mt(source, pivot))
                take(store.find_mt(pivot, target))
    return list(chosen.values())


def record_for(model: InstalledModel) -> ModelRecord:
    record = read_record(model.path) or ModelRecord(
        model.name, model.kind, model.engine, list(model.languages),
        source=model.source, license=str(model.meta.get("license", "")),
        pairs=str(model.meta.get("pairs", "")))
    record.languages = list(model.languages)
    record.sha256, record.size = tree_digest(model.path)
    return record


def write_pack(models: list[InstalledModel], output: str | Path,
               codes: list[str] = ()) -> Path:
    """Write the models and their manifest into one zip (stored: models barely compress)."""
    if not models:
        raise StoreError("No installed model serves those languages; nothing to pack. "
                         "Install them first (counter-app models install ...).")
    output = Path(output)
    records = [record_for(m) for m in models]
    manifest = {"format": PACK_FORMAT, "version": 1, "languages": list(codes),
                "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                "models": [r.to_dict() for r in records]}
    part = output.with_name(output.name + ".part")
    try:
        with zipfile.ZipFile(part, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
            zf.writestr(PACK_MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1))
            for model, record in zip(models, records, strict=True):
                for path in model_files(model.path):
                    rel = path.relative_to(model.path).as_posix()
                    zf.write(path, f"models/{record.store_path}/{rel}")
        part.replace(output)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    return output


def pack(store: ModelStore, codes: list[str], output: str | Path) -> Path:
    return write_pack(models_for(store, codes), output, codes)
