"""Walking XML tag by tag, the way calamine's XML reader does, to find a sheet's true extent.

Used on .xlsx sheet parts the byte-level checks of :mod:`.zip_scan` cannot vouch for: the
tokenizer reads tags as calamine splits them (so it can only ever find more cells, never fewer).
"""

from __future__ import annotations
import re
from pcp_widgets.audit.ingest.file_checks import MAX_TAG, Refuse, UNUSUAL


#: A cell tag that does not start with its address (so its place is counted, not written).
CELL_WITHOUT_ADDRESS = re.compile(rb"<c(?! r=)[\s>/]")


#: A cell tag with a namespace prefix (<x:c ...>), which calamine reads like <c>.
PREFIXED_CELL = re.compile(rb":c[\s>/]")


# -- walking XML tag by tag, the way calamine's XML reader does -------------------------

class Irregular(Exception):
    """A piece the quick tokenizer cannot split safely."""


#: A tag, comment or processing instruction holding no '<': then each '<' starts exactly one token.
_QUICK_TOKEN = re.compile(
    rb"<(?:(/?)([^\s/>!?<]+)((?:[^<>\"']|\"[^<\"]*\"|'[^<']*')*)|!--[^<]*?--|\?[^<]*?\?)>"
)


def xml_pieces(chunks):
    """The chunks re-cut just before their last '<', so no token is split between pieces."""
    carry = b""
    for chunk in chunks:
        buffer = carry + chunk if carry else chunk
        cut = buffer.rfind(b"<")
        if cut < 0:
            carry = b""
            continue  # text only: no tags in it
        if cut > 0:
            yield buffer[:cut]
        carry = buffer[cut:]
        if len(carry) > MAX_TAG:
            raise Refuse(UNUSUAL)
    if carry:
        yield carry


#: A cell tag as Excel, LibreOffice and the Python writers write it: its address first and only once.
_PLAIN_CELL_TAG = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"(?: (?:s|t|cm|vm|ph)="[^"<]*")*/?>')


def plain_extent(pieces) -> tuple[int, int]:
    """Rows and columns (from A1) of a part whose every cell tag is plain, found a piece at a
    time without looking at each tag in Python; Irregular if any cell tag is not plain.

    With every cell at its own single address, the sheet ends at the largest address: a wide
    sheet, or one whose text merely looks like an address ("COVID19"), is measured this way.
    """
    letters: set[bytes] = set()
    digits: set[bytes] = set()
    for piece in pieces:
        if CELL_WITHOUT_ADDRESS.search(piece) or PREFIXED_CELL.search(piece):
            raise Irregular()
        cells = _PLAIN_CELL_TAG.findall(piece)
        if len(cells) != piece.count(b"<c r="):
            raise Irregular()
        if cells:
            columns_here, rows_here = zip(*cells)
            letters.update(columns_here)
            digits.update(rows_here)
    rows = max(map(int, digits), default=0)
    columns = max((_column(column) + 1 for column in letters), default=0)
    return rows, columns


def quick_tags(pieces):
    """The same tokens as ``xml_tags``, found a whole piece at a time."""
    for piece in pieces:
        tokens = _QUICK_TOKEN.findall(piece)
        if len(tokens) != piece.count(b"<"):
            raise Irregular()
        yield tokens


_TAG = re.compile(rb"<(/?)([^\s/>!?<]+)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")


_SKIPPED = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"), (b"<!", b">"))


_XML_SPACE = b" \t\n\r\x0c"


def xml_tags(chunks):
    """Batches of (closing "/" or "", name, raw attributes ending in "/" if self-closing), one
    batch per chunk; comments, CDATA and processing instructions skipped whole, as an XML
    reader skips them. Slow but exact about a '<' inside a quoted value."""
    buffer = b""
    for chunk in chunks:
        buffer = buffer + chunk if buffer else chunk
        position, batch = 0, []
        while True:
            start = buffer.find(b"<", position)
            if start < 0:
                position = len(buffer)
                break
            end, token = _next_token(buffer, start)
            if end < 0:
                position = start
                break
            position = end
            if token is not None:
                batch.append(token)
        yield batch
        buffer = buffer[position:]
        if len(buffer) > MAX_TAG:
            raise Refuse(UNUSUAL)


def _next_token(buffer: bytes, start: int):
    """(end, token or None) at ``start``; end -1 if the token is not complete in ``buffer``."""
    for opening, closing in _SKIPPED:
        if buffer.startswith(opening, start):
            end = buffer.find(closing, start + len(opening))
            return (end + len(closing), None) if end >= 0 else (-1, None)
    match = _TAG.match(buffer, start)
    if match is None:
        # more bytes are needed (a quoted value may hold '>' or '<'); a stray '<', which an
        # XML reader stops at, ends up as a tag longer than MAX_TAG and is refused
        return -1, None
    return match.end(), match.groups()


