"""Helpers the benchmarks share: memory, machine facts, timing, the model store,
and the raw libraries driven the way the app's adapters drive them.

Absolute times depend on the machine and on what else runs on it; every figure
is printed with the load average around it, and app-vs-raw pairs run
interleaved so both sides share the same load.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from counter_app.events import AudioChunk
from counter_app.pipeline.audio import split

ROOT = Path(__file__).resolve().parents[1]
PHRASES_TSV = ROOT / "tools/mt_fixture_phrases.tsv"
MT_FIXTURES = ROOT / "tests/fixtures/mt"
NLLB_FIXTURE = ROOT / "tests/fixtures/mt_ct2/tiny-nllb"


# --- the process and the machine -----------------------------------------------------

def status_kb(field: str) -> int:
    """A figure from /proc/self/status in kB (VmRSS, VmHWM) or a count (Threads)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def rss_mb() -> float:
    return status_kb("VmRSS") / 1024


def load_average() -> float:
    """The 1-minute load average (processes running or waiting for a CPU)."""
    return round(os.getloadavg()[0], 2)


def machine_facts() -> dict[str, object]:
    """CPU model, cores, memory and the load average now (ratios hold across machines;
    absolute times do not)."""
    model = ""
    flags = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name") and not model:
            model = line.split(":", 1)[1].strip()
        if line.startswith("flags") and not flags:
            flags = line.split(":", 1)[1]
    isa = [isa for isa in ("avx2", "avx512f", "avx512_vnni") if f" {isa}" in flags]
    memory_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text()
                     .splitlines() if line.startswith("MemTotal:"))
    return {"cpu": model, "cores": os.cpu_count(), "isa": isa,
            "memory_gb": round(memory_kb / 1024 ** 2, 1),
            "python": platform.python_version(), "load_average_1m": load_average()}


def p50(values: list[float]) -> float | None:
    return round(statistics.median(values), 4) if values else None


# --- measuring ---------------------------------------------------------------------

