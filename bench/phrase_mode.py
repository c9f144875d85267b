"""Vosk phrase-mode accuracy on the 48 Korean counter phrases (prints JSON).

    .venv/bin/python bench/phrase_mode.py [--variants 3]

Each phrase is spoken by espeak-ng and converted by sox once without dither
and (variants - 1) times with sox's random dither, then recognized against all
48 phrases: exact / wrong phrase / rejected.  Used to tune MIN_SIMILARITY and
FIT_WEIGHT in counter_app/pipeline/asr_vosk.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from counter_app.pipeline.asr_vosk import VoskRecognizer  # noqa: E402
from counter_app.pipeline.audio import WavFileSource  # noqa: E402
from counter_app.store import ModelStore  # noqa: E402

PHRASES = [row.split("\t")[2] for row in
           (ROOT / "tools/mt_fixture_phrases.tsv").read_text(encoding="utf-8").splitlines()[1:]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--variants", type=int, default=3)
    args = parser.parse_args()
    model = ModelStore(include_packages=True).find("asr", "ko", "vosk")
    recognizer = VoskRecognizer(model.path, "ko")
    counts = {"exact": 0, "wrong": 0, "rejected": 0}
    with tempfile.TemporaryDirectory() as tmp:
        raw, wav = Path(tmp) / "raw.wav", Path(tmp) / "16k.wav"
        for index, text in enumerate(PHRASES):
            subprocess.run(["espeak-ng", "-v", "ko", "-w", str(raw), text], check=True)
            for variant in range(args.variants):
                dither = ["-D"] if variant == 0 else []
                subprocess.run(["sox", *dither, str(raw), "-r", "16000", "-c", "1", "-b", "16",
                                str(wav), "pad", "0.3", "0.3"], check=True, capture_output=True)
                got = [t.phrase_id for t in recognizer.transcribe(WavFileSource(wav).chunks(),
                                                                  PHRASES) if t.phrase_id]
                key = "rejected" if not got else "exact" if got == [str(index)] else "wrong"
                counts[key] += 1
    total = len(PHRASES) * args.variants
    print(json.dumps({"utterances": total, **counts,
                      "exact_rate": round(counts["exact"] / total, 3)}, indent=2))


if __name__ == "__main__":
    main()
