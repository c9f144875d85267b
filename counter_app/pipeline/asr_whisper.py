"""Whisper recognizer on faster-whisper (CTranslate2), loaded only from local files.

Whisper decodes whole utterances, so streaming is emulated: the growing buffer is
re-decoded at a bounded rate and only the prefix that two successive decodes agree
on is shown (LocalAgreement-2), so partial text never flickers or retracts.  The
Silero VAD that faster-whisper bundles trims silence and, hands-free, ends an
utterance after a pause.  Language is fixed or detected from the first seconds.
"""

from __future__ import annotations

import copy
import logging
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from counter_app import languages
from counter_app.errors import EngineUnavailableError, ModelLoadError, UnknownLanguageError
from counter_app.events import AudioChunk, Transcript
from counter_app.pipeline.audio import resample
from counter_app.pipeline.base import ASR_RATE, Recognizer, RecognizerSession

log = logging.getLogger(__name__)

AUTO = "auto"  # Recognizer.language when the language is detected per utterance
# Scripts written without spaces: partial agreement is counted in characters.
_UNSPACED = {"ja", "zh", "zh-Hant", "th", "my", "km"}
_VAD_FRAME = 512  # Silero VAD v6 frame at 16 kHz (32 ms)
_VAD_CONTEXT = 64


def _import_faster_whisper():
    os.environ.setdefault("HF_HUB_OFFLINE", "1")  # never let huggingface_hub reach out
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
    min_speech_ms: int = 250  # speech needed before an utterance counts as started
    pad_ms: int = 200  # kept around speech when trimming


class StreamingVad:
    """Silero VAD fed incrementally: one speech probability per 32 ms frame.

    faster-whisper runs this model on a batch of frames, each carrying the previous
    frame's last 64 samples as context, with the LSTM state (h, c) carried from
    batch to batch; feeding new frames the same way, keeping context and state,
    gives the same probabilities as one call on the whole clip.
    """

    def __init__(self) -> None:
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
    as preceding text.
    """

    engine = "whisper"

    def __init__(self, model_path: Path | str, language: str | None = None, *,
                 compute_type: str = "int8", threads: int = 2, beam_size: int = 1,
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
        self.initial_prompt = initial_prompt
        self.hotwords = hotwords
        self.detect_seconds = detect_seconds
        codes = candidates or [code for code, lang in languages.LANGUAGES.items() if lang.whisper]
        self._candidates = {_whisper_code(code) for code in codes}
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
        device does not fall behind real time (fewer partials, never more).
        """
        prompt = self.initial_prompt
        if phrases:
            prompt = "、".join([*(p.strip("。.") for p in phrases), *([prompt] if prompt else [])])
        return WhisperSession(self, prompt, partial_interval, end_silence_ms,
                              vad or VadSettings(), adaptive)

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
               prompt: str | None) -> str:
        """One full decode of float 16 kHz samples; returns the text."""
        segments, _ = self.model.transcribe(
            samples, language=whisper_language or self._whisper_language,
            beam_size=self.beam_size, temperature=0.0, initial_prompt=prompt,
            hotwords=self.hotwords, condition_on_previous_text=False,
            without_timestamps=True, vad_filter=False)
        return "".join(segment.text for segment in segments).strip()


