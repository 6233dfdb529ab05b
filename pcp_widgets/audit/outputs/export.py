"""``pcp export data``: the stored, normalised records, for a quality lead's own pivot tables.

Headers are the canonical keys of the schema (``field.key``), dates and times are ISO 8601
in CSV and real dates and times in Excel (shown year first, so the two agree), whole
numbers stay whole, and formula-like text is written as text (:mod:`sheets_out`).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable, Iterator

from pcp_widgets.audit.schema.sheets import KINDS, Sheet, sheet_for
from pcp_widgets.audit.outputs.sheets_out import SheetData, is_missing, write_csv, write_xlsx
from pcp_widgets.errors import UsageError

FORMATS = (".csv", ".xlsx")
ISO_DATE = "yyyy-mm-dd"
ISO_TIME = "hh:mm:ss"


def export_data(store, out: Path, kind: str | None = None) -> Path:
    """Write one kind to .csv, or one or all kinds to .xlsx (a sheet per kind, named by its key)."""
    out = Path(out)
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        found = suffix or "a file name without an extension"
        raise UsageError(f"pcp can export data to {' or '.join(FORMATS)} files, not {found}.")
    kinds = _kinds(kind)
    if suffix == ".csv":
        if kind is None:
            raise UsageError(f"A CSV file holds one kind of record: add --kind with one of {', '.join(KINDS)}.")
        sheet = sheet_for(kind)
        return write_csv(out, list(sheet.keys), _records(store, sheet))
    return write_xlsx(out, [_sheet_data(store, sheet_for(k)) for k in kinds])


def _kinds(kind: str | None) -> tuple[str, ...]:
    if kind is None:
        return KINDS
    if kind not in KINDS:
        raise UsageError(f"There is no kind of record called {kind!r}; use one of {', '.join(KINDS)}.")
    return (kind,)


def _sheet_data(store, sheet: Sheet) -> SheetData:
    formats = {index: ISO_DATE if f.type.storage == "date" else ISO_TIME
               for index, f in enumerate(sheet.fields) if f.type.storage in ("date", "time")}
    return SheetData(name=sheet.kind, headers=list(sheet.keys), rows=_records(store, sheet), column_formats=formats)


def _records(store, sheet: Sheet) -> Iterator[tuple]:
    """The stored rows as plain Python values, one kind read only when its sheet is written.

    A DataFrame turns a whole-number column with blanks into floats and may hold dates as
    timestamps; each value is put back to what the schema declares it to be.
    """
    frame = store.read_records(sheet.kind)[list(sheet.keys)]
    converters = [_CONVERTERS[f.type.storage] for f in sheet.fields]
    for row in frame.itertuples(index=False, name=None):
        yield tuple(convert(value) for convert, value in zip(converters, row))


def _text(value):
    return None if is_missing(value) else value


def _whole_number(value):
    return None if is_missing(value) else int(value)


def _date(value):
    if is_missing(value):
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _time(value):
    if is_missing(value):
        return None
    return value.time() if isinstance(value, dt.datetime) else value


_CONVERTERS: dict[str, Callable] = {"text": _text, "int": _whole_number, "date": _date, "time": _time}
