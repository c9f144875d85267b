"""Spreadsheet I/O shared by phrasebooks and term dictionaries.

Reads CSV (UTF-8 with or without BOM, UTF-16 with BOM, Shift_JIS/CP932 as
Excel saves it on Japanese Windows; comma, tab or semicolon separated; see
encoding.py) and XLSX (first sheet), flags formula cells, and writes both
formats back.  Sizes are bounded by the caller's Limits.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from counter_app.errors import CounterAppError
from counter_app.phrasebook.encoding import decode, substituted
from counter_app.phrasebook.problems import (
    FORMULA_STARTS,
    XLSX_UNPACKED,
    Limits,
    Problems,
    Progress,
    check_entries,
)

TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")


@dataclass(slots=True)
class Row:
    number: int  # 1-based row number as the spreadsheet shows it
    cells: dict[str, str]
    letters: dict[str, str] = field(default_factory=dict)  # column -> "C" (XLSX only)

    def where(self, column: str | None = None) -> str:
        if column is None:
            return f"row {self.number}"
        if column in self.letters:
            return f"cell {self.letters[column]}{self.number} (column {column!r})"
        return f"row {self.number}, column {column!r}"

    def get(self, column: str) -> str:
        return self.cells.get(column, "")


@dataclass(slots=True)
class Table:
    header: list[str]
    rows: list[Row]
    encoding: str = ""


def column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def read_csv(path: Path, problems: Problems, limits: Limits) -> Table | None:
    decoded = decode(path.read_bytes(), problems)
    if decoded is None:
        return None
    text, encoding = decoded
    first_line = text.split("\n", 1)[0]
    delimiter = max(",\t;", key=first_line.count) if first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        records = list(reader)
    except csv.Error as error:
        problems.add(f"line {reader.line_num}", f"unreadable CSV: {error}")
        return None
    if not records:
        problems.add("", "the file is empty; expected a header row")
        return None
    check_entries(len(records) - 1, limits, problems)
    header = [h.strip() for h in records[0]]
    rows = []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        if len(record) > len(header):
            problems.add(f"row {number}", f"{len(record)} cells but the header has "
                                          f"{len(header)} columns")
        rows.append(Row(number, dict(zip(header, (c.strip() for c in record), strict=False))))
    return Table(header, rows, encoding)


def read_xlsx(path: Path, problems: Problems, limits: Limits) -> Table | None:
    import openpyxl

    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
        if unpacked > XLSX_UNPACKED * limits.file_bytes:
            problems.add("", f"the workbook unpacks to {unpacked / 1e6:.0f} MB; "
                             f"{limits.describe()} (at most {XLSX_UNPACKED * limits.file_mb} "
                             "MB unpacked for XLSX)")
            return None
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception as error:  # zip, XML and openpyxl errors of a damaged file
        problems.add("", f"not a readable XLSX workbook ({type(error).__name__}: {error}); "
                         "save it again from Excel or export it as CSV UTF-8")
        return None
    header: list[str] = []
    rows: list[Row] = []
    number = 0
    try:
        sheet = book.worksheets[0]
        # data_only=False: a formula cell's value is its formula text, "=..."
        stream = sheet.iter_rows(values_only=True)
        for number, cells in enumerate(stream, start=1):
            if number > limits.entries + 1:  # count the rest (bounded by the unpacked size)
                check_entries(number - 1 + sum(1 for _ in stream), limits, problems)
            values = []
            for index, value in enumerate(cells):
                if isinstance(value, str) and value.startswith("="):
                    problems.add(f"cell {column_letter(index)}{number}",
                                 "formula cells are not allowed (CSV injection risk); "
                                 "paste the value instead")
                    value = ""
                values.append("" if value is None else _cell_text(value))
            if number == 1:
                header = [v.strip() for v in values]
                continue
            if not any(v.strip() for v in values):
                continue
            named = {h: v.strip() for h, v in zip(header, values, strict=False) if h}
            letters = {h: column_letter(i) for i, h in enumerate(header) if h}
            rows.append(Row(number, named, letters))
    except CounterAppError:
        raise
    except Exception as error:  # a truncated or damaged sheet fails while streaming
        problems.add(f"row {number + 1}", f"the workbook is damaged or truncated here "
                                          f"({type(error).__name__}: {error}); save it again "
                                          "from Excel or export it as CSV UTF-8")
        return None
    finally:
        book.close()
    if not header:
        problems.add("", "the first sheet is empty; expected a header row")
        return None
    return Table(header, rows, "xlsx")


def _cell_text(value: object) -> str:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_table(path: Path, problems: Problems, limits: Limits) -> Table:
    """Read a CSV/XLSX file; a file that cannot be read at all raises with its problems."""
    table = read_xlsx(path, problems, limits) if path.suffix.lower() in (".xlsx", ".xlsm") \
        else read_csv(path, problems, limits)
    if table is not None:
        seen: set[str] = set()
        for header in table.header:
            if header and header in seen:
                problems.add("header", f"column {header!r} appears more than once")
            seen.add(header)
    if table is None:
        problems.raise_if_any()
        raise AssertionError("an unreadable table always records a problem")
    return table


def _safe(value: str) -> str:
    """Never write a cell a spreadsheet would run (validated data cannot, but be sure)."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def write_csv(path: Path, header: list[str], rows: list[list[str]],
              encoding: str = "utf-8-sig") -> None:
    """`utf-8-sig` opens correctly in Excel; pass `cp932` for old Japanese Excel."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([[_safe(cell) for cell in row] for row in rows])
    try:
        data = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError as error:
        bad = error.object[error.start:error.end]
        raise CounterAppError(f"Cannot save {path.name} as {encoding}: {bad!r} has no "
                              f"{encoding} form; export as UTF-8 (with BOM) instead.") from None
    path.write_bytes(data)


def write_xlsx(path: Path, header: list[str], rows: list[list[str | bool]],
               title: str = "phrases") -> None:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_safe(c) if isinstance(c, str) else c for c in row])
    book.save(path)


def parse_bool(value: str) -> bool | None:
    """TRUE/FALSE as Excel writes them, plus 1/0, yes/no, はい/いいえ; None if unclear."""
    folded = value.strip().lower()
    if folded in ("true", "1", "yes", "y", "x", "はい", "済", "✓"):
        return True
    if folded in ("false", "0", "no", "n", "", "いいえ", "未"):
        return False
    return None


def scan_cells(table: Table, problems: Problems, limit: int,
               progress: Progress | None = None) -> None:
    """Every cell: no formula-looking start (CSV injection), no over-long text, no mojibake."""
    from counter_app.phrasebook.problems import check_text

    for number, row in enumerate(table.rows):
        if progress and number % 1000 == 0:
            progress("cells", number, len(table.rows))
        for column, value in row.cells.items():
            if value:
                check_text(problems, row.where(column), value, limit)


def warn_substitutions(table: Table, columns: Iterable[str], problems: Problems) -> None:
    """A CP932 CSV: name the cells where Excel wrote '?' for characters it could not save."""
    if table.encoding != "cp932":
        return
    columns = list(columns)
    cells = [row.where(c) for row in table.rows for c in columns if substituted(row.get(c))]
    if cells:
        shown = "; ".join(cells[:10]) + (f"; and {len(cells) - 10} more" if len(cells) > 10
                                          else "")
        problems.warn("", f"'?' in {len(cells)} cell(s) where Excel probably replaced "
                          f"characters Shift_JIS (CP932) cannot hold: {shown}. Save the file "
                          "as 'CSV UTF-8' to keep them")
