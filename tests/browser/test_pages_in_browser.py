"""The served pages in Chromium: the start page, and an import from upload to the rejected-rows download."""

import re

import openpyxl
import pytest

from tests.support.workbook_files import headers, row, write_workbook

pytestmark = pytest.mark.browser

START_TITLE = "Person-centred planning workbook"


def test_start_page_lists_the_pages_and_the_database(page, served, screenshots):
    page.goto(served.base + "/")
    page.get_by_role("heading", name=START_TITLE, level=1).wait_for()
    assert page.url == served.base + "/voila/render/workbooks/start_here.ipynb"
    link = page.get_by_role("link", name="Import audit data")
    assert link.get_attribute("href") == "../audits/import_audit_data.ipynb"
    status = page.locator(".pcp-status-line").inner_text()
    assert f"SQLite file {served.database}" in status
    assert re.search(r"File audit [1-9]", status), status
    assert page.locator("body").inner_text().count("Traceback") == 0
    page.screenshot(path=str(screenshots / "start.png"), full_page=True)

    link.focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name="Import audit data", level=1).wait_for()
    assert page.url == served.base + "/voila/render/audits/import_audit_data.ipynb"


def test_import_shows_counts_reasons_and_gives_the_rejected_rows(page, served, tmp_path, screenshots):
    kind = "plan_change"
    workbook = write_workbook(tmp_path / "march.xlsx", {
        "Plan changes": [
            headers(kind),
            row(kind, service="Browser Test House", person_ref="P-9001"),
            row(kind, service="Browser Test House", person_ref="P-9002"),
            row(kind, service="Browser Test House", person_ref="P-9003", reason="because"),
        ]
    })
    page.goto(served.base + "/voila/render/audits/import_audit_data.ipynb")
    page.get_by_role("heading", name="Import audit data", level=1).wait_for()
    # ipywidgets' FileUpload keeps its file input out of the page: choose the file as a person does.
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name=re.compile("Choose workbooks")).click()
    chooser.value.set_files(str(workbook))
    page.get_by_text("Chosen: march.xlsx").wait_for()
    page.get_by_role("button", name="Import").click()

    page.get_by_text("rows accepted").wait_for()
    summary = page.get_by_text("rows accepted").inner_text()
    assert "2 rows accepted (2 new, 0 updated, 0 duplicates) and 1 rejected, from 1 file." in summary
    counts = page.locator("table", has=page.locator("caption", has_text="Rows in each file and sheet"))
    assert counts.locator("tbody tr").first.locator("td").all_inner_texts() == [
        "march.xlsx", "Plan changes", "3", "2", "1", "2", "0", "0"]
    problems = page.locator("table", has=page.locator("caption", has_text="Why each rejected row"))
    problem = problems.locator("tbody tr").first.locator("td").all_inner_texts()
    assert problem[:5] == ["march.xlsx", "Plan changes", "4", "Reason", "because"]
    assert "is not one of the choices" in problem[5]
    page.screenshot(path=str(screenshots / "import.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name=re.compile("Download the 1 rejected row")).click()
    download = download_info.value
    assert download.suggested_filename == "march-rejected-rows.xlsx"
    download.save_as(tmp_path / download.suggested_filename)
    rejected = openpyxl.load_workbook(tmp_path / download.suggested_filename)["Plan changes"]
    rows = [[cell.value for cell in r] for r in rejected.iter_rows()]
    assert rows[0] == headers(kind) + ["Why rejected"]
    assert rows[1][2] == "P-9003" and "is not one of the choices" in rows[1][-1]


def test_the_blank_template_downloads(page, served, tmp_path):
    page.goto(served.base + "/voila/render/audits/import_audit_data.ipynb")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the blank audit workbook").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    download.save_as(tmp_path / download.suggested_filename)
    workbook = openpyxl.load_workbook(tmp_path / download.suggested_filename)
    assert "Plan changes" in workbook.sheetnames
    assert [cell.value for cell in next(workbook["Plan changes"].iter_rows(max_row=1))][:5] == headers("plan_change")
