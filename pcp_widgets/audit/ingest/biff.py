""".xls files (and encrypted .xlsx): the OLE container and the BIFF8 records, walked before calamine.

Calamine trusts an OLE header's sector counts and follows sector chains without looking for
loops, and reserves an .xls sheet's declared size: each is checked here first. Record types are
named in :class:`Biff` after Microsoft's [MS-XLS] specification.
"""

from __future__ import annotations
import struct
from pathlib import Path
from pcp_widgets.audit.ingest.limits import Limits
from pcp_widgets.audit.ingest.file_checks import (
    DAMAGED, OLE_MAGIC, OLE_RESERVE_ENTRIES, PASSWORD_ADVICE, Refuse, check_extent,
)


# -- .xls (and encrypted .xlsx): the OLE container --------------------------------------

_ENDOFCHAIN = 0xFFFFFFFE


_DIFSECT = 0xFFFFFFFC


_RESERVED_SECTORS = 0xFFFFFFFA


_WORKBOOK_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")


def check_ole(path: Path, limits: Limits) -> None:
    """An OLE file is an old .xls, an encrypted .xlsx, or something else (a Word .doc)."""
    try:
        data = path.read_bytes()  # at most max_file_bytes; calamine holds as much
    except OSError:
        raise Refuse("the file cannot be read") from None
    container = _Ole(data)
    if container.has("EncryptedPackage"):
        raise Refuse(PASSWORD_ADVICE)
    stream = container.workbook_stream()
    if stream is None:
        if container.has("WordDocument"):
            raise Refuse("this is a Word document, not a spreadsheet")
        if container.has("PowerPoint Document"):
            raise Refuse("this is a PowerPoint file, not a spreadsheet")
        raise Refuse("this is not a spreadsheet pcp can read; save it from Excel or LibreOffice as .xlsx or .ods")
    _check_biff(stream, limits)


