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
from dataclasses import dataclass
from pathlib import Path
import python_calamine as calamine
from pcp_widgets.audit.ingest.limits import Limits
from pcp_widgets.errors import UnreadableFile
from pcp_widgets.audit.ingest.file_checks import (
    DAMAGED, OLE_MAGIC, PASSWORD_ADVICE, Refuse, XLSB, ZIP_MAGIC, check_extent, check_file, first_bytes,
    what_it_is_instead,
)
from pcp_widgets.audit.ingest.zip_scan import check_zip
from pcp_widgets.audit.ingest.biff import check_ole


@dataclass
class RawSheet:
    """One worksheet's cells. ``rows[i]`` is spreadsheet row ``i + 1`` and ``rows[i][j]`` column
    ``j`` (A is 0), blank rows and columns at the top and left included. A cell is "" (empty),
    str, float, int, bool, date, datetime, time or timedelta."""

    name: str
    rows: list[list]
    hidden: bool = False


def read_workbook(path, limits: Limits | None = None) -> list[RawSheet]:
    """Every worksheet of ``path`` (hidden ones too, chart and macro sheets skipped), or
    :class:`UnreadableFile` with a reason a person can act on."""
    path = Path(path)
    limits = limits or Limits()
    try:
        _check(path, limits)
        return _read_sheets(path, limits)
    except Refuse as refusal:
        raise UnreadableFile(str(path), refusal.reason) from None


def check_workbook(path, limits: Limits | None = None) -> None:
    """Everything ``read_workbook`` checks before it reads: UnreadableFile, or None if it is safe to read."""
    path = Path(path)
    try:
        _check(path, limits or Limits())
    except Refuse as refusal:
        raise UnreadableFile(str(path), refusal.reason) from None


def _check(path: Path, limits: Limits) -> None:
    check_file(path, limits)
    magic = first_bytes(path, 8)
    if path.suffix.lower() == ".xlsb":
        raise Refuse(XLSB)
    if magic.startswith(ZIP_MAGIC):
        check_zip(path, limits)
    elif magic == OLE_MAGIC:
        check_ole(path, limits)
    else:
        raise Refuse(what_it_is_instead(path, magic))


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
        raise Refuse(PASSWORD_ADVICE) from None
    except Refuse:
        raise
    except Exception:  # calamine's many error types (zip, XML, xls records) all mean "cannot read"
        raise Refuse(DAMAGED) from None
    except BaseException as error:
        if type(error).__name__ == "PanicException":  # a bug in the library met with this file
            raise Refuse(DAMAGED) from None
        raise
    if not sheets:
        raise Refuse("the workbook has no worksheets")
    return sheets


def _read_sheet(workbook, meta, limits: Limits) -> RawSheet:
    sheet = workbook.get_sheet_by_name(meta.name)
    end = sheet.end
    rows, columns = (end[0] + 1, end[1] + 1) if end else (0, 0)
    check_extent(meta.name, rows, columns, limits)
    cells = sheet.to_python(skip_empty_area=False) if end else []
    return RawSheet(meta.name, cells, hidden=meta.visible != calamine.SheetVisibleEnum.Visible)
