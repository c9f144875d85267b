import wave

import numpy as np
import pytest

from counter_app.errors import AudioFormatError
from counter_app.events import AudioChunk
from counter_app.pipeline.audio import (
    MemorySink,
    WavFileSink,
    WavFileSource,
    read_wav,
    resample,
    write_wav,
)


def _tone(rate: int, seconds: float, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return (np.sin(2 * np.pi * freq * t) * 12000).astype(np.int16)


def _write(path, samples, rate, channels=1):
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.tobytes())


def test_wrong_rate_stereo_file_is_resampled_to_16k_mono(tmp_path):
    stereo = np.repeat(_tone(44100, 1.0), 2)
    _write(tmp_path / "a.wav", stereo, 44100, channels=2)
    chunk = read_wav(tmp_path / "a.wav")
    assert chunk.rate == 16000
    assert abs(chunk.samples - 16000) <= 1
    # the tone survives: dominant frequency still 440 Hz
    spectrum = np.abs(np.fft.rfft(chunk.to_array().astype(float)))
    assert abs(np.argmax(spectrum) * 16000 / chunk.samples - 440) < 5


def test_downsampling_removes_frequencies_above_nyquist():
    high = _tone(48000, 0.5, freq=12000)  # above 8 kHz Nyquist of 16 kHz
    out = resample(high, 48000, 16000)
    interior = out[100:-100].astype(float)
    assert np.sqrt(np.mean(interior**2)) < 0.05 * np.sqrt(np.mean(high.astype(float) ** 2))


def test_not_a_wav_file(tmp_path):
    bad = tmp_path / "notes.wav"
    bad.write_text("hello")
    with pytest.raises(AudioFormatError, match="not a readable PCM WAV"):
        read_wav(bad)


def test_missing_and_empty_files(tmp_path):
    with pytest.raises(AudioFormatError, match="not found"):
        read_wav(tmp_path / "none.wav")
    _write(tmp_path / "empty.wav", np.zeros(0, np.int16), 16000)
    with pytest.raises(AudioFormatError, match="no audio"):
        read_wav(tmp_path / "empty.wav")


def test_source_chunks_cover_the_file_and_stop(tmp_path):
    _write(tmp_path / "a.wav", _tone(16000, 1.0), 16000)
    source = WavFileSource(tmp_path / "a.wav", chunk_seconds=0.1)
    chunks = list(source.chunks())
    assert len(chunks) == 10 and all(c.rate == 16000 for c in chunks)
    source = WavFileSource(tmp_path / "a.wav", chunk_seconds=0.1)
    got = []
    for chunk in source.chunks():
        got.append(chunk)
        source.stop()
    assert len(got) == 1


def test_sinks(tmp_path):
    chunk = AudioChunk.from_array(_tone(22050, 0.2), 22050)
    sink = WavFileSink(tmp_path / "out.wav")
    sink.play(chunk)
    sink.play(chunk)
    sink.close()
    back = read_wav(tmp_path / "out.wav", rate=None)
    assert back.rate == 22050 and back.samples == 2 * chunk.samples
    memory = MemorySink()
    memory.play(chunk)
    memory.close()
    assert memory.closed and memory.chunks == [chunk]


def test_write_wav_mixed_rates_resamples_to_first(tmp_path):
    a = AudioChunk.from_array(_tone(16000, 0.5), 16000)
    b = AudioChunk.from_array(_tone(48000, 0.5), 48000)
    n = write_wav(tmp_path / "mix.wav", [a, b])
    assert n == 16000


def test_level_meter():
    assert AudioChunk(bytes(3200), 16000).level() == 0.0
    assert 0.2 < AudioChunk.from_array(_tone(16000, 0.1), 16000).level() < 0.4


def test_missing_portaudio_is_a_clear_error(monkeypatch):
    import builtins

    from counter_app.errors import AudioDeviceError
    from counter_app.pipeline import audio

    real_import = builtins.__import__

    def no_portaudio(name, *args, **kwargs):
        if name == "sounddevice":
            raise OSError("PortAudio library not found")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_portaudio)
    with pytest.raises(AudioDeviceError, match="apt-get install libportaudio2"):
        audio.list_devices()


def test_no_microphone_is_a_clear_error_not_a_crash(monkeypatch):
    """The real sounddevice path, with a device that does not exist."""
    from counter_app.errors import AudioDeviceError
    from counter_app.pipeline.audio import MicrophoneSource, SpeakerSink

    with pytest.raises(AudioDeviceError, match="microphone"):
        next(MicrophoneSource(device=999).chunks())
    with pytest.raises(AudioDeviceError, match="speaker"):
        SpeakerSink(device=999).play(AudioChunk(bytes(320), 16000))
