"""Reading a workbook safely: every cell as a person sees it, or one sentence saying why not.

Files come from anywhere (an email attachment, a commissioner's system, a shared drive),
so a file is checked before the spreadsheet reader touches it: what it really is (by its
first bytes, not its name), its size, whether it is encrypted, and, for the zip-based
formats, a zip bomb or an XML entity trick. Only then does python-calamine read it,
which takes the values Excel saved with formula cells and never runs or follows anything.
"""

from __future__ import annotations

import mmap
import zipfile
from dataclasses import dataclass
from pathlib import Path

import python_calamine as calamine

from pcp_widgets.audit.limits import MB, Limits
from pcp_widgets.errors import UnreadableFile

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: The stream an encrypted .xlsx keeps inside its OLE container (the name as stored: UTF-16).
ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
#: A document type declaration can only come before the root element: reading this much finds it.
XML_PROLOG_BYTES = 64 * 1024
PASSWORD_ADVICE = (
    "this file is protected with a password; open it in Excel, remove the password "
    "(File > Info > Protect Workbook > Encrypt with Password) and save it again"
)


@dataclass
class RawSheet:
    """One worksheet's cells. ``rows[i]`` is spreadsheet row ``i + 1``; a cell is None, str,
    float, int, bool, date, datetime, time or timedelta."""

    name: str
    rows: list[list]
    hidden: bool = False


def read_workbook(path, limits: Limits | None = None) -> list[RawSheet]:
    """Every worksheet of ``path``, or :class:`UnreadableFile` with a reason a person can act on."""
    path = Path(path)
    limits = limits or Limits()
    _check_file(path, limits)
    magic = _first_bytes(path, 8)
    if magic.startswith(ZIP_MAGIC):
        _check_zip(path, limits)
    elif magic == OLE_MAGIC:
        _check_ole(path)
    else:
        raise UnreadableFile(str(path), _what_it_is_instead(path, magic))
    return _read_sheets(path, limits)


# -- before reading ----------------------------------------------------------------------


def _check_file(path: Path, limits: Limits) -> None:
    if not path.exists():
        raise UnreadableFile(str(path), "there is no such file")
    if path.is_dir():
        raise UnreadableFile(str(path), "this is a folder, not a file")
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile(str(path), "the file is empty (0 bytes)")
    if size > limits.max_file_bytes:
        raise UnreadableFile(
            str(path),
            f"the file is {_megabytes(size)} MB, more than the {_megabytes(limits.max_file_bytes)} MB limit; "
            "split it into smaller workbooks (or raise the limit with --max-file-mb)",
        )


