"""Whisper recognizer on faster-whisper (CTranslate2), loaded only from local files.

Whisper decodes whole utterances, so streaming is emulated by the sessions in
`whisper_stream` (partial re-decodes, finals at pauses found by the Silero VAD that
faster-whisper bundles, below).  Language is fixed or detected from the first seconds.
"""

from __future__ import annotations

import copy
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from counter_app import languages
from counter_app.errors import EngineUnavailableError, ModelLoadError, UnknownLanguageError
from counter_app.events import AudioChunk
from counter_app.pipeline.audio import resample
from counter_app.pipeline.base import ASR_RATE, Recognizer
from counter_app.pipeline.heap import limit_heap_retention
from counter_app.pipeline.lean_install import allow_whisper_without_pyav
from counter_app.pipeline.whisper_guards import GUARDS, Decoded, GuardSettings, guarded_decode

if TYPE_CHECKING:
    from counter_app.pipeline.whisper_stream import StreamSettings, WhisperSession

log = logging.getLogger(__name__)

AUTO = "auto"  # Recognizer.language when the language is detected per utterance
_VAD_FRAME = 512  # Silero VAD v6 frame at 16 kHz (32 ms)
_VAD_CONTEXT = 64
# Below this much audio (speech + padding) the prompt is left out: office vocabulary
# turned Open JTalk 「いいえ。」 into 移動 and Kokoro 「はい。」 into ハイエ.
PROMPT_MIN_SECONDS = 1.0


def _import_faster_whisper():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never let huggingface_hub reach out
    allow_whisper_without_pyav()  # the lean install has no PyAV: we pass arrays
    try:
        import faster_whisper
    except ImportError:
        raise EngineUnavailableError(
            "The Whisper recognizer needs faster-whisper: pip install faster-whisper") from None
    return faster_whisper


def _whisper_code(code: str) -> str:
    lang = languages.get(code)
    if not lang.whisper:
        raise UnknownLanguageError(code)
    return lang.whisper


def _our_code(whisper_code: str) -> str | None:
    lang = languages.from_whisper(whisper_code)
    return lang.code if lang else None


def _to_float(chunk: AudioChunk) -> np.ndarray:
    samples = chunk.to_array()
    if chunk.rate != ASR_RATE:
        samples = resample(samples, chunk.rate, ASR_RATE)
    return samples.astype(np.float32) / 32768.0


@dataclass(frozen=True, slots=True)
class VadSettings:
    """Silero VAD thresholds (speech probability per 32 ms frame)."""

    threshold: float = 0.5
    # Speech needed before an utterance counts: 「はい。」 spoken alone holds ~220 ms.
    min_speech_ms: int = 150
    pad_ms: int = 200  # kept around speech when trimming


class StreamingVad:
    """Silero VAD fed incrementally: one speech probability per 32 ms frame.

    faster-whisper runs this model on a batch of frames, each carrying the previous
    frame's last 64 samples as context, with the LSTM state (h, c) carried from
    batch to batch; feeding new frames the same way, keeping context and state,
    gives the same probabilities as one call on the whole clip.
    """

    def __init__(self) -> None:
        allow_whisper_without_pyav()
        from faster_whisper.vad import get_vad_model

        self._model = get_vad_model()  # lru_cached: loaded once per process
        self.probabilities: list[float] = []
        self.reset()

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """Add float samples; return the probabilities of the frames completed."""
        data = np.concatenate([self._pending, samples])
        whole = len(data) // _VAD_FRAME * _VAD_FRAME
        self._pending = data[whole:]
        if not whole:
            return np.zeros(0, np.float32)
        frames = data[:whole].reshape(-1, _VAD_FRAME)
        contexts = np.vstack([self._context, frames[:-1, -_VAD_CONTEXT:]])
        self._context = frames[-1, -_VAD_CONTEXT:].copy()
        batch = np.concatenate([contexts, frames], axis=1).astype(np.float32)
        out, self._h, self._c = self._model.session.run(
            None, {"input": batch, "h": self._h, "c": self._c})
        probs = np.asarray(out, np.float32).reshape(-1)
        self.probabilities.extend(probs.tolist())
        return probs

    def reset(self) -> None:
        self._pending = np.zeros(0, np.float32)
        self._context = np.zeros(_VAD_CONTEXT, np.float32)
        self._h = np.zeros((1, 1, 128), np.float32)
        self._c = np.zeros((1, 1, 128), np.float32)
        self.probabilities = []


