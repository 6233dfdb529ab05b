"""The reader on real workbooks: every format, cells exactly as a person sees them in Excel.

Refusals of hostile and broken files are in test_hostile_files.py.
"""

import datetime as dt
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
import xlwt

from pcp_widgets.audit.ingest.limits import MB, Limits
from pcp_widgets.audit.ingest.reader import check_workbook, read_workbook
from pcp_widgets.audit.schema.sheets import SHEETS
from pcp_widgets.audit.outputs.templates import write_templates
from pcp_widgets.errors import UsageError
from tests.support.workbook_files import write_workbook


def test_row_numbers_and_column_letters_are_the_ones_a_person_sees(tmp_path):
    """Leading blank rows and columns are kept: rows[i][j] is row i + 1, column j (A = 0)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Plan changes"
    sheet["B2"] = "Plan changes at Oak House"  # a title row above the header
    sheet["C4"], sheet["D4"], sheet["E4"] = "Date", "Service", "Person ref"
    sheet["C5"], sheet["D5"], sheet["E5"] = dt.date(2025, 3, 7), "Oak House", "P-0042"
    sheet["F7"] = True
    workbook.save(tmp_path / "t.xlsx")

    [raw] = read_workbook(tmp_path / "t.xlsx")
    assert raw.name == "Plan changes" and not raw.hidden
    assert len(raw.rows) == 7 and all(len(row) == 6 for row in raw.rows)  # A1 to F7
    assert raw.rows[0] == [""] * 6
    assert raw.rows[1][1] == "Plan changes at Oak House"  # B2
    assert raw.rows[3][2:5] == ["Date", "Service", "Person ref"]  # C4:E4
    assert raw.rows[4][2:5] == [dt.date(2025, 3, 7), "Oak House", "P-0042"]
    assert raw.rows[6][5] is True  # F7


def test_values_keep_their_types(tmp_path):
    """Dates, times and durations arrive as Python objects; numbers stay numbers, even a
    number that could be a date serial, and text that looks like a date stays text."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append([
        dt.date(2025, 3, 7), dt.datetime(2025, 3, 7, 14, 5), dt.time(8, 30), dt.timedelta(hours=30),
        3, 2.5, 45000, "07/03/2025", "=1+1 as typed", False,
    ])
    for cell in sheet[1]:
        if isinstance(cell.value, str):
            cell.data_type = "s"
    workbook.save(tmp_path / "t.xlsx")

    [raw] = read_workbook(tmp_path / "t.xlsx")
    date, stamp, time, duration, whole, fraction, serial, text, formula_like, flag = raw.rows[0]
    assert date == dt.date(2025, 3, 7) and type(date) is dt.date
    assert stamp == dt.datetime(2025, 3, 7, 14, 5)
    assert time == dt.time(8, 30)
    assert duration == dt.timedelta(hours=30)
    assert whole == 3 and isinstance(whole, (int, float)) and not isinstance(whole, bool)
    assert fraction == 2.5
    assert serial == 45000 and not isinstance(serial, (dt.date, dt.datetime))
    assert text == "07/03/2025"
    assert formula_like == "=1+1 as typed"
    assert flag is False


def test_formula_cells_give_the_value_excel_saved(tmp_path):
    """Nothing is calculated: a formula cell is what Excel last saved for it, and a link to
    another workbook is not followed."""
    path = tmp_path / "formulas.xlsx"
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("Outcomes")
    sheet.write_number(0, 0, 3)
    sheet.write_formula(0, 1, "=A1*2", None, 6)
    sheet.write_formula(0, 2, '="In "&"progress"', None, "In progress")
    sheet.write_formula(0, 3, "='C:\\private\\[other.xlsx]Sheet1'!A1", None, 41)
    sheet.write_formula(0, 4, "=A1*1000", None, 7)  # a stale cached value is still what is read
    workbook.close()

    [raw] = read_workbook(path)
    assert raw.rows[0] == [3, 6, "In progress", 41, 7]


