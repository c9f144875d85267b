""""Can the engine load it?": one cheap real load per engine, imported lazily.

The engine table (counter_app/engines.py) names each engine's check here.
"""

from __future__ import annotations

import json
from pathlib import Path

from counter_app import engines
from counter_app.errors import ModelLoadError


def load_vosk(path: Path) -> None:
    import vosk

    vosk.SetLogLevel(-1)
    vosk.Model(str(path))


def load_argos(path: Path) -> None:
    data = json.loads((path / "metadata.json").read_text(encoding="utf-8"))
    for key in ("from_code", "to_code"):
        if not isinstance(data.get(key), str):
            raise ValueError(f"metadata.json lacks {key!r}")
    _ct2_translator(path / "model")
    _tokenizer(path)


def load_ct2(path: Path) -> None:
    json.loads((path / "counter-model.json").read_text(encoding="utf-8"))
    _ct2_translator(path / "model" if (path / "model").is_dir() else path)
    _tokenizer(path)


def _ct2_translator(model_dir: Path) -> None:
    import ctranslate2

    ctranslate2.Translator(str(model_dir), device="cpu", inter_threads=1, intra_threads=1)


def _tokenizer(path: Path) -> None:
    pieces = sorted(path.glob("*.model")) + sorted(path.glob("model/*.model"))
    sentencepiece = [p for p in pieces if p.name != "bpe.model"]
    if sentencepiece:
        import sentencepiece as spm

        spm.SentencePieceProcessor(model_file=str(sentencepiece[0]))
    elif not pieces:
        raise FileNotFoundError("no sentencepiece.model or bpe.model")


def load_whisper(path: Path) -> None:
    import ctranslate2

    ctranslate2.models.Whisper(str(path), device="cpu", intra_threads=1)


def load_piper(path: Path) -> None:
    from piper import PiperVoice

    models = sorted(path.glob("*.onnx"))
    if len(models) != 1:
        raise FileNotFoundError(f"expected one .onnx voice, found {len(models)}")
    config = models[0].with_name(models[0].name + ".json")
    if not config.exists():
        raise FileNotFoundError(f"{config.name} is missing")
    PiperVoice.load(models[0], config)


def load_minisbd(path: Path) -> None:
    import onnxruntime

    models = sorted(path.glob("*.onnx"))
    if not models:
        raise FileNotFoundError("no .onnx model")
    onnxruntime.InferenceSession(str(models[0]), providers=["CPUExecutionProvider"])


def check_loads(engine: str, path: Path, name: str = "") -> None:
    """Load the model once with its engine; ModelLoadError if that fails."""
    row = engines.get(engine)
    if row is None or not row.check:
        raise ModelLoadError(f"The app has no {engine} engine to check {name or path.name}.")
    try:
        engines.resolve(row.check)(path)
    except ImportError as exc:
        raise ModelLoadError(f"Cannot check the {engine} model {name or path.name}: its "
                             f"engine library is not installed ({exc.name}).") from exc
    except Exception as exc:  # every engine raises its own types (RuntimeError, ...)
        raise ModelLoadError(f"The {engine} engine cannot load {name or path.name}: {exc}. "
                             "The model was not installed.") from exc
