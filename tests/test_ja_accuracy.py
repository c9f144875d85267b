"""Staff-side Japanese on the real models (issue 12): the issue's mis-hearings come
out right with the shipped term dictionary, and a short 「はい。」 is heard.

Speech from Open JTalk; recognition through the app's push-to-talk session on
Whisper base with the prompt the app builds from the dictionary, beam-5 finals,
the dictionary's corrections and the office number format.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from counter_app.events import AudioChunk
from counter_app.phrasebook.terms import load_terms
from counter_app.pipeline.audio import read_wav, split
from tests.whisper_fixtures import whisper_base_path

pytestmark = pytest.mark.slow

TERMS = Path(__file__).resolve().parents[1] / "phrasebooks" / "terms.yaml"


@pytest.fixture(scope="module")
def terms():
    return load_terms(TERMS)


@pytest.fixture(scope="module")
def whisper_ja(terms):
    from counter_app.pipeline.asr_whisper import WhisperRecognizer

    prompt = "、".join(terms.vocabulary("ja"))  # as app.term_hooks builds it
    return WhisperRecognizer(whisper_base_path(), "ja", initial_prompt=prompt)


def push_to_talk(recognizer, audio: AudioChunk) -> str:
    session = recognizer.start(partial_interval=0)
    for chunk in split(audio, 0.1):
        session.accept(chunk)
    return session.finish().text


# The issue: 前の住所 -> 前の重症, 児童手当の申請書 -> 自動手当ての新生称,
# 転出届 -> 電子ツートドケー, 三百円 -> 3倍く円 (raw Whisper base on Open JTalk).
_UNSOLVED = "Whisper base still mis-hears it on Open JTalk (issue 12, left open)"


@pytest.mark.parametrize(("sentence", "expected"), [
    ("前の住所をご記入ください。", "前の住所"),
    ("児童手当の申請書をお持ちですか。", "児童手当の申請書"),
    # heard as 電子ツッと解けを出し下さい: no safe correction for a new garbling
    pytest.param("転出届をお出しください。", "転出届", marks=pytest.mark.xfail(reason=_UNSOLVED)),
    # heard as 3枚円 (now shown as 300円) with the old prompt, 三爆園 with the new one;
    # right on oneDNN (as the suite runs), still wrong on MKL (Intel's default): xfail
    pytest.param("コピーは三百円です。", "300円", marks=pytest.mark.xfail(reason=_UNSOLVED)),
])
def test_issue_examples_come_out_right(whisper_ja, terms, speech, sentence, expected,
                                       no_network):
    heard = push_to_talk(whisper_ja, read_wav(speech.openjtalk(sentence)))
    corrected = terms.apply_asr_corrections(heard, "ja")
    assert expected in corrected, (heard, corrected)


@pytest.mark.parametrize(("heard", "shown"), [
    ("前の住所はどちらですか", "前の住所はどちらですか"),  # nothing to correct
    ("自動手当ての新生称を書いてください", "児童手当の申請書を書いてください"),
    ("電子ツートドケーを出してください", "転出届を出してください"),
    ("1通3倍く円です", "1通300円です"),
])
def test_the_issues_mis_hearings_are_corrected(terms, heard, shown):
    """The dictionary and the number format turn the issue's outputs into what was said."""
    from counter_app.ja_numbers import format_numbers

    assert terms.apply_asr_corrections(format_numbers(heard), "ja") == shown


def test_a_short_yes_is_heard(whisper_ja, speech):
    """「はい。」 holds ~224 ms of speech: the session needed 250 ms and dropped it.
    (「ええ。」 now passes the VAD too, but Whisper base is too unsure of it and the
    low-confidence guard rejects it: not asserted.)"""
    text = push_to_talk(whisper_ja, read_wav(speech.openjtalk("はい。")))
    assert text.rstrip("。.!！") == "はい", text


def test_silence_and_quiet_noise_still_give_nothing(whisper_ja):
    rng = np.random.default_rng(7)
    for samples in (np.zeros(32_000, np.int16),
                    (rng.standard_normal(32_000) * 300).astype(np.int16)):
        assert push_to_talk(whisper_ja, AudioChunk(samples.tobytes(), 16_000)) == ""
