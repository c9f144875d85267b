"""Phrase recognition: a spoken phrasebook sentence gets the phrasebook's
verified translation instead of MT (real Vosk ko model, espeak-ng speech)."""

from pathlib import Path

import pytest

from counter_app.events import Transcript
from counter_app.phrasebook.model import Category, Phrase, Phrasebook
from counter_app.phrasebook.verified import VerifiedPhrases
from counter_app.pipeline.audio import MemorySink, WavFileSource
from counter_app.pipeline.factory import EngineFactory
from counter_app.pipeline.interpreter import Interpreter, TurnRequest
from counter_app.store import ModelStore

ROWS = [line.split("\t") for line in (Path(__file__).resolve().parents[1] /
        "tools/mt_fixture_phrases.tsv").read_text(encoding="utf-8").splitlines()[1:]]


@pytest.fixture(scope="module")
def book() -> Phrasebook:
    phrases = tuple(Phrase(row[0], "counter", {"ja": row[1], "ko": row[2], "en": row[3]},
                           reviewed={"ko": row[0] == "thanks"}) for row in ROWS)
    return Phrasebook("test", "1", (Category("counter", {"ja": "窓口", "en": "Counter"}),),
                      phrases)


def test_lookup_by_phrase_id_and_by_fuzzy_text(book):
    verified = VerifiedPhrases(lambda: book)
    by_id = verified.lookup(Transcript("감사합니다.", "ko", True, phrase_id="thanks"), "ja")
    assert by_id.text == "ありがとうございます。" and by_id.phrase_id == "thanks"
    assert by_id.reviewed and by_id.back_translation == "감사합니다."
    fuzzy = verified.lookup(Transcript("번호표 를 뽑아 주세요", "ko", True), "en")
    assert fuzzy.phrase_id == "ticket_take" and fuzzy.text == "Please take a number ticket."
    assert not fuzzy.reviewed  # machine-assisted English awaits a reviewer
    assert verified.lookup(Transcript("전혀 다른 말입니다", "ko", True), "ja") is None
    assert verified.phrases_for("ko")["thanks"] == "감사합니다."


@pytest.mark.slow
def test_spoken_phrase_gets_the_verified_translation(book, speech, test_store_root):
    verified = VerifiedPhrases(lambda: book)
    interpreter = Interpreter(EngineFactory(ModelStore(test_store_root)), lambda e: None,
                              verified_lookup=verified.lookup)
    result = interpreter.run(TurnRequest(
        "ko", "ja", audio=WavFileSource(speech.espeak("감사합니다.", "ko")),
        phrases=verified.phrases_for("ko"), sink=MemorySink()))
    interpreter.shutdown()
    assert result.error is None
    assert result.transcript.phrase_id == "thanks"
    assert result.translation.phrase_id == "thanks"
    assert result.translation.text == "ありがとうございます。"
    assert result.speech  # spoken by Open JTalk
