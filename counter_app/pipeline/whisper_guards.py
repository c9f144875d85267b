"""Guards around one Whisper decode: no loops, no invented text, no text without speech.

Whisper sometimes runs away on short utterances (Open JTalk `避難所は近くの小学校です。`
once gave `開かないといけないといけない…`, 280 characters, from 2.5 s of audio).  The
guards: the VAD must hear speech; new tokens are capped by the audio's length;
faster-whisper's compression-ratio and log-probability checks drive a short temperature
fallback; and the chosen text is checked again (a repeated span longer than the audio
could hold, the token cap reached, too repetitive, too unsure, too long, a known
subtitle-credit hallucination, or Whisper's no-speech flag where the VAD is unsure).
A rejected decode returns "" with a reason; the text itself is never logged.
"""

from __future__ import annotations

import logging
import math
import zlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from counter_app import languages

log = logging.getLogger(__name__)

RATE = 16_000
_VAD_FRAME = 512
# Subtitle credits Whisper learned from video captions; never said at a counter.
_CREDITS = ("ご視聴ありがとうございました", "チャンネル登録", "thanks for watching",
            "thank you for watching", "subscribe to", "on the bell")


@dataclass(frozen=True, slots=True)
class GuardSettings:
    """Thresholds of the guards; `enabled=False` decodes like the bare engine."""

    enabled: bool = True
    temperatures: tuple[float, ...] = (0.0, 0.4, 0.8)  # bounded fallback: at most 3 tries
    best_of: int = 2  # samples per fallback temperature
    compression_ratio_threshold: float = 2.4
    log_prob_threshold: float = -1.0  # below this, try the next temperature
    reject_log_prob: float = -1.6  # below this after the fallback, reject (short words: ~-1.4)
    no_speech_threshold: float = 0.6
    vad_threshold: float = 0.5
    vad_min_speech_ms: int = 150  # less speech than this: nothing to decode (はい: ~220)
    vad_sure_fraction: float = 0.35  # VAD speech share outweighing Whisper's no-speech
    # Budgets per second of audio: tokens decoded at most, characters plausibly spoken.
    tokens_per_second: float = 10.0
    tokens_per_second_unspaced: float = 20.0
    chars_per_second: float = 20.0
    chars_per_second_unspaced: float = 10.0
    slack_tokens: int = 16
    slack_chars: int = 12
    max_letter_run: int = 5  # one letter this many times in a row is a loop

    @classmethod
    def off(cls) -> GuardSettings:
        return cls(enabled=False)


GUARDS = GuardSettings()


@dataclass(frozen=True, slots=True)
class Decoded:
    """One decode and the guards' verdict: `text` is "" whenever `reason` is set."""

    text: str
    reason: str | None = None  # None = accepted; else why the text was rejected
    seconds: float = 0.0
    tokens: int = 0
    max_new_tokens: int | None = None
    temperature: float | None = None
    avg_logprob: float | None = None
    compression_ratio: float | None = None
    no_speech_prob: float | None = None
    vad_fraction: float | None = None

    @property
    def rejected(self) -> bool:
        return self.reason is not None


@dataclass(frozen=True, slots=True)
class Repetition:
    """A span of `text[start:start + len(unit) * count]` made of `unit` repeated."""

    start: int
    unit: str
    count: int

    @property
    def length(self) -> int:
        return len(self.unit) * self.count


