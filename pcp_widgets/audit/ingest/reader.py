"""Reading a workbook safely: every cell as a person sees it, or one sentence saying why not.

Files come from anywhere (an email attachment, a commissioner's system, a shared drive),
so a file is checked before the spreadsheet library (python-calamine) is handed it: what
it really is (by its first bytes, not its name), its size, whether it is encrypted and,
part by part, anything that would make the library run out of memory or never finish.
Only then does calamine read it; it takes the values Excel saved with formula cells and
never runs a macro or follows a link.

The checks mirror what calamine does with the numbers a file declares, because calamine
trusts some of them and a crafted file of a few kilobytes can otherwise end the whole
process (not raise an exception: end it):

* a cell far away (``XFD1048576``, or the millionth cell of a row with no addresses)
  makes it allocate every cell between the first and there at once;
* a shared-string count, an .xls sheet's declared size or an OLE header's sector counts
  are reserved in memory as declared;
* a loop in an .xls file's sector chains is followed for ever.

So for .xlsx every part is expanded once, as a bounded stream, before calamine opens the
file: the sizes the zip directory declares are checked first (zip bombs are refused
without expanding anything), then each part is checked to hold no more than it declares,
no ``<!DOCTYPE``/``<!ENTITY`` (billion laughs, external entities) and no cell outside
the caps. Cheap byte-level checks vouch for an ordinary sheet; a sheet they cannot vouch
for is walked tag by tag the way calamine walks it. .ods content is always walked that
way, and an .xls file's container and records are walked before calamine sees them.
"""

from __future__ import annotations

import re
import stat
import struct
import zipfile
import zlib
from dataclasses import dataclass
from html import unescape
from pathlib import Path

import python_calamine as calamine

