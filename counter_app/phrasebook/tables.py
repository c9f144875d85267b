"""Spreadsheet I/O shared by phrasebooks and term dictionaries.

Reads CSV (UTF-8 with or without BOM, UTF-16 with BOM, Shift_JIS/CP932 as
Excel saves it on Japanese Windows; comma, tab or semicolon separated) and
XLSX (first sheet), flags formula cells, and writes both formats back.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from counter_app.errors import CounterAppError
from counter_app.phrasebook.problems import FORMULA_STARTS, Problems

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


def decode(data: bytes, problems: Problems) -> tuple[str, str] | None:
    """Return (text, encoding name), or None after reporting broken encoding."""
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "cp932"]
    first_error: UnicodeDecodeError | None = None
    for encoding in candidates:
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError as error:
            first_error = first_error or error
    assert first_error is not None
    line = data[: first_error.start].count(b"\n") + 1
    tried = " or ".join("UTF-8" if c.startswith("utf-8") else c.upper() for c in candidates)
    problems.add(f"line {line}", f"broken encoding: byte 0x{data[first_error.start]:02x} at "
                                 f"offset {first_error.start} is not valid {tried}; save the file "
                                 "as 'CSV UTF-8' from Excel")
    return None


def read_csv(path: Path, problems: Problems) -> Table | None:
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


def read_xlsx(path: Path, problems: Problems) -> Table | None:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, OSError, KeyError, ValueError) as error:
        problems.add("", f"not a readable XLSX workbook ({error})")
        return None
    try:
        sheet = book.worksheets[0]
        header: list[str] = []
        rows: list[Row] = []
        # data_only=False: a formula cell's value is its formula text, "=..."
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
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


def read_table(path: Path, problems: Problems) -> Table:
    """Read a CSV/XLSX file; a file that cannot be read at all raises with its problems."""
    table = read_xlsx(path, problems) if path.suffix.lower() in (".xlsx", ".xlsm") \
        else read_csv(path, problems)
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


def scan_cells(table: Table, problems: Problems, limit: int) -> None:
    """Every cell: no formula-looking start (CSV injection), no over-long text."""
    from counter_app.phrasebook.problems import check_text

    for row in table.rows:
        for column, value in row.cells.items():
            if value:
                check_text(problems, row.where(column), value, limit)
