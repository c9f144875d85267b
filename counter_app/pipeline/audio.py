"""Audio sources and sinks: WAV files and the sound card (sounddevice).
Reading WAV files (streamed, checked) lives in `wavfile`; re-exported here.

Both kinds share the AudioSource/AudioSink interfaces so tests and the CLI
drive the same pipeline code the microphone does.
"""

from __future__ import annotations

import io
import queue
import threading
import time
import wave
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from counter_app.errors import AudioDeviceError
from counter_app.events import AudioChunk
from counter_app.pipeline.base import ASR_RATE, AudioSink, AudioSource
from counter_app.pipeline.wavfile import WavFileSource, read_wav, resample

__all__ = ["MemorySink", "MicrophoneSource", "SpeakerSink", "WavFileSink", "WavFileSource",
           "list_devices", "read_wav", "resample", "split", "wav_bytes", "write_wav"]


def wav_bytes(chunks: Iterable[AudioChunk]) -> bytes:
    buffer = io.BytesIO()
    write_wav(buffer, chunks)
    return buffer.getvalue()


def write_wav(target: str | Path | io.BytesIO, chunks: Iterable[AudioChunk]) -> int:
    """Write chunks as one mono int16 WAV (at the first chunk's rate); returns samples."""
    rate, parts = None, []
    for chunk in chunks:
        rate = rate or chunk.rate
        parts.append(resample(chunk.to_array(), chunk.rate, rate))
    data = np.concatenate(parts) if parts else np.zeros(0, np.int16)
    with wave.open(target if isinstance(target, io.BytesIO) else str(target), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate or ASR_RATE)
        wav.writeframes(data.tobytes())
    return int(data.size)


def split(chunk: AudioChunk, seconds: float) -> Iterator[AudioChunk]:
    """Cut audio into pieces of `seconds` (the last may be shorter)."""
    step = max(1, int(chunk.rate * seconds)) * 2
    for start in range(0, len(chunk.audio), step):
        yield AudioChunk(chunk.audio[start:start + step], chunk.rate)


class WavFileSink(AudioSink):
    """Collects audio and writes one WAV file on close()."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.chunks: list[AudioChunk] = []

    def play(self, chunk: AudioChunk) -> None:
        self.chunks.append(chunk)

    def close(self) -> None:
        write_wav(self.path, self.chunks)


class MemorySink(AudioSink):
    """Keeps chunks in memory (replay buffers, tests)."""

    def __init__(self) -> None:
        self.chunks: list[AudioChunk] = []
        self.closed = False

    def play(self, chunk: AudioChunk) -> None:
        self.chunks.append(chunk)

    def close(self) -> None:
        self.closed = True


def _sounddevice():
    """Import sounddevice, turning a missing PortAudio into a clear message."""
    try:
        import sounddevice
    except OSError as exc:  # raised when libportaudio is not installed
        raise AudioDeviceError(
            "The sound system (PortAudio) is not installed: "
            "apt-get install libportaudio2"
        ) from exc
    return sounddevice


def list_devices(kind: str = "input") -> list[tuple[int, str]]:
    """(index, name) of devices with input (or output) channels."""
    sd = _sounddevice()
    key = "max_input_channels" if kind == "input" else "max_output_channels"
    return [(i, dev["name"]) for i, dev in enumerate(sd.query_devices()) if dev[key] > 0]


def _check_device(sd, device: int | str | None, kind: str) -> None:
    try:
        sd.check_input_settings(device=device, samplerate=ASR_RATE, channels=1, dtype="int16") \
            if kind == "input" else sd.query_devices(device, kind="output")
    except Exception as exc:
        label = "microphone" if kind == "input" else "speaker"
        raise AudioDeviceError(f"No usable {label} was found ({exc}).") from exc


class MicrophoneSource(AudioSource):
    """16 kHz mono microphone input through PortAudio.

    At push-to-talk release every block that began before the release instant is
    still delivered (the one being recorded included), then `chunks()` ends.
    """

    def __init__(self, device: int | str | None = None, chunk_seconds: float = 0.1,
                 rate: int = ASR_RATE):
        self.device, self.rate, self.chunk_seconds = device, rate, chunk_seconds
        self._queue: queue.Queue[bytes | None] = queue.Queue()
        self._stopped = threading.Event()
        self._released_at: float | None = None  # time.monotonic() of stop()
        self._ended = False  # the end mark is queued: later blocks are not ours
        self._error: str | None = None

    def _callback(self, indata, frames, time_info, status) -> None:
        if status.input_overflow:
            pass  # a dropped block is not worth stopping the turn for
        if self._ended:
            return
        released = self._released_at
        now = time.monotonic()
        if released is None or now - frames / self.rate < released:
            self._queue.put(bytes(indata))  # began before the release: the speaker's
        if released is not None and now >= released:
            self._ended = True
            self._queue.put(None)

    def _finished(self) -> None:
        if not self._stopped.is_set():
            self._error = "The microphone stopped delivering audio (unplugged?)."
        self._ended = True
        self._queue.put(None)

    def chunks(self) -> Iterator[AudioChunk]:
        sd = _sounddevice()
        _check_device(sd, self.device, "input")
        if self._stopped.is_set():
            return
        try:
            stream = sd.RawInputStream(
                samplerate=self.rate, blocksize=int(self.rate * self.chunk_seconds),
                device=self.device, channels=1, dtype="int16",
                callback=self._callback, finished_callback=self._finished)
            stream.start()
        except Exception as exc:
            raise AudioDeviceError(f"The microphone could not be opened ({exc}).") from exc
        try:
            while True:  # until the end mark queued behind the last block of ours
                try:
                    data = self._queue.get(timeout=self.chunk_seconds * 3 + 0.2)
                except queue.Empty:
                    if self._stopped.is_set():
                        break  # released, and the device delivers nothing more
                    if not stream.active:
                        raise AudioDeviceError("The microphone stopped delivering audio.") \
                            from None
                    continue
                if data is None:
                    break
                yield AudioChunk(data, self.rate)
            if self._error:
                raise AudioDeviceError(self._error)
        finally:
            stream.close(ignore_errors=True)

    def stop(self) -> None:
        """Release (thread-safe): audio recorded up to now is still delivered."""
        if not self._stopped.is_set():
            self._released_at = time.monotonic()
            self._stopped.set()


class SpeakerSink(AudioSink):
    """Plays chunks on the sound card as they arrive (blocking writes)."""

    def __init__(self, device: int | str | None = None):
        self.device = device
        self._stream = None
        self._rate: int | None = None
        self._stopped = threading.Event()

    def play(self, chunk: AudioChunk) -> None:
        if self._stopped.is_set():
            return
        sd = _sounddevice()
        if self._stream is None or self._rate != chunk.rate:
            self.close()
            _check_device(sd, self.device, "output")
            try:
                self._stream = sd.RawOutputStream(samplerate=chunk.rate, channels=1,
                                                  dtype="int16", device=self.device)
                self._stream.start()
            except Exception as exc:
                raise AudioDeviceError(f"The speaker could not be opened ({exc}).") from exc
            self._rate = chunk.rate
        try:
            self._stream.write(chunk.audio)
        except Exception as exc:
            raise AudioDeviceError(f"Playback failed ({exc}).") from exc

    def close(self) -> None:
        if self._stream is not None:
            self._stream.close(ignore_errors=True)
            self._stream = None

    def stop(self) -> None:
        self._stopped.set()
        if self._stream is not None:
            self._stream.abort(ignore_errors=True)
