"""The one place spreadsheets are written: formula-like text stays text, dates stay dates."""

import csv
import datetime as dt
import decimal
import math
import zipfile

import numpy as np
import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from pcp_widgets.audit.outputs.sheets_out import (
    DATE_FORMAT,
    DATETIME_FORMAT,
    MAX_WIDTH,
    MIN_WIDTH,
    TIME_FORMAT,
    SheetData,
    column_width,
    csv_safe,
    is_formula_like,
    safe_sheet_names,
    write_csv,
    write_xlsx,
    xlsx_bytes,
)

HOSTILE = ['=HYPERLINK("http://example.invalid","click")', "+44 7700 900123", "-1+2", "@SUM(A1)",
           "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("text", HOSTILE + ["=", "@"])
def test_formula_like_text(text):
    assert is_formula_like(text)
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("text", ["", "P-0042", "a=b", " =1+1", "Yes", "'=already quoted", "\n=1"])
def test_ordinary_text_is_left_alone(text):
    assert not is_formula_like(text)
    assert csv_safe(text) == text


@pytest.mark.parametrize("value", [None, -5, -2.5, 0, True, dt.date(2025, 3, 7), dt.time(8, 30),
                                   decimal.Decimal("-1")])
def test_values_that_are_not_text_are_never_prefixed(value):
    assert not is_formula_like(value)
    assert csv_safe(value) is value


# -- xlsx ----------------------------------------------------------------------------------

ROWS = [
    [dt.date(2025, 3, 7), dt.datetime(2025, 3, 7, 14, 30), dt.time(8, 30), "Oak House", 7, 2.5, HOSTILE[0]],
    [dt.date(2025, 3, 8), None, dt.time(23, 59), "Elm Court ✓", -3, None, "@SUM(A1)"],
]
HEADERS = ["date", "when", "time", "service", "count", "score", "notes"]


@pytest.fixture(params=["to a file", "in memory"])
def written(tmp_path, request):
    """The same sheets written by write_xlsx (exports) and by xlsx_bytes (a page's table downloads)."""
    extra = [[None] * 6 + [text] for text in HOSTILE[1:]]
    sheets = [SheetData("Records", HEADERS, iter(ROWS + extra)),
              SheetData("Formats", ["day", "n"], [[dt.date(2025, 3, 7), 5]], column_formats={0: "yyyy-mm-dd",
                                                                                            1: "0.00"},
                        widths={1: 33})]
    if request.param == "to a file":
        return write_xlsx(tmp_path / "out.xlsx", sheets)
    path = tmp_path / "out.xlsx"
    path.write_bytes(xlsx_bytes(sheets))
    return path


def test_round_trip_keeps_text_as_text_and_dates_as_dates(written):
    sheet = openpyxl.load_workbook(written)["Records"]
    assert [c.value for c in sheet[1]] == HEADERS
    first, second = sheet[2], sheet[3]
    assert first[0].value == dt.datetime(2025, 3, 7) and first[0].number_format == DATE_FORMAT
    assert first[1].value == dt.datetime(2025, 3, 7, 14, 30) and first[1].number_format == DATETIME_FORMAT
    assert first[2].value == dt.time(8, 30) and first[2].number_format == TIME_FORMAT
    assert (first[4].value, first[5].value, second[4].value) == (7, 2.5, -3)
    assert second[1].value is None and second[5].value is None
    assert second[3].value == "Elm Court ✓"
    notes = [row[6] for row in sheet.iter_rows(min_row=2)]
    assert [c.value for c in notes[:3]] == [HOSTILE[0], "@SUM(A1)", HOSTILE[1]]
    assert len(notes) == len(HOSTILE) + 1 and all(c.data_type == "s" for c in notes)


def test_no_formula_reaches_the_file(written):
    with zipfile.ZipFile(written) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in archive.read(name) or b"<f " in archive.read(name) for name in sheets)


def test_a_real_reader_sees_text_dates_and_numbers(written):
    rows = CalamineWorkbook.from_path(str(written)).get_sheet_by_name("Records").to_python()
    assert rows[0] == HEADERS
    assert rows[1][0] == dt.date(2025, 3, 7)
    assert rows[1][4] == 7
    # calamine (the importer's reader) also undoes the file's escape of a carriage return, which openpyxl keeps
    assert [row[6] for row in rows[1:]] == HOSTILE[:1] + ["@SUM(A1)"] + HOSTILE[1:]


