"""Working Together for Change in Chromium: select a suggested grouping, make a theme, see it counted and saved."""

import pytest

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
