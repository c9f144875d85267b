"""Phrase-mode candidates followed while the resident speaks (logic with a stand-in
decoder; the real model's results are in test_asr_vosk.py)."""

from __future__ import annotations

import json
import threading

from counter_app.pipeline.asr_vosk import Phrase
from counter_app.pipeline.vosk_live_candidates import LiveCandidates


class Decoder:
    """Remembers what it was fed, on which thread; its final is that audio."""

    def __init__(self, phrase: Phrase):
        self.phrase = phrase
        self.audio = b""
        self.threads: set[str] = set()

    def AcceptWaveform(self, audio: bytes) -> bool:  # noqa: N802 (Vosk's name)
        self.threads.add(threading.current_thread().name)
        self.audio += audio
        return True  # an endpoint: must change nothing

    def FinalResult(self) -> str:  # noqa: N802
        return json.dumps({"text": self.phrase.text, "audio": self.audio.decode(),
                           "threads": sorted(self.threads)})


def phrases(*ids: str) -> list[Phrase]:
    return [Phrase(i, f"phrase {i}", (i,)) for i in ids]


def test_a_phrase_followed_late_still_hears_the_whole_utterance():
    live = LiveCandidates(Decoder)
    a, b, c = phrases("a", "b", "c")
    live.feed(b"12")
    live.propose([a], b"12")
    live.feed(b"34")
    live.propose([a, b], b"1234")  # b starts now, from the utterance's start
    live.feed(b"5")
    assert list(live.followed) == ["a", "b"] and live.started == 2
    finals = live.finish([b, c, a]).result(10)
    assert set(finals) == {"a", "b"}  # c was never followed: the caller decodes it
    assert finals["a"]["audio"] == finals["b"]["audio"] == "12345"
    assert all(t.startswith("vosk-live-candidates") for f in finals.values()
               for t in f["threads"])
    live.close()


def test_each_utterance_starts_afresh():
    live = LiveCandidates(Decoder)
    a, b = phrases("a", "b")
    live.feed(b"old")
    live.propose([a], b"old")
    assert live.finish([a]).result(10)["a"]["audio"] == "old"
    assert not live.followed
    live.feed(b"new")
    live.propose([b], b"new")
    finals = live.finish([a, b]).result(10)
    assert finals == {"b": {"text": "phrase b", "audio": "new",
                            "threads": finals["b"]["threads"]}}
    live.close()


def test_followed_phrases_spread_over_the_lanes():
    live = LiveCandidates(Decoder, lanes=2)
    a, b, c = phrases("a", "b", "c")
    live.feed(b"1")
    live.propose([a, b, c], b"1")
    live.feed(b"2")
    finals = live.finish([a, b, c]).result(10)
    assert {f["audio"] for f in finals.values()} == {"12"}
    threads = {f["threads"][0] for f in finals.values()}
    assert threads == {"vosk-live-candidates-0_0", "vosk-live-candidates-1_0"}
    live.close()


def test_the_oldest_phrase_no_longer_near_makes_room():
    live = LiveCandidates(Decoder, limit=3)
    a, b, c, d, e = phrases("a", "b", "c", "d", "e")
    live.propose([a, b, c], b"")
    live.propose([c, d], b"")  # a is the oldest not among the nearest now
    assert list(live.followed) == ["b", "c", "d"]
    live.propose([b, c, d, e], b"")  # all followed ones are wanted: e waits for room
    assert list(live.followed) == ["b", "c", "d"] and live.started == 4
    live.feed(b"x")
    assert set(live.finish([a, b, c, d, e]).result(10)) == {"b", "c", "d"}
    live.close()