def speech_bounds(probabilities: Sequence[float], settings: VadSettings,
                  rate: int = ASR_RATE) -> tuple[int, int] | None:
    """(first, end) sample of the speech in a clip, padded; None if there is none."""
    frames = [i for i, p in enumerate(probabilities) if p >= settings.threshold]
    if len(frames) * _VAD_FRAME < settings.min_speech_ms * rate // 1000:
        return None
    pad = settings.pad_ms * rate // 1000
    return (max(0, frames[0] * _VAD_FRAME - pad), (frames[-1] + 1) * _VAD_FRAME + pad)


def stable_prefix(previous: str, current: str, unspaced: bool) -> str:
    """The start both hypotheses share, cut back to a word boundary for spaced scripts."""
    if previous == current:
        return current.strip()
    size = 0
    for a, b in zip(previous, current, strict=False):
        if a != b:
            break
        size += 1
    prefix = current[:size]
    if not unspaced:
        prefix = prefix[:max(0, prefix.rfind(" "))]
    return prefix.rstrip()


class WhisperRecognizer(Recognizer):
    """faster-whisper on a local CTranslate2 model folder.

    `language` is our code, or None to detect it per utterance (among `candidates`,
    by default every language of ours that Whisper knows).  `initial_prompt` biases
    decoding towards office vocabulary; `hotwords` does the same without acting
    as preceding text.  Partials decode greedily (`beam_size`); finals, which are
    shown, translated and kept, with `final_beam_size`.
    """

    engine = "whisper"

    def __init__(self, model_path: Path | str, language: str | None = None, *,
                 compute_type: str = "int8", threads: int = 2, beam_size: int = 1,
                 final_beam_size: int = 5,
                 initial_prompt: str | None = None, hotwords: str | None = None,
                 candidates: Sequence[str] | None = None, detect_seconds: float = 3.0):
        faster_whisper = _import_faster_whisper()
        self.model_path = Path(model_path)
        if not (self.model_path / "model.bin").exists():
            raise ModelLoadError(
                f"{self.model_path} is not a Whisper model folder (no model.bin); "
                "install a faster-whisper (CTranslate2) model into the model store.")
        self._whisper_language = _whisper_code(language) if language else None
        self.language = languages.get(language).code if language else AUTO
        self.beam_size = beam_size
        self.final_beam_size = final_beam_size
        self.initial_prompt = initial_prompt
        self.hotwords = hotwords
        self.detect_seconds = detect_seconds
        codes = candidates or [code for code, lang in languages.LANGUAGES.items() if lang.whisper]
        self._candidates = {_whisper_code(code) for code in codes}
        limit_heap_retention()  # before loading: the load's buffers are returned too
        started = time.perf_counter()
        try:
            self.model = faster_whisper.WhisperModel(
                str(self.model_path), device="cpu", compute_type=compute_type,
                cpu_threads=threads, num_workers=1, local_files_only=True)
        except Exception as exc:  # CTranslate2 raises RuntimeError/ValueError on bad files
            raise ModelLoadError(
                f"The Whisper model in {self.model_path} could not be loaded ({exc}).") from exc
        self.load_seconds = time.perf_counter() - started
        log.info("Whisper model %s loaded in %.2f s", self.model_path.name, self.load_seconds)
        if language and not self.multilingual and self._whisper_language != "en":
            raise ModelLoadError(
                f"The Whisper model in {self.model_path} is English-only; "
                f"it cannot recognize {language!r}.")

    def for_language(self, language: str | None, *,
                     initial_prompt: str | None = None) -> WhisperRecognizer:
        """A recognizer for another language (None = detect) sharing this loaded model."""
        sibling = copy.copy(self)
        sibling._whisper_language = _whisper_code(language) if language else None
        sibling.language = languages.get(language).code if language else AUTO
        sibling.initial_prompt = initial_prompt
        return sibling

    @property
    def multilingual(self) -> bool:
        return bool(self.model.model.is_multilingual)

    def start(self, phrases: Sequence[str] | None = None, *, partial_interval: float = 1.0,
              end_silence_ms: int | None = None, vad: VadSettings | None = None,
              adaptive: bool = True) -> WhisperSession:
        """Begin a stream.  `phrases` are added to the prompt (Whisper has no grammar).

        `partial_interval`: seconds of new audio between two partial decodes (0 = no
        partials).  `end_silence_ms`: hands-free mode, end an utterance after this
        much silence following speech and return its final from accept().
        `adaptive`: stretch the interval to the last decode's duration, so a slow
        device does not fall behind real time (fewer partials, never more).  Partials
        follow `whisper_stream.PUSH_TO_TALK`: the first after 0.6 s of speech, on a
        10 s encoder window, the newest hypothesis; finals are the guarded full decode.
        """
        from dataclasses import replace

        from counter_app.pipeline.whisper_stream import PUSH_TO_TALK, WhisperSession

        settings = replace(PUSH_TO_TALK, partial_interval=partial_interval, adaptive=adaptive,
                           end_silence_ms=end_silence_ms)
        return WhisperSession(self, self._prompt(phrases), settings, vad or VadSettings())

    def start_continuous(self, settings: StreamSettings | None = None) -> WhisperSession:
        """Caption mode: finals at pauses, long utterances cut, partials within budget
        (`whisper_stream.CONTINUOUS` unless `settings` are given)."""
        from counter_app.pipeline.whisper_stream import CONTINUOUS, WhisperSession

        return WhisperSession(self, self._prompt(None), settings or CONTINUOUS, VadSettings())

    def _prompt(self, phrases: Sequence[str] | None) -> str | None:
        prompt = self.initial_prompt
        if phrases:  # a list in the language's own style (、 in Japanese, ", " in English)
            ends = languages.sentence_ends(self.language)
            prompt = languages.joiner(self.language).join(
                [*(p.strip(ends) for p in phrases), *([prompt] if prompt else [])])
        return prompt

    # --- decoding ---------------------------------------------------------------

    def detect_language(self, audio: AudioChunk | np.ndarray) -> list[tuple[str, float]]:
        """Languages of ours, most probable first, for the first 30 s of speech."""
        samples = _to_float(audio) if isinstance(audio, AudioChunk) else audio
        if not self.multilingual:
            return [("en", 1.0)]
        _, _, probabilities = self.model.detect_language(audio=samples)
        found: dict[str, float] = {}
        for code, probability in probabilities:
            ours = _our_code(code) if code in self._candidates else None
            if ours and ours not in found:
                found[ours] = float(probability)
        return sorted(found.items(), key=lambda item: -item[1])

    def decode(self, samples: np.ndarray, whisper_language: str | None,
               prompt: str | None, *, final: bool = False) -> str:
        """One full decode of float 16 kHz samples; returns the text, or "" when the
        guards reject it (a loop, invented text, no speech: see whisper_guards)."""
        return self.decode_checked(samples, whisper_language, prompt, final=final).text

    def decode_checked(self, samples: np.ndarray, whisper_language: str | None,
                       prompt: str | None, guards: GuardSettings = GUARDS, *,
                       final: bool = False) -> Decoded:
        """decode() with the guards' verdict; `GuardSettings.off()` is the bare engine.
        A final decodes with `final_beam_size`, a partial with `beam_size`; a clip
        shorter than PROMPT_MIN_SECONDS (はい, いいえ) without the prompt."""
        beam = self.final_beam_size if final else self.beam_size
        if samples.size < PROMPT_MIN_SECONDS * ASR_RATE:
            prompt = None
        return guarded_decode(self.model, samples, whisper_language or self._whisper_language,
                              prompt=prompt, beam_size=beam,
                              hotwords=self.hotwords, settings=guards)
