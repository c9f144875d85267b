"""The city report: many tablets' usage counts merged, per month.

Input: the CSV files tablets write (`counter-app stats --csv`, `stats export`,
`stats upload`; columns counter_app.stats.REPORT_COLUMNS).  Each file holds a
tablet's counts so far, so a tablet's files are merged by taking, per day,
language and mode, the highest count: the same tablet sent twice, or an older
file next to a newer one, is counted once.  Output: CSV tables (turns per
language, mode and ward per month; the continued-use rate against the target)
and report.html with inline SVG charts.  Counts only: no file carries content.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from counter_app.errors import CounterAppError

TARGET = 0.70  # 継続利用希望率 goal
CITY = "ALL"  # the ward column's value for the whole city


class ReportError(CounterAppError):
    """No usable input, or an input that is not a tablet's counts."""


@dataclass
class CityCounts:
    """Merged counts: turns[(month, ward, language, mode)], kpi[(month, ward)] = [yes, no]."""

    turns: dict[tuple[str, str, str, str], int] = field(default_factory=dict)
    kpi: dict[tuple[str, str], list[int]] = field(default_factory=dict)
    tablets: set[str] = field(default_factory=set)
    files: int = 0

    @property
    def months(self) -> list[str]:
        return sorted({k[0] for k in self.turns} | {k[0] for k in self.kpi})

    @property
    def wards(self) -> list[str]:
        return sorted({k[1] for k in self.turns} | {k[1] for k in self.kpi})

    def turns_by(self, index: int) -> dict[tuple[str, str], int]:
        """(month, key) -> turns, key being the ward (1), language (2) or mode (3)."""
        totals: dict[tuple[str, str], int] = defaultdict(int)
        for key, count in self.turns.items():
            totals[(key[0], key[index])] += count
        return dict(totals)

    def continued_use(self) -> list[tuple[str, str, int, int, float | None]]:
        """(month, ward, yes, no, rate) per ward and for the city (CITY) per month,
        then the whole period ("all months")."""
        rows = []
        periods = [(m, [m]) for m in self.months] + [("all", self.months)]
        for label, months in periods:
            for ward in [*self.wards, CITY]:
                yes = no = 0
                for (month, w), (y, n) in self.kpi.items():
                    if month in months and (ward == CITY or w == ward):
                        yes, no = yes + y, no + n
                if yes + no or ward == CITY:
                    rows.append((label, ward, yes, no, yes / (yes + no) if yes + no else None))
        return rows


