"""Japanese staff side end to end on real models, no mocks:
Open JTalk speech -> Whisper base -> tiny MT ja->en -> Piper joe -> Whisper tiny.en,
and back: Piper English speech -> Whisper base -> tiny MT en->ja -> Open JTalk ->
Whisper base hears Japanese."""

import pytest

from counter_app.pipeline.audio import MemorySink, WavFileSink, WavFileSource
from counter_app.pipeline.factory import EngineFactory
from counter_app.pipeline.interpreter import Interpreter, TurnRequest, join_finals
from counter_app.store import ModelStore
from tests.whisper_fixtures import (
    character_error_rate,
    normalize_text,
    whisper_base_path,
    whisper_tiny_en_path,
)

pytestmark = pytest.mark.slow
STAFF = [("マイナンバーカードはお持ちですか。", "Do you have your My Number card?"),
         ("お名前を教えてください。", "Please tell me your name."),
         ("少々お待ちください。", "Please wait a moment.")]


@pytest.fixture(scope="module")
def factory(full_store_root):
    import onnxruntime

    onnxruntime.set_seed(0)
    return EngineFactory(ModelStore(full_store_root))


@pytest.fixture(scope="module")
def interpreter(factory):
    interpreter = Interpreter(factory, lambda event: None)
    yield interpreter
    interpreter.shutdown()


def _hear(model_path, language, wav) -> str:
    from counter_app.pipeline.asr_whisper import WhisperRecognizer

    finals = WhisperRecognizer(model_path, language).transcribe(WavFileSource(wav).chunks())
    return join_finals([t.text for t in finals], language)


@pytest.mark.parametrize(("japanese", "english"), STAFF)
def test_staff_japanese_speech_becomes_english_speech(japanese, english, interpreter, factory,
                                                      speech, tmp_path):
    assert factory.choose_recognizer("ja").engine == "whisper"  # no Japanese Vosk model here
    out = tmp_path / "answer.wav"
    audio = WavFileSource(speech.openjtalk(japanese))
    result = interpreter.run(TurnRequest("ja", "en", audio=audio, sink=WavFileSink(out)))
    assert result.error is None
    assert character_error_rate(japanese, result.transcript.text) <= 0.25
    assert result.translation.text == english
    assert normalize_text(_hear(whisper_tiny_en_path(), "en", out)) == normalize_text(english)


def test_english_speech_becomes_japanese_speech(interpreter, speech, tmp_path):
    english, japanese = "Please wait a moment.", "少々お待ちください。"
    sink = MemorySink()
    result = interpreter.run(TurnRequest("en", "ja", audio=WavFileSource(speech.piper(english)),
                                         sink=sink))
    assert result.error is None
    assert normalize_text(result.transcript.text) == normalize_text(english)
    assert result.translation.text == japanese
    assert result.speech_quality.value == "good" and sink.chunks  # Open JTalk, not espeak
    out = tmp_path / "japanese.wav"
    from counter_app.pipeline.audio import write_wav

    write_wav(out, sink.chunks)
    assert character_error_rate(japanese, _hear(whisper_base_path(), "ja", out)) <= 0.3
