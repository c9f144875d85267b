"""Loading a CTranslate2 translation model, shared by the MT adapters."""

from __future__ import annotations

import json
from pathlib import Path

from counter_app.errors import EngineUnavailableError, ModelLoadError


def load_translator(model_dir: Path, compute_type: str, threads: int, what: str = ""):
    """A CPU `ctranslate2.Translator` for `model_dir`, or a clear ModelLoadError.

    `what` names the model for people, e.g. "Argos package ko_en"."""
    if not (model_dir / "model.bin").is_file():
        raise ModelLoadError(f"{what or model_dir} has no CTranslate2 model "
                             f"({model_dir / 'model.bin'} is missing).")
    try:
        import ctranslate2
    except ImportError as exc:
        raise EngineUnavailableError("Translation needs 'ctranslate2': pip install ctranslate2"
                                     ) from exc
    try:
        return ctranslate2.Translator(str(model_dir), device="cpu", compute_type=compute_type,
                                      inter_threads=1, intra_threads=threads)
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelLoadError(f"CTranslate2 cannot load {model_dir}: {exc}") from exc


def read_json_object(file: Path) -> dict:
    """A model's JSON description (metadata.json, counter-model.json) as a dict."""
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"Cannot read {file}: {exc}") from exc
    if not isinstance(data, dict):
        raise ModelLoadError(f"{file} does not hold a JSON object.")
    return data
