"""A dashboard in Chromium: it loads with its charts, re-filters to a person typed in any case (no
Enter needed), says so plainly for a person with no records in the chosen service, and downloads a
chart and a table named, titled and headed with the filters, each in one click."""

import io

import openpyxl
import pytest

from pcp_widgets.audit.demo import DEMO_PERSON, DEMO_SERVICE

pytestmark = pytest.mark.browser

INCIDENTS = "/voila/render/audits/incidents_and_refusals.ipynb"


def test_incidents_page_filters_to_a_person_and_downloads(page, served, tmp_path):
    page.goto(served.base + INCIDENTS)
    page.get_by_role("heading", name="Incidents and refusals", level=1).wait_for()
    page.get_by_role("heading", name="Refusals per week", level=2).wait_for()
    # the first chart comes with the page; the others follow as the kernel draws them
    page.get_by_role("img", name="Chart: Recovery time", exact=False).wait_for()
    assert page.locator('img[alt^="Chart:"]').count() == 6
    status = page.get_by_text("Showing").first.inner_text()

    person = page.get_by_label("Person ref (for example P-0007)")
    person.click()
    page.keyboard.type(DEMO_PERSON.lower())  # no Enter: applied once typing pauses, whatever the case
    page.wait_for_function("s => !document.body.innerText.includes(s)", arg=status)
    assert f"person {DEMO_PERSON}" in page.get_by_text("Showing").first.inner_text()  # as the records spell it
    stem = f"Refusals-per-week-All-services-all-dates-person-{DEMO_PERSON}"
    page.locator(f'a[download="{stem}.png"]').wait_for()  # the chart drawn for the person
    assert "Refusals fell from" in page.locator("body").inner_text()

    chart_link = page.get_by_role("link", name="Download the chart (Refusals per week, PNG)")
    assert chart_link.get_attribute("download") == stem + ".png"
    with page.expect_download() as chart:
        chart_link.click()
    assert chart.value.suggested_filename == stem + ".png"
    with page.expect_download() as table:
        page.get_by_role("link", name="Download the table (Refusals per week, Excel)").click()
    assert table.value.suggested_filename == stem + ".xlsx"
    path = tmp_path / table.value.suggested_filename
    table.value.save_as(path)
    sheet = openpyxl.load_workbook(io.BytesIO(path.read_bytes())).active
    assert [sheet.cell(row, 1).value for row in (1, 2, 3)] == [
        "Refusals per week", f"All services; all dates; person {DEMO_PERSON}", None]
    assert [cell.value for cell in sheet[4]] == ["Week starting", "Refusals"]

    options = [option.replace("\xa0", " ") for option in  # ipywidgets shows spaces as no-break spaces
               page.get_by_label("Service").locator("option").all_inner_texts()]
    other = next(n for n, option in enumerate(options) if option not in ("All services", DEMO_SERVICE))
    page.get_by_label("Service").select_option(index=other)
    page.get_by_text(f"{DEMO_PERSON} has no records in this service", exact=False).first.wait_for()
