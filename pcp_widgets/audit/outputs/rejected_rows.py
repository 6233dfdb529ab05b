"""The rows an import refused, as a workbook to fix and import again.

Each sheet of the workbook is one audit sheet that had refused rows, under the template's own headers,
with a last "Why rejected" column; the importer skips that column, so the fixed file imports as it is.
"""

from __future__ import annotations

from pathlib import Path

from pcp_widgets.audit.ingest.import_report import ImportReport, why_rejected
from pcp_widgets.audit.ingest.layout import WHY_REJECTED
from pcp_widgets.audit.outputs.sheets_out import SheetData, write_xlsx
from pcp_widgets.audit.schema.sheets import sheet_for


def write_rejected_rows(report: ImportReport, path) -> Path:
    """The rejected rows of ``report`` under the template's headers, plus a "Why rejected" column."""
    sheets = []
    for kind, rejected in report.rejected_by_kind().items():
        sheet = sheet_for(kind)
        rows = [[row.raw.get(field.key) for field in sheet.fields] + [why_rejected(row)] for row in rejected]
        sheets.append(SheetData(name=sheet.name, headers=[field.header for field in sheet.fields] + [WHY_REJECTED],
                                rows=rows))
    return write_xlsx(Path(path), sheets)
