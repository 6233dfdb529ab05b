"""The "Import audit data" page's logic, without a kernel: uploads, tables, downloads, the widget's state."""

import base64
import datetime as dt
import html
import io
import re
import tempfile

import ipywidgets as widgets
import openpyxl
import pytest

from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.ui import downloads
from pcp_widgets.ui import import_page as import_page_module
from pcp_widgets.ui.gate import RefusedPage
from pcp_widgets.ui.import_page import (
    ImportPage,
    display_name,
    download_link_html,
    errors_download_name,
    errors_link_html,
    import_page,
    import_uploads,
    results_html,
    safe_download_name,
    safe_extension,
    save_uploads,
    summary_sentence,
)
from tests.support.widget_messages import click, controls, send_upload
from tests.support.workbook_files import headers, row, write_workbook

HOSTILE = '<script>alert("x")</script>'


def upload(name: str, path) -> dict:
    """An upload as ipywidgets 8's FileUpload gives it: the name and a memoryview of the bytes."""
    data = path.read_bytes()
    return {"name": name, "type": "", "size": len(data), "content": memoryview(data),
            "last_modified": dt.datetime(2025, 3, 31, tzinfo=dt.timezone.utc)}


def march_workbook(path):
    """Two good plan changes, one with a reason that is not a choice, and a name-like ref."""
    return write_workbook(path, {
        "Plan changes": [
            headers("plan_change"),
            row("plan_change"),
            row("plan_change", person_ref="P-0002", description="Walk to the shop on Fridays"),
            row("plan_change", person_ref="P-0003", reason=HOSTILE),
            row("plan_change", person_ref="John Smith", description="Call my name from the door"),
        ]
    })


