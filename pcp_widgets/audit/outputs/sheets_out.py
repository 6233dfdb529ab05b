"""Writing spreadsheets safely: the one place that decides how a cell goes out.

Used by the rejected-rows workbook, the data export, the blank template's column widths
and the commissioner export. Text that a spreadsheet would run as a formula (beginning
with = + - @, a tab or a carriage return) is always written as text, so an imported
"=HYPERLINK(...)" note can never become a live formula on someone else's computer.
"""

from __future__ import annotations

import csv
import datetime as dt
import decimal
import io
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TIME_FORMAT = "hh:mm"
DURATION_FORMAT = "[h]:mm"
#: Column widths in Excel's character units: narrower columns hide dates as ####, wider ones
#: push the rest of a sheet off screen (longer text is still all there, in the cell).
MIN_WIDTH = 10
MAX_WIDTH = 60
#: A header longer than this wraps onto a second line rather than widening its column.
HEADER_WRAP = 28
#: Excel's limit on a sheet name, and the characters it refuses in one.
SHEET_NAME_LIMIT = 31
_BAD_SHEET_NAME_CHARACTERS = re.compile(r"[\[\]:*?/\\]")
#: How every header row pcp writes looks (an xlsxwriter format).
HEADER_FORMAT = {"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7", "border": 1}
#: xlsxwriter options for every workbook pcp writes: text stays text, whatever it looks like.
WORKBOOK_OPTIONS = {"nan_inf_to_errors": True, "strings_to_formulas": False, "strings_to_urls": False,
                    "strings_to_numbers": False}


# -- single values -----------------------------------------------------------------------


def is_formula_like(text) -> bool:
    """True for text a spreadsheet program would treat as the start of a formula."""
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def csv_safe(value):
    """Formula-like text with a leading apostrophe, which spreadsheet programs show as text.

    Anything else (other text, numbers, dates, None) comes back unchanged: a negative
    number is a number, not an attack.
    """
    return "'" + value if is_formula_like(value) else value


def is_missing(value) -> bool:
    """None, NaN and pandas' NaT and NA: the blanks a row taken from a DataFrame can hold."""
    if value is None:
        return True
    try:
        return bool(value != value)
    except TypeError:  # pandas.NA refuses to be a truth value; it is the only blank that does
        return True


def column_width(header: str, longest_value: int = 0) -> float:
    """A column width that fits the longest value and the header (wrapped when it is long).

    Shared by every workbook pcp writes, so exports and templates look alike.
    """
    header_chars = min(len(header), HEADER_WRAP)
    return float(min(max(MIN_WIDTH, header_chars + 2, longest_value + 2), MAX_WIDTH))


def safe_sheet_names(names: Iterable[str]) -> list[str]:
    """Names Excel accepts: no []:*?/\\, at most 31 characters, none repeated (ignoring case)."""
    taken: set[str] = set()
    safe = []
    for name in names:
        base = _BAD_SHEET_NAME_CHARACTERS.sub("-", str(name)).strip("'").strip() or "Sheet"
        candidate, number = base[:SHEET_NAME_LIMIT], 1
        while candidate.lower() in taken:
            number += 1
            suffix = f" ({number})"
            candidate = base[:SHEET_NAME_LIMIT - len(suffix)] + suffix
        taken.add(candidate.lower())
        safe.append(candidate)
    return safe


def sheet_name_at_word(title: str, limit: int = SHEET_NAME_LIMIT) -> str:
    """A sheet name from a title, shortened between words (not mid-word) to Excel's limit, without
    a trailing "the", "by" or comma: "Reviews that repeat the previous one" becomes "Reviews that repeat"."""
    name = " ".join(_BAD_SHEET_NAME_CHARACTERS.sub("-", str(title)).split())
    if len(name) <= limit:
        return name
    words = name[:limit + 1].split(" ")[:-1] or [name[:limit]]
    while len(words) > 1 and (words[-1].lower().strip(",;") in _LITTLE_WORDS):
        words.pop()
    return " ".join(words).rstrip(",;:- ")


