"""Which language is this?  Spoken (Whisper) and typed (offline detector).

`counter-app detect-language "text"` or `counter-app detect-language --wav FILE.wav`.
The helpers here are Qt-free; the counter screen's 🌍 button uses them too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path

from counter_app import config, languages
from counter_app.errors import CounterAppError, ModelNotFoundError
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


# --- command line ----------------------------------------------------------------------

def add_commands(subparsers) -> None:
    p = subparsers.add_parser(
        "detect-language", help="which of our languages a text or a WAV recording is in")
    p.add_argument("text", nargs="*", help="typed text (omit with --wav)")
    p.add_argument("--wav", type=Path, help="speech recording (WAV) instead of text")
    p.add_argument("--top", type=int, default=5, help="how many candidates to print")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_detect_language)


def cmd_detect_language(args) -> int:
    if bool(args.wav) == bool(args.text):
        raise CounterAppError("Give either some text or --wav FILE.wav (not both).")
    if args.wav:
        ranked = _detect_wav(args.wav, getattr(args, "models", None))
    else:
        from counter_app.langid import detect_text_language

        ranked = detect_text_language(" ".join(args.text))
        if not ranked:
            raise CounterAppError("The text has no letters to identify a language from.")
    ranked = ranked[:max(1, args.top)]
    if args.json:
        print(json.dumps([{"code": code, "probability": round(p, 4),
                           "name": languages.get(code).english,
                           "native": languages.get(code).native} for code, p in ranked],
                         ensure_ascii=False))
    else:
        for code, probability in ranked:
            lang = languages.get(code)
            print(f"{code:8} {probability:6.1%}  {lang.english:32} {lang.native}")
    return 0


def _detect_wav(path: Path, models: str | None) -> Ranked:
    from counter_app.pipeline.asr_whisper import WhisperRecognizer
    from counter_app.pipeline.audio import read_wav

    settings = config.load()
    store = ModelStore(models or settings.models_dir)
    recognizer = WhisperRecognizer(find_whisper_model(store).path,
                                   threads=settings.engines.threads)
    ranked = detect_spoken_language(recognizer, read_wav(path))
    if not ranked:
        raise CounterAppError(f"No speech was heard in {path}.")
    return ranked