@pytest.fixture
def private_tmp(tmp_path, monkeypatch):
    """Point Python's temporary folder at an empty folder of ours, to see what is left behind."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


# -- uploads ------------------------------------------------------------------------------


def test_display_name_keeps_only_the_file_name_and_printable_text():
    assert display_name("C:\\Users\\ql\\Oak House March.xlsx") == "Oak House March.xlsx"
    assert display_name("../../etc/passwd.xlsx") == "passwd.xlsx"
    assert display_name("bad\x00name\n.xlsx") == "badname.xlsx"
    assert display_name("") == "unnamed file" and display_name(None) == "unnamed file"
    long = display_name("a" * 300 + ".xlsx")
    assert len(long) <= import_page_module.MAX_NAME_LENGTH and long.endswith(".xlsx")


def test_safe_extension():
    assert safe_extension("March.XLSX") == ".xlsx"
    assert safe_extension("March.ods") == ".ods"
    assert safe_extension("no extension") == ""
    assert safe_extension("odd.x;rm -rf") == ""


def test_uploads_are_saved_under_safe_names_in_the_folder(tmp_path):
    uploads = [{"name": "../../evil/Oak House.xlsx", "content": memoryview(b"PK one")},
               {"name": "April.ods", "content": b"PK two"}]
    paths, names = save_uploads(uploads, tmp_path)
    assert [p.name for p in paths] == ["upload-01.xlsx", "upload-02.ods"]
    assert all(p.parent == tmp_path for p in paths)
    assert names == ["Oak House.xlsx", "April.ods"]
    assert paths[0].read_bytes() == b"PK one"


def test_import_uploads_names_the_persons_file_and_leaves_nothing_behind(store, tmp_path, private_tmp):
    source = march_workbook(tmp_path / "source.xlsx")
    report = import_uploads([upload("Oak House March.xlsx", source)], store, by="quinn")
    assert [f.path for f in report.files] == ["Oak House March.xlsx"]
    counts = report.files[0].sheets["plan_change"]
    assert (counts.rows, counts.accepted, counts.rejected) == (4, 3, 1)
    assert {e.file for e in report.errors} == {"Oak House March.xlsx"}
    assert store.count_records("plan_change") == 3
    assert list(private_tmp.iterdir()) == []


def test_an_unreadable_upload_is_reported_in_one_sentence(store, tmp_path, private_tmp):
    notes = tmp_path / "notes.xlsx"
    notes.write_text("just some text, not a workbook")
    report = import_uploads([upload("notes.xlsx", notes)], store, by="quinn")
    assert report.exit_code == 2
    page = results_html(report)
    assert "notes.xlsx: not imported." in page
    assert report.files[0].error in page
    assert list(private_tmp.iterdir()) == []


# -- what the page shows ---------------------------------------------------------------------


def test_results_show_counts_rejected_rows_and_warnings_escaped(store, tmp_path):
    report = import_files([march_workbook(tmp_path / "m.xlsx")], store, display_names=["<i>March</i>.xlsx"])
    page = results_html(report)
    assert "<script>" not in page and "<i>" not in page
    assert "&lt;i&gt;March&lt;/i&gt;.xlsx" in page
    cells = re.findall(r"<td[^>]*>(.*?)</td>", page)
    # the counts row: file, sheet, rows, accepted, rejected, new, updated, duplicates
    assert cells[:8] == ["&lt;i&gt;March&lt;/i&gt;.xlsx", "Plan changes", "4", "3", "1", "3", "0", "0"]
    reason = next(e for e in report.errors if e.row == 4)
    assert reason.reason and reason.reason.replace("'", "&#x27;") in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in page  # the rejected value, shown as text
    assert "looks like a personal name" in page
    assert "<th scope=\"col\">Reason</th>" in page and "<caption>" in page


def test_summary_sentence_adds_up(store, tmp_path):
    report = import_files([march_workbook(tmp_path / "m.xlsx")], store)
    assert summary_sentence(report) == (
        "3 rows accepted (3 new, 0 updated, 0 duplicates) and 1 rejected, from 1 file."
    )
    again = import_files([march_workbook(tmp_path / "m.xlsx")], store)
    assert summary_sentence(again) == "3 rows accepted (0 new, 0 updated, 3 duplicates) and 1 rejected, from 1 file."


def test_long_tables_are_cut_with_a_note(store, tmp_path, monkeypatch):
    monkeypatch.setattr(import_page_module, "MAX_TABLE_ROWS", 2)
    rows = [headers("plan_change")] + [row("plan_change", person_ref=f"P-{n:04d}", reason="nonsense")
                                       for n in range(5)]
    report = import_files([write_workbook(tmp_path / "bad.xlsx", {"Plan changes": rows})], store)
    page = results_html(report)
    assert "The first 2 of 5 problems are shown here" in page
    assert page.count("is not one of the choices") == 2


# -- downloads ------------------------------------------------------------------------------


def test_safe_download_names():
    assert safe_download_name("Oak House March-rejected-rows") == "Oak-House-March-rejected-rows.xlsx"
    assert safe_download_name('"><script>') == "script.xlsx"
    assert safe_download_name("...") == "download.xlsx"
    assert safe_download_name("Café") == "Cafe.xlsx"


def test_download_link_carries_the_bytes_and_a_safe_name():
    link = download_link_html(b"\x00\x01workbook", 'a"b.xlsx', "Get <it>")
    assert 'download="a&quot;b.xlsx"' in link and "Get &lt;it&gt;" in link
    encoded = re.search(r'href="data:[^;]+;base64,([^"]+)"', link).group(1)
    assert base64.b64decode(encoded) == b"\x00\x01workbook"


def test_a_download_too_large_for_the_page_says_so(monkeypatch):
    monkeypatch.setattr(downloads, "MAX_DOWNLOAD_BYTES", 10)
    link = download_link_html(b"x" * 11, "big.xlsx", "Get it")
    assert "<a" not in link and "too large to download from this page" in link


def test_errors_link_gives_the_rejected_rows_workbook(store, tmp_path):
    report = import_files([march_workbook(tmp_path / "m.xlsx")], store, display_names=["Oak House March.xlsx"])
    assert errors_download_name(report) == "Oak-House-March-rejected-rows.xlsx"
    link = errors_link_html(report)
    encoded = re.search(r'href="data:[^;]+;base64,([^"]+)"', link).group(1)
    workbook = openpyxl.load_workbook(io.BytesIO(base64.b64decode(encoded)))
    sheet = workbook["Plan changes"]
    values = [[cell.value for cell in r] for r in sheet.iter_rows()]
    assert values[0][-1] == "Why rejected"
    assert len(values) == 2 and values[1][2] == "P-0003"


def test_no_errors_link_when_every_row_was_accepted(store, tmp_path):
    good = write_workbook(tmp_path / "good.xlsx", {"Plan changes": [headers("plan_change"), row("plan_change")]})
    report = import_files([good], store)
    assert errors_link_html(report) == ""
    assert "Rejected rows" not in results_html(report)


# -- the widget -------------------------------------------------------------------------------


def test_page_imports_uploads_and_shows_results(store, tmp_path, private_tmp):
    page = ImportPage(store)
    assert "Download the blank audit workbook" in page.heading.value
    source = march_workbook(tmp_path / "source.xlsx")
    page.upload.value = (upload("Oak House March.xlsx", source),)
    assert "Oak House March.xlsx" in page.chosen.value
    assert page.upload.value == ()  # the bytes are on disk; the widget no longer holds them
    page._on_import()
    assert "3 rows accepted" in page.results.value
    assert "Download the 1 rejected row as a workbook" in page.results.value
    assert (page.bar.value, page.label.value) == (page.bar.max, "Finished.")
    assert page.upload.value == () and not page.button.disabled
    assert list(private_tmp.iterdir()) == []


def test_page_asks_for_a_file_when_none_was_chosen(store):
    page = ImportPage(store)
    page._on_import()
    assert "Choose one or more workbooks first" in page.status.value


def test_page_shows_a_database_problem_as_a_sentence(tmp_path, store):
    page = ImportPage(store)
    source = write_workbook(tmp_path / "s.xlsx", {"Plan changes": [headers("plan_change"), row("plan_change")]})
    page.upload.value = (upload("s.xlsx", source),)
    store.dispose()
    page.store = type(store)(_broken_engine(tmp_path))
    page._on_import()
    assert "pcp-problem" in page.status.value and "Traceback" not in page.status.value
    assert page.label.value == "The import stopped." and not page.button.disabled


def _broken_engine(tmp_path):
    """An engine on a SQLite file that is not a database: storing fails with a database error."""
    import sqlalchemy as sa

    bad = tmp_path / "not-a-database.sqlite"
    bad.write_bytes(b"this is not a database" * 100)
    return sa.create_engine(f"sqlite:///{bad}")


# -- who may import (issue 16): decided in the kernel, whatever the browser sends ---------------


@pytest.fixture
def team(store, monkeypatch):
    """Hub users: a quality lead (quinn) and a member of staff at Oak House (sid)."""
    store.add_user("quinn", "quality-lead", by="test")
    store.add_user("sid", "staff", ["Oak House"], by="test")
    return store


def signed_in_as(monkeypatch, name):
    monkeypatch.setenv("JUPYTERHUB_USER", name)


def test_staff_get_one_sentence_and_no_upload_or_import_control(team, monkeypatch):
    signed_in_as(monkeypatch, "sid")
    page = import_page(team)
    assert isinstance(page, RefusedPage)
    assert "Staff cannot import audit workbooks" in page.status.value
    assert controls(page, widgets.FileUpload) == [] and controls(page, widgets.Button) == []
    assert [(e.user, e.action) for e in team.access_log(user="sid")] == [("sid", "signed in"), ("sid", "refused")]


def test_a_quality_lead_imports_under_their_own_name(team, monkeypatch, tmp_path, private_tmp):
    signed_in_as(monkeypatch, "quinn")
    page = import_page(team)
    send_upload(page.upload, {"Oak House March.xlsx": march_workbook(tmp_path / "m.xlsx").read_bytes()})
    click(page.button)

    assert "3 rows accepted" in page.results.value
    assert [(i["file_name"], i["imported_by"]) for i in team.imports()] == [("Oak House March.xlsx", "quinn")]
    assert [(e.user, e.action, e.detail) for e in team.access_log(user="quinn")][1:] == [
        ("quinn", "imported", "Oak House March.xlsx: 3 of 4 rows accepted (3 new, 0 updated), 1 rejected")]
    assert list(private_tmp.iterdir()) == []


def test_a_role_taken_away_after_the_page_opened_refuses_the_upload_before_reading_it(team, monkeypatch, tmp_path,
                                                                                      private_tmp):
    signed_in_as(monkeypatch, "quinn")
    page = import_page(team)
    team.set_user_role("quinn", "staff", by="ada")

    send_upload(page.upload, {"March.xlsx": march_workbook(tmp_path / "m.xlsx").read_bytes()})
    assert list(private_tmp.iterdir()) == []  # not written anywhere
    assert page.upload.value == ()  # and not held by the widget either
    assert "Staff cannot import audit workbooks" in page.status.value
    click(page.button)
    assert team.count_records() == 0 and team.imports() == []
    assert [e.action for e in team.access_log(user="quinn")][-1] == "refused"


def test_a_role_taken_away_between_upload_and_import_refuses_the_import(team, monkeypatch, tmp_path, private_tmp):
    signed_in_as(monkeypatch, "quinn")
    page = import_page(team)
    send_upload(page.upload, {"March.xlsx": march_workbook(tmp_path / "m.xlsx").read_bytes()})
    team.set_user_role("quinn", "staff", by="ada")
    click(page.button)

    assert "Staff cannot import audit workbooks" in page.status.value
    assert team.count_records() == 0 and team.imports() == []
    assert [(e.action, e.detail.split(":")[0]) for e in team.access_log(user="quinn")][-1] == (
        "refused", import_page_module.PATH)
    assert list(private_tmp.iterdir()) == []


def test_a_second_import_while_one_runs_is_told_who_is_importing(team, monkeypatch, tmp_path, private_tmp):
    signed_in_as(monkeypatch, "quinn")
    page = import_page(team)
    send_upload(page.upload, {"March.xlsx": march_workbook(tmp_path / "m.xlsx").read_bytes()})
    with team.importing("ada"):  # ada's import, running in this process as far as the lock can tell
        click(page.button)
    assert html.unescape(page.status.value).count("Another import is running, started by ada at ") == 1
    assert team.count_records() == 0
    assert list(private_tmp.iterdir()) == []
    assert not page.button.disabled
