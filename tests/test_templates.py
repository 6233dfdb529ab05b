"""The blank audit workbook: generated from the schema, committed, and read back by real readers."""

import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from pcp_widgets.audit.importer import import_files
from pcp_widgets.audit.schema import SHEETS
from pcp_widgets.audit.templates import FILE_NAME, INSTRUCTIONS, write_templates
from pcp_widgets.cli import main

COMMITTED = Path(__file__).resolve().parent.parent / "templates" / FILE_NAME


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    return write_templates(tmp_path_factory.mktemp("templates"))


def test_committed_template_matches_the_generator(generated):
    assert COMMITTED.exists(), "templates/ has no audit workbook: run `pcp templates --out templates`"
    with zipfile.ZipFile(COMMITTED) as committed, zipfile.ZipFile(generated) as fresh:
        assert committed.namelist() == fresh.namelist()
        for name in fresh.namelist():
            assert committed.read(name) == fresh.read(name), (
                f"templates/{FILE_NAME} is out of date ({name} differs): run `pcp templates --out templates`")


def test_the_generator_is_reproducible(generated, tmp_path):
    assert write_templates(tmp_path).read_bytes() == generated.read_bytes()


def test_sheets_headers_and_frozen_header_row(generated):
    workbook = openpyxl.load_workbook(generated)
    assert workbook.sheetnames == [INSTRUCTIONS] + [s.name for s in SHEETS]
    assert [s.name for s in SHEETS] == ["File audit", "Observations", "Incidents and refusals", "Plan changes",
                                        "Outcomes", "Reviews"]
    for sheet in SHEETS:
        worksheet = workbook[sheet.name]
        assert [c.value for c in worksheet[1]] == [f.header for f in sheet.fields]
        assert worksheet.freeze_panes == "A2"


def test_every_answer_and_category_column_has_its_dropdown(generated):
    workbook = openpyxl.load_workbook(generated)
    for sheet in SHEETS:
        validations = workbook[sheet.name].data_validations.dataValidation
        by_column = {str(v.sqref).split(":")[0].rstrip("0123456789"): v for v in validations}
        for index, f in enumerate(sheet.fields, start=1):
            letter = openpyxl.utils.get_column_letter(index)
            if f.type.dropdown:
                assert by_column[letter].type == "list", f"{sheet.name}: {f.header}"
                assert by_column[letter].formula1.strip('"').split(",") == list(f.type.dropdown)
            elif f.type.storage == "int":
                assert by_column[letter].type == "whole"
            elif f.type.storage in ("date", "time"):
                assert by_column[letter].type == f.type.storage
                assert workbook[sheet.name][f"{letter}2"].number_format == f.type.number_format


def test_how_to_fill_in_covers_every_column(generated):
    instructions = openpyxl.load_workbook(generated)[INSTRUCTIONS]
    text = [c.value for r in instructions.iter_rows() for c in r if c.value]
    for sheet in SHEETS:
        for f in sheet.fields:
            assert f.header in text and f.type.describe() in text
    assert any("dd/mm/yyyy" in t for t in text) and any("never names" in t for t in text)


def test_a_real_reader_sees_the_headers_and_an_empty_template_imports_nothing(generated, store):
    workbook = CalamineWorkbook.from_path(str(generated))
    for sheet in SHEETS:
        assert workbook.get_sheet_by_name(sheet.name).to_python()[0] == [f.header for f in sheet.fields]
    report = import_files([generated], store)
    assert report.exit_code == 0 and report.warnings == [] and report.errors == []
    assert all(c.rows == 0 for c in report.files[0].sheets.values())


def test_cli_writes_the_template(tmp_path, capsys):
    assert main(["templates", "--out", str(tmp_path / "new")]) == 0
    assert (tmp_path / "new" / FILE_NAME).exists()
    assert FILE_NAME in capsys.readouterr().out
