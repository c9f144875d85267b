"""Usage counts for the office's reports: turns per day, language and mode.

Never any content: only (date, language, mode) -> count.  Staff can turn
counting off in the settings.  `counter-app stats --csv` exports them.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import sys
import threading
from collections import Counter
from pathlib import Path

from platformdirs import user_data_dir

MODES = ("voice", "text", "phrase", "caption")


def default_path() -> Path:
    return Path(user_data_dir("counter-app", appauthor=False)) / "usage.json"


class UsageStats:
    def __init__(self, path: Path | None = None, enabled: bool = True):
        self.path = path or default_path()
        self.enabled = enabled
        self._lock = threading.Lock()

    def _load(self) -> Counter:
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return Counter()
        return Counter({(r["date"], r["language"], r["mode"]): int(r["count"]) for r in rows})

    def record(self, language: str, mode: str, day: dt.date | None = None) -> None:
        if not self.enabled:
            return
        if mode not in MODES:
            raise ValueError(f"unknown mode {mode!r}")
        key = ((day or dt.date.today()).isoformat(), language, mode)
        with self._lock:
            counts = self._load()
            counts[key] += 1
            rows = [{"date": d, "language": lang, "mode": m, "count": n}
                    for (d, lang, m), n in sorted(counts.items())]
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(rows), encoding="utf-8")
            os.replace(tmp, self.path)

    def rows(self) -> list[tuple[str, str, str, int]]:
        return [(d, lang, m, n) for (d, lang, m), n in sorted(self._load().items())]

    def write_csv(self, out) -> None:
        writer = csv.writer(out)
        writer.writerow(["date", "language", "mode", "turns"])
        writer.writerows(self.rows())


def add_commands(subparsers) -> None:
    p = subparsers.add_parser("stats", help="usage counts per day, language and mode (no content)")
    p.add_argument("--csv", action="store_true", help="CSV on standard output")
    p.add_argument("--file", help="usage file (default: the app's data folder)")
    p.set_defaults(func=_cmd_stats)


def _cmd_stats(args) -> int:
    stats = UsageStats(Path(args.file) if args.file else None)
    if args.csv:
        stats.write_csv(sys.stdout)
    else:
        for day, lang, mode, count in stats.rows():
            print(f"{day}  {lang:8} {mode:8} {count}")
    return 0
