"""Phrase recognition on real speech: espeak-ng Korean through the real Vosk ko model."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from counter_app.phrasebook.model import Phrase, Phrasebook
from counter_app.phrasebook.search import match_phrase, recognizer_phrases
from counter_app.pipeline.audio import read_wav, split
from tests.speech import have

PHRASES_TSV = Path(__file__).parents[1] / "tools" / "mt_fixture_phrases.tsv"


@pytest.fixture(scope="module")
def book() -> Phrasebook:
    with PHRASES_TSV.open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t"))
    return Phrasebook("fixture", "1", (), tuple(
        Phrase(row["id"], "counter", {"ja": row["ja"], "ko": row["ko"], "en": row["en"]},
               {"en": True, "ko": True}) for row in rows))


@pytest.fixture(scope="module")
def recognizer(vosk_ko):
    if not have("espeak-ng"):
        pytest.skip("espeak-ng is not installed")
    return vosk_ko


def test_korean_speech_matches_the_verified_phrase(recognizer, speech, book):
    wav = speech.espeak("감사합니다.", "ko")
    session = recognizer.start(recognizer_phrases(book, "ko"))
    finals = [t for chunk in split(read_wav(wav), 0.2) if (t := session.accept(chunk))
              and t.is_final and t.text]
    last = session.finish()
    if last.text:
        finals.append(last)
    (heard,) = finals
    assert heard.phrase_id == "thanks"
    found = match_phrase(heard.text, "ko", book)
    assert found is not None and found.phrase.id == "thanks" and found.score >= 95
    assert found.translation("ja") == "ありがとうございます。"  # verified text, no MT
    assert found.is_reviewed("ja")


def test_vosk_style_spacing_still_matches(book):
    found = match_phrase("감사 합니다", "ko", book)
    assert found is not None and found.phrase.id == "thanks" and found.score == 100
    assert match_phrase("번호표 를 뽑아 주세요", "ko", book).phrase.id == "ticket_take"


def test_unlisted_sentence_gets_no_verified_translation(recognizer, speech, book):
    """Made of listed words but not a listed phrase: phrase mode returns unverified
    open-vocabulary text, and the verified lookup does not turn it into a phrase."""
    from counter_app.phrasebook.verified import VerifiedPhrases

    session = recognizer.start(recognizer_phrases(book, "ko"))
    heard = [t for chunk in split(read_wav(speech.espeak("이 서류를 보여 주세요.", "ko")), 0.2)
             if (t := session.accept(chunk)) and t.is_final and t.text]
    heard.append(session.finish())
    assert all(t.phrase_id is None for t in heard)
    assert all(VerifiedPhrases(lambda: book).lookup(t, "ja") is None for t in heard if t.text)
