"""The whole chain on real models, no mocks:
Korean speech (espeak-ng) -> Vosk ko (phrase mode) -> tiny MT ko->en (Argos
layout on CTranslate2) -> Piper joe -> WAV -> Whisper tiny.en hears English."""

import json
from pathlib import Path

import pytest

from counter_app.cli import main
from counter_app.events import StageChanged, TranscriptEvent, TurnStage
from counter_app.pipeline.audio import WavFileSink, WavFileSource
from counter_app.pipeline.factory import EngineFactory
from counter_app.pipeline.interpreter import Interpreter, TurnRequest, join_finals
from counter_app.store import ModelStore
from tests.whisper_fixtures import normalize_text, whisper_tiny_en_path

ROOT = Path(__file__).resolve().parents[1]
ROWS = [line.split("\t") for line in
        (ROOT / "tools/mt_fixture_phrases.tsv").read_text(encoding="utf-8").splitlines()[1:]]
KOREAN = [row[2] for row in ROWS]
# Phrases Vosk verifies with a wide margin on this espeak-ng audio (test_asr_vosk.MUST_BE_EXACT)
CASES = [("여기에 서명해 주세요.", "Please sign here."),
         ("이 서류를 작성해 주세요.", "Please fill out this form."),
         ("감사합니다.", "Thank you.")]


@pytest.fixture(scope="module")
def factory(test_store_root):
    import onnxruntime

    onnxruntime.set_seed(0)  # Piper adds random noise: fix it so runs are repeatable
    return EngineFactory(ModelStore(test_store_root))


@pytest.fixture(scope="module")
def english_ears():
    from counter_app.pipeline.asr_whisper import WhisperRecognizer

    return WhisperRecognizer(whisper_tiny_en_path(), "en")


@pytest.mark.slow
@pytest.mark.parametrize(("korean", "english"), CASES)
def test_korean_speech_becomes_english_speech(korean, english, factory, english_ears,
                                              speech, tmp_path):
    events = []
    out = tmp_path / "answer.wav"
    interpreter = Interpreter(factory, events.append)
    audio = WavFileSource(speech.espeak(korean, "ko"))
    result = interpreter.run(TurnRequest("ko", "en", audio=audio, phrases=KOREAN,
                                         sink=WavFileSink(out)))
    interpreter.shutdown()

    assert result.stage is TurnStage.DONE, result.error
    assert result.transcript.text == korean
    assert result.translation.text == english
    assert result.translation.back_translation == korean  # via the en->ko model
    assert result.translation.path == ("ko", "en")
    stages = [e.stage for e in events if isinstance(e, StageChanged)]
    assert stages == [TurnStage.LISTENING, TurnStage.RECOGNIZING, TurnStage.RECOGNIZED,
                      TurnStage.TRANSLATING, TurnStage.SPEAKING, TurnStage.DONE]
    assert any(isinstance(e, TranscriptEvent) and e.transcript.is_final for e in events)
    assert result.timings["end_of_speech_to_first_audio"] > 0

    heard = english_ears.transcribe(WavFileSource(out).chunks())
    assert normalize_text(join_finals([t.text for t in heard], "en")) == normalize_text(english)


@pytest.mark.slow
def test_cli_interpret_prints_text_translation_back_translation_and_timings(
        test_store_root, speech, tmp_path, capsys):
    wav = speech.espeak("감사합니다.", "ko")
    phrases = tmp_path / "phrases.txt"
    phrases.write_text("\n".join(KOREAN), encoding="utf-8")
    code = main(["--models", str(test_store_root), "interpret", "--from", "ko", "--to", "en",
                 "--in", str(wav), "--out", str(tmp_path / "out.wav"), "--phrases", str(phrases),
                 "--json"])
    assert code == 0
    report = json.loads(capsys.readouterr().out)
    assert report["recognized"] == "감사합니다."
    assert report["translation"] == "Thank you."
    assert report["back_translation"] == "감사합니다."
    assert {"asr_ready", "final_after_release", "translate", "tts_first_audio"} <= set(
        report["timings"])
    assert (tmp_path / "out.wav").stat().st_size > 10_000


def test_cli_reports_missing_models_clearly(tmp_path, capsys):
    empty = tmp_path / "empty-store"
    empty.mkdir()
    code = main(["--models", str(empty), "translate", "--from", "ko", "--to", "vi", "안녕하세요."])
    assert code == 2
    assert "counter-app models install" in capsys.readouterr().err


def test_cli_rejects_non_wav_input(tmp_path, capsys):
    bad = tmp_path / "speech.mp3"
    bad.write_bytes(b"ID3\x03\x00not audio")
    assert main(["transcribe", str(bad), "--lang", "ko"]) == 2
    assert "not a readable PCM WAV" in capsys.readouterr().err
