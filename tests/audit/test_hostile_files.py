"""Hostile and broken files: each refused with one sentence a person can act on, before the
spreadsheet library is handed anything dangerous.

Every file here is built for real in the test. Many are a few kilobytes and, given to
python-calamine directly, end the Python process (it aborts on an impossible allocation or
loops for ever); so none of them is ever opened with calamine here except where calamine's
own verdict is the point. Each builder is first shown to make a file that reads normally
when it is not made hostile, so a refusal means the hostile part was caught.
"""

from __future__ import annotations

import io
import os
import random
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import msoffcrypto.format.ooxml
import openpyxl
import pytest
import python_calamine
import xlwt
from xlwt import CompoundDoc

from pcp_widgets.audit.ingest.limits import Limits
from pcp_widgets.audit.ingest.reader import read_workbook
from pcp_widgets.errors import UnreadableFile

MAIN_NS = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#: Words from the libraries' own error messages that must never reach a person.
JARGON = ("Traceback", "calamine", "Xml", "Zip error", "panicked", "Error:", "\n")


def refused(path, limits: Limits | None = None) -> str:
    """The reason ``path`` was refused; fails the test if it was read or the reason is not plain."""
    with pytest.raises(UnreadableFile) as error:
        read_workbook(path, limits)
    assert error.value.exit_code == 2
    assert str(error.value) == f"{path}: {error.value.reason}"
    for word in JARGON:
        assert word not in error.value.reason
    return error.value.reason


def peak_memory(action) -> int:
    """Peak bytes Python allocated while ``action`` ran."""
    tracemalloc.start()
    try:
        action()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak


def write(tmp_path, name: str, data: bytes):
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- builders ------------------------------------------------------------------------


