"""The extent of each table of an .ods content part, as calamine counts it (repeats included).

Fed the tags of :mod:`.xml_tokens`; a table whose repeated rows or columns reach past the caps
is refused before calamine would allocate it.
"""

from __future__ import annotations
import re
from html import unescape
from pcp_widgets.audit.ingest.file_checks import Refuse, UNUSUAL
from pcp_widgets.audit.ingest.xml_tokens import close, tag_attributes


_ODS_CELLS = (b"table:table-cell", b"table:covered-table-cell")


def ods_extents(tags, spaces_allowed: int) -> list[tuple[str | None, int, int]]:
    """(sheet name, rows, columns) that calamine would make of each table in content.xml.

    Repeated rows and cells count as many times as they are repeated when anything
    follows them; the trailing empty ones LibreOffice writes count for nothing. A
    ``<text:s text:c="N"/>`` becomes N spaces in calamine, so their total is capped too.
    """
    extents = []
    open_tags: list[bytes] = []
    table = None
    spaces = 0
    for batch in tags:
        for closing, name, raw in batch:
            if not name:
                continue
            if closing:
                close(open_tags, name)
                if table is not None:
                    table = _ods_close(table, name, len(open_tags), extents)
                continue
            self_closing = raw.endswith(b"/")
            if name == b"text:s":
                spaces += _repeats(raw, b"text:c")
                if spaces > spaces_allowed:
                    raise Refuse(UNUSUAL)
            if name == b"table:table":
                table = _OdsTable(_ods_attribute(raw, b"table:name"), len(open_tags))
            elif table is not None:
                table.start(name, raw, self_closing, len(open_tags))
            if not self_closing:
                open_tags.append(name)
            elif table is not None and name == b"table:table-row" and table.cell_depth < 0:
                table.end_row()
    return extents


def _ods_close(table, name: bytes, depth: int, extents: list):
    if name == b"table:table" and depth == table.depth:
        extents.append((table.name, table.last_row, table.width))
        return None
    if name == b"table:table-row" and table.cell_depth < 0:
        table.end_row()
    elif depth == table.cell_depth:
        table.cell_depth = -1
    return table


#: An attribute that gives a cell a value in calamine (a string-typed cell always gets one,
#: maybe ""). Matched anywhere in the tag, so it can only find more than calamine does.
_ODS_VALUE = re.compile(
    rb"(?:office:(?:value|string-value|date-value|time-value|boolean-value)|table:formula)\s*="
    rb"|office:value-type\s*=\s*[\"']string[\"']"
)


_ODS_COLUMN_REPEATS = re.compile(rb"table:number-columns-repeated\s*=\s*[\"']\s*([0-9]+)")


def _ods_has_value(raw: bytes) -> bool:
    return _ODS_VALUE.search(raw) is not None


def _ods_attribute(raw: bytes, key: bytes) -> bytes | None:
    values = [v for k, v in tag_attributes(raw) if k == key]
    return values[-1] if values else None


def _repeats(raw: bytes, key: bytes) -> int:
    """A repeat count; the largest if the attribute is given twice (calamine reads one of them)."""
    values = [v for k, v in tag_attributes(raw) if k == key and v.isdigit()]
    return max((int(v) if len(v) <= 12 else 10**12 for v in values), default=1)


class _OdsTable:
    """Where the rows and cells of one table have got to, and the furthest that holds a value."""

    def __init__(self, name: bytes | None, depth: int):
        self.name = unescape(name.decode("utf-8", "replace")) if name else None
        self.depth, self.cell_depth = depth, -1
        self.row = self.last_row = self.width = 0
        self.row_repeats = 1
        self.column = self.row_width = 0

    def start(self, name: bytes, raw: bytes, self_closing: bool, depth: int) -> None:
        if self.cell_depth >= 0:
            return
        if name == b"table:table-row":
            self.row_repeats = _repeats(raw, b"table:number-rows-repeated")
            self.column = self.row_width = 0
        elif name in _ODS_CELLS:
            repeats = [int(v) if len(v) <= 12 else 10**12 for v in _ODS_COLUMN_REPEATS.findall(raw)]
            self.column += max(repeats, default=1)
            if _ods_has_value(raw):
                self.row_width = self.column
            if not self_closing:
                self.cell_depth = depth

    def end_row(self) -> None:
        if self.row_width:
            self.last_row = self.row + self.row_repeats
            self.width = max(self.width, self.row_width)
        self.row += self.row_repeats
        self.row_repeats, self.column, self.row_width = 1, 0, 0
