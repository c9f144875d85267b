"""Pipeline benchmark on the real models (not a test: prints JSON, compares ratios).

    .venv/bin/python bench/pipeline.py [--runs 7]

Korean speech (espeak-ng) -> Vosk ko (phrase mode) -> tiny MT ko->en -> Piper joe.
Targets on a 2-core CPU: end of speech -> first audio <= 0.9 s p50 for a short
utterance; pipeline overhead beyond engine time <= 50 ms; RSS <= 900 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.common import RawArgos, bench_store, rss_mb, timed  # noqa: E402
from counter_app.pipeline.audio import MemorySink, WavFileSource  # noqa: E402
from counter_app.pipeline.factory import EngineFactory  # noqa: E402
from counter_app.pipeline.interpreter import TurnRequest  # noqa: E402
from counter_app.store import ModelStore  # noqa: E402
from tests.speech import SpeechMaker  # noqa: E402

PHRASES = [line.split("\t")[2] for line in
           (ROOT / "tools/mt_fixture_phrases.tsv").read_text(encoding="utf-8").splitlines()[1:]]
SAY = "번호표를 뽑아 주세요."


def fixture_store(tmp: Path) -> ModelStore:
    """The tiny Argos fixtures plus the packaged models (Vosk ko, Piper joe)."""
    return bench_store(tmp)


def raw_ct2_ms(package: Path, sentences: list[str]) -> float:
    """The same model called directly: sentencepiece + ctranslate2, no app code."""
    raw = RawArgos(package)
    raw.translate(sentences[0])  # warm up
    start = time.perf_counter()
    for sentence in sentences:
        raw.translate(sentence)
    return (time.perf_counter() - start) / len(sentences) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="counter-bench-"))
    speech = SpeechMaker(tmp / "speech")
    wav = speech.espeak(SAY, "ko")
    store = fixture_store(tmp / "store")
    factory = EngineFactory(store)
    report: dict[str, object] = {"rss_start_mb": round(rss_mb())}

    asr, report["load_asr_s"] = timed(lambda: factory.recognizer("ko"))
    mt, report["load_mt_s"] = timed(lambda: factory.translator("ko", "en"))
    tts, report["load_tts_s"] = timed(lambda: factory.synthesizer("en"))

    audio = WavFileSource(wav).audio
    _, seconds = timed(lambda: asr.transcribe(WavFileSource(wav).chunks()))
    report["asr_rtf_open_vocabulary"] = round(seconds / audio.seconds, 3)
    _, seconds = timed(lambda: asr.transcribe(WavFileSource(wav).chunks(), PHRASES))
    report["asr_rtf_phrase_mode"] = round(seconds / audio.seconds, 3)

    english = [line.split("\t")[3] for line in
               (ROOT / "tools/mt_fixture_phrases.tsv").read_text().splitlines()[1:]]
    korean = PHRASES
    mt.translate(korean[0])
    start = time.perf_counter()
    for sentence in korean:
        mt.translate(sentence)
    report["mt_ms_per_sentence"] = round((time.perf_counter() - start) / len(korean) * 1000, 2)
    report["mt_raw_ct2_ms_per_sentence"] = round(
        raw_ct2_ms(ROOT / "tests/fixtures/mt/ko_en", korean), 2)
    report["mt_overhead_ratio"] = round(
        report["mt_ms_per_sentence"] / report["mt_raw_ct2_ms_per_sentence"], 2)

    first_chunk = []
    for sentence in english[:10]:
        start = time.perf_counter()
        next(iter(tts.synthesize(sentence)))
        first_chunk.append(time.perf_counter() - start)
    report["tts_first_chunk_ms_p50"] = round(statistics.median(first_chunk) * 1000, 1)

    from counter_app.config import Settings
    from counter_app.session import CounterSession

    interpreter = CounterSession(Settings(), factory).interpreter  # what the app runs
    latencies, overheads, failures = [], [], []
    for _ in range(args.runs):
        source = WavFileSource(wav, realtime=True, chunk_seconds=0.1)
        result = interpreter.run(TurnRequest("ko", "en", audio=source, phrases=PHRASES,
                                             sink=MemorySink()))
        if result.error:
            failures.append(result.error)
            continue
        t = result.timings
        latencies.append(t["end_of_speech_to_first_audio"])
        engine_time = t["final_after_release"] + t["translate"] + t["tts_first_audio"]
        overheads.append(t["end_of_speech_to_first_audio"] - engine_time)
        report["recognized"] = result.transcript.text
        report["translation"] = result.translation.text
    interpreter.shutdown()
    report["failed_turns"] = failures
    report["end_of_speech_to_first_audio_s_p50"] = round(statistics.median(latencies), 3)
    report["end_of_speech_to_first_audio_s_max"] = round(max(latencies), 3)
    report["pipeline_overhead_ms_p50"] = round(statistics.median(overheads) * 1000, 1)
    report["rss_with_asr_mt_tts_mb"] = round(rss_mb())
    report["targets_met"] = {
        "latency_p50<=0.9s": report["end_of_speech_to_first_audio_s_p50"] <= 0.9,
        "overhead<=50ms": report["pipeline_overhead_ms_p50"] <= 50,
        "rss<=900MB": report["rss_with_asr_mt_tts_mb"] <= 900,
    }
    print(json.dumps(report, ensure_ascii=False, indent=2))


if __name__ == "__main__":
    main()
