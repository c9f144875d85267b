"""Caption-mode soak: hours of audio through the real Vosk ko model, faster than
real time, printing memory over time (should stay flat) and caption lag; and the
same latencies for Japanese on Whisper base (continuous session).

    .venv/bin/python bench/captions_soak.py [--hours 1.0] [--lag-seconds 20] [--no-vosk]

Memory: a looped WAV (Korean espeak-ng sentences with pauses) is fed as fast as
Vosk decodes it; RSS and the number of kept lines are printed every 10 minutes
of audio.  Lag: the same WAV paced in real time; the wall-clock delay from each
sentence's onset in the audio to its first partial caption.  Japanese (Whisper
base): Open JTalk sentences fed in real time from a thread, with ~1 s pauses and
without any; first text after each onset, finished line after each pause, and the
oldest audio still unfinished when its line was finished.  Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pipeline import rss_mb  # noqa: E402
from counter_app.captions import (  # noqa: E402
    CaptionFinal,
    CaptionPartial,
    CaptionRunner,
    CaptionSession,
)
from counter_app.events import AudioChunk  # noqa: E402
from counter_app.pipeline.audio import WavFileSource, split, write_wav  # noqa: E402
from counter_app.pipeline.base import AudioSource  # noqa: E402
from counter_app.pipeline.factory import EngineFactory  # noqa: E402
from counter_app.store import ModelStore  # noqa: E402
from tests.speech import SpeechMaker  # noqa: E402

SENTENCES = ["번호표를 뽑아 주세요.", "이 서류를 작성해 주세요.", "잠시만 기다려 주세요.",
             "여기에 서명해 주세요."]
PAUSE = 1.0


class LoopSource(AudioSource):
    """Repeats one recording until `seconds` of audio were delivered (unpaced)."""

    def __init__(self, audio: AudioChunk, seconds: float):
        self.audio, self.seconds = audio, seconds
        self._stop = threading.Event()

    def chunks(self):
        delivered = 0.0
        while delivered < self.seconds and not self._stop.is_set():
            for chunk in split(self.audio, 0.1):
                if self._stop.is_set() or delivered >= self.seconds:
                    return
                delivered += chunk.seconds
                yield chunk

    def stop(self) -> None:
        self._stop.set()


def recording(tmp: Path) -> tuple[Path, list[float]]:
    speech = SpeechMaker(tmp / "speech")
    pause = AudioChunk(bytes(int(16000 * PAUSE) * 2), 16000)
    parts, onsets, t = [], [], 0.0
    for sentence in SENTENCES:
        spoken = WavFileSource(speech.espeak(sentence, "ko")).audio
        parts += [spoken, pause]
        onsets.append(t + 0.3)
        t += spoken.seconds + PAUSE
    path = tmp / "loop.wav"
    write_wav(path, parts)
    return path, onsets


def soak(factory: EngineFactory, audio: AudioChunk, hours: float) -> dict:
    session = CaptionSession(max_lines=2000)
    source = LoopSource(audio, hours * 3600)
    runner = CaptionRunner(session, "staff", lambda: factory.recognizer("ko"), lambda: source,
                           lambda event: None)
    samples = []
    started = time.perf_counter()
    runner.start()
    next_mark = 0.0
    while runner._thread.is_alive():
        if runner.audio_time >= next_mark:
            samples.append({"audio_minutes": round(runner.audio_time / 60, 1),
                            "rss_mb": round(rss_mb()), "lines_kept": len(session.lines()),
                            "lines_dropped": session.dropped})
            next_mark += 600
        time.sleep(0.5)
    wall = time.perf_counter() - started
    samples.append({"audio_minutes": round(runner.audio_time / 60, 1), "rss_mb": round(rss_mb()),
                    "lines_kept": len(session.lines()), "lines_dropped": session.dropped})
    growth = samples[-1]["rss_mb"] - samples[1]["rss_mb"] if len(samples) > 2 else 0
    return {"audio_hours": hours, "wall_seconds": round(wall, 1),
            "speed_x_realtime": round(hours * 3600 / wall, 1), "memory": samples,
            "rss_growth_after_warmup_mb": growth}


class PacedLoop(LoopSource):
    """LoopSource delivered at real-time pace (like a microphone)."""

    def chunks(self):
        begin, heard = time.perf_counter(), 0.0
        for chunk in super().chunks():
            yield chunk
            heard += chunk.seconds
            ahead = begin + heard - time.perf_counter()
            if ahead > 0:
                time.sleep(ahead)


def lag(factory: EngineFactory, path: Path, onsets: list[float], seconds: float) -> dict:
    """Wall-clock delay from each sentence's onset to its first partial caption."""
    audio = WavFileSource(path).audio
    onset_times = [loop * audio.seconds + t for loop in range(int(seconds // audio.seconds) + 1)
                   for t in onsets]
    delays: dict[float, float] = {}
    started = [0.0]

    def on_event(event) -> None:
        if isinstance(event, CaptionPartial):
            now = time.perf_counter() - started[0]
            onset = max((t for t in onset_times if t <= now), default=None)
            if onset is not None:
                delays.setdefault(onset, now - onset)

    factory.recognizer("ko")  # loaded before the clock starts
    runner = CaptionRunner(CaptionSession(), "staff", lambda: factory.recognizer("ko"),
                           lambda: PacedLoop(audio, seconds), on_event)
    load_before = os.getloadavg()[0]
    started[0] = time.perf_counter()
    runner.start()
    runner._thread.join(seconds + 30)
    values = sorted(delays.values())
    return {"load_average_1m": [round(load_before, 1), round(os.getloadavg()[0], 1)],
            "sentences": len(values),
            "first_partial_after_onset_s_p50": round(values[len(values) // 2], 2)
            if values else None,
            "first_partial_after_onset_s_max": round(values[-1], 2) if values else None}


JA_SENTENCES = ["住民票の写しをください。", "マイナンバーカードはお持ちですか。",
                "番号札を取って、お待ちください。", "この書類に記入してください。",
                "転出届はこちらの窓口で受け付けています。", "お名前を教えてください。"]


class ThreadFed(AudioSource):
    """A microphone stand-in: a thread queues each 0.1 s chunk once it has been
    'spoken' (real-time pace), so audio backs up while the recognizer is busy."""

    def __init__(self, audio: AudioChunk, chunk_seconds: float = 0.1):
        self.audio, self.chunk_seconds = audio, chunk_seconds
        self.started_at = 0.0
        self._stop = threading.Event()

    def chunks(self):
        import queue

        chunks: queue.Queue = queue.Queue()

        def produce() -> None:
            for index, chunk in enumerate(split(self.audio, self.chunk_seconds)):
                if self._stop.wait(max(0.0, self.started_at + (index + 1) * self.chunk_seconds
                                       - time.perf_counter())):
                    break
                chunks.put(chunk)
            chunks.put(None)

        self.started_at = time.perf_counter()
        threading.Thread(target=produce, daemon=True).start()
        while (chunk := chunks.get()) is not None:
            yield chunk

    def stop(self) -> None:
        self._stop.set()


def japanese_speech(pause: float) -> tuple[AudioChunk, list[tuple[float, float]]]:
    """Open JTalk sentences, `pause` seconds apart; the audio and each speech span."""
    import numpy as np
    import pyopenjtalk

    from counter_app.pipeline.audio import resample

    parts, spans, t = [np.zeros(8000, np.int16)], [], 0.5
    for sentence in JA_SENTENCES * (1 if pause >= 0.5 else 3):
        audio, rate = pyopenjtalk.tts(sentence)  # float64 at 48 kHz, int16 range
        samples = resample(np.clip(audio, -32768, 32767).astype(np.int16), rate, 16000)
        loud = np.nonzero(np.abs(samples.astype(np.int32)) > 0.02 * np.abs(samples).max())[0]
        samples = samples[loud[0]:loud[-1] + 1]
        spans.append((t, t + samples.size / 16000))
        parts += [samples, np.zeros(int(pause * 16000), np.int16)]
        t += samples.size / 16000 + pause
    parts.append(np.zeros(16000, np.int16))
    return AudioChunk.from_array(np.concatenate(parts), 16000), spans


def whisper_captions(recognizer, audio: AudioChunk, spans: list[tuple[float, float]]) -> dict:
    """Caption one paced stream; wall-clock latencies against the speech spans."""
    events: list[tuple[float, object]] = []
    source = ThreadFed(audio)
    heard: list[float] = []  # audio time of each final: the wait for the pause itself

    def on_event(event) -> None:
        events.append((time.perf_counter(), event))
        if isinstance(event, CaptionFinal):
            heard.append(runner.audio_time)

    runner = CaptionRunner(CaptionSession(), "staff", lambda: recognizer, lambda: source,
                           on_event)
    cpu = time.process_time()
    runner.start()
    runner._thread.join(audio.seconds * 5 + 60)
    cpu = time.process_time() - cpu
    t0 = source.started_at
    finals = [(t, e.line) for t, e in events if isinstance(e, CaptionFinal)]
    partials = [t for t, e in events if isinstance(e, CaptionPartial)]
    first_text, after_pause, pause_audio, previous = [], [], [], 0.0
    for (start, end), (final_at, _), heard_at in zip(spans, finals, heard, strict=False):
        shown = [t for t in partials if max(previous, t0 + start) < t <= final_at]
        first_text.append(min([*shown, final_at]) - (t0 + start))
        after_pause.append(final_at - (t0 + end))
        pause_audio.append(heard_at - end)
        previous = final_at
    oldest = [t - (t0 + line.start) for t, line in finals]

    def stats(values: list[float]) -> dict:
        values = sorted(values)
        return {"p50": round(values[len(values) // 2], 2), "max": round(values[-1], 2)} \
            if values else {}

    return {"audio_seconds": round(audio.seconds, 1), "sentences": len(spans),
            "lines": len(finals), "partials": len(partials),
            "first_text_after_onset_s": stats(first_text),
            "finished_line_after_pause_s": stats(after_pause),
            # of which waiting for the pause to be long enough (audio time, any machine)
            "finished_line_after_pause_audio_s": stats(pause_audio),
            "oldest_unfinished_s": stats(oldest),
            "cpu_seconds_per_audio_second": round(cpu / audio.seconds, 2),
            "lines_text": [line.text for _, line in finals]}


def japanese_whisper() -> dict:
    """Whisper base (ja, office prompt) on Open JTalk speech, with and without pauses."""
    from counter_app.pipeline.asr_whisper import WhisperRecognizer
    from tests.whisper_fixtures import OFFICE_PROMPT_JA, whisper_base_path

    recognizer = WhisperRecognizer(whisper_base_path(), None, threads=2).for_language(
        "ja", initial_prompt=OFFICE_PROMPT_JA)
    pauses = whisper_captions(recognizer, *japanese_speech(1.0))
    talk = whisper_captions(recognizer, *japanese_speech(0.2))
    for key in ("first_text_after_onset_s", "finished_line_after_pause_s",
                "finished_line_after_pause_audio_s", "lines_text"):
        talk.pop(key)  # long talk is cut into lines, not sentences: only its age counts
    return {"load_average_1m": round(os.getloadavg()[0], 1), "with_pauses": pauses,
            "without_pauses": talk}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--lag-seconds", type=float, default=20.0)
    parser.add_argument("--no-vosk", action="store_true", help="Japanese Whisper figures only")
    args = parser.parse_args()
    report: dict = {}
    if not args.no_vosk:
        tmp = Path(tempfile.mkdtemp(prefix="counter-soak-"))
        path, onsets = recording(tmp)
        factory = EngineFactory(ModelStore(tmp / "store"))
        report["ko_vosk"] = {"lag": lag(factory, path, onsets, args.lag_seconds)}
        if args.hours > 0:
            report["ko_vosk"]["soak"] = soak(factory, WavFileSource(path).audio, args.hours)
    report["ja_whisper_base"] = japanese_whisper()
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