#: Words a shortened name should not end on.
_LITTLE_WORDS = {"a", "an", "and", "by", "for", "in", "of", "on", "or", "the", "to", "with", ""}


# -- xlsx ----------------------------------------------------------------------------------


@dataclass
class SheetData:
    name: str
    headers: Sequence[str]
    #: Any iterable, read once, row by row: a generator keeps memory flat for large sheets.
    rows: Iterable[Sequence]
    #: Number formats by column index, overriding the defaults for dates, times and numbers.
    column_formats: dict[int, str] = field(default_factory=dict)
    #: Widths by column index, overriding the estimate from the headers and text.
    widths: dict[int, float] | None = None
    #: Lines above the header (the first in bold), then a blank row: what the table is and which
    #: filters made it, so a sheet passed on still says so. None by default: the header is row 1.
    notes: Sequence[str] = ()


def write_xlsx(path: Path, sheets: Sequence[SheetData]) -> Path:
    """One workbook, a sheet per ``SheetData``: frozen bold header, filters, dates as real dates.

    xlsxwriter's constant-memory mode streams each row to disk as it is written, so
    hundreds of thousands of rows take a few tens of megabytes, not gigabytes.
    """
    path = Path(path)
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, **WORKBOOK_OPTIONS})
    try:
        _write_sheets(workbook, sheets)
    except BaseException:
        abandon(workbook, path)
        raise
    workbook.close()
    return path


def xlsx_bytes(sheets: Sequence[SheetData]) -> bytes:
    """The same workbook as :func:`write_xlsx`, made in memory: for the small tables a page offers
    for download, several times faster than going through a file."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, **WORKBOOK_OPTIONS})
    _write_sheets(workbook, sheets)
    workbook.close()
    return buffer.getvalue()


def _write_sheets(workbook, sheets: Sequence[SheetData]) -> None:
    formats = _Formats(workbook)
    for data, name in zip(sheets, safe_sheet_names(s.name for s in sheets)):
        _SheetWriter(workbook.add_worksheet(name), data, formats).write()


def abandon(workbook, path: Path) -> None:
    """Close a workbook that failed half way and remove it: a partial export must not look complete."""
    try:
        workbook.close()
    finally:
        path.unlink(missing_ok=True)


class _Formats:
    """xlsxwriter formats, made once per workbook and per number format."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.header = workbook.add_format(HEADER_FORMAT)
        self.title = workbook.add_format({"bold": True})
        self._by_number_format: dict[str, object] = {}

    def number(self, number_format: str | None):
        if number_format is None:
            return None
        if number_format not in self._by_number_format:
            self._by_number_format[number_format] = self.workbook.add_format({"num_format": number_format})
        return self._by_number_format[number_format]