def test_header_is_bold_wrapped_frozen_and_filtered(written):
    sheet = openpyxl.load_workbook(written)["Records"]
    assert all(c.font.bold and c.alignment.wrap_text for c in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:G{len(ROWS) + len(HOSTILE)}"


def test_widths_fit_the_text_and_can_be_set(written):
    workbook = openpyxl.load_workbook(written)
    records = workbook["Records"]
    assert records.column_dimensions["G"].width == pytest.approx(column_width("notes", len(HOSTILE[0])), abs=1)
    assert records.column_dimensions["A"].width >= MIN_WIDTH
    assert records.column_dimensions["B"].width >= len(DATETIME_FORMAT)
    assert workbook["Formats"].column_dimensions["B"].width == pytest.approx(33, abs=1)


def test_column_formats_override_the_defaults(written):
    sheet = openpyxl.load_workbook(written)["Formats"]
    assert sheet["A2"].value == dt.datetime(2025, 3, 7) and sheet["A2"].number_format == "yyyy-mm-dd"
    assert sheet["B2"].number_format == "0.00"


def test_values_from_a_dataframe_are_written_as_what_they_are(tmp_path):
    frame = pd.DataFrame({"n": pd.array([1, None], dtype="Int64"), "x": [1.5, math.nan],
                          "when": [pd.Timestamp("2025-03-07 09:15"), pd.NaT], "flag": [True, False]})
    rows = list(frame.itertuples(index=False, name=None)) + [(np.int64(4), np.float64(0.25), None, None)]
    sheet = openpyxl.load_workbook(write_xlsx(tmp_path / "f.xlsx", [SheetData("f", list(frame.columns), rows)]))["f"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values == [[1, 1.5, dt.datetime(2025, 3, 7, 9, 15), True],
                      [None, None, None, False],
                      [4, 0.25, None, None]]


def test_sheet_names_excel_would_refuse_are_made_safe(tmp_path):
    names = ["Plan changes", "a/b:c", "x" * 40, "X" * 40, "plan CHANGES"]
    safe = safe_sheet_names(names)
    assert safe[:2] == ["Plan changes", "a-b-c"]
    assert all(len(name) <= 31 for name in safe)
    assert len({name.lower() for name in safe}) == len(names)
    path = write_xlsx(tmp_path / "n.xlsx", [SheetData(name, ["h"], [["v"]]) for name in names])
    assert openpyxl.load_workbook(path).sheetnames == safe


def test_a_failed_write_leaves_no_file(tmp_path):
    def rows():
        yield ["fine"]
        raise RuntimeError("the database went away")

    with pytest.raises(RuntimeError):
        write_xlsx(tmp_path / "half.xlsx", [SheetData("s", ["h"], rows())])
    assert not (tmp_path / "half.xlsx").exists()


def test_an_empty_sheet_still_has_its_header(tmp_path):
    sheet = openpyxl.load_workbook(write_xlsx(tmp_path / "e.xlsx", [SheetData("e", ["a", "b"], [])]))["e"]
    assert [c.value for c in sheet[1]] == ["a", "b"] and sheet.max_row == 1


@pytest.mark.parametrize("header, longest, expected", [
    ("n", 0, MIN_WIDTH),
    ("Service", 20, 22),
    ("x" * 80, 0, 30),
    ("n", 500, MAX_WIDTH),
])
def test_column_width(header, longest, expected):
    assert column_width(header, longest) == expected


# -- csv -----------------------------------------------------------------------------------


def test_csv_is_excel_friendly_iso_and_safe(tmp_path):
    rows = ROWS + [[dt.date(2025, 3, 9), pd.NaT, dt.time(7, 5, 9), "Ash", math.nan, pd.NA, "-  offer tea"]]
    path = write_csv(tmp_path / "out.csv", HEADERS, rows)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header, first, second, third = list(csv.reader(handle))
    assert header == HEADERS
    assert first == ["2025-03-07", "2025-03-07T14:30:00", "08:30:00", "Oak House", "7", "2.5", "'" + HOSTILE[0]]
    assert second == ["2025-03-08", "", "23:59:00", "Elm Court ✓", "-3", "", "'@SUM(A1)"]
    assert third == ["2025-03-09", "", "07:05:09", "Ash", "", "", "'-  offer tea"]
