"""Streaming sessions on Whisper, which only decodes whole utterances.

Push-to-talk and hands-free (`WhisperRecognizer.start`, `PUSH_TO_TALK`): the buffer
is re-decoded at a bounded rate on a short encoder window, the first time after
0.6 s of speech, and the newest hypothesis is shown (LocalAgreement-2, showing only
the prefix two decodes agree on, is `tentative=False`); the final is the guarded
full decode.  `end_silence_ms` ends an utterance after a pause.

Continuous listening (`WhisperRecognizer.start_continuous`, caption mode): the
Silero VAD ends an utterance at a pause, and an utterance that grows long is cut
at its quietest recent frame, so the audio re-decoded stays bounded and no line
stays unfinished.  Speech that fits is decoded on a short encoder window (Whisper's
30 s window costs ~4x more CPU); a suspect result falls back to the guarded full
decode (a final) or shows nothing (a partial).  Partials show the newest hypothesis
of the current utterance, at a cadence that adapts to decode time and stops while
audio backs up.  A final has priority: its decode starts early in a pause, and no
partial starts once the pause has begun.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from counter_app import languages
from counter_app.events import AudioChunk, Transcript, Word
from counter_app.ja_numbers import format_numbers
from counter_app.pipeline.asr_whisper import (
    _VAD_FRAME,
    StreamingVad,
    VadSettings,
    _our_code,
    _to_float,
    _whisper_code,
    speech_bounds,
    stable_prefix,
)
from counter_app.pipeline.base import ASR_RATE, RecognizerSession

if TYPE_CHECKING:
    from counter_app.pipeline.asr_whisper import WhisperRecognizer

_FRAME_S = _VAD_FRAME / ASR_RATE
# Windowed decodes stop after this many tokens per second of audio (Open JTalk
# Japanese needs ~5), so a looping decoder cannot run on; hitting it means "suspect".
_TOKENS_PER_SECOND = 15
_MAX_COMPRESSION = 2.4  # faster-whisper's default: more repetitive text is suspect


@dataclass(frozen=True, slots=True)
class StreamSettings:
    """How a session ends utterances and schedules partial decodes (None = off)."""

    partial_interval: float = 1.0  # seconds of new audio between partial decodes; 0 = none
    adaptive: bool = True  # stretch the interval to decode time / budget
    budget: float = 1.0  # share of real time that partial decodes may use
    end_silence_ms: int | None = None  # end an utterance after this much silence
    early_final_ms: int | None = None  # start the final's decode after this much silence
    max_utterance_s: float | None = None  # cut longer utterances at their quietest frame
    cut_search_s: float = 3.0  # the cut is searched within this many final seconds
    first_partial_s: float | None = None  # first partial after this much speech
    window_s: float | None = None  # encoder window for speech that fits (None: 30 s)
    window_finals: bool = True  # finals too on that window (False: guarded full decode)
    max_backlog_s: float | None = None  # no partial while audio waits longer than this
    tentative: bool = False  # partials show the newest hypothesis, not the agreed prefix
    keep_before_speech_s: float = 1.0  # audio kept before speech starts (hands-free)

    @property
    def continuous(self) -> bool:
        return self.max_utterance_s is not None


CONTINUOUS = StreamSettings(
    partial_interval=0.5, budget=0.5, end_silence_ms=550, early_final_ms=200,
    max_utterance_s=10.0, first_partial_s=0.5, window_s=10.0, max_backlog_s=0.5,
    tentative=True, keep_before_speech_s=0.5)

# Push-to-talk and hands-free: partials as captions show them, finals from the guarded
# full decode.  12 Open JTalk sentences paced in real time, with the office term
# prompt (load 2.7-4.0): the first partial 0.9 s after speech onset, right in 11 of
# 12; a quarter of later partials revise the newest words.  LocalAgreement on the
# 30 s window: 3.9 s, 4 of 12 none before release; LocalAgreement here: 1.9 s.  A
# first decode after 0.5 s of speech (VAD padding included) was right in 10, after
# 1.0 s in 6 of 12 (cut words).  Without a prompt the first was right in only 4.
PUSH_TO_TALK = StreamSettings(first_partial_s=0.6, window_s=10.0, window_finals=False,
                              tentative=True)


def window_decode(recognizer: WhisperRecognizer, samples: np.ndarray, whisper_language: str,
                  prompt: str | None, window_s: float) -> str | None:
    """A cheap greedy decode on an encoder window of `window_s` seconds; None if suspect
    (token budget used up, or repetitive text): then only a guarded full decode will do.

    CTranslate2 encodes fewer than Whisper's 3000 mel frames when given them; on
    Open JTalk Japanese a 10 s window cost a quarter of the CPU with no loss (CER
    0.07 vs 0.12 on 8 sentences), but a window fitted to the clip looped.
    """
    import zlib

    from faster_whisper.tokenizer import Tokenizer
    from faster_whisper.transcribe import get_ctranslate2_storage

    model = recognizer.model
    frames = int(window_s * 100)
    features = model.feature_extractor(samples[:int(window_s * ASR_RATE)])[:, :frames]
    features = np.pad(features, ((0, 0), (0, frames - features.shape[1])))
    tokenizer = Tokenizer(model.hf_tokenizer, model.model.is_multilingual, task="transcribe",
                          language=whisper_language)
    previous = tokenizer.encode(" " + prompt.strip()) if prompt else []
    tokens = model.get_prompt(tokenizer, previous, without_timestamps=True,
                              hotwords=recognizer.hotwords)
    encoded = model.model.encode(get_ctranslate2_storage(features[None].astype(np.float32)),
                                 to_cpu=False)
    budget = int(len(samples) / ASR_RATE * _TOKENS_PER_SECOND) + 6
    result = model.model.generate(encoded, [tokens], beam_size=1, suppress_blank=True,
                                  suppress_tokens=[-1], max_length=len(tokens) + budget)
    ids = [t for t in result[0].sequences_ids[0] if t < tokenizer.eot]
    text = tokenizer.decode(ids).strip()
    data = text.encode()
    if len(ids) >= budget or (data and len(data) / len(zlib.compress(data)) > _MAX_COMPRESSION):
        return None
    from counter_app.pipeline.whisper_guards import text_problem

    if text and text_problem(text, len(samples) / ASR_RATE, whisper_language):
        return None  # a loop, too long, a subtitle credit: the guarded decode judges
    return text


class WhisperSession(RecognizerSession):
    """One stream: buffer, VAD, partial re-decodes, finals at pauses, cuts or finish."""

    want_partials: bool = True  # off: skip partial decodes (push-to-talk released)

    def __init__(self, recognizer: WhisperRecognizer, prompt: str | None,
                 settings: StreamSettings, vad: VadSettings,
                 clock: Callable[[], float] = time.monotonic):
        self.recognizer = recognizer
        self.prompt = prompt
        self.settings = settings
        self.vad_settings = vad
        self.clock = clock
        self.vad = StreamingVad()
        self.decodes = 0  # Whisper decodes so far (for tests and benchmarks)
        self.cuts = 0  # long utterances cut before a pause
        self._heard = 0  # samples accepted since the session started
        self._lag_origin: float | None = None
        self.backlog_seconds = 0.0  # audio waiting behind real time at the last chunk
        self._partial_seconds = 0.0  # duration of the last partial decode
        self._reset()

    def _reset(self) -> None:
        self._parts: list[np.ndarray] = []
        self._samples = 0  # samples in the buffer (the current utterance)
        self.vad.reset()
        self._language: str | None = self.recognizer._whisper_language
        self._probability: float | None = None
        self._locked = False
        self._new_utterance()

    def _new_utterance(self) -> None:
        self._decoded_at = 0  # buffer size at the last partial decode
        self._previous = ""  # last partial hypothesis
        self._stable = ""  # text already emitted as partial
        self._early: str | None = None  # final decoded early in the current pause
        self._recount()

    def _recount(self) -> None:
        """Speech and trailing-silence frames of the buffer, from its VAD probabilities."""
        self._speech_frames = self._silent_frames = 0
        self._count(self.vad.probabilities)

    def _count(self, probabilities) -> None:
        threshold = self.vad_settings.threshold
        for probability in probabilities:
            if probability >= threshold:
                self._speech_frames += 1
                self._silent_frames = 0
                self._early = None  # speech went on: the early final is stale
            elif probability < threshold - 0.15:
                self._silent_frames += 1

    @property
    def buffered_seconds(self) -> float:
        return self._samples / ASR_RATE

    def _track_backlog(self) -> None:
        """How far this chunk arrived behind real time, against the best arrival so far
        (chunks queue up at the source while a decode runs; unpaced input: 0)."""
        behind = self.clock() - self._heard / ASR_RATE
        self._lag_origin = behind if self._lag_origin is None else min(self._lag_origin, behind)
        self.backlog_seconds = behind - self._lag_origin

    @property
    def _silence_ms(self) -> float:
        return self._silent_frames * _FRAME_S * 1000

    @property
    def _started(self) -> bool:
        return self._speech_frames * _FRAME_S * 1000 >= self.vad_settings.min_speech_ms

    def _buffer(self) -> np.ndarray:
        if len(self._parts) > 1:
            self._parts = [np.concatenate(self._parts)]
        return self._parts[0] if self._parts else np.zeros(0, np.float32)

    def _bounds(self, frames: int | None = None) -> tuple[int, int] | None:
        """Speech (first, end) sample within the buffer's first `frames` frames."""
        probabilities = self.vad.probabilities
        if frames is not None:
            probabilities = probabilities[:frames]
        bounds = speech_bounds(probabilities, self.vad_settings)
        if bounds is None or frames is None:
            return bounds
        return bounds[0], min(bounds[1], frames * _VAD_FRAME)

    def _speech(self) -> np.ndarray | None:
        """The buffer trimmed to its speech; None when the VAD heard none."""
        bounds = self._bounds()
        return None if bounds is None else self._buffer()[bounds[0]:bounds[1]]

    def _drop(self, frames: int) -> None:
        """Forget the buffer's first `frames` VAD frames (the VAD keeps its state)."""
        if frames <= 0:
            return
        self._parts = [self._buffer()[frames * _VAD_FRAME:]]
        self._samples -= frames * _VAD_FRAME
        self._decoded_at = max(0, self._decoded_at - frames * _VAD_FRAME)
        del self.vad.probabilities[:frames]

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
        started = self.clock()
        settings, text = self.settings, None
        # Push-to-talk finals keep the full decode's beam, guards and prompt.
        window = settings.window_s if not final or settings.window_finals else None
        if window and self._language and len(speech) < window * ASR_RATE:
            text = window_decode(self.recognizer, speech, self._language, self.prompt, window)
            if text is None and not final:
                text = ""  # a suspect partial is not worth a full decode: show none
        if text is None:
            text = self.recognizer.decode(speech, self._language, self.prompt, final=final)
        if not final:
            self._partial_seconds = self.clock() - started
        return text

    def _transcript(self, text: str, final: bool,
                    span: tuple[int, int] | None = None) -> Transcript:
        language = self._our_language()
        if language == "zh" and text:  # Whisper says "zh" for both scripts: ask the text
            from counter_app.langid import detect_text_language

            ranked = [code for code, _ in detect_text_language(text) if code.startswith("zh")]
            language = ranked[0] if ranked else language
        if final and language == "ja":  # amounts and dates as offices write them
            text = format_numbers(text)
        words: tuple[Word, ...] = ()
        if span and text and self.settings.continuous:
            # Whisper gives no word times here: one timed span per line (session time).
            origin = self._heard - self._samples
            words = (Word(text, (origin + span[0]) / ASR_RATE, (origin + span[1]) / ASR_RATE),)
        return Transcript(text=text, language=language, is_final=final, words=words,
                          detected_probability=self._probability)

    # --- the stream ---------------------------------------------------------------

    def accept(self, chunk: AudioChunk) -> Transcript | None:
        samples = _to_float(chunk)
        if samples.size == 0:
            return None
        self._parts.append(samples)
        self._samples += samples.size
        self._heard += samples.size
        self._track_backlog()
        self._count(self.vad.feed(samples))
        settings = self.settings
        if settings.end_silence_ms is None:
            return self._maybe_partial()
        if not self._started:
            self._drop_before_speech()
            return None
        if self._silence_ms >= settings.end_silence_ms:
            return self._commit(len(self.vad.probabilities))
        if settings.max_utterance_s and self._samples >= settings.max_utterance_s * ASR_RATE:
            self.cuts += 1
            return self._commit(self._quietest_frame())
        if settings.early_final_ms is not None and self._silence_ms >= settings.early_final_ms:
            if self._early is None and (speech := self._speech()) is not None:
                self._early = self._decode(speech, final=True)
            return None
        return self._maybe_partial()

    def _drop_before_speech(self) -> None:
        """Hands-free, before anyone speaks: keep only the last moments of audio."""
        keep = int(self.settings.keep_before_speech_s / _FRAME_S)
        if self._speech_frames and self._silence_ms < (self.settings.end_silence_ms or 0):
            return  # a start of speech, perhaps: wait and see
        self._drop(len(self.vad.probabilities) - keep)
        self._recount()

    def _quietest_frame(self) -> int:
        """Where to cut a long utterance: its least speech-like recent frame."""
        probabilities = self.vad.probabilities
        end = len(probabilities) - int(0.2 / _FRAME_S)  # leave the newest audio whole
        begin = max(1, end - int(self.settings.cut_search_s / _FRAME_S))
        if end <= begin:
            return len(probabilities)
        return begin + int(np.argmin(probabilities[begin:end]))

    def _commit(self, frames: int) -> Transcript:
        """Final of the buffer's first `frames` frames; the rest opens the next utterance."""
        bounds = self._bounds(frames)
        if bounds is None:
            text = ""
        elif self._early is not None and frames == len(self.vad.probabilities):
            text = self._early
        else:
            text = self._decode(self._buffer()[bounds[0]:bounds[1]], final=True)
        transcript = self._transcript(text, True, bounds)
        if frames >= len(self.vad.probabilities):  # ended at a pause: keep some of it
            frames -= min(self._silent_frames, int(self.settings.keep_before_speech_s / _FRAME_S))
        self._drop(frames)
        self._new_utterance()
        return transcript

    def _maybe_partial(self) -> Transcript | None:
        settings = self.settings
        if settings.partial_interval <= 0 or not self.want_partials:
            return None
        if settings.early_final_ms is not None and self._silence_ms >= settings.early_final_ms / 2:
            return None  # a pause: the final comes next and must not wait for a partial
        interval = settings.partial_interval
        if settings.adaptive:  # never decode more often than decoding allows
            interval = max(interval, self._partial_seconds / settings.budget)
        if not self._decoded_at and settings.first_partial_s is not None:  # first of utterance
            bounds = self._bounds()
            due = bounds is not None and \
                self._samples - bounds[0] >= settings.first_partial_s * ASR_RATE
        else:
            due = self._samples - self._decoded_at >= interval * ASR_RATE
        if not due or (settings.max_backlog_s is not None
                       and self.backlog_seconds > settings.max_backlog_s):
            return None
        speech = self._speech()
        if speech is None:
            return None
        self._decoded_at = self._samples
        hypothesis = self._decode(speech, final=False)
        if settings.tentative:
            agreed, self._previous = hypothesis.strip(), hypothesis
            if not agreed or agreed == self._stable:
                return None
        else:
            agreed = stable_prefix(self._previous, hypothesis,
                                   not languages.is_spaced(self._our_language()))
            self._previous = hypothesis
            if len(agreed) <= len(self._stable) or not agreed.startswith(self._stable):
                return None  # only ever extend what was shown
        self._stable = agreed
        return self._transcript(agreed, final=False)

    def finish(self) -> Transcript:
        bounds = self._bounds()
        if bounds is None:
            text = ""
        elif self._early is not None:
            text = self._early
        else:
            text = self._decode(self._buffer()[bounds[0]:bounds[1]], final=True)
        transcript = self._transcript(text, True, bounds)
        self._reset()
        return transcript
