"""The admin page in Chromium under ``pcp serve`` (whose OS account is its admin): add a user, then ask the
access log who did what and save it as a workbook with one click."""

import io
import re

import openpyxl
import pytest

from pcp_widgets.store import open_store
from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser

ADMIN_PAGE = "/voila/render/audits/admin.ipynb"


def test_an_admin_adds_a_user_and_downloads_the_access_log_of_that_change(page, served, axe):
    page.goto(served.base + ADMIN_PAGE)
    page.get_by_role("heading", name="Admin and data protection", level=1).wait_for()
    page.get_by_label("Sign-in name", exact=True).fill("Robin")
    page.get_by_label("Role", exact=True).select_option(label="Manager")
    page.get_by_label("Services (separate them with commas)", exact=True).fill("Oak House")
    page.get_by_role("button", name="Add the user").click()
    page.get_by_text("Added robin: manager (Oak House).").wait_for()
    page.get_by_role("cell", name="robin", exact=True).wait_for()

    page.get_by_label("From", exact=True).fill("1/1/2020")
    page.get_by_label("From", exact=True).press("Tab")
    page.get_by_text("From 1 January 2020").wait_for()
    page.get_by_role("button", name="Look up the access log").click()
    page.get_by_role("cell", name="added robin as manager in Oak House").wait_for()
    link = page.get_by_role("link", name=re.compile(r"^Download the access log \(\d+ entr(y|ies), xlsx\)"))
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.suggested_filename.startswith("access-log-") and download.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.path(), "rb").read()))["Access log"]
    details = [row[6].value for row in sheet.iter_rows()]
    assert "added robin as manager in Oak House" in details

    assert layout_problems(page) == []  # with the tables and the link on the page
    assert axe(page) == []

    store = open_store(f"sqlite:///{served.database}")
    try:
        assert store.user("robin").services == ("Oak House",)
        assert store.access_log()[-1].action == "exported"
        assert store.access_log()[-1].detail.endswith("a download from the admin page")
    finally:
        store.dispose()