def tag_attributes(raw: bytes):
    """(key, value) pairs split exactly as calamine splits them; stops at a malformed one,
    where calamine stops with an error."""
    position, length = 0, len(raw)
    while True:
        while position < length and raw[position] in _XML_SPACE:
            position += 1
        equals = raw.find(b"=", position)
        if position >= length or equals < 0:
            return
        key = raw[position:equals].rstrip(_XML_SPACE)
        position = equals + 1
        while position < length and raw[position] in _XML_SPACE:
            position += 1
        if position >= length or raw[position] not in b"\"'":
            return
        end = raw.find(raw[position:position + 1], position + 1)
        if end < 0:
            return
        yield key, raw[position + 1:end]
        position = end + 1


def close(open_tags: list, name: bytes) -> None:
    """Real workbooks are well nested; refusing any other makes our walk and calamine's agree."""
    if not open_tags or open_tags[-1] != name:
        raise Refuse(UNUSUAL)
    open_tags.pop()


_ADDRESS = re.compile(rb"([A-Za-z]*)([0-9]+)")


#: The attributes of a cell as Excel, LibreOffice and the Python writers write them: the
#: address first and only once (calamine reads the last r="" of a tag).
_PLAIN_CELL = re.compile(rb' r="([A-Za-z]{1,3}[0-9]{1,7})"(?: (?:s|t|cm|vm|ph)="[^"<]*")*/?')


#: Every value of an attribute named r, and a few more: any "r=" after a space or a quote.
#: calamine's attribute split can only find fewer, so counting these never counts too low.
_R_VALUES = re.compile(rb"(?:^|[\s\"'])r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")


_COLUMNS: dict[bytes, int] = {}


def _cell_address(value: bytes) -> tuple[int, int] | None:
    """(row, column), 0-based, of an address such as b"AB12" (or a row number such as b"12"),
    read as calamine reads it; None where calamine stops with an error."""
    match = _ADDRESS.fullmatch(value)
    if match is None:
        return None
    letters, digits = match.groups()
    row = int(digits) if len(digits) <= 12 else 10**12
    return max(row - 1, 0), max(_column(letters), 0)


def _column(letters: bytes) -> int:
    """0-based column of b"A", b"AB"..., remembered: a sheet uses few."""
    column = _COLUMNS.get(letters)
    if column is None:
        column = -1
        if len(letters) <= 8:
            for letter in letters.upper():
                column = (column + 1) * 26 + letter - ord("A")
        else:
            column = 26**8
        if len(_COLUMNS) < 4096:
            _COLUMNS[letters] = column
    return column


def _addresses(raw: bytes) -> list[tuple[int, int]]:
    plain = _PLAIN_CELL.fullmatch(raw)
    found = [_cell_address(plain.group(1))] if plain else [
        _cell_address(double or single) for double, single in _R_VALUES.findall(raw)
    ]
    return [address for address in found if address]


def xlsx_extent(batches) -> tuple[int, int]:
    """Rows and columns (from A1) that calamine would make of one sheet part.

    Calamine places a cell at its address or, without one, just after the previous
    cell of the row, rows counting on from the last ``<row r="">``. The counters here
    never run lower than calamine's, so the result is an upper bound, exact for real files.
    """
    open_tags: list[bytes] = []
    cell_depth = -1
    row = column = rows = columns = 0
    for batch in batches:
        for closing, name, raw in batch:
            if not name:
                continue  # a comment or processing instruction
            if closing:
                close(open_tags, name)
                if len(open_tags) == cell_depth:
                    cell_depth = -1
                elif cell_depth < 0 and _named(name, b"row"):
                    row, column = row + 1, 0
                continue
            self_closing = raw.endswith(b"/")
            if cell_depth >= 0:
                pass
            elif _named(name, b"c"):
                addresses = _addresses(raw)
                if addresses:
                    cell_row, column = max(a[0] for a in addresses), max(a[1] for a in addresses)
                else:
                    cell_row = row
                rows, columns = max(rows, cell_row + 1), max(columns, column + 1)
                column += 1
                if not self_closing:
                    cell_depth = len(open_tags)
            elif _named(name, b"row"):
                row = max([row, *(a[0] for a in _addresses(raw))])
                if self_closing:
                    row, column = row + 1, 0
            if not self_closing:
                open_tags.append(name)
    return rows, columns


def _named(name: bytes, local: bytes) -> bool:
    """Whether a tag is ``local`` with or without a namespace prefix, as calamine matches it."""
    return name == local or (name.endswith(local) and name[-len(local) - 1:-len(local)] == b":")