def xlsx_bytes(rows=(("Review date", "Service"), ("07/03/2025", "Oak House"))) -> bytes:
    workbook = openpyxl.Workbook()
    workbook.active.title = "Reviews"
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def with_parts(data: bytes, parts: dict[str, bytes], *, stored: bool = False) -> bytes:
    """The same zip with some parts replaced or added (``stored``: those parts written uncompressed)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in source.namelist():
            if name not in parts:
                target.writestr(name, source.read(name))
        for name, content in parts.items():
            target.writestr(name, content, compress_type=zipfile.ZIP_STORED if stored else None)
    return out.getvalue()


def with_sheet(sheet_data: bytes, *, namespaces: bytes = b"", after: bytes = b"") -> bytes:
    """An .xlsx whose one sheet ("Reviews") holds ``sheet_data`` inside <sheetData>."""
    xml = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + MAIN_NS + b'"' + namespaces
           + b"><sheetData>" + sheet_data + b"</sheetData>" + after + b"</worksheet>")
    return with_parts(xlsx_bytes(), {"xl/worksheets/sheet1.xml": xml})


def patch_entry(data: bytes, name: str, **fields) -> bytes:
    """Rewrite a member's method, crc, compressed or declared size in both of the zip's headers,
    as a hand-crafted file would."""
    data = bytearray(data)
    member = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo(name)
    local = {"method": 8, "crc": 14, "compressed": 18, "size": 22}
    central = {"method": 10, "crc": 16, "compressed": 20, "size": 24}
    entry = _central_entry(data, name)
    for field, value in fields.items():
        fmt = "<H" if field == "method" else "<L"
        struct.pack_into(fmt, data, member.header_offset + local[field], value)
        struct.pack_into(fmt, data, entry + central[field], value)
    return bytes(data)


def zipfile_stored_as_deflated(data: bytes, name: str, *, size: int, crc: int) -> bytes:
    """Mark a part written as stored (its bytes already a deflate stream) as deflated, with its real size."""
    return patch_entry(data, name, method=zipfile.ZIP_DEFLATED, size=size, crc=crc)


def _central_entry(data: bytes, name: str) -> int:
    position = data.find(b"PK\x01\x02")
    while position >= 0:
        name_length = struct.unpack_from("<H", data, position + 28)[0]
        if data[position + 46:position + 46 + name_length] == name.encode():
            return position
        position = data.find(b"PK\x01\x02", position + 4)
    raise AssertionError(f"{name} not in the central directory")


def deflated_zeros(mebibytes: int) -> tuple[bytes, int]:
    """A real deflate stream of ``mebibytes`` MiB of zeros, and its CRC-32, built in moments:
    after a full flush every 1 MiB block of zeros compresses to the same bytes."""
    block = bytes(1 << 20)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    first = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(block) + compressor.flush(zlib.Z_FULL_FLUSH)
    stream = first + repeated * (mebibytes - 1) + compressor.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(mebibytes):
        crc = zlib.crc32(block, crc)
    return stream, crc


def ods_bytes(tables: bytes, *, manifest_entry: bytes = b"") -> bytes:
    """A minimal real .ods: mimetype first and stored, a manifest, and content.xml holding ``tables``."""
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?><office:document-content '
        b'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        b'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
        b'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">'
        b"<office:body><office:spreadsheet>" + tables + b"</office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        b'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
        b'<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        b'<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml">' + manifest_entry
        + b"</manifest:file-entry></manifest:manifest>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.spreadsheet")
        archive.writestr("META-INF/manifest.xml", manifest)
        archive.writestr("content.xml", content)
    return out.getvalue()


def ods_cell(text: str, repeat: int = 1) -> bytes:
    return (b'<table:table-cell office:value-type="string" table:number-columns-repeated="%d">'
            b"<text:p>%s</text:p></table:table-cell>" % (repeat, text.encode()))


def biff_records(data: bytes):
    position = 0
    while position + 4 <= len(data):
        kind, size = struct.unpack_from("<HH", data, position)
        yield position, kind, size
        position += 4 + size


def xls_stream() -> bytearray:
    """The workbook stream of a real .xls (xlwt): a header, a number and a text."""
    book = xlwt.Workbook()
    sheet = book.add_sheet("Reviews")
    sheet.write(0, 0, "Review date")
    sheet.write(1, 0, 3.5)
    return bytearray(book.get_biff_data())


def xls_bytes(stream: bytes) -> bytes:
    out = io.BytesIO()
    CompoundDoc.XlsDoc().save(out, bytes(stream))
    return out.getvalue()


def patched_record(kind: int, patch) -> bytes:
    """A real .xls with the first record of ``kind`` rewritten in place by ``patch(stream, position)``."""
    stream = xls_stream()
    position = next(p for p, k, _ in biff_records(stream) if k == kind)
    patch(stream, position)
    return xls_bytes(stream)


def test_the_builders_make_files_that_read(tmp_path):
    """Without the hostile part, each builder's file is read normally."""
    sheet = with_sheet(b'<row r="1"><c r="A1" t="inlineStr"><is><t>Review date</t></is></c></row>')
    assert read_workbook(write(tmp_path, "a.xlsx", sheet))[0].rows == [["Review date"]]
    ods = ods_bytes(b'<table:table table:name="Reviews"><table:table-row>' + ods_cell("Review date")
                    + b"</table:table-row></table:table>")
    assert read_workbook(write(tmp_path, "a.ods", ods))[0].rows == [["Review date"]]
    xls = read_workbook(write(tmp_path, "a.xls", xls_bytes(xls_stream())))[0]
    assert xls.rows[0][0] == "Review date" and xls.rows[1][0] == 3.5
    stream, crc = deflated_zeros(3)
    assert zlib.decompress(stream, -zlib.MAX_WBITS) == bytes(3 << 20) and zlib.crc32(bytes(3 << 20)) == crc


# -- not a file, or not a spreadsheet ------------------------------------------------


def test_missing_file_folder_and_pipe(tmp_path):
    assert refused(tmp_path / "nowhere.xlsx") == "there is no such file"
    assert refused(tmp_path) == "this is a folder, not a file"
    os.mkfifo(tmp_path / "pipe.xlsx")
    assert "not an ordinary file" in refused(tmp_path / "pipe.xlsx")


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read any file")
def test_a_file_without_read_permission(tmp_path):
    path = write(tmp_path, "locked.xlsx", xlsx_bytes())
    path.chmod(0)
    assert refused(path) == "you do not have permission to read this file"


