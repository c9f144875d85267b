"""Runs interpretation turns off the caller's thread.

A turn: audio (or typed text) in one language -> partial and final transcript
-> optional edit -> translation + back-translation -> synthesized speech.
Every step is reported as a TurnEvent through one callback, in order; the UI
re-emits them as Qt signals, the CLI prints them.  Nothing is logged or stored.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from counter_app import languages
from counter_app.errors import CounterAppError, ModelNotFoundError
from counter_app.events import (
    AudioChunk,
    AudioLevel,
    PipelineError,
    Quality,
    SpeechEvent,
    StageChanged,
    Transcript,
    TranscriptEvent,
    Translation,
    TranslationEvent,
    TurnEvent,
    TurnStage,
    TurnTimings,
)
from counter_app.pipeline.base import AudioSink, AudioSource
from counter_app.pipeline.capture import CaptureThread
from counter_app.pipeline.factory import EngineFactory
from counter_app.pipeline.heap import release_freed_heap
from counter_app.pipeline.translation import TranslationService

log = logging.getLogger(__name__)

# Returns a verified translation (e.g. from the phrasebook) or None to use MT.
VerifiedLookup = Callable[[Transcript, str], Translation | None]
# Corrects recognized text (term dictionary rules): (text, language) -> text.
Postprocess = Callable[[str, str], str]

_LEVEL_INTERVAL = 0.05  # seconds between microphone level events


def join_finals(parts: Sequence[str], language: str) -> str:
    """Recognized finals as one text: no space between them in unspaced scripts."""
    return languages.word_gap(language).join(p.strip() for p in parts if p.strip())


@dataclass
class TurnRequest:
    source: str  # language spoken/typed
    target: str  # language of the listener
    audio: AudioSource | None = None
    text: str | None = None  # typed text instead of audio
    translation: Translation | None = None  # already translated (a phrasebook entry)
    # Phrase mode: only these sentences (a list, or phrase id -> text) can be recognized.
    phrases: Sequence[str] | Mapping[str, str] | None = None
    sink: AudioSink | None = None  # None = do not speak
    speed: float = 1.0
    edit_before_translate: bool = False
    back_translate: bool = True


@dataclass
class TurnResult:
    turn_id: int
    stage: TurnStage
    transcript: Transcript | None = None
    translation: Translation | None = None
    speech: tuple[AudioChunk, ...] = ()
    speech_quality: Quality = Quality.GOOD
    timings: dict[str, float] = field(default_factory=dict)
    error: str | None = None


class Turn:
    """Handle on a running turn: release the talk button, edit, cancel, wait."""

    def __init__(self, turn_id: int, request: TurnRequest):
        self.id = turn_id
        self.request = request
        self.future: Future[TurnResult] = Future()
        self._cancelled = threading.Event()
        self._edited = threading.Event()
        self._edited_text: str | None = None

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def release(self) -> None:
        """End of speech (push-to-talk released): recognize what was heard."""
        if self.request.audio:
            self.request.audio.stop()

    def submit(self, text: str) -> None:
        """Send the (possibly corrected) recognized text on to translation."""
        self._edited_text = text
        self._edited.set()

    def cancel(self) -> None:
        self._cancelled.set()
        self._edited.set()
        if self.request.audio:
            self.request.audio.stop()
        if self.request.sink:
            self.request.sink.stop()

    def wait_for_edit(self) -> str | None:
        self._edited.wait()
        return None if self.cancelled else self._edited_text

    def result(self, timeout: float | None = None) -> TurnResult:
        return self.future.result(timeout)


class Interpreter:
    def __init__(self, factory: EngineFactory, emit: Callable[[TurnEvent], None],
                 verified_lookup: VerifiedLookup | None = None, workers: int = 2,
                 postprocess: Postprocess | None = None,
                 translation_service: Callable[[], TranslationService] | None = None):
        """`translation_service` builds the MT service per turn (default: the factory's;
        the app passes one that enforces the term dictionary)."""
        self.factory = factory
        self.emit = emit
        self.verified_lookup = verified_lookup
        self.postprocess = postprocess
        self.translation_service = translation_service or factory.translation_service
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="turn")
        self._ids = itertools.count(1)

    def start(self, request: TurnRequest) -> Turn:
        turn = Turn(next(self._ids), request)
        self._pool.submit(self._run, turn)
        return turn

    def run(self, request: TurnRequest) -> TurnResult:
        """Start a turn and wait for it (CLI, tests)."""
        return self.start(request).result()

    def preload(self, *, asr: Sequence[str] = (), tts: Sequence[str] = (),
                mt: Sequence[tuple[str, str]] = ()) -> Future:
        """Load engines in the background so the first turn starts quickly."""

        def load() -> None:
            for code in asr:
                self._quietly(lambda c: self.factory.recognizer(c).warm_up(), code)
            for src, tgt in mt:
                self._quietly(self.factory.translator, src, tgt)
            for code in tts:
                self._quietly(self.factory.synthesizer, code)

        return self._pool.submit(load)

    @staticmethod
    def _quietly(fn, *args) -> None:
        try:
            fn(*args)
        except CounterAppError as exc:
            log.info("Preload skipped: %s", exc)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    # --- the turn itself (worker thread) ------------------------------------------

    def _run(self, turn: Turn) -> None:
        result = TurnResult(turn.id, TurnStage.FAILED)
        try:
            self._steps(turn, result)
        except CounterAppError as exc:
            result.error = str(exc)
            self.emit(_error_event(turn.id, exc, type(exc).__name__))
        except Exception as exc:  # never let a worker die silently; never log content
            log.exception("Turn %d failed", turn.id)
            result.error = f"Unexpected error: {type(exc).__name__}"
            self.emit(PipelineError(turn.id, result.error, "internal"))
        if turn.cancelled:
            result.stage = TurnStage.CANCELLED
        elif result.error is None:
            result.stage = TurnStage.DONE
        self.emit(StageChanged(turn.id, result.stage))
        self.emit(TurnTimings(turn.id, dict(result.timings)))
        release_freed_heap()  # the turn's decode buffers, now that the screen has it all
        turn.future.set_result(result)

    def _stage(self, turn: Turn, stage: TurnStage) -> None:
        self.emit(StageChanged(turn.id, stage))

    def _steps(self, turn: Turn, result: TurnResult) -> None:
        req = turn.request
        timings = result.timings
        end_of_speech = time.perf_counter()
        if req.translation is not None:  # a verified phrase: only speak it
            result.translation = req.translation
            self.emit(TranslationEvent(turn.id, req.translation))
            if req.sink is not None:
                self._stage(turn, TurnStage.SPEAKING)
                self._speak(turn, req.translation.text, result, end_of_speech)
            return
        if req.audio is not None:
            self._stage(turn, TurnStage.LISTENING)
            transcript, end_of_speech = self._recognize(turn, timings)
        else:
            transcript = Transcript(req.text or "", req.source, True)
        if turn.cancelled:
            return
        result.transcript = transcript
        self._stage(turn, TurnStage.RECOGNIZED)

        text = transcript.text
        if req.edit_before_translate:
            text = turn.wait_for_edit()
            if text is None:
                return
            if text != transcript.text:
                transcript = Transcript(text, req.source, True, phrase_id=None)
                result.transcript = transcript
        if not text.strip():
            raise _NothingHeard()

        self._stage(turn, TurnStage.TRANSLATING)
        start = time.perf_counter()
        translation = self.verified_lookup(transcript, req.target) \
            if self.verified_lookup else None
        if translation is None:
            service = self.translation_service()
            translation = service.translate(text, req.source, req.target,
                                            back=req.back_translate)
        timings["translate"] = time.perf_counter() - start
        result.translation = translation
        self.emit(TranslationEvent(turn.id, translation))
        if turn.cancelled or req.sink is None or not translation.text.strip():
            return

        self._stage(turn, TurnStage.SPEAKING)
        self._speak(turn, translation.text, result, end_of_speech)

    def _recognize(self, turn: Turn, timings: dict[str, float]) -> tuple[Transcript, float]:
        req = turn.request
        start = time.perf_counter()
        # Listen at once: words spoken while a model still loads are kept, not lost.
        capture = CaptureThread(req.audio, name=f"capture-{turn.id}")
        try:
            recognizer = self.factory.recognizer(req.source)
            session = recognizer.start(req.phrases)
        except BaseException:
            req.audio.stop()
            raise
        timings["asr_ready"] = time.perf_counter() - start
        finals: list[Transcript] = []
        last_level = 0.0
        for batch in capture.batches():
            if turn.cancelled:
                break
            if batch.last:  # released: every sample up to now is in this batch
                session.want_partials = False
                self._stage(turn, TurnStage.RECOGNIZING)
            now = time.perf_counter()
            if batch.chunk is not None and now - last_level >= _LEVEL_INTERVAL:
                self.emit(AudioLevel(turn.id, batch.newest_level))
                last_level = now
            transcript = session.accept(batch.chunk) if batch.chunk is not None else None
            if transcript is not None:
                if transcript.is_final:
                    if transcript.text:
                        finals.append(transcript)
                        self.emit(TranscriptEvent(turn.id, self._merge(finals, req.source, False)))
                elif session.want_partials:
                    partial = self._merge([*finals, transcript], req.source, False)
                    self.emit(TranscriptEvent(turn.id, partial))
        heard = capture.captured_seconds
        end_of_speech = capture.ended_at or time.perf_counter()
        last = session.finish()
        if last.text:
            finals.append(last)
        final = self._merge(finals, req.source, True)
        if self.postprocess and final.text and final.phrase_id is None:
            final = replace(final, text=self.postprocess(final.text, req.source))
        timings["audio"] = heard
        timings["final_after_release"] = time.perf_counter() - end_of_speech
        self.emit(TranscriptEvent(turn.id, final))
        return final, end_of_speech

    @staticmethod
    def _merge(parts: list[Transcript], language: str, is_final: bool) -> Transcript:
        if len(parts) == 1:
            only = parts[0]
            return Transcript(only.text, only.language, is_final, only.words, only.confidence,
                              only.phrase_id, only.detected_probability)
        words = tuple(w for p in parts for w in p.words)
        confidence = min((p.confidence for p in parts), default=0.0)
        lang = parts[-1].language if parts else language
        return Transcript(join_finals([p.text for p in parts], language), lang, is_final,
                          words, confidence)

    def _speak(self, turn: Turn, text: str, result: TurnResult, end_of_speech: float) -> None:
        req = turn.request
        start = time.perf_counter()
        try:
            synthesizer = self.factory.synthesizer(req.target)
        except CounterAppError as exc:  # the text is shown; only the voice is missing
            self.emit(_error_event(turn.id, exc, "voice_unavailable"))
            return
        chunks: list[AudioChunk] = []
        for chunk in synthesizer.synthesize(text, req.speed):
            if turn.cancelled:
                break
            if not chunks:
                now = time.perf_counter()
                result.timings["tts_first_audio"] = now - start
                result.timings["end_of_speech_to_first_audio"] = now - end_of_speech
            chunks.append(chunk)
            req.sink.play(chunk)
        req.sink.close()
        result.timings["tts_total"] = time.perf_counter() - start
        result.speech = tuple(chunks)
        result.speech_quality = synthesizer.quality
        self.emit(SpeechEvent(turn.id, result.speech, synthesizer.quality))


# Said when nothing usable was heard, also when the recognizer rejected its own output
# (a Whisper loop or invented text): calm words, never the engine's, by UI language.
NOTHING_HEARD = {"ja": "聞き取れませんでした — もう一度どうぞ",
                 "en": "Nothing was recognized — please try again."}


class _NothingHeard(CounterAppError):
    def __init__(self) -> None:
        super().__init__(NOTHING_HEARD["en"])


NOTHING_HEARD_KIND = _NothingHeard.__name__  # PipelineError.kind of this failure


def _error_event(turn_id: int, exc: CounterAppError, kind: str) -> PipelineError:
    if isinstance(exc, ModelNotFoundError):
        return PipelineError(turn_id, str(exc), kind, exc.kind, exc.language)
    return PipelineError(turn_id, str(exc), kind)
