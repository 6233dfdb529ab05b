"""The file itself, before anything inside it: what it really is, its size, and the sentences that refuse it.

Shared by every format's checks (:mod:`.zip_scan`, :mod:`.biff`): the caps on what a real
workbook holds, :class:`Refuse` (raised inside the checks, turned into UnreadableFile by
:func:`.reader.read_workbook`) and the one-sentence reasons a person can act on.
"""

from __future__ import annotations
import stat
from pathlib import Path
from pcp_widgets.audit.ingest.limits import MB, Limits


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


class Refuse(Exception):
    """Raised inside this module; ``read_workbook`` turns it into UnreadableFile with the path."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# -- the file itself --------------------------------------------------------------------

def check_file(path: Path, limits: Limits) -> None:
    try:
        info = path.stat()
    except FileNotFoundError:
        raise Refuse("there is no such file") from None
    except PermissionError:
        raise Refuse("you do not have permission to read this file") from None
    except OSError:
        raise Refuse("the file cannot be opened (check its name and where it is)") from None
    if stat.S_ISDIR(info.st_mode):
        raise Refuse("this is a folder, not a file")
    if not stat.S_ISREG(info.st_mode):
        raise Refuse("this is not an ordinary file (it may be a device or a pipe)")
    if info.st_size == 0:
        raise Refuse("the file is empty (0 bytes)")
    if info.st_size > limits.max_file_bytes:
        raise Refuse(
            f"the file is {megabytes(info.st_size)} MB, more than the {megabytes(limits.max_file_bytes)} MB limit; "
            "split it into smaller workbooks (or raise the limit with --max-file-mb)"
        )


def first_bytes(path: Path, count: int) -> bytes:
    try:
        with path.open("rb") as handle:
            return handle.read(count)
    except PermissionError:
        raise Refuse("you do not have permission to read this file") from None
    except OSError:
        raise Refuse("the file cannot be read") from None


def what_it_is_instead(path: Path, magic: bytes) -> str:
    if magic.startswith(b"%PDF"):
        return "this is a PDF, not a spreadsheet; import the Excel workbook instead"
    if magic.startswith((b"\x89PNG", b"\xff\xd8\xff", b"GIF8")):
        return "this is a picture, not a spreadsheet"
    if path.suffix.lower() in (".csv", ".txt", ".tsv"):
        return "this is a text (CSV) file; open it in Excel and save it as an Excel workbook (.xlsx)"
    return "this is not a spreadsheet pcp can read; save it from Excel or LibreOffice as .xlsx or .ods"


def check_extent(name: str | None, rows: int, columns: int, limits: Limits) -> None:
    """Refuse a sheet with more rows, columns or cells (counted from A1) than the limits."""
    sheet = f"the sheet '{name}'" if name else "a sheet in this workbook"
    if rows > limits.max_rows:
        raise Refuse(f"{sheet} has {rows:,} rows, more than the {limits.max_rows:,} limit; "
                      "split it (or raise the limit with --max-rows)")
    if columns > limits.max_columns:
        raise Refuse(f"{sheet} uses {columns:,} columns, more than the {limits.max_columns} an audit sheet "
                      "could need; delete the unused columns on the right and save it again")
    if rows * columns > limits.max_cells:
        raise Refuse(f"{sheet} spans {rows:,} rows and {columns:,} columns, more cells than pcp reads from "
                      "one sheet; split it into smaller workbooks")


def megabytes(size: int) -> str:
    return f"{size / MB:.0f}" if size >= 10 * MB else f"{size / MB:.2g}"
