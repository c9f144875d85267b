"""Continuous captions for hearing-impaired staff (Qt-free core).

A CaptionRunner listens without push-to-talk on a worker thread, one per audio
source (e.g. staff mic and resident mic), and reports partial and final lines.
Times are audio time (samples heard since the session started), so SRT/WebVTT
cues line up with the recording.  Lines live in memory only; export happens
only when staff ask for it.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

from counter_app.errors import AudioDeviceError, CounterAppError
from counter_app.events import (  # noqa: F401 (caption events re-exported)
    CaptionEvent,
    CaptionFinal,
    CaptionLine,
    CaptionPartial,
    CaptionStatus,
    CaptionUpdated,
    Transcript,
)
from counter_app.pipeline.base import AudioSource, Recognizer

log = logging.getLogger(__name__)


class CaptionSession:
    """The lines of one session, bounded in memory (oldest dropped first)."""

    def __init__(self, max_lines: int = 20_000):
        self._lines: deque[CaptionLine] = deque(maxlen=max_lines)
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self.dropped = 0

    def add(self, speaker: str, text: str, start: float, end: float) -> CaptionLine:
        with self._lock:
            if len(self._lines) == self._lines.maxlen:
                self.dropped += 1
            line = CaptionLine(next(self._ids), speaker, text, start, end)
            self._lines.append(line)
            return line

    def update(self, line_id: int, **changes) -> CaptionLine | None:
        with self._lock:
            for index, line in enumerate(self._lines):
                if line.id == line_id:
                    self._lines[index] = replace(line, **changes)
                    return self._lines[index]
        return None

    def correct(self, line_id: int, text: str) -> CaptionLine | None:
        return self.update(line_id, text=text, corrected=True)

    def lines(self) -> list[CaptionLine]:
        with self._lock:
            return list(self._lines)

    def search(self, query: str) -> list[CaptionLine]:
        from counter_app.phrasebook.search import fold

        needle = fold(query)
        return [line for line in self.lines()
                if needle and (needle in fold(line.text)
                               or needle in fold(line.translation or ""))]

    def clear(self) -> None:
        with self._lock:
            self._lines.clear()
            self.dropped = 0

    # --- export (on purpose only) ----------------------------------------------------

    def _dropped_note(self) -> str:
        return (f"({self.dropped} earlier lines were not kept in memory and are not "
                f"in this export)") if self.dropped else ""

    def to_text(self) -> str:
        rows = [self._dropped_note()] if self.dropped else []
        rows += [f"[{_clock(line.start)}] {line.speaker}: {line.text}"
                + (f"\n    ({line.translation})" if line.translation else "")
                for line in self.lines()]
        return "\n".join(rows) + "\n"

    def to_srt(self) -> str:
        cues = []
        for number, line in enumerate(self.lines(), 1):
            cues.append(f"{number}\n{_stamp(line.start, ',')} --> {_stamp(line.end, ',')}\n"
                        f"{line.speaker}: {line.text}\n")
        return "\n".join(cues)

    def to_vtt(self) -> str:
        cues = ["WEBVTT\n"]
        if self.dropped:
            cues.append(f"NOTE {self._dropped_note()}\n")
        for line in self.lines():
            cues.append(f"{_stamp(line.start, '.')} --> {_stamp(line.end, '.')}\n"
                        f"<v {line.speaker}>{line.text}\n")
        return "\n".join(cues)

    def export(self, path: Path) -> Path:
        """Write .srt, .vtt or plain text, chosen by the file name."""
        suffix = path.suffix.lower()
        text = self.to_srt() if suffix == ".srt" else self.to_vtt() if suffix == ".vtt" \
            else self.to_text()
        path.write_text(text, encoding="utf-8")
        return path


def _stamp(seconds: float, separator: str) -> str:
    millis = int(round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}{separator}{millis:03d}"


def _clock(seconds: float) -> str:
    return _stamp(seconds, ".")[:8]


class CaptionRunner:
    """Listens on one source until stopped; pauses, resumes and reconnects."""

    def __init__(self, session: CaptionSession, speaker: str,
                 recognizer: Callable[[], Recognizer],
                 source: Callable[[], AudioSource],
                 emit: Callable[[CaptionEvent], None],
                 translate: Callable[[str], str | None] | None = None,
                 postprocess: Callable[[str], str] | None = None,
                 pause_speaker_change: float | None = None,
                 reconnect_seconds: float = 2.0, session_seconds: float = 300.0):
        self.session = session
        self.speaker = speaker
        self._make_recognizer = recognizer
        self._make_source = source
        self.emit = emit
        self.translate = translate
        self.postprocess = postprocess or (lambda text: text)
        self.pause_speaker_change = pause_speaker_change
        self.reconnect_seconds = reconnect_seconds
        self.session_seconds = session_seconds
        self.audio_time = 0.0  # seconds of audio heard by this runner
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._source: AudioSource | None = None
        self._thread: threading.Thread | None = None
        self._translator = ThreadPoolExecutor(max_workers=1, thread_name_prefix="caption-mt")
        self._speaker_turn = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name=f"captions-{self.speaker}",
                                        daemon=True)
        self._thread.start()

    def pause(self) -> None:
        self._paused.set()
        if self._source:
            self._source.stop()

    def resume(self) -> None:
        self._paused.clear()

    @property
    def paused(self) -> bool:
        return self._paused.is_set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._source:
            self._source.stop()
        if self._thread:
            self._thread.join(timeout)
        self._translator.shutdown(wait=False, cancel_futures=True)

    def _loop(self) -> None:
        try:
            recognizer = self._make_recognizer()
        except CounterAppError as exc:
            self.emit(CaptionStatus(self.speaker, str(exc), False))
            return
        while not self._stop.is_set():
            if self._paused.is_set():
                self.emit(CaptionStatus(self.speaker, "", False))
                while self._paused.is_set() and not self._stop.wait(0.05):
                    pass
                continue
            try:
                self._source = self._make_source()
                self.emit(CaptionStatus(self.speaker, "", True))
                self._listen(recognizer, self._source.chunks())
                if not self._paused.is_set():
                    return  # the source ended (a file): the session is over
            except AudioDeviceError as exc:
                self.emit(CaptionStatus(self.speaker, str(exc), False))
                self._stop.wait(self.reconnect_seconds)  # then try the device again

    def _listen(self, recognizer: Recognizer, chunks: Iterable) -> None:
        session = recognizer.start_continuous()
        origin = self.audio_time  # word timings are relative to the session's start
        utterance_start = last_end = self.audio_time
        for chunk in chunks:
            if self._stop.is_set():
                break
            self.audio_time += chunk.seconds
            transcript = session.accept(chunk)
            if transcript is None or not transcript.text:
                continue
            if transcript.is_final:
                last_end = self._final(transcript, origin, utterance_start, last_end)
                utterance_start = self.audio_time
                if self.audio_time - origin >= self.session_seconds:
                    # a fresh recognizer session at an utterance boundary keeps a
                    # whole-day stream from accumulating decoder state
                    session.finish()
                    session, origin = recognizer.start_continuous(), self.audio_time
            else:
                self.emit(CaptionPartial(self.speaker, self.postprocess(transcript.text)))
        final = session.finish()
        if final.text:
            self._final(final, origin, utterance_start, last_end)

    def _final(self, transcript: Transcript, origin: float, utterance_start: float,
               last_end: float) -> float:
        """Store a finished line; returns its end time."""
        start, end = utterance_start, self.audio_time
        if transcript.words:
            word_start = origin + transcript.words[0].start
            word_end = origin + transcript.words[-1].end
            # an utterance cut mid-speech starts before the previous final was returned
            earliest = min(utterance_start, last_end) - 0.5
            if earliest <= word_start <= word_end <= self.audio_time + 0.5:
                start, end = word_start, word_end
        if self.pause_speaker_change and start - last_end >= self.pause_speaker_change:
            self._speaker_turn += 1
        speaker = self.speaker if not self.pause_speaker_change \
            else f"{self.speaker} {self._speaker_turn % 2 + 1}"
        line = self.session.add(speaker, self.postprocess(transcript.text), start, end)
        self.emit(CaptionFinal(line))
        if self.translate:
            self._translator.submit(self._translate_line, line)
        return end

    def _translate_line(self, line: CaptionLine) -> None:
        try:
            text = self.translate(line.text)
        except CounterAppError as exc:
            log.info("Caption translation unavailable: %s", exc)
            return
        if text:
            updated = self.session.update(line.id, translation=text)
            if updated:
                self.emit(CaptionUpdated(updated))


def wait_until(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    """Small polling helper for tests and the soak benchmark."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return predicate()
