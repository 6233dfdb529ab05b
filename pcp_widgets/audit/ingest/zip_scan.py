"""Zip-based workbooks (.xlsx, .xlsm, .ods): the archive checked before calamine opens it.

The sizes the zip directory declares are checked first (zip bombs are refused without expanding
anything), then each part is expanded once as a bounded stream and checked to hold no more than
it declares, no ``<!DOCTYPE``/``<!ENTITY`` and no cell outside the caps. Cheap byte-level
checks vouch for an ordinary sheet; one they cannot vouch for is walked tag by tag
(:mod:`.xml_tokens`, :mod:`.ods_walk`).
"""

from __future__ import annotations
import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from pcp_widgets.audit.ingest.limits import MB, Limits
from pcp_widgets.audit.ingest.file_checks import (
    BOMB, CHUNK, DAMAGED, DIRECTORY_BYTES_PER_MEMBER, ENTITIES, MAX_CARRY, ODS_PASSWORD_ADVICE,
    ONE_LETTER_COLUMNS, RATIO_FLOOR, Refuse, UNUSUAL, XLSB, check_extent, megabytes,
)
from pcp_widgets.audit.ingest.xml_tokens import (
    CELL_WITHOUT_ADDRESS, Irregular, PREFIXED_CELL, plain_extent, quick_tags, tag_attributes,
    xlsx_extent, xml_pieces, xml_tags,
)
from pcp_widgets.audit.ingest.ods_walk import ods_extents


# -- zip-based workbooks (.xlsx, .xlsm, .ods) -------------------------------------------

def check_zip(path: Path, limits: Limits) -> None:
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
        raise Refuse(DAMAGED) from None


def _check_zip_end(handle, limits: Limits) -> None:
    """Bound the zip directory before Python parses it: member count and directory size."""
    size = handle.seek(0, 2)
    tail_length = min(size, 22 + 0xFFFF)
    handle.seek(size - tail_length)
    tail = handle.read(tail_length)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) - at < 22:
        raise Refuse(DAMAGED)
    entries, directory_size, comment_length = struct.unpack_from("<10xHL4xH", tail, at)
    if at + 22 + comment_length != len(tail):
        raise Refuse(DAMAGED)  # something after the end record, or a second archive hidden in the comment
    if entries == 0xFFFF or directory_size == 0xFFFFFFFF:
        entries, directory_size = _zip64_end(handle, size - tail_length + at)
    if entries > limits.max_members or directory_size > limits.max_members * DIRECTORY_BYTES_PER_MEMBER:
        raise Refuse(_too_many_parts(entries))


def _zip64_end(handle, end_record_at: int) -> tuple[int, int]:
    if end_record_at < 20:
        raise Refuse(DAMAGED)
    handle.seek(end_record_at - 20)
    locator = handle.read(20)
    if locator[:4] != b"PK\x06\x07":
        raise Refuse(DAMAGED)
    (offset,) = struct.unpack_from("<8xQ", locator)
    handle.seek(offset)
    record = handle.read(56)
    if len(record) < 56 or record[:4] != b"PK\x06\x06":
        raise Refuse(DAMAGED)
    entries, directory_size = struct.unpack_from("<32xQQ", record)
    return entries, directory_size


def _too_many_parts(count: int) -> str:
    return f"the file holds {count:,} parts, more than a workbook ever needs; it is not a spreadsheet pcp will read"


