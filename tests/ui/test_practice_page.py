"""The practice pages' controls give the feedback of pcp_widgets.practice.feedback, escaped."""

import pytest

from pcp_widgets.practice.content import KINDS, load_exercises
from pcp_widgets.ui.practice_page import practice_page

HOSTILE = "<img src=x onerror=alert(1)>"


def _controls(widget, kind):
    """Every control of a kind (Textarea, Dropdown, Button...) in the page, in page order."""
    if isinstance(widget, list):
        return [found for child in widget for found in _controls(child, kind)]
    found = []
    if type(widget).__name__ == kind:
        found.append(widget)
    for child in getattr(widget, "children", ()):
        found += _controls(child, kind)
    return found


def _exercises(page):
    """The exercises' part of the page: everything but the box to join a session."""
    return [child for child in page.widget.children if child is not page.join_box.widget]


def _feedback(page):
    return [w.value for w in _controls(_exercises(page), "HTML") if "role='status'" in w.value]


@pytest.mark.parametrize("kind", KINDS)
def test_every_practice_page_is_built_with_its_title(kind):
    page = practice_page(kind)
    assert load_exercises(kind).title in page.widget.children[0].value


def test_a_rewrite_is_checked_when_the_button_is_pressed_and_typing_is_escaped():
    page = practice_page("make_it_specific")
    box = _controls(_exercises(page), "Textarea")[0]
    box.value = f"Support Arthur {HOSTILE} as required"
    _controls(_exercises(page), "Button")[0].click()
    [shown] = _feedback(page)
    assert "Still generic" in shown and "<img" not in shown


def test_whose_voice_feedback_quotes_the_answer_escaped():
    page = practice_page("whose_voice")
    _controls(_exercises(page), "Textarea")[1].value = f"He likes {HOSTILE}"
    _controls(_exercises(page), "Button")[1].click()
    [shown] = _feedback(page)
    assert "&lt;img src=x" in shown and "<img" not in shown


def test_to_or_for_answers_as_soon_as_a_choice_is_made():
    page = practice_page("to_or_for")
    choice = _controls(_exercises(page), "Dropdown")[2]  # the mat sensor: important for Arthur
    choice.value = "important_to"
    assert "Not quite: this is important for Arthur." in _feedback(page)[0]
    choice.value = "important_for"
    assert "Right: important for Arthur." in _feedback(page)[0]


def test_four_perspectives_sorts_then_checks_an_action():
    page = practice_page("four_perspectives")
    view, side = _controls(_exercises(page), "Dropdown")[:2]
    view.value = "person"
    assert _feedback(page) == []  # nothing until both are chosen
    side.value = "working"
    assert "Right." in _feedback(page)[0]
    what, who, when = _controls(_exercises(page), "Text")[:3]
    what.value, who.value, when.value = "Heat my dinner until it is piping hot at 5pm", "everyone", "soon"
    _controls(_exercises(page), "Button")[0].click()
    assert "names nobody in particular" in _feedback(page)[1]


def test_the_review_order_is_checked_on_request():
    page = practice_page("review_questions")
    exercises = load_exercises("review_questions")
    places = _controls(_exercises(page), "Dropdown")[:9]
    for place, question in zip(places, exercises.questions):
        place.value = question["text"]
    _controls(_exercises(page), "Button")[0].click()
    assert "All nine in order." in _feedback(page)[0]