from pcp_widgets.audit.ingest.limits import MB, Limits
from pcp_widgets.errors import UnreadableFile

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Parts are expanded and checked this much at a time (small enough to stay in the CPU's cache).
CHUNK = 128 << 10
#: A tag (or a run of text) this long is carried whole from one chunk to the next; past it, in pieces.
MAX_CARRY = 4 << 20
#: A single tag longer than this is not in any real workbook.
MAX_TAG = 8 << 20
#: Members smaller than this cannot be a bomb, whatever their compression ratio.
RATIO_FLOOR = MB
#: Bytes of zip central directory per member: a real workbook's entries are well under 200.
DIRECTORY_BYTES_PER_MEMBER = 1024
#: Calamine reserves room for an .xls file's header-declared DIFAT entries (4 bytes each).
OLE_RESERVE_ENTRIES = 16 << 20
#: Columns a one-letter cell address can reach (A to Z).
ONE_LETTER_COLUMNS = 26

PASSWORD_ADVICE = (
    "this file is protected with a password; open it in Excel, remove the password "
    "(File > Info > Protect Workbook > Encrypt with Password) and save it again"
)
ODS_PASSWORD_ADVICE = (
    "this file is protected with a password; open it in LibreOffice, remove the password "
    "(File > Save As, untick 'Save with password') and save it again"
)
DAMAGED = "the file is damaged or is not a workbook pcp can read; open it in Excel or LibreOffice and save it again"
UNUSUAL = ("the file is built in a way Excel and LibreOffice never build workbooks, so it was not opened; "
           "open it in Excel or LibreOffice and save it again")
BOMB = "the file expands to far more than a real workbook would (it looks like a 'zip bomb'), so it was not opened"
ENTITIES = ("the file contains instructions to expand or fetch outside content, which real workbooks never have "
            "and which can be used to attack a computer; it was not opened")
XLSB = ("this is an Excel binary workbook (.xlsb), which pcp does not read; open it in Excel and save it as an "
        "Excel workbook (.xlsx)")


@dataclass
class RawSheet:
    """One worksheet's cells. ``rows[i]`` is spreadsheet row ``i + 1`` and ``rows[i][j]`` column
    ``j`` (A is 0), blank rows and columns at the top and left included. A cell is "" (empty),
    str, float, int, bool, date, datetime, time or timedelta."""

    name: str
    rows: list[list]
    hidden: bool = False


class _Refuse(Exception):
    """Raised inside this module; ``read_workbook`` turns it into UnreadableFile with the path."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def read_workbook(path, limits: Limits | None = None) -> list[RawSheet]:
    """Every worksheet of ``path`` (hidden ones too, chart and macro sheets skipped), or
    :class:`UnreadableFile` with a reason a person can act on."""
    path = Path(path)
    limits = limits or Limits()
    try:
        _check(path, limits)
        return _read_sheets(path, limits)
    except _Refuse as refusal:
        raise UnreadableFile(str(path), refusal.reason) from None


def check_workbook(path, limits: Limits | None = None) -> None:
    """Everything ``read_workbook`` checks before it reads: UnreadableFile, or None if it is safe to read."""
    path = Path(path)
    try:
        _check(path, limits or Limits())
    except _Refuse as refusal:
        raise UnreadableFile(str(path), refusal.reason) from None


def _check(path: Path, limits: Limits) -> None:
    _check_file(path, limits)
    magic = _first_bytes(path, 8)
    if path.suffix.lower() == ".xlsb":
        raise _Refuse(XLSB)
    if magic.startswith(ZIP_MAGIC):
        _check_zip(path, limits)
    elif magic == OLE_MAGIC:
        _check_ole(path, limits)
    else:
        raise _Refuse(_what_it_is_instead(path, magic))


# -- the file itself --------------------------------------------------------------------


def _check_file(path: Path, limits: Limits) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise _Refuse("there is no such file") from None
    except PermissionError:
        raise _Refuse("you do not have permission to read this file") from None
    except OSError:
        raise _Refuse("the file cannot be opened (check its name and where it is)") from None
    if stat.S_ISDIR(info.st_mode):
        raise _Refuse("this is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise _Refuse("this is not an ordinary file (it may be a device or a pipe)")
    if info.st_size == 0:
        raise _Refuse("the file is empty (0 bytes)")
    if info.st_size > limits.max_file_bytes:
        raise _Refuse(
            f"the file is {_megabytes(info.st_size)} MB, more than the {_megabytes(limits.max_file_bytes)} MB limit; "
            "split it into smaller workbooks (or raise the limit with --max-file-mb)"
        )


def _first_bytes(path: Path, count: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(count)
    except PermissionError:
        raise _Refuse("you do not have permission to read this file") from None
    except OSError:
        raise _Refuse("the file cannot be read") from None


def _what_it_is_instead(path: Path, magic: bytes) -> str:
    if magic.startswith(b"%PDF"):
        return "this is a PDF, not a spreadsheet; import the Excel workbook instead"
    if magic.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "this is a picture, not a spreadsheet"
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return "this is a text (CSV) file; open it in Excel and save it as an Excel workbook (.xlsx)"
    return "this is not a spreadsheet pcp can read; save it from Excel or LibreOffice as .xlsx or .ods"


def _check_extent(name: str | None, rows: int, columns: int, limits: Limits) -> None:
    """Refuse a sheet with more rows, columns or cells (counted from A1) than the limits."""
    sheet = f"the sheet '{name}'" if name else "a sheet in this workbook"
    if rows > limits.max_rows:
        raise _Refuse(f"{sheet} has {rows:,} rows, more than the {limits.max_rows:,} limit; "
                      "split it (or raise the limit with --max-rows)")
    if columns > limits.max_columns:
        raise _Refuse(f"{sheet} uses {columns:,} columns, more than the {limits.max_columns} an audit sheet "
                      "could need; delete the unused columns on the right and save it again")
    if rows * columns > limits.max_cells:
        raise _Refuse(f"{sheet} spans {rows:,} rows and {columns:,} columns, more cells than pcp reads from "
                      "one sheet; split it into smaller workbooks")


# -- zip-based workbooks (.xlsx, .xlsm, .ods) -------------------------------------------


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse anything dangerous in a zip-based workbook, expanding each part once as a bounded stream."""
    try:
        with path.open("rb") as handle:
            _check_zip_end(handle, limits)
            with zipfile.ZipFile(handle) as archive:
                members = archive.infolist()
                _check_members(members, limits)
                kind = _zip_kind([m.filename for m in members])
                # the manifest first: an encrypted .ods says so there, and its content is noise
                ordered = sorted(members, key=lambda m: _normalise(m.filename) != "meta-inf/manifest.xml")
                extents = [_check_part(handle, member, kind, limits) for member in ordered]
                _check_extents(archive, members, extents, kind, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, struct.error, ValueError,
            RuntimeError):  # RuntimeError: zipfile's word for an unsupported compression method
        raise _Refuse(DAMAGED) from None


def _check_zip_end(handle, limits: Limits) -> None:
    """Bound the zip directory before Python parses it: member count and directory size."""
    size = handle.seek(0, 2)
    tail_length = min(size, 22 + 0xFFFF)
    handle.seek(size - tail_length)
    tail = handle.read(tail_length)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise _Refuse(DAMAGED)
    entries, directory_size, comment_length = struct.unpack_from("<10xHL4xH", tail, at)
    if at + 22 + comment_length != len(tail):
        raise _Refuse(DAMAGED)  # something after the end record, or a second archive hidden in the comment
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        entries, directory_size = _zip64_end(handle, size - tail_length + at)
    if entries > limits.max_members or directory_size > limits.max_members * DIRECTORY_BYTES_PER_MEMBER:
        raise _Refuse(_too_many_parts(entries))


def _zip64_end(handle, end_record_at: int) -> tuple[int, int]:
    if end_record_at < 20:
        raise _Refuse(DAMAGED)
    handle.seek(end_record_at - 20)
    locator = handle.read(20)
    if locator[:4] != b"PK\x06\x07":
        raise _Refuse(DAMAGED)
    (offset,) = struct.unpack_from("<8xQ", locator)
    handle.seek(offset)
    record = handle.read(56)
    if len(record) < 56 or record[:4] != b"PK\x06\x06":
        raise _Refuse(DAMAGED)
    entries, directory_size = struct.unpack_from("<32xQQ", record)
    return entries, directory_size


def _too_many_parts(count: int) -> str:
    return f"the file holds {count:,} parts, more than a workbook ever needs; it is not a spreadsheet pcp will read"


def _check_members(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Zip bombs, from the directory alone: declared sizes, ratios and total, before anything is expanded."""
    if len(members) > limits.max_members:
        raise _Refuse(_too_many_parts(len(members)))
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise _Refuse("parts of this file are encrypted; save it again from Excel without a password")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Refuse(UNUSUAL)
        if member.compress_type == zipfile.ZIP_STORED and member.file_size != member.compress_size:
            raise _Refuse(DAMAGED)
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise _Refuse(BOMB)
        total += member.file_size
    if total > limits.max_uncompressed_bytes:
        raise _Refuse(
            f"the file expands to {_megabytes(total)} MB, more than the {_megabytes(limits.max_uncompressed_bytes)} MB "
            "pcp will read; split it into smaller workbooks"
        )


def _zip_kind(names: list[str]) -> str:
    """'xlsx' or 'ods', from the parts present; whichever reader calamine picks from the file's
    name, it then either fails or reads exactly the parts checked for that kind."""
    normalised = {_normalise(name) for name in names}
    kinds = []
    if any(name.endswith("workbook.xml") for name in normalised):
        kinds.append("xlsx")
    if "content.xml" in normalised:
        kinds.append("ods")
    if any(name.endswith("workbook.bin") for name in normalised):
        kinds.append("xlsb")
    if kinds == ["xlsb"]:
        raise _Refuse(XLSB)
    if len(kinds) == 1:
        return kinds[0]
    if kinds:
        raise _Refuse(UNUSUAL)  # two kinds of workbook in one file: which one a reader sees depends on the reader
    if "word/document.xml" in normalised:
        raise _Refuse("this is a Word document, not a spreadsheet")
    if "ppt/presentation.xml" in normalised:
        raise _Refuse("this is a PowerPoint file, not a spreadsheet")
    if "index/document.iwa" in normalised:
        raise _Refuse("this is an Apple Numbers file; export it from Numbers as an Excel workbook (.xlsx)")
    raise _Refuse("this is a zip file but not a spreadsheet; save the workbook as .xlsx or .ods")


def _normalise(name: str) -> str:
    """A part name the way calamine looks parts up: forward slashes, any case."""
    return name.replace("\\", "/").lower()


def _inflate(handle, member: zipfile.ZipInfo):
    """The member's bytes in chunks of at most CHUNK, refusing the moment it holds more than declared.

    Read here rather than through ``ZipFile.open``, which stops at the declared size: the
    library that reads the file afterwards does not, so a member that lies must be caught.
    """
    handle.seek(member.header_offset)
    header = handle.read(30)
    if len(header) != 30 or header[:4] != b"PK\x03\x04":
        raise _Refuse(DAMAGED)
    name_length, extra_length = struct.unpack_from("<HH", header, 26)
    handle.seek(member.header_offset + 30 + name_length + extra_length)
    if member.compress_type == zipfile.ZIP_STORED:
        yield from _stored(handle, member.compress_size)
    else:
        yield from _deflated(handle, member.compress_size, member.file_size)


def _stored(handle, size: int):
    left = size
    while left:
        data = handle.read(min(CHUNK, left))
        if not data:
            raise _Refuse(DAMAGED)
        left -= len(data)
        yield data


def _deflated(handle, compressed: int, declared: int):
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left, produced, pending = compressed, 0, b""
    while not inflater.eof:
        if not pending:
            pending = handle.read(min(CHUNK, left)) if left else b""
            if not pending:
                raise _Refuse(DAMAGED)
            left -= len(pending)
        out = inflater.decompress(pending, CHUNK)
        pending = inflater.unconsumed_tail
        produced += len(out)
        if produced > declared:
            raise _Refuse(BOMB)
        if out:
            yield out
    if produced != declared:
        raise _Refuse(DAMAGED)


@dataclass
class _Extent:
    """What a part would become in calamine: (sheet name or None, rows, columns) per sheet in it."""

    part: str
    sheets: list[tuple[str | None, int, int]]


def _check_part(handle, member: zipfile.ZipInfo, kind: str, limits: Limits) -> _Extent:
    """Stream one part through the checks; walk it tag by tag where the quick checks are not enough."""
    part = _normalise(member.filename)
    manifest = kind == "ods" and part == "meta-inf/manifest.xml"
    scan = _PartScan(kind == "xlsx", _fast_row_digits(limits), manifest)
    for chunk in _inflate(handle, member):
        scan.feed(chunk)
    scan.finish()
    if manifest and scan.encrypted:
        raise _Refuse(ODS_PASSWORD_ADVICE)
    if kind == "ods" and part == "content.xml":
        spaces_allowed = max(member.file_size, MB)
        return _Extent(part, _walk(handle, member, lambda tags: _ods_extents(tags, spaces_allowed)))
    if scan.needs_walk:
        try:
            rows, columns = _plain_extent(_pieces(_inflate(handle, member)))
        except _Irregular:
            rows, columns = _walk(handle, member, _xlsx_extent)
        return _Extent(part, [(None, rows, columns)])
    return _Extent(part, [])


def _walk(handle, member: zipfile.ZipInfo, reader):
    """``reader`` applied to the part's tags: read a piece at a time when every '<' in it starts
    a tag (real workbooks), else one token at a time (a '<' inside a value or a CDATA section)."""
    try:
        return reader(_quick_tags(_pieces(_inflate(handle, member))))
    except _Irregular:
        return reader(_tags(_inflate(handle, member)))


def _check_extents(archive, members, extents: list[_Extent], kind: str, limits: Limits) -> None:
    names = _xlsx_sheet_names(archive, members) if kind == "xlsx" else {}
    for extent in extents:
        for name, rows, columns in extent.sheets:
            _check_extent(name or names.get(extent.part), rows, columns, limits)


def _fast_row_digits(limits: Limits) -> int | None:
    """The most digits a row number may have for the quick checks to vouch for a sheet: with
    one-letter columns and rows below 10**digits, no sheet can break any of the limits."""
    digits = len(str(limits.max_rows)) - 1
    while digits >= 1 and ONE_LETTER_COLUMNS * (10**digits - 1) > limits.max_cells:
        digits -= 1
    if digits < 1 or limits.max_columns < ONE_LETTER_COLUMNS:
        return None
    return digits


# Letters become A and digits 0, so one search finds every "two letters then a digit" or
# "a letter then N digits", whatever the letters and digits are.
_SHAPES = bytes.maketrans(
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
    b"A" * 52 + b"0" * 10,
)
#: A cell tag that does not start with its address (so its place is counted, not written).
_CELL_WITHOUT_ADDRESS = re.compile(rb"<c(?! r=)[\s>/]")
#: A cell tag with a namespace prefix (<x:c ...>), which calamine reads like <c>.
_PREFIXED_CELL = re.compile(rb":c[\s>/]")
_ANY_CELL = re.compile(rb"<(?:[^\s>/<!?]+:)?c[\s>/]")
_SHEET_DATA_END = re.compile(rb"</(?:[^\s>/<:]+:)?sheetData\s*>")
_UNIQUE_COUNT = re.compile(rb"uniqueCount\s*=\s*[\"']\s*\+?([0-9]+)\s*[\"']")
_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
#: How a part written in UTF-16 begins. Excel and LibreOffice write UTF-8; the checks here read
#: bytes as UTF-8 would spell them, so a UTF-16 part is refused rather than let through unseen.
_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<")


class _PartScan:
    """One streaming pass over one expanded part.

    Chunks are cut just before their last '<', so no tag is ever split between two
    checks (the checks below all look for things that start with '<' or sit inside a tag).

    * anywhere: ``<!DOCTYPE`` / ``<!ENTITY``, and a shared-string count (``uniqueCount``)
      larger than the part could hold (calamine reserves memory for that many strings);
    * from ``sheetData`` on, in an .xlsx: the quick checks. A sheet passes when every cell
      tag starts with its own address and no letter run of two or more, or row number of
      more than ``fast_rows`` digits, follows a letter anywhere: then no cell lies beyond
      column Z or row 10**fast_rows - 1. Anything else (wide sheets, cells without
      addresses, prefixed tags, or just a note like "COVID19") is walked tag by tag.
    """

    OUTSIDE, INSIDE, AFTER = range(3)

    def __init__(self, sheets: bool, fast_rows: int | None, manifest: bool = False):
        self.carry = b""
        self.started = False
        self.sheets, self.manifest = sheets, manifest
        self.big_row = b"A" + b"0" * (fast_rows + 1) if fast_rows else None
        self.state = self.OUTSIDE
        self.needs_walk = False
        self.unique_count: int | None = None
        self.tags = 0
        self.encrypted = False

    def feed(self, chunk: bytes) -> None:
        if not self.started:
            self.started = True
            if chunk.lstrip(b" \t\r\n").startswith(_UTF16_STARTS):
                raise _Refuse(UNUSUAL)
        buffer = self.carry + chunk if self.carry else chunk
        cut = buffer.rfind(b"<")
        if cut < 0:
            self._check(buffer)
            self.carry = b""
        elif cut > 0:
            self._check(buffer[:cut])
            self.carry = buffer[cut:]
        elif len(buffer) <= MAX_CARRY:
            self.carry = buffer
        else:  # one tag or text run longer than MAX_CARRY: check it in pieces that overlap
            self._check(buffer[:-64])
            self.carry = buffer[-64:]

    def finish(self) -> None:
        self._check(self.carry)
        self.carry = b""
        if self.unique_count is not None and self.unique_count > max(self.tags, 1024):
            raise _Refuse(DAMAGED)  # it claims more shared strings than it could possibly hold

    def _check(self, piece: bytes) -> None:
        # "!" alone is found many times faster than "<!" (a byte search, where '<' is everywhere)
        if b"!" in piece and b"<!" in piece and _DECLARATION.search(piece):
            raise _Refuse(ENTITIES)
        if self.manifest and b"encryption-data" in piece:
            self.encrypted = True
        self._count_strings(piece)
        if self.sheets and not self.needs_walk:
            self._check_sheet(piece)

    def _count_strings(self, piece: bytes) -> None:
        if self.unique_count is None and b"uniqueCount" in piece:
            found = [int(m.group(1)) for m in _UNIQUE_COUNT.finditer(piece)]
            self.unique_count = max(found) if found else None
        if self.unique_count is not None:
            self.tags += piece.count(b"<")

    def _check_sheet(self, piece: bytes) -> None:
        if self.state == self.OUTSIDE:
            start = piece.find(b"sheetData")
            if start < 0:
                return
            self.state, piece = self.INSIDE, piece[start:]
            if self.big_row is None:
                self.needs_walk = True
                return
        if self.state == self.INSIDE:
            end = _sheet_data_end(piece)
            if self._unusual(piece if end < 0 else piece[:end]):
                self.needs_walk = True
                return
            if end < 0:
                return
            self.state, piece = self.AFTER, piece[end:]
        # calamine stops at </sheetData>: no cell may follow it (or that end was not a real one)
        if _ANY_CELL.search(piece):
            self.needs_walk = True

    def _unusual(self, piece: bytes) -> bool:
        shapes = piece.translate(_SHAPES)
        return (
            shapes.find(self.big_row) >= 0
            or shapes.find(b"AA0") >= 0
            or _CELL_WITHOUT_ADDRESS.search(piece) is not None
            or _PREFIXED_CELL.search(piece) is not None
        )


def _sheet_data_end(piece: bytes) -> int:
    """Index just past the first ``</sheetData>`` (any prefix) in ``piece``, or -1."""
    at = piece.find(b"sheetData", 1)
    while at >= 0:
        start = piece.rfind(b"<", 0, at)
        match = _SHEET_DATA_END.match(piece, start) if start >= 0 else None
        if match:
            return match.end()
        at = piece.find(b"sheetData", at + 1)
    return -1


# -- walking XML tag by tag, the way calamine's XML reader does -------------------------


class _Irregular(Exception):
    """A piece the quick tokenizer cannot split safely."""


#: A tag, comment or processing instruction holding no '<': then each '<' starts exactly one token.
_QUICK_TOKEN = re.compile(
    rb"<(?:(/?)([^\s/>!?<]+)((?:[^<>\"']|\"[^<\"]*\"|'[^<']*')*)|!--[^<]*?--|\?[^<]*?\?)>"
)


def _pieces(chunks):
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
            raise _Refuse(UNUSUAL)
    if carry:
        yield carry


#: A cell tag as Excel, LibreOffice and the Python writers write it: its address first and only once.
_PLAIN_CELL_TAG = re.compile(rb'<c r="([A-Za-z]{1,3})([0-9]{1,7})"(?: (?:s|t|cm|vm|ph)="[^"<]*")*/?>')


def _plain_extent(pieces) -> tuple[int, int]:
    """Rows and columns (from A1) of a part whose every cell tag is plain, found a piece at a
    time without looking at each tag in Python; _Irregular if any cell tag is not plain.

    With every cell at its own single address, the sheet ends at the largest address: a wide
    sheet, or one whose text merely looks like an address ("COVID19"), is measured this way.
    """
    letters: set[bytes] = set()
    digits: set[bytes] = set()
    for piece in pieces:
        if _CELL_WITHOUT_ADDRESS.search(piece) or _PREFIXED_CELL.search(piece):
            raise _Irregular()
        cells = _PLAIN_CELL_TAG.findall(piece)
        if len(cells) != piece.count(b"<c r="):
            raise _Irregular()
        if cells:
            columns_here, rows_here = zip(*cells)
            letters.update(columns_here)
            digits.update(rows_here)
    rows = max(map(int, digits), default=0)
    columns = max((_column(column) + 1 for column in letters), default=0)
    return rows, columns


def _quick_tags(pieces):
    """The same tokens as ``_tags``, found a whole piece at a time."""
    for piece in pieces:
        tokens = _QUICK_TOKEN.findall(piece)
        if len(tokens) != piece.count(b"<"):
            raise _Irregular()
        yield tokens


_TAG = re.compile(rb"<(/?)([^\s/>!?<]+)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_SKIPPED = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"), (b"<!", b">"))
_XML_SPACE = b" \t\n\r\x0c"


def _tags(chunks):
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
            raise _Refuse(UNUSUAL)


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


def _attributes(raw: bytes):
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


def _close(open_tags: list, name: bytes) -> None:
    """Real workbooks are well nested; refusing any other makes our walk and calamine's agree."""
    if not open_tags or open_tags[-1] != name:
        raise _Refuse(UNUSUAL)
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


def _xlsx_extent(batches) -> tuple[int, int]:
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
                _close(open_tags, name)
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


_ODS_CELLS = (b"table:table-cell", b"table:covered-table-cell")


def _ods_extents(tags, spaces_allowed: int) -> list[tuple[str | None, int, int]]:
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
                _close(open_tags, name)
                if table is not None:
                    table = _ods_close(table, name, len(open_tags), extents)
                continue
            self_closing = raw.endswith(b"/")
            if name == b"text:s":
                spaces += _repeats(raw, b"text:c")
                if spaces > spaces_allowed:
                    raise _Refuse(UNUSUAL)
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
    values = [v for k, v in _attributes(raw) if k == key]
    return values[-1] if values else None


def _repeats(raw: bytes, key: bytes) -> int:
    """A repeat count; the largest if the attribute is given twice (calamine reads one of them)."""
    values = [v for k, v in _attributes(raw) if k == key and v.isdigit()]
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


# -- sheet names for messages (best effort: only used to word a refusal) ----------------


def _xlsx_sheet_names(archive, members) -> dict[str, str]:
    """Part name -> sheet name, resolved the way calamine resolves it."""
    parts = {_normalise(m.filename): m for m in members}
    try:
        package = _small_part(archive, parts.get("_rels/.rels"))
        document = next((t for _, t, kind in _relationships(package) if kind.endswith("/officeDocument")), "")
        folder = document.rpartition("/")[0].lstrip("/") + "/" if "/" in document else ""
        rels = _small_part(archive, parts.get(_normalise(f"{folder}_rels/workbook.xml.rels")))
        targets = {i: t for i, t, _ in _relationships(rels)}
        names = {}
        workbook = _small_part(archive, parts.get(_normalise(f"{folder}workbook.xml")))
        for raw in re.findall(rb"<(?:[\w.-]+:)?sheet\s([^>]*)>", workbook):
            attributes = {k.rpartition(b":")[2]: v for k, v in _attributes(raw)}
            target = targets.get(attributes.get(b"id", b"").decode("utf-8", "replace"), "")
            path = target[1:] if target.startswith("/") else folder + target
            names[_normalise(path)] = unescape(attributes.get(b"name", b"").decode("utf-8", "replace"))
        return names
    except (KeyError, ValueError, zipfile.BadZipFile):
        return {}


def _small_part(archive, member) -> bytes:
    if member is None or member.file_size > MB:
        return b""
    return archive.read(member)


def _relationships(xml: bytes):
    for raw in re.findall(rb"<(?:[\w.-]+:)?Relationship\s([^>]*)>", xml):
        attributes = dict(_attributes(raw))
        yield (unescape(attributes.get(b"Id", b"").decode("utf-8", "replace")),
               unescape(attributes.get(b"Target", b"").decode("utf-8", "replace")),
               attributes.get(b"Type", b"").decode("utf-8", "replace"))


# -- .xls (and encrypted .xlsx): the OLE container --------------------------------------

_ENDOFCHAIN = 0xFFFFFFFE
_DIFSECT = 0xFFFFFFFC
_RESERVED_SECTORS = 0xFFFFFFFA
_WORKBOOK_STREAMS = ("Workbook", "Book", "WORKBOOK", "BOOK")


def _check_ole(path: Path, limits: Limits) -> None:
    """An OLE file is an old .xls, an encrypted .xlsx, or something else (a Word .doc)."""
    try:
        data = path.read_bytes()  # at most max_file_bytes; calamine holds as much
    except OSError:
        raise _Refuse("the file cannot be read") from None
    container = _Ole(data)
    if container.has("EncryptedPackage"):
        raise _Refuse(PASSWORD_ADVICE)
    stream = container.workbook_stream()
    if stream is None:
        if container.has("WordDocument"):
            raise _Refuse("this is a Word document, not a spreadsheet")
        if container.has("PowerPoint Document"):
            raise _Refuse("this is a PowerPoint file, not a spreadsheet")
        raise _Refuse("this is not a spreadsheet pcp can read; save it from Excel or LibreOffice as .xlsx or .ods")
    _check_biff(stream, limits)


class _Ole:
    """The parts of an OLE (compound file) container, found the way calamine finds them,
    refusing where calamine would loop for ever or reserve memory the file does not hold."""

    def __init__(self, data: bytes):
        if len(data) < 512 or data[:8] != OLE_MAGIC:
            raise _Refuse(DAMAGED)
        self.data = data
        version, shift, mini_shift = struct.unpack_from("<HxxHH", data, 26)
        if shift not in (9, 12) or mini_shift != 6 or (shift == 12 and len(data) < 4096):
            raise _Refuse(DAMAGED)
        self.size = 1 << shift
        self.last_sector = len(data) // self.size
        fat_sectors, directory_start, _, _, mini_fat_start, mini_fat_sectors, difat_start = struct.unpack_from(
            "<7L", data, 44)
        (reserved,) = struct.unpack_from("<L", data, 62)  # calamine reads its DIFAT reservation from here
        if fat_sectors > self.last_sector or reserved > OLE_RESERVE_ENTRIES:
            raise _Refuse(DAMAGED)
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
            raise _Refuse(DAMAGED)
        start = (sector + 1) * self.size
        return self.data[start:start + self.size]

    @staticmethod
    def _u32s(data: bytes) -> list[int]:
        if len(data) % 4:
            raise _Refuse(DAMAGED)
        return list(struct.unpack(f"<{len(data) // 4}L", data))

    def _difat(self, sector: int) -> list[int]:
        difat = list(struct.unpack_from("<109L", self.data, 76))
        seen = set()
        while sector < _RESERVED_SECTORS:
            if sector in seen:
                raise _Refuse(DAMAGED)  # calamine would follow this loop for ever
            seen.add(sector)
            difat += self._u32s(self._sector(sector))
            if not difat:
                raise _Refuse(DAMAGED)
            sector = difat.pop()
        return difat

    def _fat(self, difat: list[int]) -> list[int]:
        fat: list[int] = []
        for sector in difat:
            if sector < _DIFSECT:
                fat += self._u32s(self._sector(sector))
                if len(fat) * 4 > len(self.data):
                    raise _Refuse(DAMAGED)  # the same sectors listed again and again
        return fat

    def _chain(self, sector: int, fat: list[int], length: int | None, read=None) -> bytes:
        """A chain of sectors, up to ``length`` bytes (None: to its end), as calamine reads it."""
        read = read or self._sector
        pieces, got, seen = [], 0, set()
        while sector != _ENDOFCHAIN:
            if sector in seen:
                raise _Refuse(DAMAGED)  # a loop: calamine would keep reading it until memory runs out
            seen.add(sector)
            piece = read(sector)
            if length is not None:
                piece = piece[:length - got]
            pieces.append(piece)
            got += len(piece)
            if length is not None and got >= length:
                break
            if sector >= len(fat):
                raise _Refuse(DAMAGED)
            sector = fat[sector]
        return b"".join(pieces)

    def _directory(self, data: bytes, version: int) -> list[tuple[str, int, int]]:
        if not data or len(data) % 128:
            raise _Refuse(DAMAGED)
        entries = []
        for at in range(0, len(data), 128):
            name = data[at:at + 64].decode("utf-16-le", "replace").split("\0", 1)[0]
            start, length = struct.unpack_from("<LL" if self.size == 512 else "<LQ", data, at + 116)
            entries.append((name, start, length))
        if version != 3 and entries[0][1] == _ENDOFCHAIN:
            raise _Refuse(DAMAGED)
        return entries

    def _stream(self, entry: tuple[str, int, int]) -> bytes:
        _, start, length = entry
        if length >= 4096:
            return self._chain(start, self.fat, length)
        return self._chain(start, self.mini_fat, length, read=self._mini_sector)

    def _mini_sector(self, sector: int) -> bytes:
        piece = self.mini_stream[sector * 64:sector * 64 + 64]
        if len(piece) < 64:
            raise _Refuse(DAMAGED)  # calamine would fill it from elsewhere in the file
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
            raise _Refuse(DAMAGED)
        if kind == Biff.FILEPASS and struct.unpack_from("<H", data)[0] != 0:
            raise _Refuse(PASSWORD_ADVICE)
        if kind == Biff.BOUNDSHEET:
            sheets.append((struct.unpack_from("<L", data)[0], _biff_sheet_name(data)))
        if kind == Biff.EOF:
            break
    for offset, name in sheets:
        if offset > len(stream):
            raise _Refuse(DAMAGED)
        rows, columns, declared = _biff_sheet_extent(stream, offset)
        if declared > limits.max_cells:
            raise _Refuse(f"the sheet '{name}' says it holds {declared:,} cells, more than pcp reads from one sheet; "
                          "open it in Excel, delete the unused rows and columns and save it again")
        _check_extent(name, rows, columns, limits)


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


# -- reading, once the file is known to be safe -----------------------------------------


def _read_sheets(path: Path, limits: Limits) -> list[RawSheet]:
    try:
        with calamine.CalamineWorkbook.from_path(str(path)) as workbook:
            sheets = [
                _read_sheet(workbook, meta, limits)
                for meta in workbook.sheets_metadata
                if meta.typ == calamine.SheetTypeEnum.WorkSheet
            ]
    except calamine.PasswordError:
        raise _Refuse(PASSWORD_ADVICE) from None
    except _Refuse:
        raise
    except Exception:  # calamine's many error types (zip, XML, xls records) all mean "cannot read"
        raise _Refuse(DAMAGED) from None
    except BaseException as error:
        if type(error).__name__ == "PanicException":  # a bug in the library met with this file
            raise _Refuse(DAMAGED) from None
        raise
    if not sheets:
        raise _Refuse("the workbook has no worksheets")
    return sheets


def _read_sheet(workbook, meta, limits: Limits) -> RawSheet:
    sheet = workbook.get_sheet_by_name(meta.name)
    end = sheet.end
    rows, columns = (end[0] + 1, end[1] + 1) if end else (0, 0)
    _check_extent(meta.name, rows, columns, limits)
    cells = sheet.to_python(skip_empty_area=False) if end else []
    return RawSheet(meta.name, cells, hidden=meta.visible != calamine.SheetVisibleEnum.Visible)


def _megabytes(size: int) -> str:
    return f"{size / MB:.0f}" if size >= 10 * MB else f"{size / MB:.2g}"