def test_an_empty_file(tmp_path):
    assert refused(write(tmp_path, "empty.xlsx", b"")) == "the file is empty (0 bytes)"


def zip_of(*names: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name in names:
            archive.writestr(name, "<x/>")
    return out.getvalue()


@pytest.mark.parametrize("name, content, reason", [
    ("notes.xlsx", b"just some text\n" * 20, "not a spreadsheet pcp can read"),
    ("audit.csv", b"Audit date,Service\n07/03/2025,Oak House\n", "save it as an Excel workbook (.xlsx)"),
    ("scan.xlsx", b"%PDF-1.7\n" + b"0" * 100, "this is a PDF"),
    ("photo.xlsx", b"\x89PNG\r\n\x1a\n" + b"0" * 100, "this is a picture"),
    ("random.xls", bytes(range(256)) * 4, "not a spreadsheet pcp can read"),
    ("letter.xlsx", zip_of("[Content_Types].xml", "word/document.xml"), "this is a Word document"),
    ("slides.xlsx", zip_of("[Content_Types].xml", "ppt/presentation.xml"), "this is a PowerPoint file"),
    ("photos.xlsx", zip_of("photos/1.jpg"), "zip file but not a spreadsheet"),
    ("empty-zip.xlsx", zip_of(), "zip file but not a spreadsheet"),
    ("budget.xlsx", zip_of("Index/Document.iwa"), "Apple Numbers"),
])
def test_files_that_are_not_spreadsheets(tmp_path, name, content, reason):
    assert reason in refused(write(tmp_path, name, content))


def test_binary_excel_workbooks_are_refused_with_advice(tmp_path):
    assert "save it as an Excel workbook (.xlsx)" in refused(write(tmp_path, "audit.xlsb", xlsx_bytes()))
    xlsb_parts = zip_of("[Content_Types].xml", "xl/workbook.bin", "xl/worksheets/sheet1.bin")
    assert "(.xlsb)" in refused(write(tmp_path, "renamed.xlsx", xlsb_parts))


def test_an_old_word_document(tmp_path):
    """An OLE file whose main stream is a Word document's, not a workbook's."""
    data = bytearray(xls_bytes(xls_stream()))
    at = data.find("Workbook".encode("utf-16-le"))
    data[at:at + 24] = "WordDocument".encode("utf-16-le")
    struct.pack_into("<H", data, at + 64, 26)
    assert refused(write(tmp_path, "letter.xls", bytes(data))) == "this is a Word document, not a spreadsheet"


# -- damaged files -------------------------------------------------------------------


def test_a_truncated_workbook(tmp_path):
    assert "damaged" in refused(write(tmp_path, "cut.xlsx", xlsx_bytes()[:2000]))


def test_corrupt_compressed_data(tmp_path):
    data = bytearray(xlsx_bytes())
    member = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/worksheets/sheet1.xml")
    start = member.header_offset + 30 + len(member.filename)
    data[start:start + 40] = bytes(40)
    assert "damaged" in refused(write(tmp_path, "corrupt.xlsx", bytes(data)))


def test_a_part_whose_checksum_is_wrong(tmp_path):
    """The zip is intact but a part's content was altered: the spreadsheet library's own check refuses it."""
    data = patch_entry(xlsx_bytes(), "xl/worksheets/sheet1.xml", crc=12345)
    assert "damaged" in refused(write(tmp_path, "altered.xlsx", data))


@pytest.mark.parametrize("sheet_xml", [
    b'<worksheet xmlns="' + MAIN_NS + b'"><sheetData><row r="1"><c r="1A"><v>1</v></c></row></sheetData></worksheet>',
    b'<worksheet xmlns="' + MAIN_NS + b'"><sheetData><row r="1"><c r="A1"><v>1</v></c>',
], ids=["not an address", "cut off"])
def test_broken_sheet_xml(tmp_path, sheet_xml):
    data = with_parts(xlsx_bytes(), {"xl/worksheets/sheet1.xml": sheet_xml})
    assert "damaged" in refused(write(tmp_path, "broken.xlsx", data))


def test_data_after_the_end_of_the_zip(tmp_path):
    """Bytes after the zip's end record can hide a second archive that another reader would see."""
    assert "damaged" in refused(write(tmp_path, "tail.xlsx", xlsx_bytes() + b"PK\x05\x06" + bytes(30)))


def test_two_kinds_of_workbook_in_one_file(tmp_path):
    data = with_parts(xlsx_bytes(), {"content.xml": b"<x/>"})
    assert "never build workbooks" in refused(write(tmp_path, "both.ods", data))


def test_a_workbook_with_no_worksheets(tmp_path):
    workbook = b'<workbook xmlns="' + MAIN_NS + b'"><sheets/></workbook>'
    data = with_parts(xlsx_bytes(), {"xl/workbook.xml": workbook})
    assert refused(write(tmp_path, "none.xlsx", data)) == "the workbook has no worksheets"


def test_a_file_the_library_breaks_on_gives_a_sentence_not_a_crash(tmp_path):
    """A cut-short shared-strings record makes calamine's .xls reader panic; the panic is not an
    Exception in Python, and must still become the plain refusal."""
    def cut_short(stream, position):
        size = struct.unpack_from("<H", stream, position + 2)[0]
        shared = struct.pack("<HHLL", 0x00FC, 11, 1, 1) + bytes([0, 0, 0x08])
        stream[position:position + 4 + size] = shared + struct.pack("<HH", 0x1234, size - 15) + bytes(size - 15)

    assert "damaged" in refused(write(tmp_path, "panic.xls", patched_record(0x00FC, cut_short)))


# -- encrypted -----------------------------------------------------------------------


def test_an_encrypted_xlsx(tmp_path):
    """Encrypted for real, as Excel does it: an OLE container holding an EncryptedPackage stream."""
    encrypted = io.BytesIO()
    msoffcrypto.format.ooxml.OOXMLFile(io.BytesIO(xlsx_bytes())).encrypt("Passw0rd", encrypted)
    reason = refused(write(tmp_path, "secret.xlsx", encrypted.getvalue()))
    assert reason.startswith("this file is protected with a password") and "File > Info" in reason


def test_an_encrypted_xls(tmp_path):
    """A FILEPASS record marks an encrypted .xls; calamine itself agrees it is."""
    def encrypt(stream, position):
        struct.pack_into("<HHH", stream, position, 0x002F, 2, 1)  # CODEPAGE becomes FILEPASS (RC4)

    path = write(tmp_path, "secret.xls", patched_record(0x0042, encrypt))
    with pytest.raises(python_calamine.PasswordError):
        python_calamine.CalamineWorkbook.from_path(str(path))
    assert refused(path).startswith("this file is protected with a password")


def test_an_encrypted_ods(tmp_path):
    entry = b'<manifest:encryption-data manifest:checksum-type="SHA1/1K" manifest:checksum="x"/>'
    data = ods_bytes(b'<table:table table:name="Reviews"/>', manifest_entry=entry)
    assert "LibreOffice, remove the password" in refused(write(tmp_path, "secret.ods", data))


def test_a_zip_with_encrypted_parts(tmp_path):
    data = bytearray(xlsx_bytes())
    member = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/workbook.xml")
    struct.pack_into("<H", data, member.header_offset + 6, member.flag_bits | 1)
    struct.pack_into("<H", data, _central_entry(data, "xl/workbook.xml") + 8, member.flag_bits | 1)
    assert "encrypted" in refused(write(tmp_path, "zipcrypto.xlsx", bytes(data)))


# -- size limits ---------------------------------------------------------------------


def test_file_size_limit(tmp_path):
    path = write(tmp_path, "t.xlsx", xlsx_bytes())
    assert "more than the 0.0001 MB limit" in refused(path, Limits(max_file_bytes=100))
    assert "--max-file-mb" in refused(path, Limits(max_file_bytes=100))


def test_row_column_and_cell_limits(tmp_path):
    path = write(tmp_path, "rows.xlsx", xlsx_bytes([("Review date",)] + [("07/03/2025",)] * 30))
    assert "has 31 rows, more than the 20 limit" in refused(path, Limits(max_rows=20))
    wide = write(tmp_path, "wide.xlsx", xlsx_bytes([["x"] * 30]))
    assert "uses 30 columns" in refused(wide, Limits(max_columns=25))
    block = write(tmp_path, "block.xlsx", xlsx_bytes([["x"] * 10] * 10))
    assert "spans 10 rows and 10 columns" in refused(block, Limits(max_cells=99))


def test_too_many_parts(tmp_path):
    data = with_parts(xlsx_bytes(), {f"xl/media/padding{i}.xml": b"<x/>" for i in range(60)})
    count = len(zipfile.ZipFile(io.BytesIO(data)).namelist())
    assert f"holds {count} parts" in refused(write(tmp_path, "parts.xlsx", data), Limits(max_members=50))


def test_too_much_when_expanded(tmp_path):
    """Incompressible content, so only the total can be what refuses it."""
    data = with_parts(xlsx_bytes(), {"xl/media/padding.bin": random.Random(1).randbytes(10_500_000)})
    assert "expands to 11 MB, more than the 5 MB" in refused(write(tmp_path, "big.xlsx", data),
                                                              Limits(max_uncompressed_bytes=5_000_000))


# -- zip bombs -----------------------------------------------------------------------


def test_a_zip_bomb_is_refused_without_being_expanded(tmp_path):
    """2 GiB of zeros in one 2 MB part: refused from the zip directory alone."""
    stream, crc = deflated_zeros(2048)
    data = with_parts(xlsx_bytes(), {"xl/worksheets/sheet1.xml": stream}, stored=True)
    data = zipfile_stored_as_deflated(data, "xl/worksheets/sheet1.xml", size=2048 << 20, crc=crc)
    path = write(tmp_path, "bomb.xlsx", data)
    assert path.stat().st_size < 3_000_000
    assert zipfile.ZipFile(path).getinfo("xl/worksheets/sheet1.xml").file_size == 2048 << 20
    reasons = []
    peak = peak_memory(lambda: reasons.append(refused(path)))
    assert "zip bomb" in reasons[0]
    assert peak < 5_000_000  # nowhere near the 2 GiB the part expands to


def test_a_part_that_holds_more_than_it_declares(tmp_path):
    """The directory says 1 kB (a ratio that looks harmless); the part really expands to 64 MiB.
    Refused as soon as it passes its declared size, never expanded further."""
    stream, crc = deflated_zeros(64)
    data = with_parts(xlsx_bytes(), {"xl/worksheets/sheet1.xml": stream}, stored=True)
    data = zipfile_stored_as_deflated(data, "xl/worksheets/sheet1.xml", size=1000, crc=crc)
    path = write(tmp_path, "liar.xlsx", data)
    reasons = []
    peak = peak_memory(lambda: reasons.append(refused(path)))
    assert "zip bomb" in reasons[0]
    assert peak < 2_000_000


# -- XML entity tricks ---------------------------------------------------------------

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">
<si><t>&lol3;</t></si></sst>"""

XXE_SHEET = (b'<?xml version="1.0"?><!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
             b'<worksheet xmlns="' + MAIN_NS + b'"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&xxe;</t>'
             b"</is></c></row></sheetData></worksheet>")


@pytest.mark.parametrize("part, payload", [
    ("xl/sharedStrings.xml", BILLION_LAUGHS),
    ("xl/worksheets/sheet1.xml", XXE_SHEET),
    # past any first-kilobytes window: after 200 kB of comment, and in lower case
    ("xl/styles.xml", b"<!--" + b" " * 200_000 + b"-->" + b"<!doctype x [<!entity e 'e'>]><styleSheet/>"),
], ids=["billion laughs", "external entity", "late lower-case doctype"])
def test_xml_entity_tricks_are_refused(tmp_path, part, payload):
    reason = refused(write(tmp_path, "entities.xlsx", with_parts(xlsx_bytes(), {part: payload})))
    assert "expand or fetch outside content" in reason
    assert "root:" not in reason


def test_a_part_in_utf16_is_refused(tmp_path):
    """Excel writes UTF-8; a UTF-16 sheet would slip past byte-level checks (calamine reads it as empty)."""
    sheet = ('<?xml version="1.0" encoding="UTF-16"?><worksheet xmlns="' + MAIN_NS.decode() + '"><sheetData>'
             '<row r="1"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>').encode("utf-16")
    data = with_parts(xlsx_bytes(), {"xl/worksheets/sheet1.xml": sheet})
    assert "never build workbooks" in refused(write(tmp_path, "utf16.xlsx", data))


# -- cells placed to exhaust memory (each file a few kilobytes) ----------------------


@pytest.mark.parametrize("sheet_data, namespaces, reason", [
    (b'<row r="1"><c r="A1"><v>1</v></c></row><row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', b"",
     "has 1,048,576 rows"),
    (b'<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>1</v></c></row>', b"", "uses 16,384 columns"),
    (b'<row r="900000"><c r="GR900000"><v>1</v></c></row>', b"", "spans 900,000 rows and 200 columns"),
    (b"<row>" + b"<c><v>1</v></c>" * 300 + b"</row>", b"", "uses 300 columns"),
    (b'<row r="1"><c r="A1" r="XFD1"><v>1</v></c></row>', b"", "uses 16,384 columns"),
    (b'<x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="ZZZ1"><x:v>1</x:v></x:c></x:row>',
     b' xmlns:x="' + MAIN_NS + b'"', "uses 18,278 columns"),
    (b'<row r="1"><c r="A1"><v>1</v></c></row><!-- </sheetData> --><row r="2"><c r="XFD2"><v>1</v></c></row>',
     b"", "uses 16,384 columns"),
    (b'<row r="1"><c r="A1" x="a<b"><v>1</v></c><c r="XFD1"><v>1</v></c></row>', b"", "uses 16,384 columns"),
], ids=["far cell", "far column", "too many cells", "cells without addresses", "two addresses",
        "prefixed tags", "false end of data", "a '<' inside a value"])
def test_cells_placed_to_exhaust_memory(tmp_path, sheet_data, namespaces, reason):
    """calamine holds every cell from the first to the last at once: XFD1048576 alone is 17
    billion cells. Each of these files ends the process if handed to calamine."""
    path = write(tmp_path, "far.xlsx", with_sheet(sheet_data, namespaces=namespaces))
    assert path.stat().st_size < 20_000
    assert reason in refused(path)


def test_tags_inside_cdata_are_text_not_cells(tmp_path):
    """What looks like a far cell inside a CDATA section is text to calamine, so it is read, not refused."""
    sheet_data = (b'<row r="1"><c r="A1" t="inlineStr"><is><t><![CDATA[</c></row><row r="2"><c r="XFD2">]]>'
                  b"</t></is></c><c><v>2</v></c></row>")
    [raw] = read_workbook(write(tmp_path, "cdata.xlsx", with_sheet(sheet_data)))
    assert raw.rows == [['</c></row><row r="2"><c r="XFD2">', 2]]


def test_rows_without_addresses(tmp_path):
    sheet_data = b"<row><c><v>1</v></c></row>" * 1500
    assert "has 1,500 rows, more than the 1,000 limit" in refused(
        write(tmp_path, "rows.xlsx", with_sheet(sheet_data)), Limits(max_rows=1000))


def test_a_shared_string_count_larger_than_the_file(tmp_path):
    """calamine reserves memory for uniqueCount strings before reading one: 10**12 of them is 24 TB."""
    strings = (b'<sst xmlns="' + MAIN_NS + b'" count="1" uniqueCount="1000000000000"><si><t>x</t></si></sst>')
    assert "damaged" in refused(write(tmp_path, "sst.xlsx", with_parts(xlsx_bytes(), {"xl/sharedStrings.xml": strings})))


# -- .ods ----------------------------------------------------------------------------


@pytest.mark.parametrize("tables, reason", [
    (b'<table:table table:name="Reviews"><table:table-row>' + ods_cell("x", 16_384)
     + b"</table:table-row></table:table>", "the sheet 'Reviews' uses 16,384 columns"),
    (b'<table:table table:name="Reviews"><table:table-row table:number-rows-repeated="2000000">' + ods_cell("x")
     + b"</table:table-row></table:table>", "the sheet 'Reviews' has 2,000,000 rows"),
    (b'<table:table table:name="Reviews"><table:table-row>'
     b'<table:table-cell table:number-columns-repeated="5000"/>' + ods_cell("x")
     + b"</table:table-row></table:table>", "uses 5,001 columns"),
    (b'<table:table table:name="Reviews"><table:table-row><table:table-cell office:value-type="string">'
     b'<text:p>a<text:s text:c="4000000000"/>b</text:p></table:table-cell></table:table-row></table:table>',
     "never build workbooks"),
], ids=["repeated cells", "repeated rows", "empty cells before a value", "four billion spaces"])
def test_ods_repeats_that_would_exhaust_memory(tmp_path, tables, reason):
    assert reason in refused(write(tmp_path, "repeat.ods", ods_bytes(tables)))


def test_trailing_empty_ods_repeats_are_harmless(tmp_path):
    """LibreOffice pads every sheet to its full size with empty repeated rows and cells."""
    tables = (b'<table:table table:name="Reviews"><table:table-row>' + ods_cell("x")
              + b'<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
              b'<table:table-row table:number-rows-repeated="1048575">'
              b'<table:table-cell table:number-columns-repeated="16384"/></table:table-row></table:table>')
    assert read_workbook(write(tmp_path, "padded.ods", ods_bytes(tables)))[0].rows == [["x"]]


# -- .xls ----------------------------------------------------------------------------


def test_an_xls_cell_far_away(tmp_path):
    def move(stream, position):
        struct.pack_into("<HH", stream, position + 4, 65535, 65535)

    assert "uses 65,536 columns" in refused(write(tmp_path, "far.xls", patched_record(0x027E, move)))


def test_an_xls_sheet_that_declares_billions_of_cells(tmp_path):
    def declare(stream, position):
        struct.pack_into("<LLHH", stream, position + 4, 0, 0xFFFFFFFF, 0, 0xFF)

    assert "says it holds 1,095,216,660,225 cells" in refused(write(tmp_path, "dims.xls", patched_record(0x0200, declare)))


def ole_patched(*patches) -> bytes:
    data = bytearray(xls_bytes(xls_stream()))
    for patch in patches:
        patch(data)
    return bytes(data)


def difat_loop(data):
    struct.pack_into("<L", data, 68, 1)  # the sector list continues in sector 1...
    struct.pack_into("<L", data, 2 * 512 + 508, 1)  # ...which says it continues in sector 1


def directory_loop(data):
    directory, fat = struct.unpack_from("<L", data, 48)[0], struct.unpack_from("<L", data, 76)[0]
    struct.pack_into("<L", data, (fat + 1) * 512 + 4 * directory, directory)


def sector_count(data):
    struct.pack_into("<L", data, 44, 0xFFFFFFF0)


@pytest.mark.parametrize("patch", [difat_loop, directory_loop, sector_count])
def test_an_xls_container_that_loops_or_overstates(tmp_path, patch):
    """Loops in the container's sector chains are followed for ever by calamine; sector
    counts in its header are reserved as stated."""
    path = write(tmp_path, "loop.xls", ole_patched(patch))
    reasons = []
    peak = peak_memory(lambda: reasons.append(refused(path)))
    assert "damaged" in reasons[0]
    assert peak < 1_000_000


# -- through the command line --------------------------------------------------------


@pytest.mark.skipif(not (Path(__file__).parents[2] / "pcp_widgets/audit/ingest/importer.py").exists(),
                    reason="the importer is not written yet")
def test_hostile_file_through_the_command_line(tmp_path):
    path = write(tmp_path, "far.xlsx", with_sheet(b'<row r="1"><c r="XFD1048576"><v>1</v></c></row>'))
    done = subprocess.run(
        [sys.executable, "-m", "pcp_widgets.cli", "import", str(path), "--db", f"sqlite:///{tmp_path}/x.sqlite",
         "--quiet"],
        capture_output=True, text=True, timeout=600,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 2
    assert "Traceback" not in output and "panicked" not in output
    assert output.strip().count("\n") == 0  # one line
    assert "has 1,048,576 rows, more than the 1,000,000 limit" in output