class WhisperSession(RecognizerSession):
    """One stream: buffer, VAD, partial re-decodes, final on finish or pause."""

    def __init__(self, recognizer: WhisperRecognizer, prompt: str | None,
                 partial_interval: float, end_silence_ms: int | None, vad: VadSettings,
                 adaptive: bool = True):
        self.recognizer = recognizer
        self.prompt = prompt
        self.partial_interval = partial_interval
        self.end_silence_ms = end_silence_ms
        self.vad_settings = vad
        self.adaptive = adaptive
        self.vad = StreamingVad()
        self.decodes = 0  # number of Whisper decodes so far (for tests and benchmarks)
        self._last_decode_seconds = 0.0
        self._reset()

    def _reset(self) -> None:
        self._parts: list[np.ndarray] = []
        self._samples = 0
        self._decoded_at = 0  # buffer size at the last partial decode
        self._previous = ""  # last partial hypothesis
        self._stable = ""  # text already emitted as partial
        self._speech_frames = 0
        self._silent_frames = 0
        self._language: str | None = self.recognizer._whisper_language
        self._probability: float | None = None
        self._locked = False
        self.vad.reset()

    @property
    def buffered_seconds(self) -> float:
        return self._samples / ASR_RATE

    def _buffer(self) -> np.ndarray:
        if len(self._parts) > 1:
            self._parts = [np.concatenate(self._parts)]
        return self._parts[0] if self._parts else np.zeros(0, np.float32)

    def _speech(self) -> np.ndarray | None:
        """The buffer trimmed to its speech; None when the VAD heard none."""
        bounds = speech_bounds(self.vad.probabilities, self.vad_settings)
        return None if bounds is None else self._buffer()[bounds[0]:bounds[1]]

    def _our_language(self) -> str:
        if self._language is None:
            return self.recognizer.language
        return _our_code(self._language) or self._language

    def _decode(self, speech: np.ndarray, final: bool) -> str:
        if self.recognizer._whisper_language is None and not self._locked:
            # Detect until enough speech was heard, then keep the language fixed so
            # successive partials agree; a final re-checks what a short start guessed.
            ranked = self.recognizer.detect_language(speech)
            if ranked:
                self._language = _whisper_code(ranked[0][0])
                self._probability = ranked[0][1]
            self._locked = len(speech) >= self.recognizer.detect_seconds * ASR_RATE
        self.decodes += 1
        started = time.perf_counter()
        text = self.recognizer.decode(speech, self._language, self.prompt)
        self._last_decode_seconds = time.perf_counter() - started
        return text

    def _transcript(self, text: str, final: bool) -> Transcript:
        language = self._our_language()
        if language == "zh" and text:  # Whisper says "zh" for both scripts: ask the text
            from counter_app.langid import detect_text_language

            ranked = [code for code, _ in detect_text_language(text) if code.startswith("zh")]
            language = ranked[0] if ranked else language
        return Transcript(text=text, language=language, is_final=final,
                          detected_probability=self._probability)

    def accept(self, chunk: AudioChunk) -> Transcript | None:
        samples = _to_float(chunk)
        if samples.size == 0:
            return None
        self._parts.append(samples)
        self._samples += samples.size
        probabilities = self.vad.feed(samples)
        if self.end_silence_ms is not None:
            if self._utterance_ended(probabilities):
                return self.finish()
            if not self._speech_frames:
                self._drop_leading_silence()
        return self._maybe_partial()

    def _drop_leading_silence(self, keep_seconds: float = 1.0) -> None:
        """Hands-free, before anyone speaks: keep only the last second of audio."""
        drop = len(self.vad.probabilities) - int(keep_seconds * ASR_RATE / _VAD_FRAME)
        if drop <= 0:
            return
        self._parts = [self._buffer()[drop * _VAD_FRAME:]]
        self._samples -= drop * _VAD_FRAME
        self._decoded_at = max(0, self._decoded_at - drop * _VAD_FRAME)
        del self.vad.probabilities[:drop]

    def _utterance_ended(self, probabilities: np.ndarray) -> bool:
        threshold = self.vad_settings.threshold
        for probability in probabilities:
            if probability >= threshold:
                self._speech_frames += 1
                self._silent_frames = 0
            elif probability < threshold - 0.15:
                self._silent_frames += 1
        frame_ms = _VAD_FRAME * 1000 / ASR_RATE
        return (self._speech_frames * frame_ms >= self.vad_settings.min_speech_ms
                and self._silent_frames * frame_ms >= self.end_silence_ms)

    def _maybe_partial(self) -> Transcript | None:
        if self.partial_interval <= 0:
            return None
        # Never decode more often than one decode takes, so a slow device keeps up.
        interval = self.partial_interval
        if self.adaptive:
            interval = max(interval, self._last_decode_seconds)
        if self._samples - self._decoded_at < interval * ASR_RATE:
            return None
        speech = self._speech()
        if speech is None:
            return None
        self._decoded_at = self._samples
        hypothesis = self._decode(speech, final=False)
        agreed = stable_prefix(self._previous, hypothesis, self._our_language() in _UNSPACED)
        self._previous = hypothesis
        if len(agreed) <= len(self._stable) or not agreed.startswith(self._stable):
            return None  # only ever extend what was shown
        self._stable = agreed
        return self._transcript(agreed, final=False)

    def finish(self) -> Transcript:
        speech = self._speech()
        text = "" if speech is None else self._decode(speech, final=True)
        transcript = self._transcript(text, final=True)
        self._reset()
        return transcript
