"""Practice exercises in Chromium: a rewrite checked by keyboard, and the drop-down exercises answered by mouse."""

import contextlib

import pytest

from pcp_widgets.practice.content import TO_FOR, load_exercises
from tests.browser.layout import layout_problems

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


@contextlib.contextmanager
def exercise_page(browser, served, kind: str, width: int, last_control: str):
    """A practice page at a desktop (1280 px) or phone (390 px) width in British English, once
    ``last_control`` is drawn and with no control clipped, overlapped or cut; and its exercises."""
    from pcp_widgets.pages import practice_page_path
    from tests.browser.conftest import WAIT_MS

    exercises = load_exercises(kind)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    try:
        page = context.new_page()
        page.goto(f"{served.base}/voila/render/{practice_page_path(kind)}")
        page.get_by_role("heading", name=exercises.title, level=1).wait_for()
        page.get_by_label(last_control, exact=True).wait_for()
        assert layout_problems(page) == []
        yield page, exercises
    finally:
        context.close()


def _choose_by_mouse(select, label: str) -> None:
    """Choose as a mouse user does: the drop-down must be on screen and nothing drawn over it."""
    select.scroll_into_view_if_needed()
    select.click(trial=True)  # fails if the select is hidden, clipped to nothing or covered by another control
    select.select_option(label=label)


@pytest.mark.parametrize("width", [1280, 390])
def test_important_to_or_for_is_completed_by_mouse_on_the_visible_drop_downs(browser, served, width):
    items = load_exercises("to_or_for").items
    last = f"Statement {len(items)}: important to or for {items[-1]['person']}?"
    with exercise_page(browser, served, "to_or_for", width, last) as (page, exercises):
        assert page.locator("select").count() == len(exercises.items)
        for number, item in enumerate(exercises.items, 1):
            select = page.get_by_label(f"Statement {number}: important to or for {item['person']}?")
            _choose_by_mouse(select, TO_FOR[item["answer"]])
            page.get_by_role("status").filter(has_text="Right:").nth(number - 1).wait_for()
        assert page.get_by_role("status").filter(has_text="Right:").count() == len(exercises.items)
        assert page.get_by_role("status").filter(has_text="Not quite").count() == 0
        assert layout_problems(page) == []  # the feedback pushes nothing over a control


@pytest.mark.parametrize("width", [1280, 390])
def test_the_review_question_order_is_answered_by_mouse(browser, served, width):
    with exercise_page(browser, served, "review_questions", width, "Question 9") as (page, exercises):
        for place, question in enumerate(exercises.questions, 1):
            _choose_by_mouse(page.get_by_label(f"Question {place}", exact=True), question["text"])
        button = page.get_by_role("button", name="Check the order")
        button.click()
        page.get_by_role("status").filter(has_text="All nine in order.").wait_for()
        assert button.bounding_box()["width"] < width / 2  # as wide as its words, not a bar across the page
        first = exercises.items[0]
        _choose_by_mouse(page.get_by_label(f"Quiz question 1: {first['question']}"), first["answer"])
        page.get_by_role("status").filter(has_text="Right.").wait_for()


def test_check_my_rewrite_is_as_wide_as_its_words(page, served):
    page.goto(served.base + PAGE)
    button = page.get_by_role("button", name="Check my rewrite").first
    button.wait_for()
    box = button.bounding_box()
    assert box["width"] < 400, box
    answer_box = page.get_by_label("Your rewrite of statement 1").bounding_box()
    assert box["width"] < answer_box["width"] / 2
