"""Caption mode on Whisper base: Japanese Open JTalk speech paced like a microphone,
lines finished at the pauses; and the continuous session's own rules (long utterances
cut, bounded re-decode window, partials only within the CPU budget)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import numpy as np
import pytest

from counter_app.captions import CaptionFinal, CaptionPartial, CaptionRunner, CaptionSession
from counter_app.events import AudioChunk
from counter_app.pipeline.asr_whisper import VadSettings, WhisperRecognizer
from counter_app.pipeline.audio import WavFileSource, read_wav, split, write_wav
from counter_app.pipeline.whisper_stream import CONTINUOUS, WhisperSession
from tests.whisper_fixtures import OFFICE_PROMPT_JA, normalize_text, whisper_base_path

pytestmark = pytest.mark.slow

SENTENCES = ("住民票の写しをください。", "マイナンバーカードはお持ちですか。",
             "お名前を教えてください。", "この書類に記入してください。")
PAUSE = 0.7  # plus the 0.3 s SpeechMaker pads on each side: ~1.3 s between sentences
RATE = 16_000


def overlap(reference: str, hypothesis: str) -> float:
    """Share of the reference's characters found in the hypothesis (order ignored)."""
    ref, hyp = Counter(normalize_text(reference)), Counter(normalize_text(hypothesis))
    return sum((ref & hyp).values()) / max(1, sum(ref.values()))


def sound_span(audio: AudioChunk) -> tuple[float, float]:
    """Seconds of the first and last sample louder than 2% of the peak."""
    samples = np.abs(audio.to_array().astype(np.int32))
    loud = np.nonzero(samples > 0.02 * samples.max())[0]
    return loud[0] / audio.rate, loud[-1] / audio.rate


def silence(seconds: float) -> AudioChunk:
    return AudioChunk(bytes(int(RATE * seconds) * 2), RATE)


@pytest.fixture(scope="module")
def whisper_ja() -> WhisperRecognizer:
    return WhisperRecognizer(whisper_base_path(), None).for_language(
        "ja", initial_prompt=OFFICE_PROMPT_JA)


@pytest.fixture(scope="module")
def recording(speech, tmp_path_factory):
    """Four sentences with pauses; (path, [(speech start, speech end)], seconds)."""
    parts, spans, t = [silence(0.5)], [], 0.5
    for sentence in SENTENCES:
        spoken = read_wav(speech.openjtalk(sentence))
        start, end = sound_span(spoken)
        spans.append((t + start, t + end))
        parts += [spoken, silence(PAUSE)]
        t += spoken.seconds + PAUSE
    path = tmp_path_factory.mktemp("captions-ja") / "four.wav"
    write_wav(path, parts)
    return path, spans, t


def test_japanese_lines_finish_at_each_pause(whisper_ja, recording, tmp_path):
    path, spans, seconds = recording
    session, events = CaptionSession(), []
    runner = CaptionRunner(session, "staff", lambda: whisper_ja,
                           lambda: WavFileSource(path, realtime=True),
                           lambda event: events.append((runner.audio_time, event)))
    runner.start()
    runner._thread.join(seconds * 4 + 30)
    assert not runner._thread.is_alive()
    runner.stop()

    lines = session.lines()
    texts = [line.text for line in lines]
    assert len(lines) == len(SENTENCES), texts  # one line per sentence
    for sentence, line in zip(SENTENCES, lines, strict=True):
        assert overlap(sentence, line.text) >= 0.6, texts
    # each line was finished in the pause after its sentence (audio time), not at the end
    finals = [(heard, e.line) for heard, e in events if isinstance(e, CaptionFinal)]
    ends = [end for _, end in spans]
    starts = [start for start, _ in spans[1:]] + [seconds]
    for (heard, _), end, next_start in zip(finals, ends, starts, strict=True):
        assert end + 0.3 <= heard <= next_start + 0.1, (heard, end, next_start)
    # timings come from the speech itself
    for line, (start, end) in zip(lines, spans, strict=True):
        assert start - 0.5 <= line.start < line.end <= end + 0.5, (line, start, end)
    # partial text came first, for (nearly) every line
    kinds = [type(e) for _, e in events if isinstance(e, CaptionPartial | CaptionFinal)]
    assert kinds[0] is CaptionPartial
    led_by_partial = sum(1 for before, after in zip(kinds, kinds[1:], strict=False)
                         if before is CaptionPartial and after is CaptionFinal)
    assert led_by_partial >= len(SENTENCES) - 1, kinds

    srt = session.export(tmp_path / "c.srt").read_text(encoding="utf-8")
    cues = re.findall(r"(\d\d):(\d\d):(\d\d),(\d{3}) --> (\d\d):(\d\d):(\d\d),(\d{3})", srt)
    assert len(cues) == len(SENTENCES)
    times = [(int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000,
              int(h2) * 3600 + int(m2) * 60 + int(s2) + int(ms2) / 1000)
             for h, m, s, ms, h2, m2, s2, ms2 in cues]
    assert all(a < b for a, b in times) and all(b1 <= a2 for (_, b1), (a2, _) in
                                                 zip(times, times[1:], strict=False))
    assert times[-1][1] <= seconds
    text = session.export(tmp_path / "c.txt").read_text(encoding="utf-8")
    assert all(line.text in text for line in lines) and "staff:" in text


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class _Decoder:
    """Stands in for Whisper: records what it is asked to decode; each decode
    advances the clock as a slow device would."""

    hotwords = None
    detect_seconds = 3.0
    language = "ja"
    _whisper_language = "ja"

    def __init__(self, clock: _Clock, seconds_per_decode: float = 0.0, text: str = "line"):
        self.clock, self.seconds_per_decode, self.text = clock, seconds_per_decode, text
        self.session: WhisperSession | None = None
        self.decoded: list[tuple[int, float]] = []  # (samples, backlog when it started)

    def decode(self, samples: np.ndarray, whisper_language, prompt, *,
               final: bool = False) -> str:
        backlog = self.session.backlog_seconds if self.session else 0.0
        self.decoded.append((len(samples), backlog))
        self.clock.now += self.seconds_per_decode
        return f"{self.text}{len(self.decoded)}" if self.text else ""


