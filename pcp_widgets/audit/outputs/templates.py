"""``pcp templates``: the blank audit workbook, generated from the schema and never edited by hand.

A "How to fill in" sheet first, then the six sheets with their headers, a dropdown on
every answer and category column, whole-number, date, time and text-length checks (each
with a prompt saying what to enter), and a frozen header row. openpyxl writes it because
it supports data validation and prompts; xlsxwriter is kept for large output. The bytes
are reproducible (fixed timestamps and member order), so the copy committed in
``templates/`` changes only when the schema does, and a test holds the two together.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pcp_widgets.audit.schema.sheets import SHEETS, Field, Sheet
from pcp_widgets.audit.outputs.sheets_out import column_width
from pcp_widgets.audit.schema.values import EXCEL_EPOCH, PLAUSIBLE_YEARS, Answer, Date, Text

FILE_NAME = "pcp-audit-workbook.xlsx"
INSTRUCTIONS = "How to fill in"
#: Rows that carry the dropdowns and formats: far more than a month's audit of one service.
TEMPLATE_ROWS = 2000
FIXED_TIME = dt.datetime(2025, 1, 1)
FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
#: Room for a sentence in free-text columns; longer text wraps.
FREE_TEXT_CHARS = 38
#: Excel's limits on a validation: an inline list's formula, a prompt, an error message.
LIST_FORMULA_LIMIT = 255
PROMPT_LIMIT = 255
ERROR_LIMIT = 225
TITLE_LIMIT = 32
LINE_HEIGHT = 15
WHOLE_NUMBER_LIMIT = 2_147_483_647

REQUIRED_FILL = PatternFill("solid", fgColor="BDD7EE")
OPTIONAL_FILL = PatternFill("solid", fgColor="E7E6E6")
BOLD = Font(bold=True)
HEADING = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")


def write_templates(out_dir: Path) -> Path:
    """Write ``out_dir/pcp-audit-workbook.xlsx`` (creating the folder) and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE_NAME
    buffer = io.BytesIO()
    build_workbook().save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue()))
    return path


def build_workbook() -> Workbook:
    """The whole template in memory; :func:`write_templates` then fixes its bytes."""
    workbook = Workbook()
    _instructions(workbook.active)
    for sheet in SHEETS:
        _record_sheet(workbook.create_sheet(sheet.name), sheet)
    workbook.properties.creator = "pcp-workbook"
    workbook.properties.title = "Person-centred planning audit workbook"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    return workbook


# -- the "How to fill in" sheet ---------------------------------------------------------


def general_guidance() -> tuple[str, ...]:
    """The advice that holds for every sheet, in plain words for a quality lead."""
    return (
        "Each sheet holds one kind of record, one row per record. Fill in the sheets you need and leave the "
        "others empty. What each sheet is for is written above its columns below.",
        "Keep the headers as they are: pcp finds the columns by them. Title rows above the headers are fine.",
        "Columns with a blue header must be filled in; grey ones are optional. The tables below say the same.",
        f"Date columns take {_lower_first(Date().describe())} Real Excel dates work too.",
        f"Answer columns take {Answer().describe()} Capitals and extra spaces do not matter in any column "
        "with a dropdown.",
        "Person and staff refs are pseudonymous codes such as P-0042 or S-0107, never names.",
        "Importing the same file again adds nothing: identical rows are skipped. A row whose key columns (listed "
        "below for each sheet) match a stored row but whose other details differ replaces it, and the old values "
        "are kept in the history.",
        "Rows pcp cannot accept are listed with the reason; 'pcp import --errors fix.xlsx' (or the download on the "
        "import page) gives them back in a workbook to correct and import again.",
        f"The dropdowns and checks are set on the first {TEMPLATE_ROWS:,} rows of each sheet.",
    )


def _instructions(worksheet) -> None:
    worksheet.title = INSTRUCTIONS
    for letter, width in (("A", 45), ("B", 20), ("C", 80)):
        worksheet.column_dimensions[letter].width = width
    worksheet.append(["How to fill in this audit workbook"])
    worksheet["A1"].font = HEADING
    worksheet.append([])
    for sentence in general_guidance():
        _sentence_row(worksheet, sentence)
    for sheet in SHEETS:
        worksheet.append([])
        _sheet_columns_table(worksheet, sheet)


def _sentence_row(worksheet, sentence: str) -> None:
    """One sentence across the three columns, wrapped: the page reads like a short letter."""
    worksheet.append([sentence])
    row = worksheet.max_row
    worksheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
    worksheet.cell(row=row, column=1).alignment = WRAP
    worksheet.row_dimensions[row].height = 2 * LINE_HEIGHT


def _sheet_columns_table(worksheet, sheet: Sheet) -> None:
    worksheet.append([f"{sheet.name}: {sheet.purpose}"])
    worksheet.cell(row=worksheet.max_row, column=1).font = BOLD
    key_words = _in_words([sheet.field(key).header for key in sheet.natural_key])
    worksheet.append([f"Rows with the same {key_words} are the same record."])
    worksheet.append(["Column", "Required or optional", "What to enter"])
    for cell in worksheet[worksheet.max_row]:
        cell.font = BOLD
    for f in sheet.fields:
        worksheet.append([f.header, "Required" if f.required else "Optional", f.type.describe()])
        for cell in worksheet[worksheet.max_row]:
            cell.alignment = WRAP


def _lower_first(sentence: str) -> str:
    return sentence[:1].lower() + sentence[1:]


