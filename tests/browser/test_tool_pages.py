"""A tool page in Chromium: fill in a one-page profile by keyboard, reload, find it kept, download its PDF."""

import io

import pytest

pytestmark = pytest.mark.browser

PROFILE = "/voila/render/workbooks/one_page_profile.ipynb"
HOSTILE = "<img src=x onerror=alert(1)>"


def open_person(page, base, name, new=True):
    page.goto(base + PROFILE)
    page.get_by_role("heading", name="One-page profile", level=1).wait_for()
    if new:
        page.get_by_label("Or add a new person (their preferred name)").focus()
        page.keyboard.type(name)
        page.keyboard.press("Enter")
    else:
        page.get_by_label("Person", exact=True).select_option(label=name)
        page.get_by_role("button", name="Open").focus()
        page.keyboard.press("Enter")
    page.get_by_role("heading", name=f"One-page profile for {name}", level=2).wait_for()


def test_a_profile_filled_in_by_keyboard_is_kept_after_a_reload_and_prints(page, served, tmp_path):
    open_person(page, served.base, "Browser Test Person")
    box = page.get_by_label("What is important to me (one per line)")
    box.focus()
    page.keyboard.type("My garden")
    page.keyboard.press("Enter")
    page.keyboard.type("Seeing Su every day")
    page.keyboard.press("Tab")  # leaving the box hands the change to the editor, which saves it
    page.get_by_text("Saved at").wait_for()

    page.reload()
    open_person(page, served.base, "Browser Test Person", new=False)
    assert page.get_by_label("What is important to me (one per line)").input_value() == \
        "My garden\nSeeing Su every day"

    page.get_by_role("button", name="Download PDF").focus()
    page.keyboard.press("Enter")
    link = page.get_by_role("link", name="Save Browser-Test-Person-One-page-profile.pdf")
    with page.expect_download() as download_info:
        link.click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    import pdfplumber

    with pdfplumber.open(io.BytesIO(path.read_bytes())) as pdf:
        assert len(pdf.pages) == 1
        assert "My garden" in pdf.pages[0].extract_text()


def test_a_hostile_name_is_shown_as_text_and_never_runs(page, served):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    open_person(page, served.base, HOSTILE)
    assert page.get_by_role("heading", name=f"One-page profile for {HOSTILE}", level=2).is_visible()
    assert page.locator("img[src=x]").count() == 0
    assert dialogs == []


def test_the_relationship_circle_page_shows_its_worked_example_drawn(page, served):
    """The one worked example drawn with matplotlib, served in a real kernel: the circle is on the page."""
    page.goto(served.base + "/voila/render/workbooks/relationship_circle.ipynb")
    page.get_by_role("heading", name="Relationship circle", level=1).wait_for()
    page.get_by_role("heading", name="Kevin's relationship circle", level=2).wait_for()
    assert page.locator(".pcp-block svg").count() >= 1
    assert page.get_by_text("could not be drawn").count() == 0
