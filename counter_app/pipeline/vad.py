"""Hands-free end of utterance: wraps an audio source and ends its stream
once speech has been followed by enough silence.

An energy detector with an adaptive noise floor: light, no model, good enough
at a counter with a close microphone.  (The Whisper recognizer uses the Silero
VAD that faster-whisper bundles for the same job.)
"""

from __future__ import annotations

from collections.abc import Iterator

from counter_app.events import AudioChunk
from counter_app.pipeline.base import AudioSource


class SpeechLevel:
    """Speech or not, block by block: energy against a noise floor that follows
    quiet moments at once and rises only slowly."""

    def __init__(self, threshold: float = 0.01):
        self.threshold = threshold
        self.floor: float | None = None

    def is_speech(self, chunk: AudioChunk) -> bool:
        level = chunk.level()
        self.floor = level if self.floor is None else min(level, self.floor * 1.02 + 1e-6)
        return level > max(self.threshold, self.floor * 3)


class EndOfSpeechGate(AudioSource):
    def __init__(self, source: AudioSource, silence_seconds: float = 0.8,
                 min_speech_seconds: float = 0.25, max_seconds: float = 30.0,
                 threshold: float = 0.01):
        self.source = source
        self.rate = source.rate
        self.silence_seconds = silence_seconds
        self.min_speech_seconds = min_speech_seconds
        self.max_seconds = max_seconds
        self.threshold = threshold
        self.speech_seconds = 0.0

    def chunks(self) -> Iterator[AudioChunk]:
        speech = SpeechLevel(self.threshold)
        silence = total = 0.0
        for chunk in self.source.chunks():
            total += chunk.seconds
            if speech.is_speech(chunk):
                self.speech_seconds += chunk.seconds
                silence = 0.0
            else:
                silence += chunk.seconds
            yield chunk
            heard_enough = self.speech_seconds >= self.min_speech_seconds
            if (heard_enough and silence >= self.silence_seconds) or total >= self.max_seconds:
                self.source.stop()
                return

    def stop(self) -> None:
        self.source.stop()
