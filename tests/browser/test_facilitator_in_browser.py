"""A practice session in Chromium: the trainer starts it, a participant joins on a practice page and
completes an exercise, and the trainer's page (another browser page) shows it by itself, without Refresh."""

import re

import pytest

from tests.browser.layout import layout_problems

pytestmark = pytest.mark.browser

TRAINER_PAGE = "/voila/render/workbooks/facilitator.ipynb"
PRACTICE_PAGE = "/voila/render/workbooks/practice_make_it_specific.ipynb"


def test_a_participant_joins_and_completes_an_exercise_and_the_trainer_sees_it(page, served, axe):
    trainer = page
    trainer.goto(served.base + TRAINER_PAGE)
    trainer.get_by_role("heading", name="Run a practice session", level=1).wait_for()
    trainer.get_by_label("Your name (printed on the handout)").fill("Priya")
    trainer.get_by_role("button", name="Start a session").click()
    shown = trainer.get_by_text(re.compile(r"^[A-HJ-NP-Z2-9]{6}$"))
    shown.wait_for()
    code = shown.inner_text().strip()

    participant = trainer.context.new_page()
    participant.goto(served.base + PRACTICE_PAGE)
    participant.get_by_role("heading", name="Practice: make it specific", level=1).wait_for()
    participant.get_by_label("Session code").fill(code.lower())
    participant.get_by_label("Your name").fill("Dee Smith")
    participant.get_by_role("button", name="Join the session").click()
    participant.get_by_text(f"You have joined session {code} as Dee Smith").wait_for()
    participant.get_by_label("Your rewrite of statement 1").fill(
        "Heat my frozen meal until it is piping hot at 5pm, then sit and talk with me while I eat")
    participant.get_by_role("button", name="Check my rewrite").first.click()
    participant.get_by_text("Specific: a new member of staff could do this on day one.").wait_for()
    participant.get_by_text("1 answer saved for your trainer").wait_for()

    trainer.bring_to_front()
    trainer.get_by_role("cell", name="Dee Smith").wait_for(timeout=30_000)  # live updates come every 10 s
    trainer.get_by_role("cell", name="Participant 1").wait_for()
    assert trainer.get_by_text("piping hot at 5pm, then sit and talk").count() == 1
    assert trainer.get_by_role("cell", name="Dee Smith").count() == 1  # in who has done what, not the answers
    assert layout_problems(trainer) == []  # the names check box is not drawn over "Exercise to discuss"
    trainer.get_by_label("Show participants' names (here and in the handout)").check()
    trainer.get_by_role("cell", name="Dee Smith").nth(1).wait_for()
    trainer.get_by_role("button", name="Prepare the handout pack (PDF)").click()
    trainer.get_by_role("link", name=re.compile(r"^Save practice-session-.*\.pdf")).wait_for()
    trainer.get_by_role("button", name="Prepare the completion sheet (xlsx)").click()
    trainer.get_by_role("link", name=re.compile(r"^Save completion-.*\.xlsx")).wait_for()
    # Making the sheet left the pack's link in its place: each is one click.
    assert trainer.get_by_role("link", name=re.compile(r"^Save practice-session-.*\.pdf")).count() == 1
    assert axe(trainer) == [] and axe(participant) == []  # the pages as they are once a session runs


TO_OR_FOR_PAGE = "/voila/render/workbooks/practice_to_or_for.ipynb"


def _joined(context, served, code: str, name: str):
    """A practice page in ``context`` (a browser of its own: its own cookies), with the code and name typed."""
    from tests.browser.conftest import WAIT_MS

    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    opened.goto(served.base + TO_OR_FOR_PAGE)
    opened.get_by_label("Session code").fill(code)
    opened.get_by_label("Your name").fill(name)
    opened.get_by_role("button", name="Join the session").click()
    return opened


def test_another_browser_typing_a_participants_name_gets_none_of_their_answers(browser, served):
    """Under pcp serve everyone shares the server's account; each browser's private key (an HttpOnly
    cookie the server sets) tells participants apart, so a name typed in another browser opens nothing."""
    from pcp_widgets.practice import browser_key, sessions
    from pcp_widgets.store import open_store

    store = open_store(f"sqlite:///{served.database}")
    code = sessions.start_session(store, "Priya")
    dee_browser, mallory_browser = browser.new_context(), browser.new_context()
    try:
        dee = _joined(dee_browser, served, code, "Dee")
        dee.get_by_text(f"You have joined session {code} as Dee").wait_for()
        dee.get_by_label(re.compile(r"^Statement 1: important to or for")).select_option("Important to")
        dee.get_by_text("1 answer saved for your trainer").wait_for()
        [cookie] = [c for c in dee_browser.cookies() if c["name"] == browser_key.COOKIE]
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
        assert browser_key.COOKIE not in dee.evaluate("document.cookie")  # no script on the page reads it

        mallory = _joined(mallory_browser, served, code, "dee")
        mallory.get_by_text("Someone in this session already uses the name dee").wait_for()
        mallory.get_by_label(re.compile(r"^Statement 1: important to or for")).select_option("Important for")

        dee.reload()  # a new kernel; the same browser, so the same participant
        dee.get_by_label("Session code").fill(code)
        dee.get_by_label("Your name").fill("Dee S")
        dee.get_by_role("button", name="Join the session").click()
        dee.get_by_text(f"You have joined session {code} as Dee S").wait_for()
        [person] = sessions.participants(store, code)
        assert person.name == "Dee S"
        assert [entry["answer"] for entry in person.answers["to_or_for"].values()] == ["Important to"]
    finally:
        dee_browser.close()
        mallory_browser.close()
        store.dispose()
