"""Tool pages in Chromium: fill in by keyboard and mouse, reload, find it kept, download in one click;
every control of the editor in sight at a desktop's and a phone's width."""

import io
import re

import pytest

from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser

PROFILE = "/voila/render/workbooks/one_page_profile.ipynb"
HOSTILE = "<img src=x onerror=alert(1)>"
#: A select's options as plain words (ipywidgets writes their spaces as no-break spaces).
OPTIONS = "e => [...e.options].map(o => o.text.replace(/\\s+/g, ' '))"


#: The service the tests add people to (the server's account is an admin, who may type any service).
SERVICE = "Oak House"


def add_person(page, name):
    """Add ``name`` to the register by keyboard: the service, then the name and Enter."""
    page.get_by_label("Service", exact=True).fill(SERVICE)
    page.get_by_label("Or add a new person (their preferred name)").focus()
    page.keyboard.type(name)
    page.keyboard.press("Enter")


def picker_label(page, name):
    """The Person list's label of ``name``: "Name (P-0001, Oak House)"."""
    labels = page.get_by_label("Person", exact=True).evaluate(OPTIONS)
    return next(label for label in labels if label.startswith(f"{name} (") and label.endswith(f", {SERVICE})"))


def open_person(page, base, name, new=True):
    page.goto(base + PROFILE)
    page.get_by_role("heading", name="One-page profile", level=1).wait_for()
    if new:
        add_person(page, name)
    else:
        page.get_by_role("button", name="Open").wait_for()
        page.get_by_label("Person", exact=True).select_option(label=picker_label(page, name))
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

    # One click: the link is on the page already, holding the profile as it is now.
    link = page.get_by_role("link", name=re.compile(r"^Download PDF"))
    with page.expect_download() as download_info:
        link.click()
    assert download_info.value.suggested_filename == "Browser-Test-Person-One-page-profile.pdf"
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


def test_a_person_added_on_another_tool_page_is_listed_after_a_reload(page, served):
    """The profile page is kept warm (built before anyone visits); it reads the people on each visit."""
    page.goto(served.base + "/voila/render/workbooks/good_day_bad_day.ipynb")
    page.get_by_role("button", name="Open").wait_for()
    add_person(page, "Added Elsewhere")
    page.get_by_role("heading", name="Good day and bad day for Added Elsewhere", level=2).wait_for()
    for _ in range(2):  # the first visit takes the warm kernel; the second gets one warmed after the save
        page.goto(served.base + PROFILE)
        page.get_by_role("button", name="Open").wait_for()
        assert picker_label(page, "Added Elsewhere")


@pytest.mark.parametrize("width", [1280, 390])
def test_the_circles_table_rows_fill_in_by_mouse_with_every_control_in_sight(browser, served, width):
    from tests.browser.conftest import WAIT_MS

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    page = context.new_page()
    try:
        page.goto(served.base + "/voila/render/workbooks/relationship_circle.ipynb")
        add_person(page, f"Circle {width}")
        page.get_by_role("heading", name=f"Relationship circle for Circle {width}", level=2).wait_for()
        page.get_by_role("button", name="Add a row to People in my life").click()
        page.get_by_label("Name", exact=True).last.fill("Mum")
        page.keyboard.press("Tab")
        page.get_by_text("Row 1 is saved once Group and Ring").wait_for()
        page.get_by_label("Group", exact=True).last.select_option(label="Family")
        page.get_by_label("Ring (1 closest, 4 furthest)").last.select_option(label="1")
        page.get_by_text("Saved at").wait_for()
        assert page.locator(".pcp-problem").count() == 0  # no red "Not saved yet" while filling in
        assert layout_problems(page) == []  # Person, Group, Ring, Earlier versions: all wholly in sight
    finally:
        context.close()


def test_working_not_working_credits_each_statement_shows_what_follows_and_undoes_a_removal(page, served):
    page.goto(served.base + "/voila/render/workbooks/working_not_working.ipynb")
    add_person(page, "Sorting Person")
    page.get_by_role("heading", name="Working and not working for Sorting Person", level=2).wait_for()
    page.get_by_label("New statement").fill("Calls from Marie")
    page.get_by_label("Whose view").select_option(label="Someone else")
    page.get_by_label("Who, if someone else").fill("Marie")
    page.get_by_role("button", name="Add to Working").click()
    working = page.get_by_label("Working", exact=True)
    working.locator("option").first.wait_for()
    assert page.get_by_label("Whose view").evaluate(f"e => ({OPTIONS})(e)[e.selectedIndex]") == "The person"
    assert page.get_by_label("Who, if someone else").input_value() == ""
    follows = page.locator(".pcp-side-by-side").last
    assert "Calls from Marie" in follows.inner_text()
    working.select_option(index=0)
    page.get_by_role("button", name="Remove from Working").click()
    page.get_by_role("button", name="Undo").click()
    page.get_by_text("Put back").wait_for()
    assert working.evaluate(OPTIONS) == ["Calls from Marie (Someone else: Marie)"]
