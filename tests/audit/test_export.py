"""pcp export data: clean records out, canonical headers, ISO dates, formula-like text as text."""

import csv
import datetime as dt
import zipfile

import openpyxl
import pytest

from pcp_widgets.audit.outputs.export import export_data
from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.audit.schema.sheets import KINDS, sheet_for
from pcp_widgets.cli import main
from pcp_widgets.errors import UsageError
from tests.support.workbook_files import full_workbook, headers, row, write_workbook


@pytest.fixture
def stored(store, tmp_path):
    import_files([full_workbook(tmp_path / "all.xlsx")], store)
    path = write_workbook(tmp_path / "notes.xlsx", {"File audit": [
        headers("file_audit"),
        row("file_audit", person_ref="P-0002", notes='=HYPERLINK("http://example.invalid","click")'),
        row("file_audit", person_ref="P-0003", notes="@SUM(A1)", best_support_sample="-  offer tea"),
    ], "Incidents and refusals": [
        headers("event"),
        row("event", person_ref="P-0004", recovery_minutes=None, event_time=dt.time(21, 5)),
    ]})
    import_files([path], store)
    return store


def test_csv_has_canonical_headers_iso_dates_and_safe_text(stored, tmp_path):
    out = export_data(stored, tmp_path / "audits.csv", kind="file_audit")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == [f.key for f in sheet_for("file_audit").fields]
    assert {r[0] for r in rows[1:]} == {"2025-03-07"}
    notes = {r[2]: r[-1] for r in rows[1:]}
    assert notes["P-0002"] == "'=HYPERLINK(\"http://example.invalid\",\"click\")"
    assert notes["P-0003"] == "'@SUM(A1)"
    assert {r[2]: r[-2] for r in rows[1:]}["P-0003"] == "'-  offer tea"


def test_csv_times_are_iso(stored, tmp_path):
    out = export_data(stored, tmp_path / "obs.csv", kind="observation")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        [header, first] = list(csv.reader(handle))
    assert dict(zip(header, first))["obs_time"] == "08:30:00"


def test_csv_whole_numbers_stay_whole_and_blanks_stay_blank(stored, tmp_path):
    out = export_data(stored, tmp_path / "events.csv", kind="event")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        records = {r["person_ref"]: r for r in csv.DictReader(handle)}
    assert records["P-0001"]["recovery_minutes"] == "20"
    assert records["P-0004"]["recovery_minutes"] == "" and records["P-0004"]["event_time"] == "21:05:00"


def test_xlsx_has_a_sheet_per_kind_with_real_dates_and_no_formulas(stored, tmp_path):
    out = export_data(stored, tmp_path / "all.xlsx")
    workbook = openpyxl.load_workbook(out)
    assert workbook.sheetnames == list(KINDS)
    sheet = workbook["file_audit"]
    assert [c.value for c in sheet[1]] == [f.key for f in sheet_for("file_audit").fields]
    assert sheet.cell(row=2, column=1).value == dt.datetime(2025, 3, 7)
    assert sheet.cell(row=2, column=1).number_format == "yyyy-mm-dd"
    cells = [c for r in sheet.iter_rows(min_row=2) for c in r if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    assert any(c.value == "@SUM(A1)" and c.data_type == "s" for c in cells)
    assert any(c.value.startswith("=HYPERLINK(") and c.data_type == "s" for c in cells if isinstance(c.value, str))
    for kind in KINDS:
        assert [c.value for c in workbook[kind][1]] == [f.key for f in sheet_for(kind).fields]
    with zipfile.ZipFile(out) as archive:
        assert not any(b"<f>" in archive.read(name) for name in archive.namelist() if name.endswith(".xml"))


def test_xlsx_times_and_whole_numbers(stored, tmp_path):
    sheet = openpyxl.load_workbook(export_data(stored, tmp_path / "events.xlsx", kind="event"))["event"]
    keys = [c.value for c in sheet[1]]
    records = {r[keys.index("person_ref")].value: r for r in sheet.iter_rows(min_row=2)}
    time_cell = records["P-0004"][keys.index("event_time")]
    assert time_cell.value == dt.time(21, 5) and time_cell.number_format == "hh:mm:ss"
    assert records["P-0001"][keys.index("recovery_minutes")].value == 20
    assert records["P-0004"][keys.index("recovery_minutes")].value is None


def test_an_empty_store_exports_headers_only(store, tmp_path):
    workbook = openpyxl.load_workbook(export_data(store, tmp_path / "empty.xlsx"))
    assert workbook.sheetnames == list(KINDS)
    assert all(workbook[kind].max_row == 1 for kind in KINDS)


def test_one_kind_to_xlsx(stored, tmp_path):
    out = export_data(stored, tmp_path / "reviews.xlsx", kind="review")
    assert openpyxl.load_workbook(out).sheetnames == ["review"]


@pytest.mark.parametrize("out, kind, message", [
    ("all.csv", None, "add --kind"),
    ("x.xlsx", "audits", "no kind of record called 'audits'"),
    ("x.pdf", "review", r"to \.csv or \.xlsx files, not \.pdf"),
    ("noextension", None, "not a file name without an extension"),
])
def test_mistakes_are_one_sentence(stored, tmp_path, out, kind, message):
    with pytest.raises(UsageError, match=message):
        export_data(stored, tmp_path / out, kind=kind)


def test_cli(stored, store_url, tmp_path, capsys):
    assert main(["export", "data", "--kind", "review", "--out", str(tmp_path / "r.csv"), "--db", store_url]) == 0
    header = (tmp_path / "r.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ",".join(f.key for f in sheet_for("review").fields)
    assert main(["export", "data", "--out", str(tmp_path / "r.csv"), "--db", store_url]) == 2
    assert "add --kind" in capsys.readouterr().err


def test_the_export_is_logged_under_who_ran_it_and_refused_to_roles_that_see_fewer_services(
        stored, store_url, tmp_path, capsys, monkeypatch):
    assert main(["export", "data", "--kind", "review", "--out", str(tmp_path / "r.csv"), "--db", store_url]) == 0
    entry = stored.access_log()[-1]
    assert (entry.action, entry.detail) == ("exported", "the stored audit records (review) to r.csv")

    stored.add_user("mo", "manager", ["Oak House"], by="test")
    stored.add_user("sid", "staff", ["Oak House"], by="test")
    for name in ("mo", "sid"):
        monkeypatch.setenv("JUPYTERHUB_USER", name)
        out = tmp_path / f"{name}.xlsx"
        assert main(["export", "data", "--out", str(out), "--db", store_url]) != 0
        assert not out.exists()
        assert capsys.readouterr().err.count("\n") == 1  # one sentence, no traceback
    assert [e.action for e in stored.access_log(user="mo")] == []
