"""`counter-app detect-language` and its Qt-free helpers, on real speech and Whisper base."""

import argparse
import json
import wave

import pytest

from counter_app.errors import CounterAppError, ModelNotFoundError
from counter_app.langid_cli import (
    add_commands,
    detect_spoken_language,
    find_whisper_model,
    record_speech,
)
from counter_app.pipeline.audio import WavFileSource, read_wav
from counter_app.store import ModelStore

ENGLISH = "Hello, I would like to register my new address."
VIETNAMESE = "Xin chào, tôi muốn đăng ký địa chỉ mới."


@pytest.fixture(autouse=True)
def own_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(tmp_path / "settings.json"))


def run(argv, capsys):
    """Parse like counter_app.cli (global --models) and run the command."""
    parser = argparse.ArgumentParser(prog="counter-app")
    parser.add_argument("--models")
    add_commands(parser.add_subparsers(dest="command"))
    args = parser.parse_args(argv)
    assert args.func(args) == 0
    return capsys.readouterr().out


@pytest.fixture(scope="module")
def whisper(full_store_root):
    from counter_app.pipeline.asr_whisper import WhisperRecognizer

    return WhisperRecognizer(find_whisper_model(ModelStore(full_store_root)).path)


def test_text(capsys):
    out = run(["detect-language", "번호표를", "뽑아", "주세요."], capsys)
    first = out.splitlines()[0].split()
    assert first[:2] == ["ko", "100.0%"] and first[-1] == "한국어" and "Korean" in first


def test_text_json_lists_candidates_best_first(capsys):
    out = run(["detect-language", "--json", "--top", "3",
               "Tôi cần giấy chứng nhận cư trú."], capsys)
    ranked = json.loads(out)
    assert ranked[0]["code"] == "vi" and ranked[0]["native"] == "Tiếng Việt"
    assert 1 <= len(ranked) <= 3
    assert [r["probability"] for r in ranked] == sorted((r["probability"] for r in ranked),
                                                        reverse=True)


def test_wav_english_piper_speech(full_store_root, speech, capsys):
    out = run(["--models", str(full_store_root), "detect-language", "--wav",
               str(speech.piper(ENGLISH))], capsys)
    code, probability = out.split()[:2]
    assert code == "en" and float(probability.rstrip("%")) > 80


def test_wav_vietnamese_espeak_speech(full_store_root, speech, capsys):
    out = run(["--models", str(full_store_root), "detect-language", "--json", "--wav",
               str(speech.espeak(VIETNAMESE, "vi"))], capsys)
    assert json.loads(out)[0]["code"] == "vi"


def test_wav_without_whisper_model_says_what_to_install(test_store_root, speech):
    with pytest.raises(ModelNotFoundError, match="counter-app models import"):
        run(["--models", str(test_store_root), "detect-language", "--wav",
             str(speech.piper(ENGLISH))], None)


def test_text_and_wav_together_is_an_error(tmp_path):
    with pytest.raises(CounterAppError, match="either"):
        run(["detect-language", "--wav", str(tmp_path / "x.wav"), "hello"], None)


def test_english_only_whisper_is_not_used_for_identification(tmp_path):
    english_only = tmp_path / "asr" / "whisper" / "tiny.en"
    english_only.mkdir(parents=True)
    (english_only / "model.bin").write_bytes(b"")
    with pytest.raises(ModelNotFoundError):
        find_whisper_model(ModelStore(tmp_path, include_packages=False))


def test_silence_has_no_language(whisper, tmp_path):
    silent = tmp_path / "silence.wav"
    with wave.open(str(silent), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(16000)
        wav.writeframes(bytes(16000 * 2 * 3))
    assert detect_spoken_language(whisper, read_wav(silent)) == []


def test_recording_stops_when_the_speaker_pauses(whisper, speech):
    source = WavFileSource(speech.piper(ENGLISH), tail_silence=5.0)
    heard = []
    audio = record_speech(source, on_chunk=heard.append)
    total = source.audio.seconds + 5.0
    assert sum(c.seconds for c in heard) < total - 3.0  # stopped soon after the pause
    assert 2.0 < audio.seconds < source.audio.seconds + 0.5  # the speech, trimmed
    assert detect_spoken_language(whisper, audio)[0][0] == "en"


def test_recording_stops_after_a_few_seconds_of_speech(speech):
    long_speech = speech.piper(" ".join([ENGLISH] * 3))
    source = WavFileSource(long_speech)
    heard = []
    audio = record_speech(source, max_speech_seconds=4.0, on_chunk=heard.append)
    assert source.audio.seconds > 8.0
    assert sum(c.seconds for c in heard) < 6.0
    assert 3.5 < audio.seconds < 6.0
