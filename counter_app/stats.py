"""Usage counts for the office's reports: turns per day, language and mode, and
the staff's answers to the continued-use question (KPI) per day.

Never any content: only (date, language, mode) -> count and date -> yes/no.
Staff can turn counting off in the settings.  `counter-app stats --csv` prints
this tablet's counts with its ward and tablet id (the city report's input);
`stats export DIR` and `stats upload` hand them on (counter_app.fleet.upload).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import secrets
import sys
import threading
from collections import Counter
from pathlib import Path

from platformdirs import user_data_dir

MODES = ("voice", "text", "phrase", "caption")
KPI_INTERVAL = dt.timedelta(days=7)  # the continued-use question at most once a week
KPI_MIN_DAYS = 2  # ...and only once staff have used the tool on this many days
REPORT_COLUMNS = ("date", "language", "mode", "turns", "kpi_yes", "kpi_no", "ward", "tablet")


def default_path() -> Path:
    return Path(user_data_dir("counter-app", appauthor=False)) / "usage.json"


def _write_json_atomic(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


class UsageStats:
    """Counts in `path` (usage.json); the KPI answers and the tablet id live beside it."""

    def __init__(self, path: Path | None = None, enabled: bool = True):
        self.path = path or default_path()
        self.enabled = enabled
        self._lock = threading.Lock()

    @property
    def kpi_path(self) -> Path:
        return self.path.with_name(self.path.stem + "-kpi.json")

    # --- turns -------------------------------------------------------------------------

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
            _write_json_atomic(self.path, rows)

    def rows(self) -> list[tuple[str, str, str, int]]:
        return [(d, lang, m, n) for (d, lang, m), n in sorted(self._load().items())]

    def write_csv(self, out) -> None:
        writer = csv.writer(out)
        writer.writerow(["date", "language", "mode", "turns"])
        writer.writerows(self.rows())

    # --- the continued-use question (KPI) ------------------------------------------------

    def _load_kpi(self) -> dict:
        try:
            data = json.loads(self.kpi_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"asked": None, "answers": {}}
        if not isinstance(data, dict) or not isinstance(data.get("answers"), dict):
            return {"asked": None, "answers": {}}
        return data

    def _last_asked(self, data: dict) -> dt.date | None:
        try:
            return dt.date.fromisoformat(data.get("asked") or "")
        except (TypeError, ValueError):
            return None

    def kpi_due(self, today: dt.date | None = None) -> bool:
        """True when the question should be asked: counting is on, staff have used the
        tablet on KPI_MIN_DAYS days, and it was last answered or dismissed at least a
        week ago."""
        if not self.enabled or len({d for d, _, _ in self._load()}) < KPI_MIN_DAYS:
            return False
        asked = self._last_asked(self._load_kpi())
        return asked is None or (today or dt.date.today()) - asked >= KPI_INTERVAL

    def record_kpi(self, answer: bool | None, day: dt.date | None = None) -> None:
        """Count a yes (True) or no (False) for the day; None (dismissed) counts
        nothing.  Either way the question rests for a week."""
        if not self.enabled:
            return
        today = (day or dt.date.today()).isoformat()
        with self._lock:
            data = self._load_kpi()
            data["asked"] = today
            if answer is not None:
                counts = data["answers"].setdefault(today, {"yes": 0, "no": 0})
                counts["yes" if answer else "no"] += 1
            _write_json_atomic(self.kpi_path, data)

    def kpi_rows(self) -> list[tuple[str, int, int]]:
        """(date, yes, no) per day with answers."""
        answers = self._load_kpi()["answers"]
        return [(day, int(c.get("yes", 0)), int(c.get("no", 0)))
                for day, c in sorted(answers.items()) if isinstance(c, dict)]

    # --- the tablet's report --------------------------------------------------------------

    def tablet_id(self) -> str:
        """A random id for this tablet (made once, kept beside the counts), so the city
        report counts each tablet once however often its file is sent."""
        path = self.path.with_name("tablet-id")
        try:
            value = path.read_text(encoding="ascii").strip()
            if value:
                return value
        except (OSError, UnicodeDecodeError):
            pass
        value = secrets.token_hex(6)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(value + "\n", encoding="ascii")
        return value

    def report_rows(self, ward: str) -> list[tuple]:
        """Rows of REPORT_COLUMNS: turns (kpi 0) and KPI answers (no language or mode)."""
        tablet = self.tablet_id()
        rows = [(d, lang, mode, n, 0, 0, ward, tablet) for d, lang, mode, n in self.rows()]
        rows += [(d, "", "", 0, yes, no, ward, tablet) for d, yes, no in self.kpi_rows()]
        return sorted(rows)

    def write_report_csv(self, out, ward: str) -> None:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        writer.writerows(self.report_rows(ward))


def add_commands(subparsers) -> None:
    p = subparsers.add_parser("stats", help="usage counts per day, language and mode (no "
                              "content); upload or export them for the city report")
    _common(p)
    p.add_argument("--csv", action="store_true", help="CSV on standard output (with the ward, "
                   "tablet id and continued-use answers)")
    p.set_defaults(func=_cmd_stats)
    sub = p.add_subparsers(dest="stats_command")
    up = sub.add_parser("upload", help="HTTP PUT the counts to the WebDAV folder in the "
                        "settings (reports.url); the password comes from "
                        "$COUNTER_APP_REPORT_PASSWORD or reports.password_file")
    _common(up)
    up.add_argument("--url", help="WebDAV folder (default: reports.url in the settings)")
    up.add_argument("--user", help="basic-auth user (default: reports.user)")
    up.set_defaults(func=_cmd_upload)
    ex = sub.add_parser("export", help="write the counts as a CSV file into a folder "
                        "(e.g. a USB stick)")
    _common(ex)
    ex.add_argument("folder")
    ex.set_defaults(func=_cmd_export)


def _common(p) -> None:
    p.add_argument("--file", default=argparse.SUPPRESS, help="usage file (default: the "
                   "app's data folder)")
    p.add_argument("--ward", default=argparse.SUPPRESS, help="ward/office id (default: "
                   "reports.ward in the settings)")


def _stats_and_ward(args):
    from counter_app import config

    settings = config.load()
    path = getattr(args, "file", None)
    ward = getattr(args, "ward", None) or settings.reports.ward
    return UsageStats(Path(path) if path else None), ward, settings


def _cmd_stats(args) -> int:
    stats, ward, _ = _stats_and_ward(args)
    if args.csv:
        stats.write_report_csv(sys.stdout, ward)
        return 0
    for day, lang, mode, count in stats.rows():
        print(f"{day}  {lang:8} {mode:8} {count}")
    for day, yes, no in stats.kpi_rows():
        print(f"{day}  continued use: yes {yes}, no {no}")
    from counter_app.fleet.upload import last_upload

    if last := last_upload(stats):
        print(f"last upload {last.get('last_try')}: {last.get('message')}")
    return 0


def _cmd_upload(args) -> int:
    from counter_app.fleet.upload import upload_counts

    stats, ward, settings = _stats_and_ward(args)
    reports = settings.reports
    url = args.url or reports.url
    result = upload_counts(stats, ward, url, user=args.user if args.user is not None
                           else reports.user, password_file=reports.password_file)
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return 0 if result.ok else 1


def _cmd_export(args) -> int:
    from counter_app.fleet.upload import export_counts

    stats, ward, _ = _stats_and_ward(args)
    path = export_counts(stats, ward, Path(args.folder))
    print(f"wrote {path}")
    return 0
