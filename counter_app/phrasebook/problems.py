"""Validation problems collected during an import, reported together."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from counter_app.errors import CounterAppError
from counter_app.phrasebook.encoding import mojibake

MAX_PROBLEMS = 50  # report at most this many problems per import
MAX_TEXT = 500  # characters per cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# progress(stage, done, total): stages "reading", "cells" (CSV/XLSX), "checking",
# "readings" (phrasebooks with pyopenjtalk), "saving"
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True, slots=True)
class Limits:
    """What one imported file may hold; every rejection for size states them."""

    kind: str  # "phrasebook" or "term dictionary"
    file_mb: int  # file size (an XLSX may unpack to XLSX_UNPACKED times this)
    entries: int  # phrases or terms
    text: int  # characters per text

    @property
    def file_bytes(self) -> int:
        return self.file_mb * 1_000_000

    def describe(self) -> str:
        return (f"a {self.kind} may have at most {self.entries:,} entries, {self.text} "
                f"characters per text and {self.file_mb} MB per file")


PHRASEBOOK_LIMITS = Limits("phrasebook", 100, 50_000, MAX_TEXT)
TERM_LIMITS = Limits("term dictionary", 20, 20_000, 100)
XLSX_UNPACKED = 5


def check_size(path: Path, limits: Limits, problems: Problems) -> None:
    """Reject a file over the size limit before reading it."""
    size = path.stat().st_size
    if size > limits.file_bytes:
        problems.add("", f"the file is {size / 1e6:.1f} MB; {limits.describe()}")
        problems.raise_if_any()


def check_entries(count: int, limits: Limits, problems: Problems) -> None:
    """Reject a file with too many entries before validating them one by one."""
    if count > limits.entries:
        problems.add("", f"{count:,} entries; {limits.describe()}")
        problems.raise_if_any()


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    where: str  # "row 12, column 'en'", "cell C5", "line 3", "" for the whole file
    message: str

    def __str__(self) -> str:
        place = f"{self.file}: {self.where}" if self.where else self.file
        return f"{place}: {self.message}"


class ImportValidationError(CounterAppError, ValueError):
    """A file was rejected; nothing was imported.  `problems` lists every finding."""

    def __init__(self, file: str, problems: list[Problem], truncated: bool = False):
        self.file = file
        self.problems = problems
        self.truncated = truncated
        lines = [f"{file} was not imported: {len(problems)} problem(s) found"
                 f"{' (only the first ' + str(MAX_PROBLEMS) + ' shown)' if truncated else ''}."]
        lines += [f"  - {p}" for p in problems]
        super().__init__("\n".join(lines))


class Problems:
    """Collects problems up to MAX_PROBLEMS; `raise_if_any()` ends an import.

    `warn()` records findings that do not stop the import (shown to the admin)."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[Problem] = []
        self.warnings: list[Problem] = []
        self.truncated = False

    def warn(self, where: str, message: str) -> None:
        if len(self.warnings) < MAX_PROBLEMS:
            self.warnings.append(Problem(self.file, where, message))

    def add(self, where: str, message: str) -> None:
        if Problem(self.file, where, message) in self.items:
            return
        if len(self.items) >= MAX_PROBLEMS:
            self.truncated = True
            return
        self.items.append(Problem(self.file, where, message))

    def __bool__(self) -> bool:
        return bool(self.items)

    def raise_if_any(self) -> None:
        if self.items:
            raise ImportValidationError(self.file, self.items, self.truncated)


def check_text(problems: Problems, where: str, text: str, limit: int = MAX_TEXT) -> None:
    """Formula-looking starts (CSV injection), over-long text and mojibake."""
    if text.startswith(FORMULA_STARTS):
        problems.add(where, f"text starts with {text[0]!r}, which spreadsheet programs run as "
                            "a formula (CSV injection); reword it so it starts differently")
    if len(text) > limit:
        problems.add(where, f"text is {len(text)} characters long; the limit is {limit}")
    if not text.isascii() and (garbled := mojibake(text)):
        problems.add(where, garbled)