class _Ole:
    """The parts of an OLE (compound file) container, found the way calamine finds them,
    refusing where calamine would loop for ever or reserve memory the file does not hold."""

    def __init__(self, data: bytes):
        if len(data) < 512 or data[:8] != OLE_MAGIC:
            raise Refuse(DAMAGED)
        self.data = data
        version, shift, mini_shift = struct.unpack_from("<HxxHH", data, 26)
        if shift not in (9, 12) or mini_shift != 6 or (shift == 12 and len(data) < 4096):
            raise Refuse(DAMAGED)
        self.size = 1 << shift
        self.last_sector = len(data) // self.size
        fat_sectors, directory_start, _, _, mini_fat_start, mini_fat_sectors, difat_start = struct.unpack_from(
            "<7L", data, 44)
        (reserved,) = struct.unpack_from("<L", data, 62)  # calamine reads its DIFAT reservation from here
        if fat_sectors > self.last_sector or reserved > OLE_RESERVE_ENTRIES:
            raise Refuse(DAMAGED)
        self.fat = self._fat(self._difat(difat_start))
        self.entries = self._directory(self._chain(directory_start, self.fat, None), version)
        self.mini_stream, self.mini_fat = b"", []
        if mini_fat_sectors:
            root = self.entries[0]
            self.mini_stream = self._chain(root[1], self.fat, root[2])
            self.mini_fat = self._u32s(self._chain(mini_fat_start, self.fat, mini_fat_sectors * self.size))

    def has(self, name: str) -> bool:
        return any(entry[0] == name for entry in self.entries)

    def workbook_stream(self) -> bytes | None:
        for name in _WORKBOOK_STREAMS:
            entry = next((e for e in self.entries if e[0] == name), None)
            if entry is not None:
                return self._stream(entry)
        return None

    def _sector(self, sector: int) -> bytes:
        if sector > self.last_sector:
            raise Refuse(DAMAGED)
        start = (sector + 1) * self.size
        return self.data[start:start + self.size]

    @staticmethod
    def _u32s(data: bytes) -> list[int]:
        if len(data) % 4:
            raise Refuse(DAMAGED)
        return list(struct.unpack(f"<{len(data) // 4}L", data))

    def _difat(self, sector: int) -> list[int]:
        difat = list(struct.unpack_from("<109L", self.data, 76))
        seen = set()
        while sector < _RESERVED_SECTORS:
            if sector in seen:
                raise Refuse(DAMAGED)  # calamine would follow this loop for ever
            seen.add(sector)
            difat += self._u32s(self._sector(sector))
            if not difat:
                raise Refuse(DAMAGED)
            sector = difat.pop()
        return difat

    def _fat(self, difat: list[int]) -> list[int]:
        fat: list[int] = []
        for sector in difat:
            if sector < _DIFSECT:
                fat += self._u32s(self._sector(sector))
                if len(fat) * 4 > len(self.data):
                    raise Refuse(DAMAGED)  # the same sectors listed again and again
        return fat

    def _chain(self, sector: int, fat: list[int], length: int | None, read=None) -> bytes:
        """A chain of sectors, up to ``length`` bytes (None: to its end), as calamine reads it."""
        read = read or self._sector
        pieces, got, seen = [], 0, set()
        while sector != _ENDOFCHAIN:
            if sector in seen:
                raise Refuse(DAMAGED)  # a loop: calamine would keep reading it until memory runs out
            seen.add(sector)
            piece = read(sector)
            if length is not None:
                piece = piece[:length - got]
            pieces.append(piece)
            got += len(piece)
            if length is not None and got >= length:
                break
            if sector >= len(fat):
                raise Refuse(DAMAGED)
            sector = fat[sector]
        return b"".join(pieces)

    def _directory(self, data: bytes, version: int) -> list[tuple[str, int, int]]:
        if not data or len(data) % 128:
            raise Refuse(DAMAGED)
        entries = []
        for at in range(0, len(data), 128):
            name = data[at:at + 64].decode("utf-16-le", "replace").split("\0", 1)[0]
            start, length = struct.unpack_from("<LL" if self.size == 512 else "<LQ", data, at + 116)
            entries.append((name, start, length))
        if version != 3 and entries[0][1] == _ENDOFCHAIN:
            raise Refuse(DAMAGED)
        return entries

    def _stream(self, entry: tuple[str, int, int]) -> bytes:
        _, start, length = entry
        if length >= 4096:
            return self._chain(start, self.fat, length)
        return self._chain(start, self.mini_fat, length, read=self._mini_sector)

    def _mini_sector(self, sector: int) -> bytes:
        piece = self.mini_stream[sector * 64:sector * 64 + 64]
        if len(piece) < 64:
            raise Refuse(DAMAGED)  # calamine would fill it from elsewhere in the file
        return piece


class Biff:
    """The BIFF8 record types the checks read, by their names in Microsoft's [MS-XLS] specification.

    Plain whole numbers in a namespace rather than an IntEnum: they are compared once per record
    of every sheet, and an enum member costs several times a plain attribute there.
    """

    FORMULA = 0x0006
    EOF = 0x000A  # the end of the workbook globals or of a sheet
    EXTERNSHEET = 0x0017
    LBL = 0x0018  # a defined name
    DATEMODE = 0x0022
    FILEPASS = 0x002F  # the workbook is encrypted
    CONTINUE = 0x003C  # more of the record before it
    CODEPAGE = 0x0042
    BOUNDSHEET = 0x0085  # a sheet's name and where its records start
    MULRK = 0x00BD  # several numbers in one row
    RSTRING = 0x00D6
    LABELSST = 0x00FD
    DIMENSIONS = 0x0200  # the cell range a sheet says it uses
    NUMBER = 0x0203
    LABEL = 0x0204
    BOOLERR = 0x0205
    RK = 0x027E
    BOF = 0x0809  # the start of the workbook globals, a sheet or an embedded chart


#: Records of one cell, each starting with its row and column.
_BIFF_CELLS = (Biff.NUMBER, Biff.LABEL, Biff.RSTRING, Biff.BOOLERR, Biff.RK, Biff.LABELSST, Biff.FORMULA)


#: Workbook records calamine reads at fixed offsets without checking their length (it would
#: panic, which is caught, but prints on the terminal), with the bytes each needs.
_BIFF_SHORTEST = {Biff.BOF: 2, Biff.FILEPASS: 2, Biff.CODEPAGE: 2, Biff.DATEMODE: 2, Biff.BOUNDSHEET: 8,
                  Biff.LBL: 15, Biff.EXTERNSHEET: 2}


