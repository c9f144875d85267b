"""Plain messages that flow one way through the pipeline.

audio source -> AudioChunk -> recognizer -> Transcript -> translator ->
Translation -> synthesizer -> AudioChunk -> audio sink.  Everything here is a
frozen dataclass so it can cross threads safely.  No Qt.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

import numpy as np

SAMPLE_WIDTH = 2  # bytes per sample: all audio in the app is int16


@dataclass(frozen=True, slots=True)
class AudioChunk:
    """Mono int16 PCM with its format travelling alongside (as in Wyoming)."""

    audio: bytes
    rate: int
    channels: int = 1

    @property
    def samples(self) -> int:
        return len(self.audio) // (SAMPLE_WIDTH * self.channels)

    @property
    def seconds(self) -> float:
        return self.samples / self.rate if self.rate else 0.0

    def to_array(self) -> np.ndarray:
        return np.frombuffer(self.audio, dtype=np.int16)

    @classmethod
    def from_array(cls, samples: np.ndarray, rate: int) -> AudioChunk:
        """Build from int16 or float (-1..1) samples."""
        if samples.dtype != np.int16:
            samples = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
            samples = (samples * 32767.0).astype(np.int16)
        return cls(samples.tobytes(), rate)

    def level(self) -> float:
        """RMS level 0..1, for a microphone meter."""
        data = self.to_array().astype(np.float32)
        if data.size == 0:
            return 0.0
        return float(np.sqrt(np.mean(data * data)) / 32768.0)


@dataclass(frozen=True, slots=True)
class Word:
    text: str
    start: float
    end: float
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Transcript:
    """A recognition result; partials are replaced, finals are kept."""

    text: str
    language: str
    is_final: bool
    words: tuple[Word, ...] = ()
    confidence: float = 1.0
    # Set when the text was matched to a fixed phrase (phrase mode).
    phrase_id: str | None = None
    # Language-ID result when the recognizer detected the language itself.
    detected_probability: float | None = None


@dataclass(frozen=True, slots=True)
class Translation:
    source_text: str
    source: str
    target: str
    text: str
    back_translation: str | None = None
    # Languages passed through, e.g. ("ko", "en", "ja") for a pivot via English.
    path: tuple[str, ...] = ()
    # Set when the text came from a verified phrasebook entry, not MT;
    # reviewed is False when that entry's translation awaits a native reviewer.
    phrase_id: str | None = None
    reviewed: bool = True

    @property
    def pivoted(self) -> bool:
        return len(self.path) > 2


class Quality(enum.Enum):
    """How good an engine is for a language; the UI shows a hint below GOOD."""

    GOOD = "good"
    LOW = "low"  # e.g. espeak-ng fallback voice, pivoted MT


class TurnStage(enum.Enum):
    LISTENING = "listening"
    RECOGNIZING = "recognizing"  # the speaker released; the final is being decoded
    RECOGNIZED = "recognized"  # final text ready; may wait for an edit
    TRANSLATING = "translating"
    SPEAKING = "speaking"
    DONE = "done"
    CANCELLED = "cancelled"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class TurnEvent:
    """Base of every event an Interpreter emits; turn_id ties them together."""

    turn_id: int


@dataclass(frozen=True, slots=True)
class StageChanged(TurnEvent):
    stage: TurnStage


@dataclass(frozen=True, slots=True)
class AudioLevel(TurnEvent):
    level: float


@dataclass(frozen=True, slots=True)
class TranscriptEvent(TurnEvent):
    transcript: Transcript


@dataclass(frozen=True, slots=True)
class TranslationEvent(TurnEvent):
    translation: Translation


@dataclass(frozen=True, slots=True)
class SpeechEvent(TurnEvent):
    """All synthesized audio of a turn, for replay; sent after playback starts."""

    chunks: tuple[AudioChunk, ...]
    quality: Quality = Quality.GOOD


@dataclass(frozen=True, slots=True)
class TurnTimings(TurnEvent):
    """Seconds spent per stage, for the CLI and benchmarks."""

    values: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class PipelineError(TurnEvent):
    """A turn failed; `message` is for people (English), `kind` for code.  A missing
    model also names its `model` kind ("translation", "voice"…) and `language`
    (a code, or "vi→ja"), so each screen can say it in its own language."""

    message: str
    kind: str = "error"
    model: str = ""
    language: str = ""


# --- caption mode (captions.CaptionRunner) ------------------------------------------

@dataclass(frozen=True, slots=True)
class CaptionLine:
    id: int
    speaker: str
    text: str
    start: float  # seconds of audio since the session started
    end: float
    translation: str | None = None
    corrected: bool = False


@dataclass(frozen=True, slots=True)
class CaptionPartial:
    speaker: str
    text: str


@dataclass(frozen=True, slots=True)
class CaptionFinal:
    line: CaptionLine


@dataclass(frozen=True, slots=True)
class CaptionUpdated:
    """A line changed after the fact: its translation arrived or staff corrected it."""

    line: CaptionLine


@dataclass(frozen=True, slots=True)
class CaptionStatus:
    speaker: str
    message: str  # "" = all well again
    listening: bool


CaptionEvent = CaptionPartial | CaptionFinal | CaptionUpdated | CaptionStatus
