"""Caption-mode soak: hours of audio through the real Vosk ko model, faster than
real time, printing memory over time (should stay flat) and caption lag.

    .venv/bin/python bench/captions_soak.py [--hours 1.0] [--lag-seconds 20]

Memory: a looped WAV (Korean espeak-ng sentences with pauses) is fed as fast as
Vosk decodes it; RSS and the number of kept lines are printed every 10 minutes
of audio.  Lag: the same WAV paced in real time; the wall-clock delay from each
sentence's onset in the audio to its first partial caption.  Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.pipeline import rss_mb  # noqa: E402
from counter_app.captions import CaptionPartial, CaptionRunner, CaptionSession  # noqa: E402
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
    started[0] = time.perf_counter()
    runner.start()
    runner._thread.join(seconds + 30)
    values = sorted(delays.values())
    return {"sentences": len(values),
            "first_partial_after_onset_s_p50": round(values[len(values) // 2], 2)
            if values else None,
            "first_partial_after_onset_s_max": round(values[-1], 2) if values else None}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hours", type=float, default=1.0)
    parser.add_argument("--lag-seconds", type=float, default=20.0)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="counter-soak-"))
    path, onsets = recording(tmp)
    factory = EngineFactory(ModelStore(tmp / "store"))
    report = {"lag": lag(factory, path, onsets, args.lag_seconds),
              "soak": soak(factory, WavFileSource(path).audio, args.hours)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
