"""WAV files in, block by block: header checks with clear messages, then streaming
downmix and resampling, so memory stays flat however long the file is."""

from __future__ import annotations

import struct
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from counter_app.events import AudioChunk
from counter_app.pipeline.base import ASR_RATE, AudioSource
from counter_app.pipeline.wav_messages import WavFileError

BLOCK_BYTES = 1 << 20  # read about 1 MB of the file at a time
MAX_CHANNELS = 64
RATES = (4_000, 768_000)  # plausible sample rates (Hz)
_PCM, _FLOAT, _EXTENSIBLE = 1, 3, 0xFFFE
_CODECS = {2: "ADPCM", 6: "A-law", 7: "µ-law", 0x11: "IMA ADPCM", 0x50: "MPEG", 0x55: "MP3"}
_MP3 = ("this is an MP3 file", "MP3 ファイルです")
_MAGIC = {b"ID3": _MP3, b"\xff\xfb": _MP3, b"\xff\xf3": _MP3, b"\xff\xf2": _MP3,
          b"OggS": ("this is an Ogg file", "Ogg ファイルです"),
          b"fLaC": ("this is a FLAC file", "FLAC ファイルです"),
          b"FORM": ("this is an AIFF file", "AIFF ファイルです"),
          b"RIFX": ("this is a big-endian WAV file", "ビッグエンディアンの WAV です")}
_HALF = 32  # half-width of the anti-alias filter


def _kernel(rate_in: int, rate_out: int) -> np.ndarray | None:
    if rate_out >= rate_in:
        return None
    cutoff = rate_out / rate_in / 2 * 0.9
    taps = np.arange(-_HALF, _HALF + 1)
    kernel = np.sinc(2 * cutoff * taps) * np.hamming(taps.size)
    return kernel / kernel.sum()


def _to_int16(data: np.ndarray) -> np.ndarray:
    return np.clip(np.round(data), -32768, 32767).astype(np.int16)