def _check_members(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Zip bombs, from the directory alone: declared sizes, ratios and total, before anything is expanded."""
    if len(members) > limits.max_members:
        raise Refuse(_too_many_parts(len(members)))
    total = 0
    for member in members:
        if member.flag_bits & 0x1:
            raise Refuse("parts of this file are encrypted; save it again from Excel without a password")
        if member.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise Refuse(UNUSUAL)
        if member.compress_type == zipfile.ZIP_STORED and member.file_size != member.compress_size:
            raise Refuse(DAMAGED)
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and ratio > limits.max_compression_ratio:
            raise Refuse(BOMB)
        total += member.file_size
    if total > limits.max_uncompressed_bytes:
        raise Refuse(
            f"the file expands to {megabytes(total)} MB, more than the {megabytes(limits.max_uncompressed_bytes)} MB "
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
        raise Refuse(XLSB)
    if len(kinds) == 1:
        return kinds[0]
    if kinds:
        raise Refuse(UNUSUAL)  # two kinds of workbook in one file: which one a reader sees depends on the reader
    if "word/document.xml" in normalised:
        raise Refuse("this is a Word document, not a spreadsheet")
    if "ppt/presentation.xml" in normalised:
        raise Refuse("this is a PowerPoint file, not a spreadsheet")
    if "index/document.iwa" in normalised:
        raise Refuse("this is an Apple Numbers file; export it from Numbers as an Excel workbook (.xlsx)")
    raise Refuse("this is a zip file but not a spreadsheet; save the workbook as .xlsx or .ods")


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
        raise Refuse(DAMAGED)
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
            raise Refuse(DAMAGED)
        left -= len(data)
        yield data


def _deflated(handle, compressed: int, declared: int):
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    left, produced, pending = compressed, 0, b""
    while not inflater.eof:
        if not pending:
            pending = handle.read(min(CHUNK, left)) if left else b""
            if not pending:
                raise Refuse(DAMAGED)
            left -= len(pending)
        out = inflater.decompress(pending, CHUNK)
        pending = inflater.unconsumed_tail
        produced += len(out)
        if produced > declared:
            raise Refuse(BOMB)
        if out:
            yield out
    if produced != declared:
        raise Refuse(DAMAGED)


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
        raise Refuse(ODS_PASSWORD_ADVICE)
    if kind == "ods" and part == "content.xml":
        spaces_allowed = max(member.file_size, MB)
        return _Extent(part, _walk(handle, member, lambda tags: ods_extents(tags, spaces_allowed)))
    if scan.needs_walk:
        try:
            rows, columns = plain_extent(xml_pieces(_inflate(handle, member)))
        except Irregular:
            rows, columns = _walk(handle, member, xlsx_extent)
        return _Extent(part, [(None, rows, columns)])
    return _Extent(part, [])


def _walk(handle, member: zipfile.ZipInfo, reader):
    """``reader`` applied to the part's tags: read a piece at a time when every '<' in it starts
    a tag (real workbooks), else one token at a time (a '<' inside a value or a CDATA section)."""
    try:
        return reader(quick_tags(xml_pieces(_inflate(handle, member))))
    except Irregular:
        return reader(xml_tags(_inflate(handle, member)))


def _check_extents(archive, members, extents: list[_Extent], kind: str, limits: Limits) -> None:
    names = _xlsx_sheet_names(archive, members) if kind == "xlsx" else {}
    for extent in extents:
        for name, rows, columns in extent.sheets:
            check_extent(name or names.get(extent.part), rows, columns, limits)


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
                raise Refuse(UNUSUAL)
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
            raise Refuse(DAMAGED)  # it claims more shared strings than it could possibly hold

    def _check(self, piece: bytes) -> None:
        # "!" alone is found many times faster than "<!" (a byte search, where '<' is everywhere)
        if b"!" in piece and b"<!" in piece and _DECLARATION.search(piece):
            raise Refuse(ENTITIES)
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
            or CELL_WITHOUT_ADDRESS.search(piece) is not None
            or PREFIXED_CELL.search(piece) is not None
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
            attributes = {k.rpartition(b":")[2]: v for k, v in tag_attributes(raw)}
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
        attributes = dict(tag_attributes(raw))
        yield (unescape(attributes.get(b"Id", b"").decode("utf-8", "replace")),
               unescape(attributes.get(b"Target", b"").decode("utf-8", "replace")),
               attributes.get(b"Type", b"").decode("utf-8", "replace"))
