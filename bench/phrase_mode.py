"""Vosk phrase-mode accuracy on the 48 Korean counter phrases (prints JSON).

    .venv/bin/python bench/phrase_mode.py [--variants 3] [--model DIR]

Each phrase is spoken by espeak-ng and converted by sox once without dither
and (variants - 1) times with sox's random dither, then streamed in 0.2 s
chunks against all 48 phrases: exact / wrong phrase / rejected (unverified
open-vocabulary text).  Twelve sentences NOT in the list but made of its words
("주소를 알려 주세요.") count as wrong when they come back verified.

The candidates of each utterance are scored once; the curve of wrong against
exact is the same scores decided under several MarginPolicy settings.  The
policy is tuned on the even-numbered phrases ("tune") and reported on the odd
ones too ("held_out").  Latency: seconds spent in finish() (release -> final),
with the audio fed as fast as Vosk takes it (bench/vosk_latency.py feeds it in real
time, as a microphone does).

Vosk decodes the same audio a little differently each time: Kaldi dithers its
input with random noise drawn from the process-wide rand(), so the counts move
by a few between runs.  `--model` takes another model folder, e.g. one without
dither (counter_app.pipeline.asr_vosk.undithered_copy), whose counts repeat
exactly: compare two versions of the code on that.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from counter_app.pipeline.asr_vosk import VoskRecognizer  # noqa: E402
from counter_app.pipeline.audio import read_wav, split  # noqa: E402
from counter_app.pipeline.vosk_phrases import MarginPolicy, Scored, decide  # noqa: E402
from counter_app.store import ModelStore  # noqa: E402

PHRASES = [row.split("\t")[2] for row in
           (ROOT / "tools/mt_fixture_phrases.tsv").read_text(encoding="utf-8").splitlines()[1:]]
NOT_LISTED = ["번호표를 버려 주세요.", "이 서류를 보여 주세요.", "여기에 이름을 써 주세요.",
              "신분증을 가지고 계십니까?", "주소를 알려 주세요.", "수수료는 저쪽입니다.",
              "창구는 여기입니다.", "사진을 보여 주세요.", "내일 다시 말씀해 주세요.",
              "전화번호를 써 주세요.", "카드는 여기 있습니다.", "천천히 기다려 주세요."]
CURVE = [MarginPolicy(4.0, 72.0, float("-inf")),  # the old weights, no margin (not the old rule)
         *(MarginPolicy(2.0, similarity, margin) for similarity in (72.0, 80.0, 86.0, 90.0)
           for margin in (0.0, 5.0, 10.0, 20.0))]


def outcome(expected: int | None, got: str | None) -> str:
    if got is None:
        return "rejected"
    return "exact" if expected is not None and got == str(expected) else "wrong"


def tally(rows: list[dict], policy: MarginPolicy) -> dict[str, int]:
    counts = {"exact": 0, "wrong": 0, "rejected": 0}
    for row in rows:
        ids = [best.phrase.id for scored in row["scored"]
               if (best := decide(scored, policy)[0]) is not None]
        got = None if not ids else ids[0] if len(ids) == 1 else "several"
        counts[outcome(row["expected"], got)] += 1
    return counts


def speak(text: str, variant: int, tmp: Path) -> Path:
    raw, wav = tmp / "raw.wav", tmp / f"16k-{variant}.wav"
    subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
    dither = ["-D"] if variant == 0 else []
    subprocess.run(["sox", *dither, str(raw), "-r", "16000", "-c", "1", "-b", "16",
                    str(wav), "pad", "0.3", "0.3"], check=True, capture_output=True)
    return wav


def first_candidates(rows: list[dict], count: int) -> list[dict]:
    """The rows as if only the `count` nearest candidates had been decoded (candidates
    are scored in order of nearness, each on its own)."""
    return [{**row, "scored": [scored[:count] for scored in row["scored"]]} for row in rows]


def run(recognizer: VoskRecognizer, wav: Path, live: bool = True
        ) -> tuple[list[list[Scored]], list, float, float]:
    """Stream one WAV: scored candidates per final, finals, seconds in finish(), total."""
    audio = read_wav(wav)
    session = recognizer.start(PHRASES)
    session.live = live
    scored, finals = [], []
    started = time.perf_counter()
    for chunk in split(audio, 0.2):
        result = session.accept(chunk)
        if result is not None and result.is_final and (result.text or result.phrase_id):
            scored.append(session.scored)
            finals.append(result)
    released = time.perf_counter()
    last = session.finish()
    done = time.perf_counter()
    if last.text or last.phrase_id:
        scored.append(session.scored)
        finals.append(last)
    return scored, finals, done - released, (done - started) / audio.seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", type=int, default=3)
    parser.add_argument("--limit", type=int, help="first N phrases and N not listed only")
    parser.add_argument("--model", type=Path, help="Vosk model folder (default: the store's)")
    parser.add_argument("--no-live", action="store_true",
                        help="decode every candidate after release (the code before)")
    args = parser.parse_args()
    model_path = args.model or ModelStore(include_packages=True).find("asr", "ko", "vosk").path
    recognizer = VoskRecognizer(model_path, "ko")
    load_at_start = os.getloadavg()[0]
    rows: list[dict] = []
    latency: dict[str, list[float]] = {"verified": [], "fallback": []}
    rtf: list[float] = []
    items = [*list(enumerate(PHRASES))[:args.limit],
             *((None, text) for text in NOT_LISTED[:args.limit])]
    with tempfile.TemporaryDirectory() as tmp:
        for expected, text in items:
            for variant in range(args.variants):
                scored, finals, after_release, factor = run(
                    recognizer, speak(text, variant, Path(tmp)), live=not args.no_live)
                rows.append({"expected": expected, "scored": scored})
                rtf.append(factor)
                if finals:
                    kind = "verified" if finals[-1].phrase_id else "fallback"
                    latency[kind].append(after_release)
    listed = [r for r in rows if r["expected"] is not None]
    parts = {"all": listed, "tune": [r for r in listed if r["expected"] % 2 == 0],
             "held_out": [r for r in listed if r["expected"] % 2 == 1],
             "not_listed": [r for r in rows if r["expected"] is None]}
    curve = [{"fit_weight": p.fit_weight, "min_similarity": p.min_similarity,
              "min_margin": p.min_margin,
              **{name: tally(part, p) for name, part in parts.items()}} for p in CURVE]
    default = tally(listed, MarginPolicy())

    def seconds(values: list[float]) -> dict[str, float]:
        ordered = sorted(values) or [0.0]
        return {"n": len(values), "median": round(statistics.median(ordered), 3),
                "p90": round(ordered[int(0.9 * (len(ordered) - 1))], 3)}

    print(json.dumps({"utterances": len(listed), **default,
                      "exact_rate": round(default["exact"] / len(listed), 3),
                      "wrong_rate": round(default["wrong"] / len(listed), 3),
                      "not_listed_verified": tally(parts["not_listed"], MarginPolicy())["wrong"],
                      "not_listed": len(parts["not_listed"]),
                      "by_candidates": {count: {
                          "listed": tally(first_candidates(listed, count), MarginPolicy()),
                          "not_listed_wrong": tally(first_candidates(parts["not_listed"], count),
                                                    MarginPolicy())["wrong"]}
                          for count in (1, 2, 3, 4)},
                      "finish_seconds": {k: seconds(v) for k, v in latency.items()},
                      "rtf_median": round(statistics.median(rtf), 3),
                      "load_average": [round(load_at_start, 2),
                                       round(os.getloadavg()[0], 2)], "curve": curve},
                     indent=1, default=str))


if __name__ == "__main__":
    main()