def test_a_formula_saved_without_a_value_reads_as_blank(tmp_path):
    """openpyxl writes formulas without the value Excel would cache; nothing is computed for them."""
    workbook = openpyxl.Workbook()
    workbook.active["A1"], workbook.active["B1"], workbook.active["C1"] = 2, "=A1*2", "x"
    workbook.save(tmp_path / "t.xlsx")
    assert read_workbook(tmp_path / "t.xlsx")[0].rows == [[2, "", "x"]]


def test_hidden_sheets_are_read_and_marked_chart_sheets_skipped(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Reviews"
    workbook.active["A1"] = "Review date"
    workbook.create_chartsheet("Chart")
    for name, state in (("Old", "hidden"), ("Older", "veryHidden")):
        sheet = workbook.create_sheet(name)
        sheet["A1"] = name
        sheet.sheet_state = state
    workbook.save(tmp_path / "t.xlsx")

    sheets = read_workbook(tmp_path / "t.xlsx")
    assert [(s.name, s.hidden) for s in sheets] == [("Reviews", False), ("Old", True), ("Older", True)]
    assert sheets[2].rows == [["Older"]]


def test_empty_sheets_and_blank_cells(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"Empty": [], "Reviews": [["a", None, "c"]]})
    empty, reviews = read_workbook(path)
    assert empty.rows == [] and reviews.rows == [["a", "", "c"]]


def test_xlsm_is_read(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"Reviews": [["Review date"], ["07/03/2025"]]})
    (tmp_path / "t.xlsm").write_bytes(path.read_bytes())
    assert read_workbook(tmp_path / "t.xlsm")[0].rows[1] == ["07/03/2025"]


def test_upper_case_extension(tmp_path):
    path = write_workbook(tmp_path / "t.xlsx", {"Reviews": [["Review date"]]})
    (tmp_path / "AUDIT.XLSX").write_bytes(path.read_bytes())
    assert read_workbook(tmp_path / "AUDIT.XLSX")[0].rows == [["Review date"]]


def test_ods_is_read(tmp_path):
    frame = pd.DataFrame({
        "Review date": [dt.date(2025, 3, 7)], "When": [dt.datetime(2025, 3, 7, 9, 15)], "Service": ["Oak House"],
        "Steps": [3], "Confidence": [6.5], "Done": [True],
    })
    frame.to_excel(tmp_path / "t.ods", sheet_name="Outcomes", index=False, engine="odf")
    [raw] = read_workbook(tmp_path / "t.ods")
    assert raw.name == "Outcomes"
    assert raw.rows[0] == ["Review date", "When", "Service", "Steps", "Confidence", "Done"]
    assert raw.rows[1] == [dt.date(2025, 3, 7), dt.datetime(2025, 3, 7, 9, 15), "Oak House", 3, 6.5, True]


def test_xls_is_read(tmp_path):
    book = xlwt.Workbook()
    sheet = book.add_sheet("Reviews")
    sheet.write(1, 1, "Review date")
    sheet.write(2, 1, dt.date(2025, 3, 7), xlwt.easyxf(num_format_str="dd/mm/yyyy"))
    sheet.write(2, 2, dt.time(8, 30), xlwt.easyxf(num_format_str="hh:mm"))
    sheet.write(2, 3, 3)
    sheet.write(2, 4, 2.5)
    sheet.write(2, 5, "P-0042")
    hidden = book.add_sheet("Old")
    hidden.write(0, 0, "x")
    hidden.visibility = 1
    book.save(str(tmp_path / "t.xls"))

    reviews, old = read_workbook(tmp_path / "t.xls")
    assert reviews.rows[0] == [""] * 6 and reviews.rows[1][1] == "Review date"
    assert reviews.rows[2][1:] == [dt.date(2025, 3, 7), dt.time(8, 30), 3, 2.5, "P-0042"]
    assert old.hidden and old.rows == [["x"]]