def resample(samples: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Resample int16 mono audio (windowed-sinc low-pass, then interpolation)."""
    if rate_in == rate_out or samples.size == 0:
        return samples
    data = samples.astype(np.float32)
    kernel = _kernel(rate_in, rate_out)
    if kernel is not None:  # anti-alias before decimating
        data = np.convolve(data, kernel, mode="same")
    count = int(round(samples.size * rate_out / rate_in))
    positions = np.arange(count) * (rate_in / rate_out)
    return _to_int16(np.interp(positions, np.arange(samples.size), data))


class Resampler:
    """`resample()` block by block: same filter and interpolation, carrying the filter's
    context and the last samples across block edges (no clicks, same output)."""

    def __init__(self, rate_in: int, rate_out: int):
        self.rate_in, self.rate_out = rate_in, rate_out
        self.kernel = _kernel(rate_in, rate_out)
        pad = _HALF if self.kernel is not None else 0
        self._raw = np.zeros(pad, np.float32)  # input not yet filtered, with left context
        self._filtered = np.zeros(0, np.float64)
        self._start = 0  # absolute index of _filtered[0]
        self._seen = self._emitted = 0

    def process(self, samples: np.ndarray) -> np.ndarray:
        """Resample one block; returns what can be computed without later input."""
        if self.rate_in == self.rate_out:
            return samples
        self._seen += samples.size
        self._filter(samples.astype(np.float32))
        end = self._start + self._filtered.size  # filtered indices < end are known
        count = max(self._emitted, int((end - 1) * self.rate_out / self.rate_in) + 2)
        return self._emit(count, limit=end - 1)

    def flush(self) -> np.ndarray:
        """The rest, once the input has ended (zero padding as in `resample()`)."""
        if self.rate_in == self.rate_out or self._seen == 0:
            return np.zeros(0, np.int16)
        self._filter(np.zeros(0, np.float32), final=True)
        count = int(round(self._seen * self.rate_out / self.rate_in))
        return self._emit(count)

    def _filter(self, samples: np.ndarray, final: bool = False) -> None:
        if self.kernel is None:
            self._filtered = np.concatenate([self._filtered, samples])
            return
        tail = [np.zeros(_HALF, np.float32)] if final else []
        self._raw = np.concatenate([self._raw, samples, *tail])
        if self._raw.size > 2 * _HALF:
            fresh = np.convolve(self._raw, self.kernel, mode="valid")
            self._filtered = np.concatenate([self._filtered, fresh])
            self._raw = self._raw[fresh.size:]

    def _emit(self, count: int, limit: float | None = None) -> np.ndarray:
        """Interpolate outputs up to `count`, only at positions below `limit` if given."""
        step = self.rate_in / self.rate_out
        positions = np.arange(self._emitted, count) * step
        if limit is not None:
            positions = positions[positions < limit]
        if positions.size == 0 or self._filtered.size == 0:
            return np.zeros(0, np.int16)
        known = np.arange(self._start, self._start + self._filtered.size)
        out = _to_int16(np.interp(positions, known, self._filtered))
        self._emitted += positions.size
        drop = min(int(self._emitted * step) - 1 - self._start, self._filtered.size - 1)
        if drop > 0:
            self._filtered, self._start = self._filtered[drop:], self._start + drop
        return out


@dataclass(frozen=True)
class WavFormat:
    """What a WAV header declares, and where its samples are."""

    path: Path
    channels: int
    rate: int
    width: int  # bytes per sample
    is_float: bool
    offset: int  # of the first sample in the file
    frames: int

    @property
    def seconds(self) -> float:
        return self.frames / self.rate


def _not_wav(path: Path, head: bytes) -> WavFileError:
    kind = next((kind for magic, kind in _MAGIC.items() if head.startswith(magic)),
                ("no RIFF/WAVE header", "RIFF/WAVE ヘッダーがありません"))
    return WavFileError("not_wav", path, kind=kind)


def probe_wav(path: str | Path) -> WavFormat:
    """Read and check a WAV header; any problem is a WavFileError saying what it is."""
    path = Path(path)
    if path.is_dir():
        raise WavFileError("folder", path)
    try:
        with path.open("rb") as file:
            size = path.stat().st_size
            return _parse(path, file, size)
    except FileNotFoundError:
        raise WavFileError("missing", path) from None
    except PermissionError:
        raise WavFileError("unreadable", path,
                           reason=("permission denied", "アクセス権がありません")) from None
    except OSError as exc:
        raise WavFileError("unreadable", path, reason=exc.strerror or str(exc)) from None


def _parse(path: Path, file, size: int) -> WavFormat:
    if size == 0:
        raise WavFileError("empty", path)
    head = file.read(12)
    if not head.startswith(b"RIFF") or head[8:12] != b"WAVE":
        if len(head) < 12 and b"RIFF".startswith(head[:4]):
            raise WavFileError("cut_header", path)
        raise _not_wav(path, head)
    fmt = None
    while True:
        chunk = file.read(8)
        if len(chunk) < 8:
            raise WavFileError("cut_header" if fmt is None or chunk else "no_data", path)
        kind, length = chunk[:4], struct.unpack("<I", chunk[4:])[0]
        if kind == b"fmt ":
            body = file.read(length)
            if len(body) < min(length, 16):
                raise WavFileError("cut_header", path)
            if length < 16:
                raise WavFileError("bad_header", path, detail=(
                    "format description too short", "形式情報が短すぎます"))
            fmt = body
            file.seek(length & 1, 1)
        elif kind == b"data":
            if fmt is None:
                raise WavFileError("bad_header", path, detail=(
                    "audio before its format", "形式情報より前に音声があります"))
            offset = file.tell()
            if length in (0, 0xFFFFFFFF):  # written by a stream that never came back
                length = size - offset
            return _format(path, fmt, offset, min(length, size - offset))
        else:
            file.seek(length + (length & 1), 1)


def _format(path: Path, fmt: bytes, offset: int, length: int) -> WavFormat:
    tag, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]  # first bytes of the sub-format GUID
    width = (bits + 7) // 8
    if tag not in (_PCM, _FLOAT):
        raise WavFileError("compressed", path, codec=_CODECS.get(tag, f"format code {tag}"))
    if (tag == _PCM and width not in (1, 2, 3, 4)) or (tag == _FLOAT and width not in (4, 8)):
        kind = ("floating-point", "浮動小数点") if tag == _FLOAT else ("integer", "整数")
        raise WavFileError("width", path, bits=bits, kind=kind)
    if channels == 0 or channels > MAX_CHANNELS:
        raise WavFileError("channels", path, channels=channels, most=MAX_CHANNELS)
    if not RATES[0] <= rate <= RATES[1]:
        raise WavFileError("rate", path, rate=rate, low=RATES[0], high=RATES[1])
    frames = length // (channels * width)
    if frames == 0:
        raise WavFileError("no_audio", path)
    return WavFormat(path, channels, rate, width, tag == _FLOAT, offset, frames)


def _mono(data: bytes, fmt: WavFormat) -> np.ndarray:
    """Decode whole frames to int16 and average the channels."""
    if fmt.is_float:
        floats = np.frombuffer(data, np.float32 if fmt.width == 4 else np.float64)
        samples = _to_int16(floats * 32767.0)
    elif fmt.width == 2:
        samples = np.frombuffer(data, np.int16)
    elif fmt.width == 1:
        samples = (np.frombuffer(data, np.uint8).astype(np.int16) - 128) << 8
    elif fmt.width == 3:  # keep the two high bytes of each little-endian sample
        samples = np.frombuffer(data, np.uint8).reshape(-1, 3)[:, 1:].copy().view("<i2")
        samples = samples.ravel()
    else:
        samples = (np.frombuffer(data, np.int32) >> 16).astype(np.int16)
    if fmt.channels > 1:
        samples = samples.reshape(-1, fmt.channels).mean(axis=1).astype(np.int16)
    return samples


def wav_blocks(path: str | Path, rate: int | None = ASR_RATE,
               fmt: WavFormat | None = None) -> Iterator[np.ndarray]:
    """Mono int16 blocks of a WAV file, resampled to `rate` (None keeps the file's)."""
    fmt = fmt or probe_wav(path)
    resampler = Resampler(fmt.rate, rate or fmt.rate)
    frame_bytes = fmt.channels * fmt.width
    step = max(1, BLOCK_BYTES // frame_bytes) * frame_bytes
    remaining = fmt.frames * frame_bytes
    with fmt.path.open("rb") as file:
        file.seek(fmt.offset)
        while remaining > 0:
            try:
                data = file.read(min(step, remaining))
            except OSError as exc:
                raise WavFileError("read_failed", fmt.path, reason=exc.strerror or str(exc)) \
                    from None
            data = data[:len(data) - len(data) % frame_bytes]
            if not data:
                break  # shorter than the header said
            remaining -= len(data)
            if (out := resampler.process(_mono(data, fmt))).size:
                yield out
    if (out := resampler.flush()).size:
        yield out


def read_wav(path: str | Path, rate: int | None = ASR_RATE) -> AudioChunk:
    """Read a whole WAV file as mono int16, resampled to `rate` (None keeps it)."""
    fmt = probe_wav(path)
    parts = list(wav_blocks(path, rate, fmt))
    if not parts:
        raise WavFileError("no_audio", fmt.path)
    return AudioChunk(np.concatenate(parts).tobytes(), rate or fmt.rate)


class WavFileSource(AudioSource):
    """Plays a WAV file into the pipeline in chunks, optionally at real-time pace.
    The header is checked at once; the samples are read as they are played."""

    def __init__(self, path: str | Path, chunk_seconds: float = 0.1, realtime: bool = False,
                 rate: int = ASR_RATE, tail_silence: float = 0.0):
        self.format = probe_wav(path)
        self.path = self.format.path
        self.rate = rate
        self.chunk_seconds = chunk_seconds
        self.realtime = realtime
        self.tail_silence = tail_silence
        self._stopped = threading.Event()

    @property
    def audio(self) -> AudioChunk:
        """The whole file in memory (short files, tests)."""
        return read_wav(self.path, self.rate)

    def _pieces(self) -> Iterator[np.ndarray]:
        size = max(1, int(self.rate * self.chunk_seconds))
        pending, read = np.zeros(0, np.int16), 0
        for block in wav_blocks(self.path, self.rate, self.format):
            read += block.size
            pending = np.concatenate([pending, block])
            while pending.size >= size:
                yield pending[:size]
                pending = pending[size:]
        if not read:
            raise WavFileError("no_audio", self.path)
        pending = np.concatenate([pending, np.zeros(int(self.rate * self.tail_silence),
                                                    np.int16)])
        for start in range(0, pending.size, size):
            yield pending[start:start + size]

    def chunks(self) -> Iterator[AudioChunk]:
        started = time.monotonic()
        played = 0.0
        for piece in self._pieces():
            if self._stopped.is_set():
                return
            if self.realtime:
                delay = started + played - time.monotonic()
                if delay > 0 and self._stopped.wait(delay):
                    return
            chunk = AudioChunk(piece.tobytes(), self.rate)
            played += chunk.seconds
            yield chunk

    def stop(self) -> None:
        self._stopped.set()