def _records(stream: bytes, position: int):
    """(type, data) of each BIFF record from ``position``, CONTINUE records folded in, as calamine iterates."""
    length = len(stream)
    while position + 4 <= length:
        kind, size = struct.unpack_from("<HH", stream, position)
        if position + 4 + size > length:
            return
        data = stream[position + 4:position + 4 + size]
        position += 4 + size
        while position + 4 < length and struct.unpack_from("<H", stream, position)[0] == Biff.CONTINUE:
            position += 4 + struct.unpack_from("<H", stream, position + 2)[0]
        yield kind, data


def _check_biff(stream: bytes, limits: Limits) -> None:
    """The workbook's records: its password flag, then every sheet's extent, before calamine
    (which reads every sheet as it opens the file) sees them."""
    sheets = []
    for kind, data in _records(stream, 0):
        if len(data) < _BIFF_SHORTEST.get(kind, 0) or (kind == Biff.LBL and _biff_formula_size(data) > len(data)):
            raise Refuse(DAMAGED)
        if kind == Biff.FILEPASS and struct.unpack_from("<H", data)[0] != 0:
            raise Refuse(PASSWORD_ADVICE)
        if kind == Biff.BOUNDSHEET:
            sheets.append((struct.unpack_from("<L", data)[0], _biff_sheet_name(data)))
        if kind == Biff.EOF:
            break
    for offset, name in sheets:
        if offset > len(stream):
            raise Refuse(DAMAGED)
        rows, columns, declared = _biff_sheet_extent(stream, offset)
        if declared > limits.max_cells:
            raise Refuse(f"the sheet '{name}' says it holds {declared:,} cells, more than pcp reads from one sheet; "
                          "open it in Excel, delete the unused rows and columns and save it again")
        check_extent(name, rows, columns, limits)


def _biff_formula_size(data: bytes) -> int:
    return struct.unpack_from("<H", data, 4)[0]


def _biff_sheet_extent(stream: bytes, offset: int) -> tuple[int, int, int]:
    """(rows, columns, cells its DIMENSIONS record declares) of the sheet at ``offset``;
    embedded charts' records skipped as calamine skips them."""
    rows = columns = declared = 0
    seen_bof, depth = False, 0
    for kind, data in _records(stream, offset):
        if depth:
            depth += {Biff.BOF: 1, Biff.EOF: -1}.get(kind, 0)
            continue
        if kind == Biff.BOF and seen_bof:
            depth = 1  # an embedded chart or similar: skipped to its own EOF
        elif kind == Biff.BOF:
            seen_bof = True
        elif kind == Biff.DIMENSIONS:
            declared = max(declared, _biff_declared_cells(data))
        elif kind in _BIFF_CELLS and len(data) >= 4:
            row, column = struct.unpack_from("<HH", data)
            rows, columns = max(rows, row + 1), max(columns, column + 1)
        elif kind == Biff.MULRK and len(data) >= 6:
            row, last = struct.unpack_from("<H", data)[0], struct.unpack_from("<H", data, len(data) - 2)[0]
            rows, columns = max(rows, row + 1), max(columns, last + 1)
        elif kind == Biff.EOF:
            break
    return rows, columns, declared


def _biff_declared_cells(data: bytes) -> int:
    """How many cells calamine reserves for a DIMENSIONS record (its 32-bit arithmetic wraps)."""
    if len(data) == 10:
        first_row, last_row, first_column, last_column = struct.unpack_from("<4H", data)
    elif len(data) == 14:
        first_row, last_row, first_column, last_column = struct.unpack_from("<LLHH", data)
    else:
        return 0
    if first_column > 0xFF or last_column < first_column:
        first_column = 0
    if last_row >= 1 and last_column >= 1:
        end_row, end_column = last_row - 1, last_column - 1
    else:
        end_row, end_column = first_row, first_column
    height = (end_row - first_row + 1) & 0xFFFFFFFF
    width = (end_column - first_column + 1) & 0xFFFFFFFF
    return height * width


def _biff_sheet_name(data: bytes) -> str:
    if len(data) < 8:
        return ""
    count, wide = data[6], data[7] & 1
    text = data[8:8 + count * 2].decode("utf-16-le", "replace") if wide else data[8:8 + count].decode("latin-1")
    return text.replace("\0", "")
