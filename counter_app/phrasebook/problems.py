"""Validation problems collected during an import, reported together."""

from __future__ import annotations

from dataclasses import dataclass

from counter_app.errors import CounterAppError

MAX_PROBLEMS = 50  # report at most this many problems per import
MAX_TEXT = 500  # characters per cell
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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
    """Collects problems up to MAX_PROBLEMS; `raise_if_any()` ends an import."""

    def __init__(self, file: str):
        self.file = file
        self.items: list[Problem] = []
        self.truncated = False

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
    """Formula-looking starts (CSV injection) and over-long text."""
    if text.startswith(FORMULA_STARTS):
        problems.add(where, f"text starts with {text[0]!r}, which spreadsheet programs run as "
                            "a formula (CSV injection); reword it so it starts differently")
    if len(text) > limit:
        problems.add(where, f"text is {len(text)} characters long; the limit is {limit}")