class _SheetWriter:
    """Writes one sheet a cell at a time, choosing the writer once per Python type.

    The choice is cached by type because a large export repeats a handful of types
    millions of times; every text cell goes through ``write_string``, never ``write``.
    """

    def __init__(self, worksheet, data: SheetData, formats: _Formats):
        self.worksheet = worksheet
        self.data = data
        self.formats = formats
        self.longest = [0] * len(data.headers)
        self.by_type: dict[type, Callable] = {str: self._string, bool: self._boolean, int: self._number,
                                              float: self._number, dt.datetime: self._datetime,
                                              dt.date: self._date, dt.time: self._time, type(None): self._blank}

    def write(self) -> None:
        self._notes()
        self._header()
        last_row = self.header_row
        for last_row, row in enumerate(self.data.rows, start=self.header_row + 1):
            for column, value in enumerate(row):
                writer = self.by_type.get(type(value)) or self._writer_for(value)
                writer(last_row, column, value)
        self._layout(last_row)

    @property
    def header_row(self) -> int:
        """The header's row (0-based): the first, or under the notes and a blank row."""
        return len(self.data.notes) + 1 if self.data.notes else 0

    def _notes(self) -> None:
        for row, note in enumerate(self.data.notes):
            self.worksheet.write_string(row, 0, str(note), self.formats.title if row == 0 else None)

    def _header(self) -> None:
        for column, header in enumerate(self.data.headers):
            self.worksheet.write_string(self.header_row, column, str(header), self.formats.header)

    def _layout(self, last_row: int) -> None:
        """Widths, frozen header and filters: set after the rows, once the longest texts are known."""
        widths = self.data.widths or {}
        for column, header in enumerate(self.data.headers):
            width = widths.get(column, column_width(str(header), self.longest[column]))
            self.worksheet.set_column(column, column, width)
        self.worksheet.freeze_panes(self.header_row + 1, 0)
        if self.data.headers:
            self.worksheet.autofilter(self.header_row, 0, max(last_row, self.header_row + 1),
                                      len(self.data.headers) - 1)

    def _writer_for(self, value) -> Callable:
        """The writer for a type met for the first time (numpy numbers, pandas timestamps...)."""
        if isinstance(value, bool):
            writer = self._boolean
        elif isinstance(value, (numbers.Real, decimal.Decimal)):
            writer = self._number
        elif is_missing(value):  # pandas' NaT and NA, each the only value of its type
            writer = self._blank
        elif isinstance(value, dt.datetime):
            writer = self._datetime
        elif isinstance(value, dt.date):
            writer = self._date
        elif isinstance(value, dt.time):
            writer = self._time
        elif isinstance(value, dt.timedelta):
            writer = self._duration
        else:
            writer = self._string
        self.by_type[type(value)] = writer
        return writer

    def _format(self, column: int, default: str | None):
        return self.formats.number(self.data.column_formats.get(column, default))

    def _blank(self, row: int, column: int, value) -> None:
        """Nothing is written: an absent cell is what a reader sees as empty."""

    def _string(self, row: int, column: int, value) -> None:
        text = str(value)
        if not text:
            return
        self.worksheet.write_string(row, column, text)
        if column < len(self.longest) and len(text) > self.longest[column]:
            self.longest[column] = len(text)

    def _boolean(self, row: int, column: int, value) -> None:
        self.worksheet.write_boolean(row, column, bool(value))

    def _number(self, row: int, column: int, value) -> None:
        if value != value:  # NaN: a missing number in a DataFrame
            return
        number = value if isinstance(value, (int, float)) else float(value)
        self.worksheet.write_number(row, column, number, self._format(column, None))

    def _datetime(self, row: int, column: int, value) -> None:
        self.worksheet.write_datetime(row, column, value, self._format(column, DATETIME_FORMAT))
        self._note_length(column, DATETIME_FORMAT)

    def _date(self, row: int, column: int, value) -> None:
        self.worksheet.write_datetime(row, column, value, self._format(column, DATE_FORMAT))

    def _time(self, row: int, column: int, value) -> None:
        self.worksheet.write_datetime(row, column, value, self._format(column, TIME_FORMAT))

    def _duration(self, row: int, column: int, value) -> None:
        self.worksheet.write_datetime(row, column, value, self._format(column, DURATION_FORMAT))

    def _note_length(self, column: int, number_format: str) -> None:
        """Date-times are wider than the narrowest column: make room for them as shown."""
        if column < len(self.longest) and len(number_format) > self.longest[column]:
            self.longest[column] = len(number_format)


# -- csv -----------------------------------------------------------------------------------


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """UTF-8 with a byte-order mark (so Excel reads accents and ✓ correctly), ISO dates, safe text."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow([csv_safe(header) for header in headers])
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
    return path


def _csv_cell(value):
    """ISO 8601 for dates and times (YYYY-MM-DD, HH:MM:SS), blanks for every kind of missing value."""
    if isinstance(value, str):
        return csv_safe(value)
    if is_missing(value):
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.time):
        return value.isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value
