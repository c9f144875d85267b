"""Which language was spoken?  Whisper language identification on recorded speech.

Qt-free: the counter screen's 🌍 button (through the session) and
`counter-app detect-language --wav` both use these helpers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from counter_app.errors import ModelNotFoundError
from counter_app.events import AudioChunk
from counter_app.pipeline.base import ASR_RATE, AudioSource
from counter_app.store import InstalledModel, ModelStore

Ranked = list[tuple[str, float]]  # (our language code, probability), most likely first

WHISPER_HINT = ("Spoken language identification needs a multilingual Whisper model "
                "(faster-whisper CTranslate2 format, e.g. base). Add one with: "
                "counter-app models import <folder with model.bin>")


def find_whisper_model(store: ModelStore) -> InstalledModel:
    """The store's multilingual Whisper model (English-only ones cannot tell languages)."""
    model = store.find("asr", "*", "whisper")
    if model is None:
        raise ModelNotFoundError("multilingual Whisper", "language identification", WHISPER_HINT)
    return model


def record_speech(source: AudioSource, *, max_speech_seconds: float = 4.0,
                  max_seconds: float = 8.0, end_silence_seconds: float = 0.7,
                  on_chunk: Callable[[AudioChunk], None] | None = None) -> AudioChunk | None:
    """Listen until ~`max_speech_seconds` of speech, a pause after speech, `max_seconds`
    or the source ends; return the speech (trimmed by the Silero VAD), None if none."""
    from counter_app.pipeline.asr_whisper import StreamingVad, VadSettings

    vad, settings = StreamingVad(), VadSettings()
    frame_seconds = 512 / ASR_RATE
    parts: list[bytes] = []
    total = speech = silence = 0.0
    try:
        for chunk in source.chunks():
            if chunk.rate != ASR_RATE:
                from counter_app.pipeline.audio import resample

                chunk = AudioChunk(resample(chunk.to_array(), chunk.rate, ASR_RATE).tobytes(),
                                   ASR_RATE)
            if on_chunk:
                on_chunk(chunk)
            parts.append(chunk.audio)
            total += chunk.seconds
            for probability in vad.feed(chunk.to_array().astype("float32") / 32768.0):
                if probability >= settings.threshold:
                    speech, silence = speech + frame_seconds, 0.0
                elif speech:
                    silence += frame_seconds
            if speech >= max_speech_seconds or total >= max_seconds or (
                    speech * 1000 >= settings.min_speech_ms and silence >= end_silence_seconds):
                break
    finally:
        source.stop()
    return trim_to_speech(AudioChunk(b"".join(parts), ASR_RATE), vad.probabilities)


def trim_to_speech(audio: AudioChunk, probabilities: Iterable[float] | None = None
                   ) -> AudioChunk | None:
    """The speech part of 16 kHz audio (VAD run here unless probabilities are given)."""
    from counter_app.pipeline.asr_whisper import StreamingVad, VadSettings, speech_bounds

    samples = audio.to_array()
    if probabilities is None:
        vad = StreamingVad()
        vad.feed(samples.astype("float32") / 32768.0)
        probabilities = vad.probabilities
    bounds = speech_bounds(list(probabilities), VadSettings())
    if bounds is None:
        return None
    return AudioChunk(samples[bounds[0]:bounds[1]].tobytes(), ASR_RATE)


def detect_spoken_language(recognizer, audio: AudioChunk) -> Ranked:
    """Whisper language identification on the speech in `audio` ([] if none was heard).

    `recognizer` is a multilingual WhisperRecognizer."""
    if audio.rate != ASR_RATE:
        from counter_app.pipeline.audio import resample

        audio = AudioChunk(resample(audio.to_array(), audio.rate, ASR_RATE).tobytes(), ASR_RATE)
    speech = trim_to_speech(audio)
    return recognizer.detect_language(speech) if speech is not None else []


def language_identifier(factory):
    """The multilingual Whisper recognizer, shared with the factory's engine cache so
    the 420 MB model is loaded once for both identification and recognition."""
    return factory.whisper(find_whisper_model(factory.store))
