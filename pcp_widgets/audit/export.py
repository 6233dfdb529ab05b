"""``pcp export data``: the stored, normalised records, for a quality lead's own pivot tables.

Headers are the canonical keys of the schema, dates are ISO 8601 in CSV and real dates in
Excel, and formula-like text is written as text (:mod:`sheets_out`).
"""

from __future__ import annotations

from pathlib import Path

from pcp_widgets.audit.schema import KINDS, sheet_for
from pcp_widgets.audit.sheets_out import SheetData, write_csv, write_xlsx
from pcp_widgets.errors import UsageError

ISO_DATE = "yyyy-mm-dd"
ISO_TIME = "hh:mm:ss"


def export_data(store, out: Path, kind: str | None = None) -> Path:
    """Write one kind to .csv, or one or all kinds to .xlsx (a sheet per kind, named by its key)."""
    out = Path(out)
    kinds = _kinds(kind)
    suffix = out.suffix.lower()
    if suffix == ".csv":
        if kind is None:
            raise UsageError(f"A CSV file holds one kind of record: add --kind with one of {', '.join(KINDS)}.")
        frame = store.read_records(kind)
        return write_csv(out, list(frame.columns), _rows(frame))
    if suffix == ".xlsx":
        return write_xlsx(out, [_sheet(store, k) for k in kinds])
    raise UsageError(f"pcp can export data to .csv or .xlsx, not {suffix or 'a file without an extension'}.")


def _kinds(kind: str | None) -> tuple[str, ...]:
    if kind is None:
        return KINDS
    if kind not in KINDS:
        raise UsageError(f"There is no kind of record called {kind!r}; use one of {', '.join(KINDS)}.")
    return (kind,)


def _sheet(store, kind: str) -> SheetData:
    frame = store.read_records(kind)
    formats = {
        index: ISO_DATE if f.type.storage == "date" else ISO_TIME
        for index, f in enumerate(sheet_for(kind).fields)
        if f.type.storage in ("date", "time")
    }
    return SheetData(name=kind, headers=list(frame.columns), rows=_rows(frame), column_formats=formats)


def _rows(frame):
    """Rows as plain Python values (no pandas missing-value markers)."""
    return (tuple(None if value is None or value != value else value for value in row)
            for row in frame.itertuples(index=False, name=None))
