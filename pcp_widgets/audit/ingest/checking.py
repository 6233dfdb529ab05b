"""Checking the rows of one worksheet against its declared sheet.

Pure functions over cells: no files, no database. The work is done a column at a time
and each distinct cell value is normalised once (audit sheets repeat the same answers,
services and dates thousands of times); that is what keeps a national year of data
within twice the time it takes merely to read the files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from pcp_widgets.audit.ingest.layout import Layout
from pcp_widgets.audit.schema.sheets import Field, Sheet, canonical
from pcp_widgets.audit.schema.values import Ref, is_blank, show
from pcp_widgets.errors import InvalidValue

BLANK_REQUIRED = "is blank; this column must be filled in"


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell of a row (or with the row as a whole)."""

    column: str | None
    value: str | None
    reason: str


@dataclass
class CheckedSheet:
    """A worksheet's non-blank rows, checked: values column by column, problems row by row."""

    sheet: Sheet
    rows: list[int]  # spreadsheet row numbers, one per non-blank row
    raw: dict[str, Sequence]  # field key -> cells as read (for the rejected-rows workbook)
    values: dict[str, list]  # field key -> normalised value, None where blank or wrong
    texts: dict[str, list] = field(default_factory=dict)  # field key -> canonical text of each value
    problems: dict[int, list[Problem]] = field(default_factory=dict)  # position -> what is wrong
    name_like_refs: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (header, value) -> rows

    def __len__(self) -> int:
        return len(self.rows)

    def keys_and_hashes(self) -> tuple[list[str], list[str]]:
        """The natural key and content fingerprint of every row, computed a column at a time."""
        keys = list(map(self.sheet.join_key, zip(*(self.texts[k] for k in self.sheet.natural_key))))
        hashes = list(map(self.sheet.fingerprint, zip(*(self.texts[k] for k in self.sheet.keys))))
        return keys, hashes

    def raw_row(self, position: int) -> dict[str, object]:
        return {key: column[position] for key, column in self.raw.items()}

    def values_row(self, position: int) -> dict[str, object]:
        return {key: column[position] for key, column in self.values.items()}


def is_blank_row(cells: list) -> bool:
    for cell in cells:
        if cell is None or cell == "":
            continue
        if isinstance(cell, str) and not cell.strip():
            continue
        return False
    return True


def check_sheet(layout: Layout, rows: list[list], start: int | None = None, stop: int | None = None) -> CheckedSheet:
    """Check the non-blank rows under the header (``rows[start:stop]``, all of them by default).

    Blank rows are skipped, not counted. Large sheets are checked in slices so the
    importer can report progress between them.
    """
    start = layout.header_row + 1 if start is None else max(start, layout.header_row + 1)
    stop = len(rows) if stop is None else min(stop, len(rows))
    positions = [index for index in range(start, stop) if not is_blank_row(rows[index])]
    columns = _transpose([rows[index] for index in positions], max(layout.columns) + 1)
    checked = CheckedSheet(layout.sheet, [index + 1 for index in positions], {}, {})
    mapped = {f.key: index for index, f in layout.columns.items()}
    for f in layout.sheet.fields:
        if f.key in mapped:
            _check_column(checked, f, layout.headers[mapped[f.key]], columns[mapped[f.key]])
        else:
            checked.raw[f.key] = checked.values[f.key] = [None] * len(positions)
            checked.texts[f.key] = [""] * len(positions)
    for f in layout.missing_required:
        missing = Problem(f.header, "", f"the column '{f.header}' is missing from this sheet, and it must be filled in")
        for position in range(len(positions)):
            checked.problems.setdefault(position, []).append(missing)
    for rule in layout.sheet.rules:
        _check_rule(checked, layout, rule)
    return checked


def _transpose(data: list[list], width: int) -> list[tuple]:
    """Columns of ``data``, each padded to the number of rows (readers may trim short rows)."""
    if data and min(map(len, data)) < width:
        data = [list(cells) + [None] * (width - len(cells)) for cells in data]
    columns = list(zip(*data)) if data else []
    return columns + [(None,) * len(data)] * (width - len(columns))


def _check_column(checked: CheckedSheet, f: Field, header: str, cells: tuple) -> None:
    """Normalise one column, each distinct value once (the plainly fine ones all together)."""
    keys, distinct = _distinct_keys(cells)
    value_of = f.type.normalise_plain(distinct)
    reasons = {}
    for key in distinct.difference(value_of):
        ok, result = _normalise(f, _raw(key))
        value_of[key] = result if ok else None
        if not ok:
            reasons[key] = result
    checked.raw[f.key] = cells
    if keys is cells and all(type(value) is type(key) and value == key for key, value in value_of.items()):
        checked.values[f.key] = values = list(cells)  # every cell already as stored (the usual text column)
    else:
        checked.values[f.key] = values = list(map(value_of.__getitem__, keys))
    if f.type.storage == "text" and None not in value_of.values():
        checked.texts[f.key] = values  # text is its own canonical form
    else:
        text_of = {key: canonical(value) for key, value in value_of.items()}
        checked.texts[f.key] = list(map(text_of.__getitem__, keys))
    if reasons:
        for position, key in enumerate(keys):
            if key in reasons:
                raw = cells[position]
                checked.problems.setdefault(position, []).append(
                    Problem(header, show(raw) if raw is not None else "", reasons[key]))
    if isinstance(f.type, Ref):
        _note_name_like(checked, header, keys, value_of)


def _note_name_like(checked: CheckedSheet, header: str, keys, value_of: dict) -> None:
    """The rows of each ref that looks like a personal name, found in one pass over the column."""
    names = Ref.names_among(value for value in value_of.values() if value is not None)
    if not names:
        return
    rows: dict[str, list[int]] = {}
    for position, key in enumerate(keys):
        value = value_of[key]
        if value in names:
            rows.setdefault(value, []).append(checked.rows[position])
    for value, found in rows.items():
        checked.name_like_refs[(header, value)] = found


def _distinct_keys(cells: tuple) -> tuple[Sequence, set]:
    """Dictionary keys that tell cell values apart, and the distinct ones: the values themselves, unless
    the column mixes booleans with numbers (True == 1 as a key, yet TRUE is not the number 1); then (type, value)."""
    distinct = set(cells)
    if distinct.isdisjoint((0, 1)):  # nothing equal to 0 or 1, so no boolean to confuse with a number
        return cells, distinct
    types = set(map(type, cells))
    if bool in types and (int in types or float in types):
        keys = list(zip(map(type, cells), cells))
        return keys, set(keys)
    return cells, distinct


def _raw(key):
    return key[1] if isinstance(key, tuple) else key


def _normalise(f: Field, raw) -> tuple[bool, object]:
    """(True, value); (True, None) for an allowed blank; (False, reason) for a problem."""
    if is_blank(raw):
        return (False, BLANK_REQUIRED) if f.required else (True, None)
    try:
        return True, f.type.normalise(raw)
    except InvalidValue as problem:
        return False, problem.message


def _check_rule(checked: CheckedSheet, layout: Layout, rule) -> None:
    sheet = layout.sheet
    header = layout.header_of(sheet.field(rule.field))
    for position in range(len(checked)):
        values = {rule.field: checked.values[rule.field][position], rule.other: checked.values[rule.other][position]}
        if rule.violated(values):
            checked.problems.setdefault(position, []).append(
                Problem(header, show(values[rule.field]), rule.reason(sheet, values)))