def input_files(paths: Iterable[Path]) -> list[Path]:
    """The CSV files named, and those inside folders named (recursively)."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files += sorted(p for p in path.rglob("*.csv") if p.is_file())
        elif path.is_file():
            files.append(path)
        else:
            raise ReportError(f"No such file or folder: {path}")
    if not files:
        raise ReportError("No tablet counts (*.csv) found in the paths given.")
    return files


def merge(paths: Iterable[Path]) -> CityCounts:
    """Merge tablet CSV files (or folders of them) into monthly city counts."""
    daily: dict[tuple, int] = {}  # (tablet, ward, date, language, mode) -> turns
    answers: dict[tuple, list[int]] = {}  # (tablet, ward, date) -> [yes, no]
    counts = CityCounts()
    for path in input_files(paths):
        counts.files += 1
        for row in _read_rows(path):
            tablet = row.get("tablet") or f"file:{path.name}"
            ward = row.get("ward") or "unassigned"
            day = row["date"]
            counts.tablets.add(tablet)
            turns = _count(row, "turns", path)
            if turns:
                key = (tablet, ward, day, row["language"], row["mode"])
                daily[key] = max(daily.get(key, 0), turns)
            yes, no = _count(row, "kpi_yes", path), _count(row, "kpi_no", path)
            if yes or no:
                old = answers.get((tablet, ward, day), [0, 0])
                answers[(tablet, ward, day)] = [max(old[0], yes), max(old[1], no)]
    for (_, ward, day, language, mode), n in daily.items():
        key = (day[:7], ward, language, mode)
        counts.turns[key] = counts.turns.get(key, 0) + n
    for (_, ward, day), (yes, no) in answers.items():
        total = counts.kpi.setdefault((day[:7], ward), [0, 0])
        total[0] += yes
        total[1] += no
    return counts


def _read_rows(path: Path) -> list[dict[str, str]]:
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if not reader.fieldnames or not {"date", "language", "mode", "turns"} \
                    <= set(reader.fieldnames):
                raise ReportError(f"{path} is not a tablet's usage counts (expected the "
                                  "columns of `counter-app stats --csv`).")
            rows = list(reader)
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise ReportError(f"Cannot read {path}: {exc}") from exc
    for row in rows:
        if len(row.get("date") or "") != 10:
            raise ReportError(f"{path}: a row without a date (YYYY-MM-DD).")
    return rows


def _count(row: dict[str, str], column: str, path: Path) -> int:
    value = (row.get(column) or "0").strip() or "0"
    try:
        number = int(value)
    except ValueError:
        raise ReportError(f"{path}: {column} is not a whole number.") from None
    if number < 0:
        raise ReportError(f"{path}: {column} is negative.")
    return number


# --- output --------------------------------------------------------------------------------

def write_report(counts: CityCounts, out: Path, target: float = TARGET,
                 language: str = "ja") -> list[Path]:
    """Write the CSV tables and report.html into `out`; returns the files written."""
    from counter_app.fleet.report_html import render_html

    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, index, column in (("turns_by_language.csv", 2, "language"),
                                ("turns_by_mode.csv", 3, "mode"),
                                ("turns_by_ward.csv", 1, "ward")):
        rows = [(m, k, n) for (m, k), n in sorted(counts.turns_by(index).items())]
        written.append(_write_csv(out / name, ("month", column, "turns"), rows))
    rows = [(month, ward, yes, no, "" if rate is None else f"{rate:.3f}", f"{target:.2f}",
             "" if rate is None else ("yes" if rate >= target else "no"))
            for month, ward, yes, no, rate in counts.continued_use()]
    written.append(_write_csv(out / "continued_use.csv", ("month", "ward", "yes", "no", "rate",
                                                          "target", "meets_target"), rows))
    html = render_html(counts, target, language)
    written.append(_write_atomic(out / "report.html", html.encode("utf-8")))
    return written


def _write_csv(path: Path, header: tuple[str, ...], rows: list[tuple]) -> Path:
    lines = [",".join(header)] + [",".join(_cell(v) for v in row) for row in rows]
    return _write_atomic(path, ("\n".join(lines) + "\n").encode("utf-8"))


def _cell(value: object) -> str:
    text = str(value)
    if text[:1] in ("=", "+", "-", "@"):  # never a formula in a spreadsheet
        text = "'" + text
    if any(c in text for c in ',"\n'):
        text = '"' + text.replace('"', '""') + '"'
    return text


def _write_atomic(path: Path, data: bytes) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)
    return path


# --- command line --------------------------------------------------------------------------

def add_report_commands(subparsers) -> None:
    """`report` under the fleet command (counter_app.fleet.cli calls this)."""
    p = subparsers.add_parser("report", help="merge tablets' usage counts into a city report "
                              "(CSV + HTML, counts only)")
    p.add_argument("inputs", nargs="+", type=Path, help="tablet CSV files or folders of them "
                   "(e.g. the WebDAV folder)")
    p.add_argument("-o", "--output", type=Path, required=True, help="folder for the report")
    p.add_argument("--target", type=float, default=TARGET * 100,
                   help="continued-use target in percent (default 70)")
    p.add_argument("--lang", choices=("ja", "en"), help="language of the HTML page (default: "
                   "the UI language in the settings)")
    p.set_defaults(func=cmd_report)


def cmd_report(args) -> int:
    language = args.lang
    if language is None:
        from counter_app import config

        language = config.load().ui_language
    if not 0 < args.target <= 100:
        raise ReportError("--target is a percentage between 0 and 100.")
    counts = merge(args.inputs)
    written = write_report(counts, args.output, args.target / 100, language)
    print(f"merged {counts.files} file(s) from {len(counts.tablets)} tablet(s), "
          f"{len(counts.wards)} ward(s), {len(counts.months)} month(s)")
    for path in written:
        print(f"wrote {path}")
    return 0
