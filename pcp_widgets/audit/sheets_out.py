"""Writing spreadsheets safely: the one place that decides how a cell goes out.

Used by the rejected-rows workbook, the data export and (later) the commissioner
export. Text that a spreadsheet would run as a formula (beginning with = + - @, a tab
or a carriage return) is always written as text, so an imported "=HYPERLINK(...)" note
can never become a live formula on someone else's computer.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Sequence

import xlsxwriter

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
TIME_FORMAT = "hh:mm"
#: Widest a column is made, in Excel's character units; longer text wraps.
MAX_WIDTH = 60


def is_formula_like(text: str) -> bool:
    return isinstance(text, str) and text.startswith(FORMULA_STARTS)


def csv_safe(value):
    """Formula-like text with a leading apostrophe, which spreadsheet programs show as text."""
    return "'" + value if is_formula_like(value) else value


@dataclass
class SheetData:
    name: str
    headers: Sequence[str]
    rows: Iterable[Sequence]
    #: Number formats by column index, overriding the defaults for dates and times.
    column_formats: dict[int, str] = field(default_factory=dict)
    widths: dict[int, float] | None = None


def write_xlsx(path: Path, sheets: Sequence[SheetData]) -> Path:
    """One workbook, a sheet per ``SheetData``: frozen bold header, filters, dates as real dates."""
    path = Path(path)
    workbook = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_formulas": False,
                                          "strings_to_urls": False, "strings_to_numbers": False})
    formats = _Formats(workbook)
    for data in sheets:
        _write_sheet(workbook.add_worksheet(data.name[:31]), data, formats)
    workbook.close()
    return path


class _Formats:
    """xlsxwriter formats, made once per workbook and per number format."""

    def __init__(self, workbook):
        self.workbook = workbook
        self.header = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top", "bg_color": "#DDEBF7",
                                           "border": 1})
        self.by_number_format: dict[str, object] = {}

    def number(self, number_format: str):
        if number_format not in self.by_number_format:
            self.by_number_format[number_format] = self.workbook.add_format({"num_format": number_format})
        return self.by_number_format[number_format]


def _write_sheet(worksheet, data: SheetData, formats: _Formats) -> None:
    headers = list(data.headers)
    widths = [max(10.0, min(len(h) + 2.0, 30.0)) for h in headers]
    worksheet.write_row(0, 0, headers, formats.header)
    row_index = 0
    for row_index, row in enumerate(data.rows, start=1):
        for column, value in enumerate(row):
            _write_cell(worksheet, row_index, column, value, data.column_formats.get(column), formats)
            if isinstance(value, str) and column < len(widths):
                widths[column] = min(max(widths[column], len(value) + 2.0), MAX_WIDTH)
    for column, width in enumerate(widths):
        worksheet.set_column(column, column, (data.widths or {}).get(column, width))
    worksheet.freeze_panes(1, 0)
    if headers:
        worksheet.autofilter(0, 0, max(row_index, 1), len(headers) - 1)


def _write_cell(worksheet, row: int, column: int, value, number_format: str | None, formats: _Formats) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        worksheet.write_boolean(row, column, value)
    elif isinstance(value, (int, float)):
        worksheet.write_number(row, column, value, formats.number(number_format) if number_format else None)
    elif isinstance(value, dt.datetime):
        worksheet.write_datetime(row, column, value, formats.number(number_format or DATETIME_FORMAT))
    elif isinstance(value, dt.date):
        worksheet.write_datetime(row, column, value, formats.number(number_format or DATE_FORMAT))
    elif isinstance(value, dt.time):
        worksheet.write_datetime(row, column, value, formats.number(number_format or TIME_FORMAT))
    else:
        worksheet.write_string(row, column, str(value))


def write_csv(path: Path, headers: Sequence[str], rows: Iterable[Sequence]) -> Path:
    """UTF-8 with a byte-order mark (so Excel reads accents and ✓ correctly), ISO dates, safe text."""
    path = Path(path)
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([_csv_cell(value) for value in row])
    return path


def _csv_cell(value):
    if value is None:
        return ""
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return csv_safe(value)