def find_repetition(text: str, min_count: int = 3, max_unit: int = 40) -> Repetition | None:
    """The longest run of one substring repeated back to back at least `min_count` times."""
    best: Repetition | None = None
    size = len(text)
    for period in range(1, min(max_unit, size // min_count) + 1):
        run = 0
        for i in range(size - period + 1):
            if i < size - period and text[i] == text[i + period]:
                run += 1
                continue
            count = run // period + 1
            if count >= min_count and (best is None or count * period > best.length):
                start = i - run
                best = Repetition(start, text[start:start + period], count)
            run = 0
    return best


def compression_ratio(text: str) -> float:
    """Bytes over zlib-compressed bytes, as faster-whisper measures repetitiveness."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if data else 0.0


def _unspaced(language: str | None) -> bool:
    """Whisper code `language` is written without spaces (denser text per second);
    unknown (None, or a code the registry lacks, e.g. yue, lo): the generous budget."""
    lang = languages.from_whisper(language) if language else None
    return lang is None or not lang.script.spaced


def token_budget(seconds: float, language: str | None, settings: GuardSettings = GUARDS) -> int:
    """Most new tokens a decode of this much audio may produce (one 30 s window)."""
    rate = settings.tokens_per_second_unspaced if _unspaced(language) \
        else settings.tokens_per_second
    return settings.slack_tokens + math.ceil(rate * min(seconds, 30.0))


def plausible_chars(seconds: float, language: str | None,
                    settings: GuardSettings = GUARDS) -> int:
    """Most characters a person can say in `seconds` (generous)."""
    rate = settings.chars_per_second_unspaced if _unspaced(language) \
        else settings.chars_per_second
    return settings.slack_chars + math.ceil(rate * seconds)


def is_loop(text: str, seconds: float, language: str | None,
            settings: GuardSettings = GUARDS) -> bool:
    """A repeated span longer than the audio could hold, or one letter said over and
    over (`カカカカカ`): the decoder went round in circles."""
    found = find_repetition(text)
    if found is None:
        return False
    letter = len(found.unit) == 1 and found.unit.isalpha() and found.unit != "ー"
    if letter and found.count >= settings.max_letter_run:
        return True
    limit = plausible_chars(seconds, language, settings) - settings.slack_chars
    return found.length > max(limit, 2 * len(found.unit))


def vad_speech(samples: np.ndarray, threshold: float) -> tuple[float, float]:
    """(seconds of speech, share of frames with speech) by the Silero VAD."""
    from faster_whisper.vad import get_vad_model

    if samples.size == 0:
        return 0.0, 0.0
    padded = np.pad(samples.astype(np.float32), (0, -samples.size % _VAD_FRAME))
    probabilities = np.asarray(get_vad_model()(padded)).reshape(-1)
    speech = int(np.count_nonzero(probabilities >= threshold))
    return speech * _VAD_FRAME / RATE, speech / probabilities.size


def _prompt_tokens(model: Any, prompt: str | None, hotwords: str | None) -> int:
    """An upper bound on the prompt faster-whisper builds (its get_prompt)."""
    half = model.max_length // 2 - 1
    count = 5  # sot_prev, sot, language, task, no_timestamps
    for text in (prompt, hotwords):
        if text and text.strip():
            count += min(half, len(model.hf_tokenizer.encode(" " + text.strip()).ids))
    return count


def _raw(model: Any, samples: np.ndarray, language: str | None, prompt: str | None,
         beam_size: int, hotwords: str | None) -> Decoded:
    segments, _ = model.transcribe(
        samples, language=language, beam_size=beam_size, temperature=0.0,
        initial_prompt=prompt, hotwords=hotwords, condition_on_previous_text=False,
        without_timestamps=True, vad_filter=False)
    parts = list(segments)
    return Decoded("".join(s.text for s in parts).strip(), None, samples.size / RATE,
                   sum(len(s.tokens) for s in parts))


def guarded_decode(model: Any, samples: np.ndarray, language: str | None, *,
                   prompt: str | None = None, beam_size: int = 1,
                   hotwords: str | None = None, settings: GuardSettings = GUARDS) -> Decoded:
    """Decode float 16 kHz `samples` with faster-whisper `model` and judge the result."""
    if not settings.enabled:
        return _raw(model, samples, language, prompt, beam_size, hotwords)
    seconds = samples.size / RATE
    speech_seconds, fraction = vad_speech(samples, settings.vad_threshold)
    if speech_seconds * 1000 < settings.vad_min_speech_ms:
        return _verdict(Decoded("", "vad_silent", seconds, vad_fraction=fraction))
    budget = token_budget(seconds, language, settings)
    room = model.max_length - _prompt_tokens(model, prompt, hotwords)
    max_new = min(budget, room) if room > 0 else None
    segments, _ = model.transcribe(
        samples, language=language, beam_size=beam_size, best_of=settings.best_of,
        temperature=list(settings.temperatures),
        compression_ratio_threshold=settings.compression_ratio_threshold,
        log_prob_threshold=settings.log_prob_threshold,
        no_speech_threshold=settings.no_speech_threshold, max_new_tokens=max_new,
        initial_prompt=prompt, hotwords=hotwords, condition_on_previous_text=False,
        without_timestamps=True, vad_filter=False)
    parts = list(segments)
    text = "".join(s.text for s in parts).strip()
    decoded = Decoded(
        text, None, seconds, sum(len(s.tokens) for s in parts), max_new,
        max((s.temperature for s in parts), default=None),
        min((s.avg_logprob for s in parts), default=None),
        compression_ratio(text),
        max((s.no_speech_prob for s in parts), default=None), fraction)
    return _verdict(_judge(decoded, language, settings, hit_cap=any(
        max_new is not None and len(s.tokens) >= max_new for s in parts)))


def text_problem(text: str, seconds: float, language: str | None,
                 settings: GuardSettings = GUARDS) -> str | None:
    """Why `text` cannot be what was said in `seconds` of audio, or None.

    For any decode path: a loop, too repetitive, too long, or a subtitle credit."""
    if is_loop(text, seconds, language, settings):
        return "repetition"
    if compression_ratio(text) > settings.compression_ratio_threshold:
        return "compression"
    if len(text) > plausible_chars(seconds, language, settings):
        return "too_long"
    squeezed = text.lower().replace(" ", "")
    if any(credit.replace(" ", "") in squeezed for credit in _CREDITS):
        return "credits"
    return None


def _judge(decoded: Decoded, language: str | None, settings: GuardSettings,
           hit_cap: bool) -> Decoded:
    """The first guard `decoded` fails, as the reason of an emptied copy."""
    if not decoded.text:
        reason: str | None = "no_speech"  # faster-whisper skipped the window as silence
    elif (decoded.no_speech_prob or 0.0) > settings.no_speech_threshold \
            and (decoded.vad_fraction or 0.0) < settings.vad_sure_fraction:
        reason = "no_speech"
    elif hit_cap:
        reason = "runaway"
    else:
        reason = text_problem(decoded.text, decoded.seconds, language, settings)
        if reason is None and decoded.avg_logprob is not None \
                and decoded.avg_logprob < settings.reject_log_prob:
            reason = "low_confidence"
    if reason is None:
        return decoded
    return Decoded("", reason, decoded.seconds, decoded.tokens, decoded.max_new_tokens,
                   decoded.temperature, decoded.avg_logprob, decoded.compression_ratio,
                   decoded.no_speech_prob, decoded.vad_fraction)


def _verdict(decoded: Decoded) -> Decoded:
    if decoded.rejected:  # numbers only: recognized text never reaches a log
        log.info("Whisper decode rejected (%s): %.2f s, %d tokens, T=%s, logprob=%s, cr=%s",
                 decoded.reason, decoded.seconds, decoded.tokens, decoded.temperature,
                 _num(decoded.avg_logprob), _num(decoded.compression_ratio))
    return decoded


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"
