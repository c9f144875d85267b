"""Staff-side Japanese accuracy of Whisper (issue 12): prints a JSON report.

    .venv/bin/python bench/ja_accuracy.py [--configs raw,dictionary] [--voices openjtalk,kokoro]
                                          [--limit N] [--model DIR] [--out FILE]

The sentences (bench/ja_sentences.tsv, never used to learn corrections) are spoken by
Open JTalk and Kokoro and recognized through the app's push-to-talk path
(`WhisperRecognizer.start()` / `finish()`, Whisper base int8, 2 threads).
Configurations:
  raw         no prompt, greedy finals, no corrections (the engine as it was)
  prompt      the term dictionary as prompt only, greedy finals
  dictionary  what the app ships: prompt from the term dictionary, beam-5 finals,
              heard_as corrections (phrasebooks/terms.yaml)
CER compares characters with numerals normalized (三百 = 300) and punctuation dropped.
Dangerous substitutions (bench/ja_dangerous.tsv): an illness brought in, a name lost,
a negation added or dropped, an amount, date or number changed.  RTF = seconds spent
in the session over seconds of audio; the machine's load is printed with it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bench.ja_common import (  # noqa: E402
    BENCH,
    RATE,
    VOICES,
    DangerList,
    edits,
    load_sentences,
    recognize,
    speak,
    whisper_base,
)
from counter_app.ja_numbers import format_numbers  # noqa: E402

CONFIGS = {  # name -> (prompt from the dictionary, final beam, corrections)
    "raw": (False, 1, False),
    "prompt": (True, 1, False),
    "dictionary": (True, 5, True),
}


def load_terms():
    from counter_app.phrasebook.terms import load_terms as load

    return load(ROOT / "phrasebooks" / "terms.yaml")


def dictionary_prompt(terms) -> str:
    """The prompt the app gives Whisper for Japanese (app.term_hooks)."""
    return "、".join(terms.vocabulary("ja"))


def run(config: str, voice: str, sentences, model: Path | None) -> dict:
    """Recognize every sentence; the session's finals are kept before any correction."""
    use_prompt, beam, _ = CONFIGS[config]
    recognizer = whisper_base(dictionary_prompt(load_terms()) if use_prompt else None,
                              beam, model)
    spent = audio = cpu = 0.0
    heard = {}
    for sentence in sentences:
        samples = speak(sentence.text, voice)
        text, seconds, cpu_seconds = recognize(recognizer, samples)
        spent, cpu, audio = spent + seconds, cpu + cpu_seconds, audio + samples.size / RATE
        heard[sentence.id] = text
        print(f"{config} {voice} {sentence.id}: {text}", file=sys.stderr, flush=True)
    return {"config": config, "voice": voice, "sentences": len(sentences),
            "rtf": round(spent / audio, 3), "audio_seconds": round(audio, 1),
            # CPU seconds (all threads) per second of audio: steadier than wall time on
            # a loaded machine; on 2 idle cores the wall RTF is about half of it, at best.
            "cpu_per_audio_second": round(cpu / audio, 3), "heard": heard}


def score(result: dict, sentences, dangers: DangerList) -> dict:
    """CER, exact sentences and dangerous substitutions of one run, after the
    dictionary's corrections when its configuration applies them."""
    terms = load_terms() if CONFIGS[result["config"]][2] else None
    errors = chars = exact = 0
    found: dict[str, list[str]] = {}
    worst = []
    for sentence in sentences:
        text = format_numbers(result["heard"][sentence.id])
        if terms is not None:
            text = terms.apply_asr_corrections(text, "ja")
        wrong, length = edits(sentence.text, text)
        errors, chars, exact = errors + wrong, chars + length, exact + (wrong == 0)
        for kind in dangers.check(sentence.text, text):
            found.setdefault(kind, []).append(f"{sentence.text} -> {text}")
        if wrong:
            worst.append((wrong / max(1, length), sentence.id, sentence.text, text))
    worst.sort(reverse=True)
    return {**result, "cer": round(errors / max(1, chars), 4), "exact": exact,
            "dangerous": {kind: len(items) for kind, items in sorted(found.items())},
            "dangerous_total": sum(len(items) for items in found.values()),
            "dangerous_examples": found,
            "errors": [{"id": i, "cer": round(c, 3), "said": s, "heard": h}
                       for c, i, s, h in worst]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="raw,dictionary")
    parser.add_argument("--voices", default=",".join(VOICES))
    parser.add_argument("--sentences", type=Path, default=BENCH / "ja_sentences.tsv")
    parser.add_argument("--dangerous", type=Path, default=BENCH / "ja_dangerous.tsv")
    parser.add_argument("--limit", type=int, default=0, help="first N sentences only")
    parser.add_argument("--model", type=Path, help="another Whisper model folder (e.g. small)")
    parser.add_argument("--out", type=Path, help="also write the report here")
    parser.add_argument("--rescore", type=Path, nargs="+",
                        help="score saved reports again (after editing terms.yaml)")
    args = parser.parse_args(argv)
    sentences = load_sentences(args.sentences)
    sentences = sentences[:args.limit] if args.limit else sentences
    dangers = DangerList.load(args.dangerous)
    load_before = os.getloadavg()
    if args.rescore:
        saved = [json.loads(path.read_text(encoding="utf-8")) for path in args.rescore]
        runs = [r for report in saved for r in report["results"]]
        load_before = saved[0]["load_average"]["before"]
    else:
        runs = [run(config, voice, sentences, args.model)
                for config in args.configs.split(",") for voice in args.voices.split(",")]
    results = [score(r, [s for s in sentences if s.id in r["heard"]], dangers) for r in runs]
    report = {
        "model": str(args.model or "whisper-base (int8, 2 threads)"),
        "load_average": {"before": [round(x, 2) for x in load_before],
                         "after": [round(x, 2) for x in os.getloadavg()]},
        "cpus": os.cpu_count(),
        "summary": [{k: r[k] for k in ("config", "voice", "cer", "exact", "rtf",
                                       "cpu_per_audio_second",
                                       "dangerous", "dangerous_total")} for r in results],
        "results": results,
    }
    text = json.dumps(report, ensure_ascii=False, indent=1)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
