"""The blank audit workbook: generated from the schema, committed, and read back by real readers."""

import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.audit.schema.sheets import SHEETS
from pcp_widgets.audit.outputs.templates import FILE_NAME, INSTRUCTIONS, TEMPLATE_ROWS, write_templates
from pcp_widgets.cli import main

COMMITTED = Path(__file__).resolve().parents[2] / "templates" / FILE_NAME
REGENERATE = "run `pcp templates --out templates` and commit the result"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return write_templates(tmp_path_factory.mktemp("templates"))


@pytest.fixture(scope="module")
def workbook(generated):
    return openpyxl.load_workbook(generated)


def _validations_by_column(worksheet) -> dict:
    """Each column's data validation, keyed by column letter (every one covers rows 2 to TEMPLATE_ROWS + 1)."""
    found = {}
    for validation in worksheet.data_validations.dataValidation:
        for cells in validation.sqref.ranges:
            assert (cells.min_row, cells.max_row) == (2, TEMPLATE_ROWS + 1)
            found[get_column_letter(cells.min_col)] = validation
    return found


def _columns(sheet):
    return [(get_column_letter(index), f) for index, f in enumerate(sheet.fields, start=1)]


def test_committed_template_matches_the_generator(generated):
    assert COMMITTED.exists(), f"templates/{FILE_NAME} is missing: {REGENERATE}"
    with zipfile.ZipFile(COMMITTED) as committed, zipfile.ZipFile(generated) as fresh:
        assert committed.namelist() == fresh.namelist(), f"templates/{FILE_NAME} is out of date: {REGENERATE}"
        for name in fresh.namelist():
            assert committed.read(name) == fresh.read(name), (
                f"templates/{FILE_NAME} is out of date ({name} differs): {REGENERATE}")


def test_the_generator_is_reproducible_to_the_byte(generated, tmp_path):
    assert write_templates(tmp_path).read_bytes() == generated.read_bytes()
    with zipfile.ZipFile(generated) as archive:
        assert archive.namelist()[0] == "[Content_Types].xml"
        assert {info.date_time for info in archive.infolist()} == {(2025, 1, 1, 0, 0, 0)}
        assert b"2025-01-01T00:00:00Z" in archive.read("docProps/core.xml")


def test_sheets_headers_and_frozen_header_row(workbook):
    assert workbook.sheetnames == [INSTRUCTIONS] + [s.name for s in SHEETS]
    assert [s.name for s in SHEETS] == ["File audit", "Observations", "Incidents and refusals", "Plan changes",
                                        "Outcomes", "Reviews"]
    for sheet in SHEETS:
        worksheet = workbook[sheet.name]
        assert [c.value for c in worksheet[1]] == [f.header for f in sheet.fields]
        assert worksheet.max_column == len(sheet.fields)
        assert worksheet.freeze_panes == "A2"


def test_required_columns_are_marked_by_style_alone(workbook):
    for sheet in SHEETS:
        worksheet = workbook[sheet.name]
        fills = {f.required: set() for f in sheet.fields}
        for letter, f in _columns(sheet):
            header = worksheet[f"{letter}1"]
            assert header.font.bold and header.alignment.wrap_text
            fills[f.required].add(header.fill.fgColor.rgb)
            assert worksheet.column_dimensions[letter].width >= 10
        assert all(len(colours) == 1 for colours in fills.values())
        if len(fills) == 2:
            assert fills[True] != fills[False], sheet.name


def test_every_answer_and_category_column_has_its_dropdown(workbook):
    dropdowns = 0
    for sheet in SHEETS:
        by_column = _validations_by_column(workbook[sheet.name])
        for letter, f in _columns(sheet):
            if f.type.dropdown is not None:
                dropdowns += 1
                assert by_column[letter].type == "list", f"{sheet.name}: {f.header}"
                assert by_column[letter].formula1.strip('"').split(",") == list(f.type.dropdown)
    assert dropdowns >= sum(len(s.answer_fields) for s in SHEETS) > 0


def test_numbers_dates_and_times_are_checked_and_formatted(workbook):
    for sheet in SHEETS:
        worksheet = workbook[sheet.name]
        by_column = _validations_by_column(worksheet)
        for letter, f in _columns(sheet):
            storage = f.type.storage
            if storage == "int":
                assert by_column[letter].type == "whole"
                if f.type.minimum is not None:
                    assert by_column[letter].formula1 == str(f.type.minimum)
                if f.type.maximum is not None:
                    assert by_column[letter].formula2 == str(f.type.maximum)
            if storage in ("date", "time"):
                assert by_column[letter].type == storage, f"{sheet.name}: {f.header}"
                expected = "dd/mm/yyyy" if storage == "date" else "hh:mm"
                for row in (2, TEMPLATE_ROWS + 1):
                    assert worksheet[f"{letter}{row}"].number_format == expected


def test_every_column_prompts_with_what_to_enter(workbook):
    for sheet in SHEETS:
        by_column = _validations_by_column(workbook[sheet.name])
        for letter, f in _columns(sheet):
            validation = by_column[letter]
            assert validation.showInputMessage and validation.prompt == f.type.describe()
            assert validation.showErrorMessage and f.type.describe() in validation.error


def test_how_to_fill_in_covers_every_sheet_and_column(workbook):
    instructions = workbook[INSTRUCTIONS]
    rows = [[c.value for c in row] for row in instructions.iter_rows()]
    text = [value for row in rows for value in row if value]
    firsts = [row[0] for row in rows]
    for sheet in SHEETS:
        title = firsts.index(f"{sheet.name}: {sheet.purpose}")
        key_sentence = firsts[title + 1]
        assert key_sentence.startswith("Rows with the same") and key_sentence.endswith("are the same record.")
        for f in sheet.fields:
            assert (f.header in key_sentence) == (f.key in sheet.natural_key), f"{sheet.name}: {f.header}"
        for f in sheet.fields:
            assert [f.header, "Required" if f.required else "Optional", f.type.describe()] in rows
    whole = " ".join(text)
    for phrase in ("one row per record", "Keep the headers as they are", "dd/mm/yyyy", "Yes, Partly, No or N/A",
                   "P-0042", "never names", "identical rows are skipped", "replaces it", "old values are kept"):
        assert phrase in whole, phrase


def test_a_real_reader_sees_the_headers_and_an_empty_template_imports_nothing(generated, store):
    workbook = CalamineWorkbook.from_path(str(generated))
    assert workbook.sheet_names == [INSTRUCTIONS] + [s.name for s in SHEETS]
    for sheet in SHEETS:
        assert workbook.get_sheet_by_name(sheet.name).to_python()[0] == [f.header for f in sheet.fields]
    report = import_files([generated], store)
    assert report.exit_code == 0 and report.warnings == [] and report.errors == []
    assert all(c.rows == 0 for c in report.files[0].sheets.values())


def test_cli_writes_the_template(tmp_path, capsys):
    assert main(["templates", "--out", str(tmp_path / "new")]) == 0
    assert (tmp_path / "new" / FILE_NAME).exists()
    assert FILE_NAME in capsys.readouterr().out


def test_cli_as_a_separate_process(tmp_path, generated):
    done = subprocess.run([sys.executable, "-m", "pcp_widgets.cli", "templates", "--out", str(tmp_path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / FILE_NAME).read_bytes() == generated.read_bytes()
