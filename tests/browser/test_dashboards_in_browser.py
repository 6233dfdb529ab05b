"""A dashboard in Chromium: it loads with its charts, re-filters to a person, and downloads a chart and a table."""

import io

import openpyxl
import pytest

from pcp_widgets.audit.demo import DEMO_PERSON

pytestmark = pytest.mark.browser

INCIDENTS = "/voila/render/audits/incidents_and_refusals.ipynb"


def test_incidents_page_filters_to_a_person_and_downloads(page, served, tmp_path):
    page.goto(served.base + INCIDENTS)
    page.get_by_role("heading", name="Incidents and refusals", level=1).wait_for()
    page.get_by_role("heading", name="Refusals per week", level=2).wait_for()
    # the first chart comes with the page; the others follow as the kernel draws them
    page.get_by_role("img", name="Chart: Recovery time.", exact=False).wait_for()
    assert page.locator('img[alt^="Chart:"]').count() == 6
    status = page.get_by_text("Showing").first.inner_text()

    person = page.get_by_label("Person ref (for example P-0007)")
    person.focus()
    page.keyboard.type(DEMO_PERSON)
    page.keyboard.press("Enter")
    page.wait_for_function("s => !document.body.innerText.includes(s)", arg=status)
    assert "per 28 days" in page.locator("body").inner_text()

    with page.expect_download() as chart:
        page.get_by_role("link", name="Download the chart (Refusals-per-week.png)").click()
    assert chart.value.suggested_filename == "Refusals-per-week.png"
    with page.expect_download() as table:
        page.get_by_role("link", name="Download the table (Refusals-per-week.xlsx)").click()
    path = tmp_path / table.value.suggested_filename
    table.value.save_as(path)
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active
    assert [cell.value for cell in next(sheet.iter_rows(max_row=1))] == ["Week starting", "Refusals"]