def _in_words(items: list[str]) -> str:
    """'A, B and C': how a list is said in a sentence."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


# -- the record sheets -------------------------------------------------------------------


def _record_sheet(worksheet, sheet: Sheet) -> None:
    worksheet.append([f.header for f in sheet.fields])
    worksheet.freeze_panes = "A2"
    widths = [_width(f) for f in sheet.fields]
    worksheet.row_dimensions[1].height = _header_height(sheet, widths)
    for index, (f, width) in enumerate(zip(sheet.fields, widths), start=1):
        letter = get_column_letter(index)
        worksheet.column_dimensions[letter].width = width
        _style_header(worksheet.cell(row=1, column=index), f)
        _add_validation(worksheet, f, letter)
        _format_cells(worksheet, f, index)


def _style_header(cell, f: Field) -> None:
    """Required columns are marked by colour, so the header text stays what the importer reads."""
    cell.font, cell.alignment = BOLD, WRAP
    cell.fill = REQUIRED_FILL if f.required else OPTIONAL_FILL


def _add_validation(worksheet, f: Field, letter: str) -> None:
    validation = _validation(f)
    if validation is not None:
        validation.add(f"{letter}2:{letter}{TEMPLATE_ROWS + 1}")
        worksheet.add_data_validation(validation)


def _format_cells(worksheet, f: Field, index: int) -> None:
    """Dates show as dd/mm/yyyy and times as hh:mm in the rows people fill in."""
    if f.type.number_format:
        for row in range(2, TEMPLATE_ROWS + 2):
            worksheet.cell(row=row, column=index).number_format = f.type.number_format


def _width(f: Field) -> float:
    """Free text gets room for a sentence; other columns fit their header and longest choice."""
    if f.type.dropdown:
        return column_width(f.header, max(len(option) for option in f.type.dropdown))
    if f.type.storage == "text" and not f.is_ref:
        return column_width(f.header, FREE_TEXT_CHARS)
    return column_width(f.header, len(f.type.number_format or ""))


def _header_height(sheet: Sheet, widths: list[float]) -> float:
    """Tall enough for the longest wrapped header (Excel does not grow the row by itself)."""
    lines = max(math.ceil(len(f.header) / max(width - 2, 1)) for f, width in zip(sheet.fields, widths))
    return LINE_HEIGHT * max(lines, 1) + 5


# -- data validation ---------------------------------------------------------------------


def _validation(f: Field) -> DataValidation | None:
    """The check Excel makes as someone types: a dropdown, a whole number, a date, a time, a length."""
    validation = _check_for(f)
    if validation is None:
        return None
    validation.promptTitle = f.header[:TITLE_LIMIT]
    validation.prompt = f.type.describe()[:PROMPT_LIMIT]
    validation.errorTitle = "Not accepted"
    validation.error = _error_message(f)[:ERROR_LIMIT]
    validation.showInputMessage = validation.showErrorMessage = True
    return validation


def _check_for(f: Field) -> DataValidation | None:
    storage = f.type.storage
    if f.type.dropdown:
        return DataValidation(type="list", formula1=_list_formula(f), allow_blank=True)
    if storage == "int":
        return _number_validation(f)
    if storage == "date":
        return DataValidation(type="date", operator="between", formula1=str(_serial(PLAUSIBLE_YEARS[0], 1, 1)),
                              formula2=str(_serial(PLAUSIBLE_YEARS[-1], 12, 31)), allow_blank=True)
    if storage == "time":
        return DataValidation(type="time", operator="between", formula1="0", formula2=str(86399 / 86400),
                              allow_blank=True)
    if isinstance(f.type, Text):
        return DataValidation(type="textLength", operator="lessThanOrEqual", formula1=str(f.type.max_length),
                              allow_blank=True)
    return None


def _error_message(f: Field) -> str:
    if isinstance(f.type, Text):
        return f"{f.type.describe()} At most {f.type.max_length:,} characters."
    return f.type.describe()


def _list_formula(f: Field) -> str:
    """An inline list, which Excel limits to 255 characters with no commas inside a choice."""
    if any("," in option for option in f.type.dropdown):
        raise ValueError(f"The choices of {f.header!r} contain a comma, which an Excel dropdown cannot hold.")
    formula = '"' + ",".join(f.type.dropdown) + '"'
    if len(formula) > LIST_FORMULA_LIMIT:
        raise ValueError(f"The choices of {f.header!r} are too long for an Excel dropdown list.")
    return formula


def _number_validation(f: Field) -> DataValidation:
    """Whole numbers between the type's bounds; an open bound is Excel's own largest whole number."""
    low = f.type.minimum if f.type.minimum is not None else -WHOLE_NUMBER_LIMIT
    high = f.type.maximum if f.type.maximum is not None else WHOLE_NUMBER_LIMIT
    return DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high),
                          allow_blank=True)


def _serial(year: int, month: int, day: int) -> int:
    """Excel's day number for a date, as a date validation's bounds are written."""
    return (dt.date(year, month, day) - EXCEL_EPOCH).days


# -- reproducible bytes ------------------------------------------------------------------

_CORE_TIMES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")


def _reproducible(data: bytes) -> bytes:
    """The same workbook with fixed timestamps and member order, so equal schemas give equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for name in _member_order(source.namelist()):
            content = source.read(name)
            if name == "docProps/core.xml":
                content = _CORE_TIMES.sub(rb"\g<1>" + stamp + rb"\g<3>", content)
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, content)
    return out.getvalue()


def _member_order(names: list[str]) -> list[str]:
    """[Content_Types].xml first, as Office writes it, then the rest by name."""
    first = "[Content_Types].xml"
    return [first] * (first in names) + sorted(name for name in names if name != first)
