"""``pcp templates``: the blank audit workbook, generated from the schema and never edited by hand.

A "How to fill in" sheet first, then the six sheets with their headers, a dropdown on
every answer and category column, whole-number, date and time checks, and a frozen
header row. openpyxl writes it, because it supports data validation and prompts.
The bytes are reproducible (fixed timestamps), so the copy committed in ``templates/``
changes only when the schema does, and a test holds the two together.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from pcp_widgets.audit.schema import SHEETS, Field, Sheet
from pcp_widgets.audit.values import EXCEL_EPOCH

FILE_NAME = "pcp-audit-workbook.xlsx"
INSTRUCTIONS = "How to fill in"
#: Rows that carry the dropdowns and formats: far more than a month's audit of one service.
TEMPLATE_ROWS = 2000
FIXED_TIME = dt.datetime(2025, 1, 1)
FIXED_ZIP_TIME = (2025, 1, 1, 0, 0, 0)
EARLIEST_DATE = (dt.date(1950, 1, 1) - EXCEL_EPOCH).days

REQUIRED_FILL = PatternFill("solid", fgColor="BDD7EE")
OPTIONAL_FILL = PatternFill("solid", fgColor="E7E6E6")
BOLD = Font(bold=True)
HEADING = Font(bold=True, size=14)
WRAP = Alignment(wrap_text=True, vertical="top")

GENERAL_GUIDANCE = (
    "Each sheet holds one kind of record, one row per record. Fill in the sheets you need and leave the others empty.",
    "Keep the headers as they are: pcp finds the columns by them. Title rows above the headers are fine.",
    "Columns with a dark blue header must be filled in; grey ones are optional.",
    "Dates are day first: dd/mm/yyyy (07/03/2025 is 7 March 2025). Real Excel dates work too.",
    "Answers are Yes, Partly, No or N/A; pcp also reads Y, N, P, ✓, ✗, True and False.",
    "Person and staff refs are pseudonymous codes such as P-0042 or S-0107, never names.",
    "Importing the same file again adds nothing. A row whose key columns (listed below for each sheet) match a "
    "stored row but whose details differ replaces it, and the old values are kept in the history.",
    "Rows pcp cannot accept are listed with the reason; 'pcp import --errors fix.xlsx' (or the download on the "
    "import page) gives them back in a workbook to correct and import again.",
)


def write_templates(out_dir: Path) -> Path:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE_NAME
    workbook = build_workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    path.write_bytes(_reproducible(buffer.getvalue()))
    return path


def build_workbook() -> Workbook:
    workbook = Workbook()
    _instructions(workbook.active)
    for sheet in SHEETS:
        _record_sheet(workbook.create_sheet(sheet.name), sheet)
    workbook.properties.creator = "pcp-workbook"
    workbook.properties.title = "Person-centred planning audit workbook"
    workbook.properties.created = workbook.properties.modified = FIXED_TIME
    return workbook


# -- the "How to fill in" sheet ---------------------------------------------------------


def _instructions(worksheet) -> None:
    worksheet.title = INSTRUCTIONS
    worksheet.column_dimensions["A"].width = 45
    worksheet.column_dimensions["B"].width = 14
    worksheet.column_dimensions["C"].width = 80
    worksheet.append(["How to fill in this audit workbook"])
    worksheet["A1"].font = HEADING
    worksheet.append([])
    for sentence in GENERAL_GUIDANCE:
        worksheet.append([sentence])
        worksheet.merge_cells(start_row=worksheet.max_row, start_column=1, end_row=worksheet.max_row, end_column=3)
        worksheet.cell(row=worksheet.max_row, column=1).alignment = WRAP
        worksheet.row_dimensions[worksheet.max_row].height = 30
    for sheet in SHEETS:
        worksheet.append([])
        worksheet.append([f"{sheet.name}: {sheet.purpose}"])
        worksheet.cell(row=worksheet.max_row, column=1).font = BOLD
        key_words = ", ".join(sheet.field(k).header for k in sheet.natural_key)
        worksheet.append([f"Rows with the same {key_words} are the same record."])
        worksheet.append(["Column", "Must be filled in", "What to enter"])
        for cell in worksheet[worksheet.max_row]:
            cell.font = BOLD
        for f in sheet.fields:
            worksheet.append([f.header, "yes" if f.required else "no", f.type.describe()])
            for cell in worksheet[worksheet.max_row]:
                cell.alignment = WRAP


# -- the record sheets -------------------------------------------------------------------


def _record_sheet(worksheet, sheet: Sheet) -> None:
    worksheet.append([f.header for f in sheet.fields])
    worksheet.freeze_panes = "A2"
    worksheet.row_dimensions[1].height = 45
    for index, f in enumerate(sheet.fields, start=1):
        letter = get_column_letter(index)
        header = worksheet.cell(row=1, column=index)
        header.font, header.alignment = BOLD, WRAP
        header.fill = REQUIRED_FILL if f.required else OPTIONAL_FILL
        worksheet.column_dimensions[letter].width = _width(f)
        cells = f"{letter}2:{letter}{TEMPLATE_ROWS + 1}"
        validation = _validation(f)
        if validation is not None:
            validation.add(cells)
            worksheet.add_data_validation(validation)
        if f.type.number_format:
            for row in range(2, TEMPLATE_ROWS + 2):
                worksheet.cell(row=row, column=index).number_format = f.type.number_format


def _width(f: Field) -> float:
    if f.type.storage == "text" and not f.type.dropdown and not f.is_ref:
        return 40
    return max(12, min(len(f.header) * 0.6 + 4, 30))


def _validation(f: Field) -> DataValidation | None:
    """The check Excel makes as someone types: a dropdown, a whole number, a date or a time."""
    kind = f.type.storage
    if f.type.dropdown:
        validation = DataValidation(type="list", formula1='"' + ",".join(f.type.dropdown) + '"', allow_blank=True)
    elif kind == "int":
        validation = _number_validation(f)
    elif kind == "date":
        validation = DataValidation(type="date", operator="greaterThanOrEqual", formula1=str(EARLIEST_DATE),
                                    allow_blank=True)
    elif kind == "time":
        validation = DataValidation(type="time", operator="between", formula1="0", formula2="0.999988426",
                                    allow_blank=True)
    else:
        return None
    validation.promptTitle = f.header[:32]
    validation.prompt = f.type.describe()[:255]
    validation.errorTitle = "Not accepted"
    validation.error = f.type.describe()[:225]
    validation.showInputMessage = validation.showErrorMessage = True
    return validation


def _number_validation(f: Field) -> DataValidation:
    low, high = f.type.minimum, f.type.maximum
    if high is not None:
        return DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high),
                              allow_blank=True)
    return DataValidation(type="whole", operator="greaterThanOrEqual", formula1=str(low or 0), allow_blank=True)


# -- reproducible bytes ------------------------------------------------------------------


def _reproducible(data: bytes) -> bytes:
    """The same workbook with fixed timestamps inside and out, so equal schemas give equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target:
        for member in source.infolist():
            content = source.read(member.filename)
            if member.filename == "docProps/core.xml":
                content = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", b"2025-01-01T00:00:00Z", content)
            info = zipfile.ZipInfo(member.filename, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o600 << 16
            target.writestr(info, content)
    return out.getvalue()