def _first_bytes(path: Path, count: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(count)
    except PermissionError:
        raise UnreadableFile(str(path), "you do not have permission to read this file") from None


def _what_it_is_instead(path: Path, magic: bytes) -> str:
    if magic.startswith(b"%PDF"):
        return "this is a PDF, not a spreadsheet; import the Excel workbook instead"
    if magic.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "this is a picture, not a spreadsheet"
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return "this is a text (CSV) file; open it in Excel and save it as an Excel workbook (.xlsx)"
    return "this is not a spreadsheet pcp can read; save it from Excel or LibreOffice as .xlsx or .ods"


def _check_zip(path: Path, limits: Limits) -> None:
    """Refuse zip bombs and XML entity tricks using only the zip's directory and each part's first bytes."""
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            _check_zip_sizes(path, members, limits)
            _check_is_spreadsheet(path, {m.filename for m in members})
            for member in members:
                if member.filename.lower().endswith((".xml", ".rels", ".vml")):
                    _check_xml_prolog(path, archive, member)
    except zipfile.BadZipFile:
        raise UnreadableFile(str(path), "the file is damaged (it is not a complete workbook); save it again") from None
    except (RuntimeError, OSError, EOFError):  # RuntimeError covers unsupported compression too
        # zipfile's word for encrypted or unsupported members, or a truncated file.
        raise UnreadableFile(str(path), "the file is damaged or encrypted in a way pcp cannot read; save it again "
                                        "from Excel without a password") from None


def _check_zip_sizes(path: Path, members: list[zipfile.ZipInfo], limits: Limits) -> None:
    if len(members) > limits.max_members:
        raise UnreadableFile(str(path), f"the file holds {len(members)} parts, more than a workbook ever needs; "
                                        "it is not a spreadsheet pcp will read")
    total = 0
    for member in members:
        total += member.file_size
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 10 * MB and ratio > limits.max_compression_ratio:
            raise UnreadableFile(str(path), "the file expands to far more than a real workbook would "
                                            "(it looks like a 'zip bomb'), so it was not opened")
    if total > limits.max_uncompressed_bytes:
        raise UnreadableFile(
            str(path),
            f"the file expands to {_megabytes(total)} MB, more than the {_megabytes(limits.max_uncompressed_bytes)} MB "
            "pcp will read; split it into smaller workbooks",
        )


def _check_is_spreadsheet(path: Path, names: set[str]) -> None:
    if "xl/workbook.xml" in names or "xl/workbook.bin" in names or "content.xml" in names:
        return
    if "word/document.xml" in names:
        raise UnreadableFile(str(path), "this is a Word document, not a spreadsheet")
    if "ppt/presentation.xml" in names:
        raise UnreadableFile(str(path), "this is a PowerPoint file, not a spreadsheet")
    raise UnreadableFile(str(path), "this is a zip file but not a spreadsheet; save the workbook as .xlsx or .ods")


def _check_xml_prolog(path: Path, archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    with archive.open(member) as stream:
        head = stream.read(XML_PROLOG_BYTES)
    if b"<!DOCTYPE" in head.upper() or b"<!ENTITY" in head.upper():
        raise UnreadableFile(str(path), "the file contains XML document type declarations, which real workbooks "
                                        "never have and which can be used to attack a computer; it was not opened")


def _check_ole(path: Path) -> None:
    """An OLE file is an old .xls, or an .xlsx wrapped in encryption."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data.find(ENCRYPTED_PACKAGE) != -1:
            raise UnreadableFile(str(path), PASSWORD_ADVICE)


# -- reading -----------------------------------------------------------------------------


def _read_sheets(path: Path, limits: Limits) -> list[RawSheet]:
    try:
        workbook = calamine.CalamineWorkbook.from_path(str(path))
        sheets = [
            _read_sheet(path, workbook, meta, limits)
            for meta in workbook.sheets_metadata
            if meta.typ == calamine.SheetTypeEnum.WorkSheet
        ]
    except calamine.PasswordError:
        raise UnreadableFile(str(path), PASSWORD_ADVICE) from None
    except UnreadableFile:
        raise
    except Exception as error:  # calamine's many error types (zip, XML, xls records) all mean "cannot read"
        raise UnreadableFile(str(path), f"the file is damaged or not a workbook pcp can read ({_short(error)}); "
                                        "open it in Excel or LibreOffice and save it again") from None
    if not sheets:
        raise UnreadableFile(str(path), "the workbook has no worksheets")
    return sheets


def _read_sheet(path: Path, workbook, meta, limits: Limits) -> RawSheet:
    sheet = workbook.get_sheet_by_name(meta.name)
    last_row, last_column = sheet.end if sheet.end else (-1, -1)
    if last_row + 1 > limits.max_rows:
        raise UnreadableFile(str(path), f"the sheet '{meta.name}' has {last_row + 1:,} rows, more than the "
                                        f"{limits.max_rows:,} limit; split it (or raise the limit with --max-rows)")
    if last_column + 1 > limits.max_columns:
        raise UnreadableFile(str(path), f"the sheet '{meta.name}' uses {last_column + 1:,} columns, more than the "
                                        f"{limits.max_columns} an audit sheet could need; delete the unused columns "
                                        "on the right and save it again")
    rows = sheet.to_python(skip_empty_area=False) if sheet.end else []
    return RawSheet(meta.name, rows, hidden=meta.visible != calamine.SheetVisibleEnum.Visible)


def _short(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text[:120] or type(error).__name__


def _megabytes(size: int) -> str:
    return f"{size / MB:.0f}" if size >= 10 * MB else f"{size / MB:.2g}"
