"""Phrase mode: when the resident pauses, the likely phrases are already decoding, so
push-to-talk release only finalizes them (real Korean model, espeak-ng speech fed in
real time from a thread, released as the recording ends; counted, not timed)."""

from __future__ import annotations

import queue
import threading
import time

import pytest

from counter_app.pipeline.asr_vosk import VoskRecognizer
from counter_app.pipeline.audio import read_wav, split
from counter_app.pipeline.vosk_phrases import CANDIDATES, PhraseSession
from tests.test_asr_vosk import KO_PHRASES, MUST_BE_EXACT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def recognizer(vosk_ko) -> VoskRecognizer:
    return vosk_ko


def microphone(audio, block_seconds: float = 0.1):
    """Blocks as a sound card delivers them: each once it has been spoken."""
    blocks: queue.Queue = queue.Queue()

    def produce() -> None:
        started = time.monotonic()
        spoken = 0.0
        for block in split(audio, block_seconds):
            spoken += block.seconds
            time.sleep(max(0.0, started + spoken - time.monotonic()))
            blocks.put(block)
        blocks.put(None)

    threading.Thread(target=produce, daemon=True).start()
    while (block := blocks.get()) is not None:
        yield block


def test_candidates_start_at_the_pause_and_release_only_finalizes(recognizer, speech):
    prepared = [p for p in recognizer.prepare(KO_PHRASES) if p.units]
    late, followed_before_release = [], []
    for text in MUST_BE_EXACT:
        audio = read_wav(speech.espeak(text, "ko"))  # ends in 0.7 s of silence
        session = PhraseSession(recognizer, prepared)
        for block in microphone(audio):
            session.accept(block)
        followed_before_release.append(session.started_early)
        final = session.finish()
        assert (final.text, final.phrase_id) == (text, str(KO_PHRASES.index(text)))
        assert final.words and final.words[0].start < final.words[-1].end <= audio.seconds
        late.append(session.late_decodes)
    # The pause started the nearest phrases (one proposal of up to four) for every
    # sentence, and together they spared most of the decodes after release.
    assert all(started >= 1 for started in followed_before_release), followed_before_release
    assert sum(late) <= len(MUST_BE_EXACT) * CANDIDATES // 2, late


def test_without_a_pause_everything_is_decoded_after_release(recognizer, speech):
    """Released mid-sentence (no pause yet): nothing was started, all is decoded then."""
    prepared = [p for p in recognizer.prepare(KO_PHRASES) if p.units]
    audio = read_wav(speech.espeak(MUST_BE_EXACT[0], "ko"))
    cut = next(split(audio, 1.4))  # the first 1.4 s: speech still going on
    session = PhraseSession(recognizer, prepared)
    for block in microphone(cut):
        session.accept(block)
    assert session.started_early == 0
    session.finish()
    assert session.late_decodes == len(session.scored) > 0
