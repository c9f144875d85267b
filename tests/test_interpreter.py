"""Turn logic with scripted engines (the real-model chain is in test_end_to_end.py)."""

import threading
import time

import pytest

from counter_app.events import (
    PipelineError,
    SpeechEvent,
    StageChanged,
    Transcript,
    TranscriptEvent,
    Translation,
    TranslationEvent,
    TurnStage,
    TurnTimings,
)
from counter_app.pipeline.audio import MemorySink
from counter_app.pipeline.interpreter import Interpreter, TurnRequest, join_finals
from tests.fakes import FakeFactory, GatedSource


class Recorder:
    def __init__(self):
        self.events = []
        self.threads = set()

    def __call__(self, event):
        self.threads.add(threading.current_thread().name)
        self.events.append(event)

    def of(self, kind):
        return [e for e in self.events if isinstance(e, kind)]

    def stages(self):
        return [e.stage for e in self.of(StageChanged)]


@pytest.fixture()
def recorder():
    return Recorder()


def test_push_to_talk_turn_flows_one_way(recorder):
    interpreter = Interpreter(FakeFactory("please take a ticket"), recorder)
    source, sink = GatedSource(), MemorySink()
    turn = interpreter.start(TurnRequest("en", "ja", audio=source, sink=sink))
    deadline = time.monotonic() + 10  # hold the button until a partial shows
    while not recorder.of(TranscriptEvent) and time.monotonic() < deadline:
        time.sleep(0.01)
    turn.release()
    result = turn.result(10)

    assert result.stage is TurnStage.DONE
    assert recorder.stages() == [TurnStage.LISTENING, TurnStage.RECOGNIZING, TurnStage.RECOGNIZED,
                                 TurnStage.TRANSLATING, TurnStage.SPEAKING, TurnStage.DONE]
    transcripts = [e.transcript for e in recorder.of(TranscriptEvent)]
    assert any(not t.is_final for t in transcripts)
    assert transcripts[-1].is_final and not any(t.is_final for t in transcripts[:-1])
    translation = recorder.of(TranslationEvent)[0].translation
    assert translation.text.startswith("ja:")
    assert translation.back_translation.startswith("en:")
    assert sink.closed and sink.chunks == list(recorder.of(SpeechEvent)[0].chunks)
    assert "end_of_speech_to_first_audio" in recorder.of(TurnTimings)[0].values
    assert threading.current_thread().name not in recorder.threads  # never the caller's thread
    interpreter.shutdown()


def test_edit_before_translate_uses_corrected_text(recorder):
    interpreter = Interpreter(FakeFactory("recognized wrongly"), recorder)
    source = GatedSource(limit=2)
    turn = interpreter.start(TurnRequest("en", "ja", audio=source, edit_before_translate=True))
    # wait until the final transcript is out, then correct it
    for _ in range(500):
        if TurnStage.RECOGNIZED in recorder.stages():
            break
        threading.Event().wait(0.01)
    assert not recorder.of(TranslationEvent)
    turn.submit("corrected text")
    result = turn.result(10)
    assert result.translation.source_text == "corrected text"
    assert result.transcript.text == "corrected text"


def test_cancel_while_listening_discards_the_turn(recorder):
    interpreter = Interpreter(FakeFactory(), recorder)
    source = GatedSource()
    turn = interpreter.start(TurnRequest("en", "ja", audio=source, sink=MemorySink()))
    source.started.wait(5)
    turn.cancel()
    result = turn.result(10)
    assert result.stage is TurnStage.CANCELLED
    assert not recorder.of(TranslationEvent) and not recorder.of(SpeechEvent)


def test_missing_voice_still_shows_translation(recorder):
    interpreter = Interpreter(FakeFactory(voice_missing=True), recorder)
    result = interpreter.run(TurnRequest("en", "tl", text="hello", sink=MemorySink()))
    assert result.stage is TurnStage.DONE
    assert result.translation.text == "tl:HELLO"
    errors = recorder.of(PipelineError)
    assert [e.kind for e in errors] == ["voice_unavailable"]
    assert "tl" in errors[0].message


def test_nothing_heard_fails_with_a_clear_message(recorder):
    interpreter = Interpreter(FakeFactory(text=""), recorder)
    result = interpreter.run(TurnRequest("en", "ja", audio=GatedSource(limit=3)))
    assert result.stage is TurnStage.FAILED
    assert "Nothing was recognized" in result.error


def test_verified_phrase_replaces_machine_translation(recorder):
    def lookup(transcript: Transcript, target: str):
        return Translation(transcript.text, transcript.language, target, "番号札をお取りください。",
                           path=(transcript.language, target), phrase_id="reception.ticket")

    interpreter = Interpreter(FakeFactory(), recorder, verified_lookup=lookup)
    result = interpreter.run(TurnRequest("en", "ja", text="Please take a ticket."))
    assert result.translation.phrase_id == "reception.ticket"
    assert result.translation.text == "番号札をお取りください。"


def test_join_finals_respects_spacing_rules():
    assert join_finals(["住民票を", "ください"], "ja") == "住民票をください"
    assert join_finals(["hello", " world "], "en") == "hello world"


def test_term_corrections_apply_to_recognized_text(recorder):
    def correct(text, language):
        return text.replace("住民兵", "住民票")

    interpreter = Interpreter(FakeFactory("住民兵 の 写し"), recorder, postprocess=correct)
    result = interpreter.run(TurnRequest("ja", "en", audio=GatedSource(limit=3)))
    assert result.transcript.text == "住民票 の 写し"  # the scripted engine keeps spaces
    assert result.translation.source_text == "住民票 の 写し"