@pytest.fixture(scope="module")
def long_speech(speech) -> tuple[AudioChunk, list[tuple[float, float]]]:
    """~30 s of talk with only short breaths (0.2 s) between sentences: no pause
    long enough to end an utterance.  Returns the audio and the breaths (s)."""
    parts, breaths, t = [], [], 0.0
    for sentence in SENTENCES * 3:
        spoken = read_wav(speech.openjtalk(sentence))
        start, end = sound_span(spoken)
        clip = spoken.audio[int(start * RATE) * 2:int(end * RATE) * 2]
        parts.append(clip + bytes(int(0.2 * RATE) * 2))
        t += len(clip) / 2 / RATE
        breaths.append((t, t + 0.2))
        t += 0.2
    return AudioChunk(b"".join(parts), RATE), breaths


def test_long_utterance_is_cut_in_a_breath_and_the_window_stays_bounded(long_speech):
    audio, breaths = long_speech
    clock = _Clock()
    decoder = _Decoder(clock)
    settings = replace(CONTINUOUS, window_s=None, partial_interval=0)
    session = WhisperSession(decoder, None, settings, VadSettings(), clock)
    finals, longest, heard = [], 0.0, 0.0
    for chunk in split(audio, 0.1):
        heard += chunk.seconds
        clock.now = max(clock.now, heard)
        result = session.accept(chunk)
        longest = max(longest, session.buffered_seconds)
        if result is not None:
            assert result.is_final
            finals.append((heard, result))
    last = session.finish()
    assert session.cuts >= 2 and len(finals) >= 2
    assert longest <= settings.max_utterance_s + 0.1  # the re-decoded window is bounded
    assert all(samples <= settings.max_utterance_s * RATE for samples, _ in decoder.decoded)
    spans = [(t.words[0].start, t.words[0].end) for _, t in finals] + \
        [(last.words[0].start, last.words[0].end)]
    for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
        assert start >= end - 0.01  # no audio decoded twice
        # cut in a breath between sentences (the quietest place), not mid-word
        assert any(a - 0.15 <= end <= b + 0.15 for a, b in breaths), (end, breaths)
    for heard, transcript in finals:  # nothing waits unfinished much past the limit
        assert heard - transcript.words[0].start <= settings.max_utterance_s + 0.5


@pytest.mark.parametrize("text", ["line", ""])  # "": nothing recognized yet, keep waiting
def test_partials_wait_while_audio_backs_up_and_stay_within_budget(long_speech, text):
    audio, _ = long_speech
    clock = _Clock()
    decoder = _Decoder(clock, seconds_per_decode=0.8, text=text)  # a slow device
    # no cuts, no early finals: every decode here is a partial
    settings = replace(CONTINUOUS, window_s=None, max_utterance_s=60.0, early_final_ms=None)
    session = decoder.session = WhisperSession(decoder, None, settings, VadSettings(), clock)
    heard = 0.0
    for chunk in split(audio, 0.1):  # a microphone: chunks queue while a decode runs
        heard += chunk.seconds
        clock.now = max(clock.now, heard)
        result = session.accept(chunk)
        assert result is None or not result.is_final
    assert len(decoder.decoded) >= 3
    assert max(backlog for _, backlog in decoder.decoded) <= settings.max_backlog_s
    # partial decodes take at most the budgeted share of the audio's duration
    busy = len(decoder.decoded) * decoder.seconds_per_decode
    assert busy <= settings.budget * audio.seconds + decoder.seconds_per_decode
