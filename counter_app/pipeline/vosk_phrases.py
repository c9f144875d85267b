"""Vosk phrase mode: which listed phrase, if any, an utterance really is.

A Vosk grammar is a loop over words, not a choice of whole sentences, so a
final is found in two passes: a loop over all the phrases' words proposes the
nearest phrases (fuzzy match), then each of those is decoded again with a
grammar of its own words only.  Each candidate gets a score: how well that
decode reproduces the phrase (similarity) plus how well it fits the audio.

A wrong verified phrase is worse than none, so the best candidate counts only
when it reproduces its phrase closely and beats the runner-up by a margin.
Otherwise the utterance is decoded open-vocabulary and returned unverified
(phrase_id None): it goes to machine translation, marked as such.

After the release only finalizing is left: the open-vocabulary decode runs on
its own thread while the utterance is spoken; when the resident pauses, the
candidates nearest to the partial text start decoding and follow the audio
(`vosk_live_candidates`); a candidate that only the final brings up is decoded
after the release, side by side (bench/vosk_latency.py: release -> final).
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from counter_app.events import AudioChunk, Transcript
from counter_app.pipeline.asr_vosk import (
    _NON_WORD,
    Phrase,
    VoskRecognizer,
    VoskSession,
    _mean_confidence,
    _words,
    display_text,
)
from counter_app.pipeline.base import ASR_RATE
from counter_app.pipeline.vad import SpeechLevel
from counter_app.pipeline.vosk_live_candidates import LiveCandidates

log = logging.getLogger(__name__)

FIRST_PASS_ALTERNATIVES = 5  # hypotheses of the all-words pass used to pick candidates
CANDIDATES = 4  # phrases decoded again with their own words (each costs a full decode)
PAUSE_SECONDS = 0.25  # silence after speech: the nearest phrases start decoding


@dataclass(frozen=True, slots=True)
class MarginPolicy:
    """When the best candidate counts as that phrase (see bench/phrase_mode.py).

    Chosen on the even-numbered half of 48 espeak phrases x 3 noise variants,
    checked on the odd half (held out)."""

    fit_weight: float = 2.0  # similarity points per unit of Vosk's decode score
    min_similarity: float = 86.0  # 0-100: own-word decode against the phrase text
    min_margin: float = 5.0  # best score minus the runner-up's


DEFAULT_POLICY = MarginPolicy()


@dataclass(frozen=True, slots=True)
class Scored:
    """One candidate phrase decoded with its own words."""

    phrase: Phrase
    similarity: float  # 0-100: how closely the decode reproduces the phrase
    fit: float  # Vosk's score of that decode (higher fits the audio better)
    words: tuple[dict, ...] = ()  # the decode's words with start/end times

    def score(self, policy: MarginPolicy = DEFAULT_POLICY) -> float:
        return self.similarity + policy.fit_weight * self.fit


def decide(scored: Sequence[Scored], policy: MarginPolicy = DEFAULT_POLICY
           ) -> tuple[Scored | None, float]:
    """The verified candidate (or None) and its margin over the runner-up.

    The best-scoring candidate must itself reproduce its phrase: a better-fitting
    candidate that does not is a sign the speech is none of them."""
    if not scored:
        return None, 0.0
    ranked = sorted(scored, key=lambda s: s.score(policy), reverse=True)
    best = ranked[0]
    margin = best.score(policy) - ranked[1].score(policy) if len(ranked) > 1 else float("inf")
    if best.similarity < policy.min_similarity or margin < policy.min_margin:
        return None, margin
    return best, margin


def jamo(text: str) -> str:
    """Hangul syllables as their letters (ㄱ ㅏ ㅁ...); other text unchanged."""
    out = []
    for char in text:
        code = ord(char) - 0xAC00
        if 0 <= code < 11172:
            out.append(chr(0x1100 + code // 588) + chr(0x1161 + code % 588 // 28))
            if code % 28:
                out.append(chr(0x11A7 + code % 28))
        else:
            out.append(char)
    return "".join(out)


class OpenVocabularyPass:
    """The current utterance decoded without a grammar on a thread of its own, block by
    block as it is spoken, so an unverified final only waits for Vosk to finalize.

    Its own endpoints are ignored: utterances end where the phrase pass ends them.
    It can be held while the candidates are decoded: on a busy machine it falls
    behind real time, and what it still has to do must not slow a verified final.
    The thread ends when the pass is closed or dropped."""

    def __init__(self, owner: VoskRecognizer):
        self._owner = owner
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="vosk-open-vocab")
        self._running = threading.Event()
        self._running.set()
        self._rec = None  # made on the worker when an utterance's first audio arrives
        self._utterance = 0  # number of the utterance being fed
        self._discarded = -1  # utterances up to this one are not needed any more

    def feed(self, audio: bytes) -> None:
        self._worker.submit(self._accept, audio, self._utterance)

    def end_utterance(self) -> Future:
        """The utterance's result (Vosk JSON) once the audio queued before it is decoded;
        the next audio starts a fresh utterance.  Holds the pass until `discard()`
        or `resume()`."""
        self._running.clear()
        self._utterance += 1
        return self._worker.submit(self._finalize, self._utterance - 1)

    def discard(self) -> None:
        """The ended utterance was a verified phrase: skip what is left of its decode."""
        self._discarded = self._utterance - 1
        self._running.set()

    def resume(self) -> None:
        self._running.set()

    def close(self) -> None:
        self._running.set()
        self._worker.shutdown(wait=False, cancel_futures=True)

    def _accept(self, audio: bytes, utterance: int) -> None:
        self._running.wait()
        if utterance <= self._discarded:
            return
        if self._rec is None:
            self._rec = self._owner.recognizer()
        self._rec.AcceptWaveform(audio)  # an endpoint here changes nothing: keep going

    def _finalize(self, utterance: int) -> dict:
        self._running.wait()
        rec, self._rec = self._rec, None
        if rec is None or utterance <= self._discarded:
            return {"text": ""}
        return json.loads(rec.FinalResult())


class PhraseSession(VoskSession):
    """Phrase mode: the first pass streams partials; finals are verified phrases,
    or unverified open-vocabulary text when no phrase is clearly the one said.

    `overlap`: decode open vocabulary while the utterance is spoken (the default),
    instead of once more after it ended (what the app did before; benchmarks).
    `live`: decode the likely candidates when the resident pauses (the default),
    instead of all of them after the utterance ended (benchmarks)."""

    def __init__(self, owner: VoskRecognizer, phrases: list[Phrase],
                 policy: MarginPolicy = DEFAULT_POLICY, overlap: bool = True,
                 live: bool = True):
        grammar = sorted({unit for phrase in phrases for unit in phrase.units})
        super().__init__(owner, grammar, alternatives=FIRST_PASS_ALTERNATIVES)
        self.phrases = phrases
        self.policy = policy
        self.overlap = overlap
        self.live = live
        self.scored: list[Scored] = []  # candidates of the last final (for benchmarks)
        self.late_decodes = 0  # of those, decoded only once the utterance ended
        self._keys = [jamo(phrase.key) for phrase in phrases]
        self._audio = bytearray()  # the current utterance
        self._offset = 0.0  # seconds before the current utterance
        self._open_pass: OpenVocabularyPass | None = None
        self._live: LiveCandidates | None = None
        self._speech = SpeechLevel()
        self._pause = 0.0  # seconds of silence since the last speech

    def accept(self, chunk: AudioChunk) -> Transcript | None:
        self._check(chunk)
        if chunk.audio and self.overlap:
            if self._open_pass is None:
                self._open_pass = OpenVocabularyPass(self.owner)
            self._open_pass.feed(chunk.audio)
        if chunk.audio and self.live and self.phrases:
            if self._live is None:
                self._live = LiveCandidates(
                    lambda phrase: self.owner.recognizer(phrase.units, alternatives=1))
            self._live.feed(chunk.audio)
        self._audio += chunk.audio
        transcript = super().accept(chunk)
        if self._live is not None and self.want_partials and chunk.audio:
            self._follow_at_pause(chunk)
        return transcript

    @property
    def started_early(self) -> int:
        """Candidate decodes started before the utterance ended (benchmarks, tests)."""
        return self._live.started if self._live is not None else 0

    def _follow_at_pause(self, chunk: AudioChunk) -> None:
        """When the resident pauses, start the phrases nearest to what was heard."""
        if self._speech.is_speech(chunk):
            self._pause = 0.0
            return
        before, self._pause = self._pause, self._pause + chunk.seconds
        if before < PAUSE_SECONDS <= self._pause and self._last_partial:
            self._live.propose(self.candidates([self._last_partial]), bytes(self._audio))

    def finish(self) -> Transcript:
        try:
            return super().finish()
        finally:  # a later accept() starts new passes
            if self._open_pass is not None:
                self._open_pass.close()
                self._open_pass = None
            if self._live is not None:
                self._live.close()
                self._live = None

    def _final(self, result: dict) -> Transcript:
        heard = [a["text"] for a in result.get("alternatives", []) if a.get("text")]
        audio, offset = bytes(self._audio), self._offset
        self._offset += len(audio) / (2 * ASR_RATE)
        self._audio.clear()
        # the open-vocabulary pass waits while the candidates are decoded
        open_pass = self._open_pass
        open_result = open_pass.end_utterance() if open_pass else None
        try:
            self.scored = self.score(audio, heard) if heard and self.phrases else []
            best, margin = decide(self.scored, self.policy)
        except BaseException:
            if open_pass:
                open_pass.discard()
            raise
        if not heard or best is not None:
            if open_pass:
                open_pass.discard()
            if not heard:
                return Transcript("", self.language, True, confidence=0.0)
        log.debug("phrase mode: %s, margin %.1f", best.phrase.id if best else "not verified",
                  margin)  # ids and scores only, never the words heard
        if best is not None:
            return Transcript(best.phrase.text, self.language, True,
                              _words(list(best.words), offset),
                              confidence=best.similarity / 100.0, phrase_id=best.phrase.id)
        if open_pass is None:
            return self._open_vocabulary(audio, offset)
        open_pass.resume()
        return self._unverified(open_result.result(), offset)

    def _open_vocabulary(self, audio: bytes, offset: float) -> Transcript:
        """The utterance decoded without a grammar after it ended (overlap off)."""
        rec = self.owner.recognizer()
        rec.AcceptWaveform(audio)
        return self._unverified(json.loads(rec.FinalResult()), offset)

    def _unverified(self, result: dict, offset: float) -> Transcript:
        """Open-vocabulary text for MT (phrase_id None)."""
        words = _words(result.get("result", []), offset)
        text = display_text(result.get("text", ""), self.language)
        return Transcript(text, self.language, True, words, _mean_confidence(words))

    def candidates(self, heard: Sequence[str]) -> list[Phrase]:
        """The phrases nearest to any first-pass hypothesis, compared letter by letter
        (Hangul split into jamo, so near-miss syllables still count)."""
        from rapidfuzz import fuzz

        best: dict[int, float] = {}
        for text in heard:
            key = jamo(_NON_WORD.sub("", text))
            for index, phrase_key in enumerate(self._keys):
                best[index] = max(best.get(index, 0.0), fuzz.ratio(key, phrase_key))
        ranked = sorted(best, key=best.__getitem__, reverse=True)[:CANDIDATES]
        return [self.phrases[index] for index in ranked]

    def score(self, audio: bytes, heard: Sequence[str]) -> list[Scored]:
        """Each candidate decoded with its own words: the followed ones finalize on
        their thread while the others are decoded side by side (Vosk releases the
        GIL while it decodes)."""
        candidates = self.candidates(heard)
        keys = set(self._live.followed if self._live is not None else ())
        followed = self._live.finish(candidates) if self._live is not None else None
        results: dict[str, dict] = {}
        missing = [phrase for phrase in candidates if phrase.id not in keys]
        self.late_decodes = len(missing)
        if len(missing) < 2:
            results.update((phrase.id, self._decode(phrase, audio)) for phrase in missing)
        else:
            workers = min(len(missing), os.cpu_count() or 1)
            with ThreadPoolExecutor(workers, thread_name_prefix="vosk-candidates") as pool:
                results.update(zip([phrase.id for phrase in missing],
                                   pool.map(lambda phrase: self._decode(phrase, audio), missing),
                                   strict=True))
        if followed is not None:
            results.update(followed.result())
        return [self._scored(phrase, results[phrase.id]) for phrase in candidates]

    def _decode(self, phrase: Phrase, audio: bytes) -> dict:
        rec = self.owner.recognizer(phrase.units, alternatives=1)
        rec.AcceptWaveform(audio)
        return json.loads(rec.FinalResult())

    @staticmethod
    def _scored(phrase: Phrase, result: dict) -> Scored:
        from rapidfuzz import fuzz

        best = result.get("alternatives", [{}])[0]
        similarity = fuzz.ratio(_NON_WORD.sub("", best.get("text", "")), phrase.key)
        return Scored(phrase, similarity, float(best.get("confidence", 0.0)),
                      tuple(best.get("result", [])))
