"""Push-to-talk Whisper shows words while the sentence is still being spoken.

The turn runs through the Interpreter on the real MicrophoneSource, whose stand-in
PortAudio delivers 0.1 s blocks from its own thread in real time (the stream of
test_push_to_talk_release).  Where the first partial arrived is measured in audio
(how much the microphone had delivered), never in wall-clock seconds.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from counter_app.events import AudioChunk, StageChanged, TranscriptEvent, TurnStage
from counter_app.pipeline import audio as audio_module
from counter_app.pipeline.audio import MicrophoneSource, read_wav, split
from counter_app.pipeline.interpreter import Interpreter, TurnRequest
from tests.test_push_to_talk_release import _FakeSoundDevice
from tests.whisper_fixtures import OFFICE_PROMPT_JA, normalize_text

pytestmark = pytest.mark.slow

SENTENCE = "本人確認書類を見せてください。"  # ~2.9 s of Open JTalk speech
# The first partial comes after 0.6 s of speech (0.4 s past onset) plus one short
# decode; the old LocalAgreement on the 30 s window needed ~2 s of speech and up to
# 4 s of delivered audio.  The bound leaves a loaded machine a full second.
FIRST_PARTIAL_WITHIN_S = 2.0
BLOCK_S = 0.1


def _onset_seconds(samples: np.ndarray) -> float:
    """Where speech starts: the first sample above 2 % of the clip's peak."""
    magnitude = np.abs(samples.astype(np.int32))
    return float(np.nonzero(magnitude > 0.02 * magnitude.max())[0][0]) / 16_000


def _hold_and_release(interpreter: Interpreter, monkeypatch, samples: np.ndarray,
                      release_after: float = 0.15) -> tuple[object, list]:
    """Speak into the paced microphone; each event is kept with the audio delivered so far
    (seconds); release `release_after` s after the sentence ends."""
    device = _FakeSoundDevice(samples)
    monkeypatch.setattr(audio_module, "_sounddevice", lambda: device)
    events: list[tuple[object, float]] = []

    def emit(event) -> None:
        delivered = device.streams[0].blocks_delivered if device.streams else 0
        events.append((event, delivered * BLOCK_S))

    interpreter.emit = emit
    turn = interpreter.start(TurnRequest("ja", "en", audio=MicrophoneSource(chunk_seconds=BLOCK_S),
                                         back_translate=False))
    deadline = time.monotonic() + 30
    while not device.streams and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(samples.size / 16_000 + release_after)
    turn.release()
    return turn.result(timeout=120), events


@pytest.fixture(scope="module")
def factory(full_store_root):
    from counter_app.pipeline.factory import EngineFactory
    from counter_app.store import ModelStore

    factory = EngineFactory(ModelStore(full_store_root))
    # The app prompts Whisper with the office term dictionary (session.wire_terms).
    factory.vocabulary_prompt = lambda code: OFFICE_PROMPT_JA if code == "ja" else ""
    assert factory.choose_recognizer("ja").engine == "whisper"
    factory.recognizer("ja")  # loaded before the button is pressed, as the app preloads
    return factory


def _final_without_partials(factory, audio: AudioChunk) -> str:
    """What the recognizer's final says when no partial was ever decoded."""
    session = factory.recognizer("ja").start(partial_interval=0)
    session.accept(audio)
    return session.finish().text


def test_a_partial_with_words_comes_while_speaking_and_the_final_is_unchanged(
        factory, speech, monkeypatch):
    audio = read_wav(speech.openjtalk(SENTENCE))
    samples = audio.to_array()
    onset = _onset_seconds(samples)
    interpreter = Interpreter(factory, lambda event: None)
    try:
        result, events = _hold_and_release(interpreter, monkeypatch, samples)
    finally:
        interpreter.shutdown()
    released = next(i for i, (e, _) in enumerate(events)
                    if isinstance(e, StageChanged) and e.stage == TurnStage.RECOGNIZING)
    partials = [(e.transcript.text, delivered) for e, delivered in events[:released]
                if isinstance(e, TranscriptEvent) and not e.transcript.is_final]
    final = result.transcript.text
    assert "ください" in final, final
    worded = [(text, delivered) for text, delivered in partials
              if len(normalize_text(text)) >= 2
              and normalize_text(final).startswith(normalize_text(text))]
    assert worded, (partials, final)  # real words of the sentence before release
    assert worded[0][1] - onset <= FIRST_PARTIAL_WITHIN_S, (partials, onset)
    # The final is the guarded full decode, as if no partial had been decoded.
    assert final == _final_without_partials(factory, audio)


def test_partials_use_the_short_window_and_leave_the_final_alone(factory, speech):
    """Fed at full speed: the first partial after 0.6 s of speech, and the same final
    text with partials every 0.5 s as with none."""
    audio = read_wav(speech.openjtalk(SENTENCE))
    onset = _onset_seconds(audio.to_array())
    session = factory.recognizer("ja").start(partial_interval=0.5, adaptive=False)
    partials, fed = [], 0.0
    for chunk in split(audio, BLOCK_S):
        fed += chunk.seconds
        if (transcript := session.accept(chunk)) is not None:
            assert not transcript.is_final
            partials.append((transcript.text, fed))
    assert session.settings.window_s and not session.settings.window_finals
    assert partials and partials[0][1] - onset <= 1.0, partials  # 0.6 s of speech + pad
    assert session.decodes <= int(audio.seconds / 0.5) + 1  # at a bounded rate
    assert session.finish().text == _final_without_partials(factory, audio)
