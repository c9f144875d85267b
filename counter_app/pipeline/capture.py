"""Capture on its own thread, so a slow recognizer never holds up the microphone.

A recognizer that re-decodes (Whisper) may take longer than the audio it was
given; reading the source on the same thread then lets the device queue fill,
and what was still queued at push-to-talk release used to be lost.  Here one
thread only reads the source into an unbounded in-memory queue; the recognizer
takes everything that piled up in one batch (bounded in length), so it catches
up with one call instead of one call per chunk, and sees every sample captured
up to the release instant.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

from counter_app.events import AudioChunk
from counter_app.pipeline.base import AudioSource

_END = object()


@dataclass(frozen=True, slots=True)
class Batch:
    """Audio that arrived since the last batch; `last` once the source has ended."""

    chunk: AudioChunk | None
    last: bool
    newest_level: float = 0.0


class CaptureThread:
    """Reads `source.chunks()` on a daemon thread; `batches()` hands the audio on."""

    def __init__(self, source: AudioSource, name: str = "capture",
                 max_batch_seconds: float = 0.5):
        self.source = source
        self.max_batch_seconds = max_batch_seconds
        self.ended_at: float | None = None  # perf_counter() when the source ended
        self.captured_seconds = 0.0
        self._queue: queue.Queue = queue.Queue()
        self._held: object | None = None  # taken from the queue, handed on next time
        self._thread = threading.Thread(target=self._read, name=name, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:
            for chunk in self.source.chunks():
                self.captured_seconds += chunk.seconds
                self._queue.put(chunk)
        except BaseException as exc:  # handed to the consumer, re-raised there
            self._queue.put(exc)
        finally:
            self.ended_at = time.perf_counter()
            self._queue.put(_END)

    def _next(self, block: bool):
        if self._held is not None:
            item, self._held = self._held, None
            return item
        return self._queue.get() if block else self._queue.get_nowait()

    def batches(self) -> Iterator[Batch]:
        """Yield merged audio until the source ends; re-raises the source's error."""
        while True:
            item = self._next(block=True)
            if isinstance(item, BaseException):
                raise item
            ended = item is _END
            parts: list[AudioChunk] = [] if ended else [item]
            seconds = 0.0 if ended else item.seconds
            while not ended and seconds < self.max_batch_seconds:
                try:
                    item = self._next(block=False)
                except queue.Empty:
                    break
                if item is _END:
                    ended = True
                elif isinstance(item, BaseException) or item.rate != parts[0].rate:
                    self._held = item  # raised, or merged separately, next time round
                    break
                else:
                    parts.append(item)
                    seconds += item.seconds
            merged = parts[0] if len(parts) == 1 else \
                AudioChunk(b"".join(p.audio for p in parts), parts[0].rate) if parts else None
            yield Batch(merged, ended, parts[-1].level() if parts else 0.0)
            if ended:
                return

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