def test_sheets_the_quick_checks_cannot_vouch_for_are_still_read(tmp_path):
    """Text like "COVID19", a formula naming column AB, 30 columns and rows without
    addresses send a sheet to the slower tag-by-tag check, which then lets it through."""
    header = [f"Column {n}" for n in range(30)]
    row = ["COVID19 booster"] + list(range(29))
    path = write_workbook(tmp_path / "t.xlsx", {"Wide": [header, row], "Notes": [["=SUM(AB1:AB9) as text"]]})
    wide, notes = read_workbook(path)
    assert len(wide.rows[0]) == 30 and wide.rows[1][:2] == ["COVID19 booster", 0]
    assert notes.rows == [["=SUM(AB1:AB9) as text"]]


def test_a_workbook_near_the_limits_is_read(tmp_path):
    """Just inside each limit: read, not refused."""
    path = write_workbook(tmp_path / "t.xlsx", {"Reviews": [["x"] * 25] * 20})
    limits = Limits(max_rows=20, max_columns=25, max_cells=500, max_file_bytes=path.stat().st_size)
    [raw] = read_workbook(path, limits)
    assert len(raw.rows) == 20 and len(raw.rows[0]) == 25
    check_workbook(path, limits)


def test_the_template_is_read(tmp_path):
    """The blank audit workbook itself, as committed and as made now: styled but empty rows, data
    validations down the columns, and every audit sheet there, blank, under its own name."""
    committed = Path(__file__).parents[2] / "templates" / "pcp-audit-workbook.xlsx"
    for template in (committed, write_templates(tmp_path)):
        sheets = {sheet.name: sheet for sheet in read_workbook(template)}
        for declared in SHEETS:
            assert declared.name in sheets, (template, declared.name)
            assert [cell for row in sheets[declared.name].rows[1:] for cell in row if cell not in (None, "")] == []


# -- limits ----------------------------------------------------------------------------


def test_limits_from_options_and_environment(monkeypatch):
    monkeypatch.delenv("PCP_MAX_FILE_MB", raising=False)
    monkeypatch.delenv("PCP_MAX_ROWS", raising=False)
    assert Limits.from_options() == Limits()
    assert Limits.from_options(max_file_mb=2).max_file_bytes == 2 * MB
    assert Limits.from_options(max_file_mb=0.5).max_file_bytes == MB // 2
    monkeypatch.setenv("PCP_MAX_ROWS", "50")
    monkeypatch.setenv("PCP_MAX_FILE_MB", " 3 ")
    assert Limits.from_options().max_rows == 50
    assert Limits.from_options().max_file_bytes == 3 * MB
    assert Limits.from_options(max_rows=7, max_file_mb=1).max_rows == 7  # options win


@pytest.mark.parametrize("name, value, message", [
    ("PCP_MAX_ROWS", "lots", "The environment variable PCP_MAX_ROWS must be a number, not 'lots'."),
    ("PCP_MAX_ROWS", "2.5", "The environment variable PCP_MAX_ROWS must be a number, not '2.5'."),
    ("PCP_MAX_FILE_MB", "ten", "The environment variable PCP_MAX_FILE_MB must be a number, not 'ten'."),
    ("PCP_MAX_FILE_MB", "nan", "The largest file size must be a number of megabytes more than 0."),
    ("PCP_MAX_FILE_MB", "inf", "The largest file size must be a number of megabytes more than 0."),
    ("PCP_MAX_FILE_MB", "-1", "The largest file size must be a number of megabytes more than 0."),
    ("PCP_MAX_ROWS", "0", "The largest number of rows must be more than 0."),
])
def test_bad_limits_are_one_plain_sentence(monkeypatch, name, value, message):
    monkeypatch.setenv(name, value)
    with pytest.raises(UsageError) as error:
        Limits.from_options()
    assert str(error.value) == message and error.value.exit_code == 2


def test_limits_are_frozen():
    with pytest.raises(AttributeError):
        Limits().max_rows = 5
