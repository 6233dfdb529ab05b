"""Working Together for Change in Chromium: select a suggested grouping, make a theme, see it counted and saved;
sign off the theme text for commissioners, with a theme named by a ref blocked and its reason shown."""

import pytest

from pcp_widgets.identity import signed_in_name
from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser

PAGE = "/voila/render/audits/working_together_for_change.ipynb"


def test_a_theme_made_from_a_suggestion_is_counted_and_kept(page, served):
    page.goto(served.base + PAGE)
    page.get_by_role("heading", name="Working Together for Change", level=1).wait_for()
    suggestions = page.get_by_label("Suggested groupings")
    suggestions.locator("option").first.wait_for(state="attached")
    # A grouping is offered as the page opens, not an empty choice.
    shown = suggestions.evaluate("(s) => s.selectedIndex < 0 ? '' : s.options[s.selectedIndex].text")
    assert " ".join(shown.split()).startswith("2 statements sharing:"), shown  # ipywidgets spaces them with nbsp
    assert layout_problems(page) == []  # no label over "Statements about", every button's words whole
    page.get_by_label("Statements about").select_option(label="Not working")
    statements = page.get_by_label("Statements not in a theme yet (number of reviews)")
    statements.locator("option").first.wait_for(state="attached")
    statements.select_option(index=[0, 1])
    page.get_by_label("New theme's name").fill("Staff who know me")
    page.get_by_label("Its I statement").fill("I want staff who know me")
    page.get_by_role("button", name="Make a new theme of the selected statements").click()
    page.get_by_text("Made the theme 'Staff who know me'").wait_for()
    counts = page.locator("table", has=page.locator("caption", has_text="Review statements in each theme"))
    assert "I want staff who know me" in counts.inner_text()

    page.reload()  # a kernel kept warm meanwhile: it must read the themes now, not when it was started
    page.get_by_role("heading", name="Working Together for Change", level=1).wait_for()
    page.get_by_label("Statements about").select_option(label="Not working")
    page.get_by_label("Theme", exact=True).locator("option", has_text="Staff who know me").wait_for(state="attached")
    assert "Staff who know me" in page.get_by_role("table").first.inner_text()


def _make_theme(page, name, i_statement):
    statements = page.get_by_label("Statements not in a theme yet (number of reviews)")
    statements.locator("option").first.wait_for(state="attached")
    statements.select_option(index=[0])
    page.get_by_label("New theme's name").fill(name)
    page.get_by_label("Its I statement").fill(i_statement)
    page.get_by_role("button", name="Make a new theme of the selected statements").click()
    page.get_by_text(f"Made the theme '{name}'").wait_for()


@pytest.mark.parametrize("width", [1280, 390])
def test_theme_text_is_checked_then_signed_off_by_a_named_person(browser, served, screenshots, width):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    context.set_default_timeout(120_000)
    page = context.new_page()
    try:
        page.goto(served.base + PAGE)
        page.get_by_role("heading", name="Working Together for Change", level=1).wait_for()
        page.get_by_label("Statements about").select_option(label="Future")
        name = f"P-9101 bath time {width}"
        _make_theme(page, name, "I want my bath when I choose")
        blocked = page.locator("li", has_text=name)
        blocked.get_by_text("The theme name looks like a person or staff ref.").wait_for()
        assert "Blocked" in blocked.inner_text()
        # under pcp serve the account running the server is signed in: the sign-off is under its name
        page.get_by_text(f"You are signed in as {signed_in_name()[0]}").wait_for()
        page.get_by_role("button", name="Sign off the theme text").click()
        page.get_by_text("Not signed off: in the theme").wait_for()  # nothing is signed while one is blocked
        assert layout_problems(page) == []
        page.get_by_role("button", name="Sign off the theme text").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"wtfc-sign-off-blocked-{width}.png"))

        page.get_by_label("Theme", exact=True).select_option(label=name)
        page.get_by_role("button", name="Delete this theme").click()
        page.get_by_text(f"Deleted the theme '{name}'").wait_for()
        _make_theme(page, f"Bath time {width}", "I want my bath when I choose")
        theme = page.locator("li", has_text=f"Bath time {width}")
        expect(theme).to_contain_text("Not signed off yet")
        page.get_by_role("button", name="Sign off the theme text").click()
        expect(theme).to_contain_text("Signed off:")
        expect(page.get_by_role("status").filter(has_text="The theme text of")).to_contain_text(
            f"was signed off by {signed_in_name()[0]} on")
        assert layout_problems(page) == []
        page.get_by_role("button", name="Sign off the theme text").scroll_into_view_if_needed()
        page.screenshot(path=str(screenshots / f"wtfc-signed-off-{width}.png"))
    finally:
        context.close()
