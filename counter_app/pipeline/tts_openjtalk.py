"""Japanese speech through Open JTalk (PyPI `pyopenjtalk-plus`), fully offline.

The wheel ships the Open JTalk dictionary and the HTS voice "Mei"; kanji
readings are corrected with SudachiPy + `sudachidict_core`.  Output stays at
the voice's native 48 kHz (int16, mono): no resampling cost, no quality loss.

Licences (read from the installed wheels):
- pyopenjtalk-plus: MIT (Ryuichi Yamamoto and contributors).
- Open JTalk and hts_engine API compiled into it: Modified BSD (Nagoya Institute
  of Technology), notice in `pyopenjtalk/dictionary/COPYING`.
- Dictionary (`pyopenjtalk/dictionary/`, a customized mecab-naist-jdic):
  Modified BSD (NAIST; parts from UniDic, BSD 3-clause, UniDic Consortium).
- HTS voice `mei_normal.htsvoice`: Creative Commons Attribution 3.0 (Nagoya
  Institute of Technology, MMDAgent Project): credit "HTS Voice Mei" in the
  app's about/licence screen.
- SudachiPy and sudachidict_core: Apache-2.0 (Works Applications).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

import numpy as np

from counter_app.errors import EngineUnavailableError, ModelLoadError
from counter_app.events import AudioChunk, Quality
from counter_app.pipeline.base import Synthesizer
from counter_app.pipeline.lean_install import prepare_openjtalk_sudachi
from counter_app.pipeline.sentences import split_rules

log = logging.getLogger(__name__)

OPENJTALK_RATE = 48_000
_WARM_UP_TEXT = "日本語"  # loads the dictionary, the voice and Sudachi once


def split_japanese(text: str) -> list[str]:
    """Sentences ending in 。！？ (kept) or a line break; punctuation-only parts dropped."""
    parts = (part for line in text.splitlines() for part in split_rules(line, "ja"))
    return [part for part in parts if any(ch.isalnum() for ch in part)]


class OpenJTalkSynthesizer(Synthesizer):
    """The default Japanese voice: one 48 kHz int16 chunk per sentence."""

    engine = "openjtalk"
    language = "ja"
    sample_rate = OPENJTALK_RATE
    quality = Quality.GOOD

    def __init__(self) -> None:
        started = time.perf_counter()
        self._tts = _import_openjtalk()
        try:
            self._tts(_WARM_UP_TEXT)
        except Exception as exc:
            raise ModelLoadError(
                f"Open JTalk could not load its dictionary or voice ({exc}). "
                "Reinstall it: pip install --force-reinstall pyopenjtalk-plus") from exc
        self.load_seconds = time.perf_counter() - started
        log.info("Open JTalk ready in %.2f s", self.load_seconds)

    def synthesize(self, text: str, speed: float = 1.0) -> Iterator[AudioChunk]:
        if speed <= 0:
            raise ValueError(f"speed must be positive, not {speed}")
        for sentence in split_japanese(text):
            audio, rate = self._tts(sentence, speed=speed)
            if len(audio) == 0:
                continue
            samples = np.clip(np.round(audio), -32768, 32767).astype(np.int16)
            yield AudioChunk(samples.tobytes(), rate)


def _import_openjtalk():
    try:
        import pyopenjtalk
    except ImportError as exc:
        raise EngineUnavailableError(
            "Open JTalk (Japanese voice) is not installed: "
            "pip install pyopenjtalk-plus sudachidict-core") from exc
    prepare_openjtalk_sudachi()  # kanji readings fail without a Sudachi dictionary
    return pyopenjtalk.tts
