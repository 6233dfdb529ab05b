"""The facilitator page and the practice pages' "join a session" box, driven through their widgets."""

import base64
import io
import re

import openpyxl
import pdfplumber
import pytest

from pcp_widgets.practice import browser_key, sessions
from pcp_widgets.practice.content import KINDS
from pcp_widgets.ui.facilitator_page import facilitator_page
from pcp_widgets.ui.practice_page import practice_page

HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture(autouse=True)
def one_browser(monkeypatch):
    """Each test's participant is one browser under ``pcp serve``: its key in the page kernel's environment
    (tests/practice/test_practice_access.py has several participants, and the Hub)."""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv(browser_key.VARIABLE, browser_key.new_key())


def _controls(widget, kind):
    found = [widget] if type(widget).__name__ == kind else []
    for child in getattr(widget, "children", ()):
        found += _controls(child, kind)
    return found


def _button(page, words):
    [button] = [b for b in _controls(page.widget, "Button") if b.description == words]
    return button


def _download(html_value):
    match = re.search(r'href="data:[^;]+;base64,([^"]+)"', html_value)
    assert match, html_value
    return base64.b64decode(match.group(1))


def _joined(store, code, kind, name):
    page = practice_page(kind, store)
    page.join_box.code.value, page.join_box.name.value = code, name
    page.join_box.button.click()
    return page


def test_starting_shows_the_code_large_and_the_session_part_of_the_page(store):
    page = facilitator_page(store)
    assert page.session_box.layout.display == "none"
    page.trainer.value = "Priya"
    _button(page, "Start a session").click()
    assert page.code and page.code in page.code_shown.value and "font-size: 4rem" in page.code_shown.value
    assert page.session_box.layout.display == "flex"
    assert "Nobody has joined yet" in page.progress.value


def test_a_participant_joins_on_a_practice_page_and_the_trainer_sees_it_after_refresh(store):
    trainer = facilitator_page(store)
    _button(trainer, "Start a session").click()
    practice = _joined(store, trainer.code.lower(), "make_it_specific", f"Dee {HOSTILE}")
    assert f"joined session {trainer.code}" in practice.join_box.status.value
    box = _controls(practice.answers[0].widget, "Textarea")[0]
    box.value = f"Heat my frozen meal until it is piping hot at 5pm {HOSTILE}"
    practice.answers[0].button.click()
    assert "1 answer saved" in practice.join_box.status.value

    assert "Dee" not in trainer.progress.value  # not until Refresh
    _button(trainer, "Refresh").click()
    assert "Dee &lt;img" in trainer.progress.value and "<img" not in trainer.progress.value
    assert "Participant 1" in trainer.answers.value and "piping hot at 5pm &lt;img" in trainer.answers.value
    assert "Dee" not in trainer.answers.value
    trainer.show_names.value = True
    assert "Dee &lt;img" in trainer.answers.value


def test_live_updates_show_new_answers_unless_the_trainer_turns_them_off(store):
    trainer = facilitator_page(store)
    _button(trainer, "Start a session").click()
    assert trainer.live.value  # on by default: the trainer is busy with the room
    trainer.live.value = False
    practice = _joined(store, trainer.code, "make_it_specific", "Dee")
    trainer.live_update()
    assert "Dee" not in trainer.progress.value
    trainer.live.value = True
    trainer.live_update()
    assert "Dee" in trainer.progress.value
    _controls(practice.answers[0].widget, "Textarea")[0].value = "Heat my meal until it is piping hot at 5pm"
    practice.answers[0].button.click()
    trainer.live_update()
    assert "piping hot at 5pm" in trainer.answers.value


def test_a_wrong_code_on_a_practice_page_is_one_sentence_and_nothing_is_saved(store):
    practice = _joined(store, "ZZZZZZ", "to_or_for", "Dee")
    assert "There is no practice session with the code ZZZZZZ" in practice.join_box.status.value
    _controls(practice.answers[0].widget, "Dropdown")[0].value = "important_to"
    assert practice.join_box.participant is None and "saved" not in practice.join_box.status.value


def test_a_wrong_code_to_reopen_is_one_sentence(store):
    page = facilitator_page(store)
    page.earlier.value = "K7M"
    _button(page, "Reopen").click()
    assert "is not a session code" in page.status.value and page.session_box.layout.display == "none"


@pytest.mark.parametrize("kind", KINDS)
def test_every_answer_on_every_practice_page_is_saved_under_a_session_item(store, kind):
    """The pages' keys and the sessions' items agree, so the trainer sees every answer checked."""
    code = sessions.start_session(store, "Priya")
    practice = _joined(store, code, kind, "Dee")
    known = {item.item_id for item in sessions.session_items(kind)}
    assert {answer.key for answer in practice.answers} == known
    answer = practice.answers[0]
    practice.join_box.record(answer.key, "  ", False)  # a blank box checked: nothing to save
    assert sessions.progress(store, code).iloc[0][f"{kind}_answered"] == 0
    practice.join_box.record(answer.key, "my answer", True)
    assert sessions.progress(store, code).iloc[0][f"{kind}_answered"] == 1


def test_the_trainer_downloads_the_handout_pack_and_the_completion_sheet(store, tmp_path):
    trainer = facilitator_page(store)
    _button(trainer, "Start a session").click()
    practice = _joined(store, trainer.code, "to_or_for", "Dee Smith")
    _controls(practice.answers[0].widget, "Dropdown")[0].value = "important_to"
    _button(trainer, "Prepare the handout pack (PDF)").click()
    with pdfplumber.open(io.BytesIO(_download(trainer.handout.link.value))) as pdf:
        text = " ".join((page.extract_text() or "") for page in pdf.pages)
    assert "Important to" in text and "Participant 1" in text and "Dee Smith" not in text
    assert "1 participant" in text and "1 participants" not in text
    _button(trainer, "Prepare the completion sheet (xlsx)").click()
    path = tmp_path / "completion.xlsx"
    path.write_bytes(_download(trainer.completion.link.value))
    rows = list(openpyxl.load_workbook(path)["Completion"].iter_rows(values_only=True))
    assert rows[1][0] == "Dee Smith"
    # Making the sheet left the pack's link where it was: both can be saved, one click each.
    assert _download(trainer.handout.link.value).startswith(b"%PDF")
    assert 'download="practice-session-' in trainer.handout.link.value
    assert 'download="completion-' in trainer.completion.link.value


def test_a_problem_making_a_download_is_one_sentence_and_the_page_carries_on(store):
    trainer = facilitator_page(store)
    _button(trainer, "Start a session").click()
    trainer.code = "ZZZZZZ"  # a session that has gone (another database, say)
    _button(trainer, "Prepare the completion sheet (xlsx)").click()
    assert "There is no practice session with the code ZZZZZZ" in trainer.completion.link.value
    assert "Traceback" not in trainer.completion.link.value and trainer.handout.link.value == ""