def timed(fn: Callable[[], object]) -> tuple[object, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def interleaved(app: Callable[[], float | None], raw: Callable[[], float | None],
                runs: int) -> dict[str, object]:
    """Run app and raw alternately (app first on even runs, raw first on odd ones) so
    both see the same load; each callable returns one measurement (None = no value)."""
    values: dict[str, list[float]] = {"app": [], "raw": []}
    load_start = load_average()
    for run in range(runs):
        order = (("app", app), ("raw", raw)) if run % 2 == 0 else (("raw", raw), ("app", app))
        for side, fn in order:
            value = fn()
            if value is not None:
                values[side].append(value)
    return {"app": p50(values["app"]), "raw": p50(values["raw"]),
            "app_values": [round(v, 4) for v in values["app"]],
            "raw_values": [round(v, 4) for v in values["raw"]],
            "load": (load_start, load_average())}


def paced(chunks: Iterator, on_end: Callable[[float], None] | None = None) -> Iterator:
    """Chunks from a thread, as a microphone delivers them (the source paces itself,
    e.g. WavFileSource(realtime=True)); `on_end(perf_counter)` when the source ends."""
    import queue

    box: queue.Queue = queue.Queue()

    def produce() -> None:
        for chunk in chunks:
            box.put(chunk)
        if on_end:
            on_end(time.perf_counter())
        box.put(None)

    threading.Thread(target=produce, name="bench-source", daemon=True).start()
    while (chunk := box.get()) is not None:
        yield chunk


# --- models -----------------------------------------------------------------------

def phrases(column: str) -> list[str]:
    """The counter phrases the tiny MT fixtures know, in one language (ja, ko, en)."""
    rows = PHRASES_TSV.read_text(encoding="utf-8").splitlines()
    index = rows[0].split("\t").index(column)
    return [row.split("\t")[index] for row in rows[1:]]


def bench_store(tmp: Path, whisper: bool = False):
    """A ModelStore with the tiny Argos fixtures, the packaged models (Vosk ko, Piper
    joe) and, with `whisper`, the multilingual Whisper base test model."""
    from counter_app.store import ModelStore

    argos = tmp / "mt" / "argos"
    argos.mkdir(parents=True)
    for package in MT_FIXTURES.glob("*/metadata.json"):
        (argos / package.parent.name).symlink_to(package.parent)
    if whisper:
        from tests.whisper_fixtures import whisper_base_path

        (tmp / "asr" / "whisper").mkdir(parents=True)
        (tmp / "asr" / "whisper" / "whisper-base").symlink_to(whisper_base_path())
    return ModelStore(tmp)


class RawArgos:
    """An Argos package called directly: sentencepiece + ctranslate2, no app code;
    threads and decoding options as Argos (and the app's adapter) use them."""

    def __init__(self, package: Path, threads: int = 1):
        import ctranslate2
        import sentencepiece

        self.sp = sentencepiece.SentencePieceProcessor(
            model_file=str(package / "sentencepiece.model"))
        self.translator = ctranslate2.Translator(str(package / "model"), compute_type="int8",
                                                 inter_threads=1, intra_threads=threads)

    def translate(self, sentence: str) -> str:
        result = self.translator.translate_batch(
            [self.sp.encode(sentence, out_type=str)], beam_size=4, length_penalty=0.2,
            replace_unknowns=True)
        return self.sp.decode(result[0].hypotheses[0])


class RawNllb:
    """An NLLB-layout CTranslate2 model called directly: [source token] + pieces + </s>,
    the target token forced first, beam 4 (as NLLB's model card shows)."""

    def __init__(self, folder: Path, threads: int = 1):
        import ctranslate2
        import sentencepiece

        self.sp = sentencepiece.SentencePieceProcessor(
            model_file=str(next(folder.glob("*.model"))))
        self.translator = ctranslate2.Translator(str(folder), compute_type="int8",
                                                 inter_threads=1, intra_threads=threads)

    def translate(self, sentence: str, source_token: str, target_token: str) -> str:
        tokens = [source_token, *self.sp.encode(sentence, out_type=str), "</s>"]
        result = self.translator.translate_batch(
            [tokens], target_prefix=[[target_token]], beam_size=4, length_penalty=0.2,
            replace_unknowns=True)
        pieces = [t for t in result[0].hypotheses[0][1:] if t != "</s>"]
        return self.sp.decode_pieces(pieces)


# --- the raw speech libraries, driven as the app's adapters drive theirs ---------------

def speech_onset(audio: AudioChunk) -> float:
    """Seconds until the first sample above 2 % of the clip's peak."""
    samples = np.abs(audio.to_array().astype(np.int32))
    return float(np.nonzero(samples > 0.02 * samples.max())[0][0]) / audio.rate


class RawVosk:
    """The vosk package as its README streams: AcceptWaveform, Result or PartialResult,
    FinalResult at the end; word options set as the app's adapter sets them."""

    def __init__(self, path: Path, partial_words: bool):
        import vosk

        vosk.SetLogLevel(-1)
        self.vosk, self.partial_words = vosk, partial_words
        self.model = vosk.Model(str(path))

    def recognizer(self):
        rec = self.vosk.KaldiRecognizer(self.model, 16000)
        rec.SetWords(True)
        rec.SetPartialWords(self.partial_words)
        return rec

    def transcribe(self, chunks) -> str:
        rec, finals = self.recognizer(), []
        for chunk in chunks:
            if rec.AcceptWaveform(chunk.audio):
                finals.append(json.loads(rec.Result())["text"])
            else:
                rec.PartialResult()
        finals.append(json.loads(rec.FinalResult())["text"])
        return " ".join(text for text in finals if text)

    def stream(self, audio: AudioChunk) -> dict[str, float | None]:
        """As engines.vosk_stream: 0.1 s chunks no faster than real time."""
        rec, onset = self.recognizer(), speech_onset(audio)
        started, fed, first = time.perf_counter(), 0.0, None
        for chunk in split(audio, 0.1):
            fed += chunk.seconds
            if (delay := started + fed - time.perf_counter()) > 0:
                time.sleep(delay)
            if not rec.AcceptWaveform(chunk.audio) and first is None and \
                    json.loads(rec.PartialResult()).get("partial"):
                first = time.perf_counter() - started - onset
        released = time.perf_counter()
        rec.FinalResult()
        return {"first_partial_after_onset_s": first,
                "release_to_final_s": time.perf_counter() - released}


class RawWhisper:
    """faster_whisper.WhisperModel with the app's options (int8, 2 threads; beam 1 for
    partials, 5 for finals; the office prompt; no timestamps, no VAD filter)."""

    def __init__(self, path: Path, prompt: str, threads: int = 2):
        from faster_whisper import WhisperModel

        self.prompt = prompt
        self.model = WhisperModel(str(path), device="cpu", compute_type="int8",
                                  cpu_threads=threads, num_workers=1, local_files_only=True)

    def decode(self, samples: np.ndarray, beam_size: int) -> str:
        segments, _ = self.model.transcribe(
            samples, language="ja", beam_size=beam_size, initial_prompt=self.prompt,
            condition_on_previous_text=False, without_timestamps=True, vad_filter=False)
        return "".join(segment.text for segment in segments).strip()

    def final_seconds(self, audio: AudioChunk) -> float:
        samples = audio.to_array().astype(np.float32) / 32768.0
        return timed(lambda: self.decode(samples, 5))[1]

    def stream(self, audio: AudioChunk, interval: float) -> dict[str, float | None]:
        """Re-decode everything heard every `interval` s of new audio (beam 1); the first
        non-empty text counts; release -> a beam-5 decode of the whole buffer."""
        onset, parts = speech_onset(audio), []
        started, fed, decoded_at, first = time.perf_counter(), 0.0, 0.0, None
        for chunk in split(audio, 0.1):
            fed += chunk.seconds
            if (delay := started + fed - time.perf_counter()) > 0:
                time.sleep(delay)
            parts.append(chunk.to_array().astype(np.float32) / 32768.0)
            if fed - decoded_at >= interval - 1e-9:
                decoded_at = fed
                if self.decode(np.concatenate(parts), 1) and first is None:
                    first = time.perf_counter() - started - onset
        released = time.perf_counter()
        self.decode(np.concatenate(parts), 5)
        return {"first_partial_after_onset_s": first,
                "release_to_final_s": time.perf_counter() - released}
