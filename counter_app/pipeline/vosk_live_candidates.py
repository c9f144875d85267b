"""Phrase-mode candidates decoded when the resident pauses, so release only finalizes.

Each candidate phrase costs a decode of the whole utterance with a grammar of its
own words (0.1-0.25 s for 3 s of speech on this machine).  Decoded after the
release, four of them on two cores held a verified final 0.41 s after it.  Here,
once the first pass's partial text has stood still for a moment (the resident
has stopped, or paused), the phrases nearest to it start decoding on their own
threads and follow the audio from then on; at release each only finalizes, and
only a candidate that the final brings up and that was not followed is decoded
from the start.  Following candidates from the first partial on was tried and
was slower: the candidates change with every partial, and each newcomer must
decode the utterance so far (bench/vosk_latency.py).

Vosk checks its endpoint rules only at the end of each AcceptWaveform call and
ends the utterance only when Result() is asked for, so a candidate fed block by
block and finalized once covers the same audio as one decoded in a single call
(its score differs by under 1 point of Vosk's ~50-100: chunking moves its
speaker adaptation slightly).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

from counter_app.pipeline.asr_vosk import Phrase

LIVE_LIMIT = 6  # candidate decoders followed at once (each ~5% of a core once caught up)


class _Lane:
    """One worker thread and the decoders it owns, fed the utterance in order."""

    def __init__(self, name: str):
        self.worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self.live: dict[str, object] = {}  # phrase id -> decoder (worker only)

    def accept(self, audio: bytes) -> None:
        for decoder in self.live.values():
            decoder.AcceptWaveform(audio)  # an endpoint here changes nothing

    def start(self, key: str, decoder, heard: bytes) -> None:
        if heard:
            decoder.AcceptWaveform(heard)
        self.live[key] = decoder

    def finalize(self, keys: list[str]) -> dict[str, dict]:
        try:
            return {key: json.loads(self.live[key].FinalResult())
                    for key in keys if key in self.live}
        finally:
            self.live.clear()


class Finals:
    """The followed candidates' finals, from every lane."""

    def __init__(self, parts: list[Future[dict[str, dict]]]):
        self._parts = parts

    def result(self, timeout: float | None = None) -> dict[str, dict]:
        return {key: final for part in self._parts for key, final in part.result(timeout).items()}


class LiveCandidates:
    """Grammar decoders for likely phrases, spread over one lane per core.

    The caller's thread decides which phrases are followed (`followed`) and on
    which lane; each lane's worker owns its decoders and runs every step in the
    order it was asked for.  `finish()` gives the finals of the followed phrases
    asked for and starts the next utterance afresh."""

    def __init__(self, make_recognizer: Callable[[Phrase], object], limit: int = LIVE_LIMIT,
                 lanes: int | None = None):
        self._make_recognizer = make_recognizer
        self._limit = limit
        count = max(1, min(lanes or os.cpu_count() or 1, limit))
        self._lanes = [_Lane(f"vosk-live-candidates-{n}") for n in range(count)]
        self.followed: dict[str, _Lane] = {}  # phrase id -> its lane, oldest first
        self.started = 0  # decoders started in this session (benchmarks)

    def feed(self, audio: bytes) -> None:
        """The utterance's next block, for the lanes that follow a phrase."""
        for lane in set(self.followed.values()):
            lane.worker.submit(lane.accept, audio)

    def propose(self, phrases: Sequence[Phrase], heard: bytes) -> None:
        """Follow these phrases from the utterance's start (`heard`: its audio so far,
        every block fed before); when the limit is reached, the oldest followed phrase
        that is not among them makes room."""
        wanted = {phrase.id for phrase in phrases}
        for phrase in phrases:
            if phrase.id in self.followed:
                continue
            if len(self.followed) >= self._limit:
                stale = next((key for key in self.followed if key not in wanted), None)
                if stale is None:
                    return
                lane = self.followed.pop(stale)
                lane.worker.submit(lane.live.pop, stale, None)
            lane = min(self._lanes, key=lambda lane: sum(
                1 for owner in self.followed.values() if owner is lane))
            self.followed[phrase.id] = lane
            self.started += 1
            lane.worker.submit(lane.start, phrase.id, self._make_recognizer(phrase), heard)

    def finish(self, phrases: Sequence[Phrase]) -> Finals:
        """Vosk's final result (JSON as a dict) for each of `phrases` that is followed."""
        keys = [phrase.id for phrase in phrases if phrase.id in self.followed]
        self.followed = {}
        return Finals([lane.worker.submit(lane.finalize, keys) for lane in self._lanes])

    def close(self) -> None:
        for lane in self._lanes:
            lane.worker.shutdown(wait=False, cancel_futures=True)
