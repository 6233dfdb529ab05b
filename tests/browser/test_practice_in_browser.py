"""A practice exercise in Chromium, by keyboard: rewrite a statement, check it, see the feedback."""

import pytest

pytestmark = pytest.mark.browser

PAGE = "/voila/render/workbooks/practice_make_it_specific.ipynb"
HOSTILE = "<img src=x onerror=alert(1)>"


def test_a_rewrite_is_checked_by_keyboard_and_its_feedback_shown_as_text(page, served):
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(served.base + PAGE)
    page.get_by_role("heading", name="Practice: make it specific", level=1).wait_for()

    page.get_by_label("Your rewrite of statement 1").focus()
    page.keyboard.type(f"Help Arthur with meals as required {HOSTILE}")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Check my rewrite").first.focus()
    page.keyboard.press("Enter")
    page.get_by_text("Still generic: a new member of staff would not know exactly what to do.").wait_for()

    box = page.get_by_label("Your rewrite of statement 1")
    box.fill("Heat my frozen meal until it is piping hot at 5pm, then sit and talk with me while I eat")
    page.get_by_role("button", name="Check my rewrite").first.focus()
    page.keyboard.press("Enter")
    page.get_by_text("Specific: a new member of staff could do this on day one.").wait_for()
    assert page.get_by_role("status").filter(has_text="The guidance's example").count() == 1
    assert dialogs == []
