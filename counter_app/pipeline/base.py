"""Small engine interfaces.  Each adapter module wraps one library.

Like OVOS plugins and Wyoming services: a recognizer turns audio chunks into
transcripts, a translator turns text into text for one language pair, a
synthesizer turns text into audio chunks.  Adapters import their library
lazily and never import each other.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Mapping, Sequence

from counter_app.events import AudioChunk, Quality, Transcript

ASR_RATE = 16_000  # every recognizer takes 16 kHz mono int16
Phrases = Sequence[str] | Mapping[str, str]  # sentences, or phrase id -> sentence


class RecognizerSession(ABC):
    """One utterance stream.  Feed chunks; read partials and finals."""

    # Turned off once the speaker has released the talk button: the rest of the
    # audio only feeds the final, so an engine may skip partial work on it.
    want_partials: bool = True

    @abstractmethod
    def accept(self, chunk: AudioChunk) -> Transcript | None:
        """Feed audio; return a partial, a final (end of an utterance), or None."""

    @abstractmethod
    def finish(self) -> Transcript:
        """Flush and return the final transcript of what is left (may be empty)."""


class Recognizer(ABC):
    engine: str
    language: str
    quality: Quality = Quality.GOOD

    @abstractmethod
    def start(self, phrases: Phrases | None = None) -> RecognizerSession:
        """Begin a stream; `phrases` restricts recognition to those sentences (a final's
        phrase_id is then the phrase's id, or its index for a plain list)."""

    def start_continuous(self) -> RecognizerSession:
        """Begin an open-ended stream (caption mode): finals come at pauses by themselves
        and a long utterance is cut, so no line stays unfinished.  Engines that endpoint
        on their own (Vosk) need nothing more than `start()`."""
        return self.start()

    def warm_up(self) -> None:
        """Do first-use work now (called when engines are preloaded at start-up)."""

    def transcribe(self, chunks: Iterable[AudioChunk], phrases: Phrases | None = None, *,
                   continuous: bool = False) -> list[Transcript]:
        """All final transcripts of a finite stream (convenience for CLI/tests).

        `continuous`: a recording rather than one utterance; lines end at pauses as
        in caption mode, so memory stays flat however long the stream is."""
        if continuous and not phrases:
            session = self.start_continuous()
            session.want_partials = False  # nobody watches: only finals matter
        else:
            session = self.start(phrases)
        finals = [t for chunk in chunks if (t := session.accept(chunk)) and t.is_final]
        last = session.finish()
        if last.text:
            finals.append(last)
        return finals


class Translator(ABC):
    """One model, one direction."""

    engine: str
    source: str
    target: str

    @abstractmethod
    def translate_batch(self, texts: Sequence[str]) -> list[str]:
        """Translate several texts in one call (sentences split inside)."""

    def translate(self, text: str) -> str:
        return self.translate_batch([text])[0]


class Synthesizer(ABC):
    engine: str
    language: str
    sample_rate: int
    quality: Quality = Quality.GOOD

    @abstractmethod
    def synthesize(self, text: str, speed: float = 1.0) -> Iterator[AudioChunk]:
        """Yield audio as soon as each sentence is ready; speed > 1 is faster."""


class AudioSource(ABC):
    """Microphone or file.  `chunks()` ends when stopped or exhausted."""

    rate: int = ASR_RATE

    @abstractmethod
    def chunks(self) -> Iterator[AudioChunk]: ...

    def stop(self) -> None:
        """Ask `chunks()` to end soon (push-to-talk release).  Thread-safe."""


class AudioSink(ABC):
    """Speaker or file."""

    @abstractmethod
    def play(self, chunk: AudioChunk) -> None: ...

    def close(self) -> None:
        """Finish: flush buffered audio (and wait for playback to end)."""

    def stop(self) -> None:
        """Abort playback as soon as possible.  Thread-safe."""
