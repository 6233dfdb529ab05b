"""Working out what a worksheet is: which audit sheet, where its header row is, which column is which.

Real workbooks are messy: a title and a date above the headers, headers typed in
capitals or broken over two lines, a column someone added for their own notes. This
module finds the structure forgivingly but reports everything it could not place, so
the importer can warn instead of silently dropping it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pcp_widgets.audit.schema.sheets import SHEETS, Field, Sheet, sheet_named
from pcp_widgets.audit.schema.values import is_blank

#: How far down a sheet the header row may be (below titles, logos, instructions).
HEADER_SCAN_ROWS = 30
#: The column the rejected-rows workbook adds; it is ours, so re-importing that workbook ignores it.
WHY_REJECTED = "Why rejected"


def fold_header(text) -> str:
    """A header as compared: any case, runs of spaces and line breaks as one space, no trailing * or :."""
    if not isinstance(text, str):
        return ""
    return re.sub(r"[\s*:]+$", "", " ".join(text.lower().split()))


def _header_index(sheet: Sheet) -> dict[str, Field]:
    index = {}
    for f in sheet.fields:
        index[fold_header(f.header)] = f
        index[fold_header(f.key)] = f
    return index


_HEADER_INDEXES = {sheet.kind: _header_index(sheet) for sheet in SHEETS}


@dataclass
class Layout:
    """Where one worksheet's records are and what each column holds."""

    sheet: Sheet
    header_row: int  # index into RawSheet.rows (0-based; the spreadsheet row is this + 1)
    columns: dict[int, Field]  # column index -> field
    headers: dict[int, str]  # column index -> the header text exactly as written
    unknown_columns: list[tuple[int, str]] = field(default_factory=list)
    repeated_columns: list[tuple[int, str]] = field(default_factory=list)
    by_name: bool = True

    @property
    def missing_required(self) -> list[Field]:
        present = {f.key for f in self.columns.values()}
        return [f for f in self.sheet.fields if f.required and f.key not in present]

    def header_of(self, f: Field) -> str:
        for index, mapped in self.columns.items():
            if mapped is f:
                return self.headers[index]
        return f.header


def match_row(cells: list, sheet: Sheet) -> dict[int, Field]:
    """Columns of ``cells`` whose text is one of ``sheet``'s headers (first occurrence wins)."""
    index = _HEADER_INDEXES[sheet.kind]
    matched: dict[int, Field] = {}
    seen: set[str] = set()
    for column, cell in enumerate(cells):
        found = index.get(fold_header(cell))
        if found is not None and found.key not in seen:
            matched[column] = found
            seen.add(found.key)
    return matched


def find_layout(name: str, rows: list[list]) -> Layout | None:
    """The layout of a worksheet, or None if it is not recognisably one of the six audit sheets.

    A sheet named as one of ours is searched for that sheet's header row only. Any other
    sheet is recognised by its headers alone, when one sheet's headers clearly fit best.
    """
    named = sheet_named(name)
    candidates = [named] if named else list(SHEETS)
    best: tuple[int, int, Sheet, dict[int, Field]] | None = None
    for row_index, cells in enumerate(rows[:HEADER_SCAN_ROWS]):
        for sheet in candidates:
            matched = match_row(cells, sheet)
            if len(matched) >= 2 and (best is None or len(matched) > best[0]):
                best = (len(matched), row_index, sheet, matched)
    if best is None:
        return None
    _, row_index, sheet, matched = best
    if not named and not _clearly_fits(sheet, matched, rows[row_index]):
        return None
    return _layout(sheet, row_index, rows[row_index], matched, by_name=bool(named))


def _clearly_fits(sheet: Sheet, matched: dict[int, Field], cells: list) -> bool:
    """Headers alone identify a sheet only if most of its required columns are there and no rival fits as well."""
    required = [f for f in sheet.fields if f.required]
    found_required = sum(1 for f in matched.values() if f.required)
    if found_required * 2 < len(required) or len(matched) < 3:
        return False
    rivals = [len(match_row(cells, other)) for other in SHEETS if other is not sheet]
    return all(score < len(matched) for score in rivals)


def _layout(sheet: Sheet, row_index: int, cells: list, matched: dict[int, Field], by_name: bool) -> Layout:
    index = _HEADER_INDEXES[sheet.kind]
    layout = Layout(sheet, row_index, matched, {c: _as_written(cells[c]) for c in matched}, by_name=by_name)
    for column, cell in enumerate(cells):
        if column in matched or is_blank(cell) or fold_header(cell) == fold_header(WHY_REJECTED):
            continue
        if fold_header(cell) in index:
            layout.repeated_columns.append((column, _as_written(cell)))
        else:
            layout.unknown_columns.append((column, _as_written(cell)))
    return layout


def _as_written(cell) -> str:
    """A header as a person would quote it: their words, line breaks shown as spaces."""
    return " ".join(str(cell).split())


def column_letter(index: int) -> str:
    """Excel's name for a 0-based column index: 0 -> A, 27 -> AB."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
