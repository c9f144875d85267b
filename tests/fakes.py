"""Test doubles for pure pipeline logic (queues, turn state).  Engine adapters
are always tested on real models in their own test files."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence

from counter_app.events import AudioChunk, Quality, Transcript
from counter_app.pipeline.base import (
    AudioSource,
    Recognizer,
    RecognizerSession,
    Synthesizer,
    Translator,
)


class ScriptedSession(RecognizerSession):
    """Emits a partial per chunk, the words of `text` one at a time."""

    def __init__(self, text: str, language: str):
        self.words = text.split()
        self.language = language
        self.heard = 0

    def accept(self, chunk: AudioChunk) -> Transcript | None:
        self.heard += 1
        return Transcript(" ".join(self.words[: self.heard]), self.language, False)

    def finish(self) -> Transcript:
        return Transcript(" ".join(self.words[: max(self.heard, 0)]), self.language, True)


class ScriptedRecognizer(Recognizer):
    engine = "scripted"

    def __init__(self, text: str, language: str):
        self.text, self.language = text, language

    def start(self, phrases: Sequence[str] | None = None) -> RecognizerSession:
        return ScriptedSession(self.text, self.language)


class UpperTranslator(Translator):
    engine = "upper"

    def __init__(self, source: str, target: str):
        self.source, self.target = source, target

    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        return [f"{self.target}:{t.upper()}" for t in texts]


class ToneSynthesizer(Synthesizer):
    engine = "tone"
    sample_rate = 16000

    def __init__(self, language: str, quality: Quality = Quality.GOOD):
        self.language, self.quality = language, quality

    def synthesize(self, text: str, speed: float = 1.0) -> Iterator[AudioChunk]:
        for _sentence in text.split("."):
            yield AudioChunk(b"\x01\x00" * 1600, self.sample_rate)


class GatedSource(AudioSource):
    """Yields silence chunks until stopped (a held push-to-talk button)."""

    def __init__(self, limit: int = 1000):
        self.limit = limit
        self._stop = threading.Event()
        self.started = threading.Event()

    def chunks(self) -> Iterator[AudioChunk]:
        for _ in range(self.limit):
            if self._stop.is_set():
                return
            self.started.set()
            yield AudioChunk(bytes(3200), 16000)
            self._stop.wait(0.01)

    def stop(self) -> None:
        self._stop.set()


class FakeFactory:
    """Stands in for EngineFactory in interpreter logic tests."""

    def __init__(self, text: str = "hello there world", voice_missing: bool = False):
        from counter_app.store import ModelStore

        self.text = text
        self.voice_missing = voice_missing
        self.store = ModelStore("/nonexistent-store", include_packages=False)  # no models

    def recognizer(self, language: str) -> Recognizer:
        return ScriptedRecognizer(self.text, language)

    def translator(self, source: str, target: str) -> Translator | None:
        return UpperTranslator(source, target)

    def choose_synthesizer(self, language: str):
        if self.voice_missing:
            from counter_app.errors import ModelNotFoundError

            raise ModelNotFoundError("voice", language)
        return "tone"

    def translation_service(self):
        from counter_app.pipeline.translation import TranslationService

        return TranslationService(self.translator)

    def synthesizer(self, language: str) -> Synthesizer:
        if self.voice_missing:
            from counter_app.errors import ModelNotFoundError

            raise ModelNotFoundError("voice", language)
        return ToneSynthesizer(language)


def add_choices(factory: FakeFactory, no_asr: tuple[str, ...] = ()) -> FakeFactory:
    """Give the fake the engine-choice API the UI uses to mark missing models."""
    from counter_app.errors import ModelNotFoundError

    def choose_recognizer(code: str):
        if code in no_asr:
            raise ModelNotFoundError("speech recognition", code)
        return "scripted"

    factory.choose_recognizer = choose_recognizer
    factory.store.can_translate = lambda source, target: True  # the fake translates anything
    return factory
