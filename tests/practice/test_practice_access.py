"""Practice sessions as someone would try to get round them: whose answers a participant reaches, who opens
the trainer's page.

A participant's answers belong to who the server knows them to be: the Hub's sign-in (JUPYTERHUB_USER, as
the Hub's spawner sets it), or under ``pcp serve`` the browser's private key, which the server puts in the
page kernel's environment from an HttpOnly cookie (:mod:`pcp_widgets.practice.browser_key`). A browser can
send any widget message, so the attacker's tests send the messages a page would (a name typed, Join pressed)
and then look in the store.
"""

from __future__ import annotations

import ipywidgets as widgets
import pytest
import tornado.httputil

from pcp_widgets.practice import browser_key, sessions
from pcp_widgets.ui.facilitator_page import FacilitatorPage, facilitator_page
from pcp_widgets.ui.gate import RefusedPage
from pcp_widgets.ui.practice_page import PracticePage, practice_page
from tests.support.widget_messages import click, controls, send_state

KIND = "to_or_for"
ITEM = sessions.session_items(KIND)[0].item_id
PAGE_PATH = "/voila/render/workbooks/practice_to_or_for.ipynb"


def in_browser(monkeypatch, key: str) -> None:
    """The page kernel of a browser holding ``key`` under ``pcp serve`` (no Hub)."""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    monkeypatch.setenv(browser_key.VARIABLE, key)


def joined_by_messages(store, code: str, name: str) -> PracticePage:
    """A practice page joined as a browser does it: the code and the name typed, then Join pressed."""
    page = practice_page(KIND, store)
    send_state(page.join_box.code, value=code)
    send_state(page.join_box.name, value=name)
    click(page.join_box.button)
    return page


def answer_first_item(page: PracticePage, choice: str) -> None:
    """Choose "Important <choice>" for the first statement, as the drop-down's message does."""
    [dropdown] = controls(page.answers[0], widgets.Dropdown)
    send_state(dropdown, index=[value for _label, value in dropdown.options].index(f"important_{choice}"))


def answers_of(store, code: str) -> dict[str, dict]:
    return {person.name: person.answers for person in sessions.participants(store, code)}


@pytest.fixture
def session(store):
    return sessions.start_session(store, "Priya")


DEE_KEY, MALLORY_KEY = browser_key.new_key(), browser_key.new_key()


def test_under_pcp_serve_typing_a_participants_name_opens_nothing_of_theirs(store, session, monkeypatch):
    in_browser(monkeypatch, DEE_KEY)
    dee = joined_by_messages(store, session, "Dee")
    answer_first_item(dee, "to")
    before = answers_of(store, session)

    in_browser(monkeypatch, MALLORY_KEY)  # another browser in the room, same computer account on the server
    for typed in ("Dee", " dee ", "DEE"):
        mallory = joined_by_messages(store, session, typed)
        assert mallory.join_box.participant is None
        assert "Someone in this session already uses the name" in mallory.join_box.status.value
        answer_first_item(mallory, "for")  # not joined: checked on the page, saved nowhere
    assert answers_of(store, session) == before
    assert before["Dee"][KIND][ITEM]["answer"] == "Important to"


def test_a_participant_renaming_themselves_to_another_name_is_refused_and_keeps_their_own(store, session,
                                                                                          monkeypatch):
    in_browser(monkeypatch, DEE_KEY)
    answer_first_item(joined_by_messages(store, session, "Dee"), "to")
    in_browser(monkeypatch, MALLORY_KEY)
    mallory = joined_by_messages(store, session, "Mallory")
    answer_first_item(mallory, "for")

    send_state(mallory.join_box.name, value="Dee")  # the name box changed over the websocket, Join again
    click(mallory.join_box.button)
    assert "already uses the name Dee" in mallory.join_box.status.value
    answer_first_item(mallory, "to")  # still Mallory's page: saved under Mallory
    saved = answers_of(store, session)
    assert saved["Dee"][KIND][ITEM]["answer"] == "Important to"
    assert saved["Mallory"][KIND][ITEM]["answer"] == "Important to"
    assert sorted(saved) == ["Dee", "Mallory"]


def test_the_same_browser_reloading_carries_on_with_its_answers(store, session, monkeypatch):
    in_browser(monkeypatch, DEE_KEY)
    first = joined_by_messages(store, session, "Dee")
    answer_first_item(first, "for")
    again = joined_by_messages(store, session, "Dee")  # the page reloaded: a new kernel, the same cookie
    assert again.join_box.participant.document_id == first.join_box.participant.document_id
    answer_first_item(again, "to")
    saved = answers_of(store, session)
    assert list(saved) == ["Dee"] and saved["Dee"][KIND][ITEM]["answer"] == "Important to"


@pytest.mark.parametrize("key", [None, "", "short", "x" * 42 + "!"])
def test_a_page_served_without_a_proper_key_keeps_nobodys_answers(store, session, monkeypatch, key):
    in_browser(monkeypatch, DEE_KEY)
    answer_first_item(joined_by_messages(store, session, "Dee"), "to")
    if key is None:
        monkeypatch.delenv(browser_key.VARIABLE)
    else:
        monkeypatch.setenv(browser_key.VARIABLE, key)
    page = joined_by_messages(store, session, "Sam")
    assert page.join_box.participant is None
    assert "cannot tell you apart from others using this computer account" in page.join_box.status.value
    assert sorted(answers_of(store, session)) == ["Dee"]


def test_the_database_keeps_no_browser_key(store, session, monkeypatch):
    in_browser(monkeypatch, DEE_KEY)
    page = joined_by_messages(store, session, "Dee")
    answer_first_item(page, "to")
    summary = store.find_documents(tool=sessions.ANSWERS_TOOL)[0]
    stored = repr(store.document_history(summary.document_id)) + summary.person
    assert DEE_KEY not in stored and DEE_KEY[:12] not in stored


# -- the key's cookie, as the server's transform handles each request ---------------------------------


def request(path=PAGE_PATH, **headers) -> tornado.httputil.HTTPServerRequest:
    return tornado.httputil.HTTPServerRequest(start_line=tornado.httputil.RequestStartLine("GET", path, "HTTP/1.1"),
                                              headers=tornado.httputil.HTTPHeaders(Host="127.0.0.1", **headers))


def set_cookie(transform) -> list[str]:
    _status, headers, _chunk = transform.transform_first_chunk(200, tornado.httputil.HTTPHeaders(), b"", True)
    return headers.get_list("Set-Cookie")


def test_a_forged_key_header_is_replaced_by_the_browsers_own_cookie():
    transform_class = browser_key.page_key_transform()
    forged = request(Cookie=f"{browser_key.COOKIE}={MALLORY_KEY}", **{browser_key.HEADER: DEE_KEY})
    transform = transform_class(forged)
    assert forged.headers.get_list(browser_key.HEADER) == [MALLORY_KEY]
    assert set_cookie(transform) == []  # it has a key already: kept


@pytest.mark.parametrize("cookie", [None, f"{browser_key.COOKIE}=short", f"{browser_key.COOKIE}=\"{DEE_KEY}!\""])
def test_a_browser_without_a_proper_key_gets_a_new_private_one_with_its_page(cookie):
    sent = request(**({"Cookie": cookie} if cookie else {}), **{browser_key.HEADER: DEE_KEY})
    transform = browser_key.page_key_transform()(sent)
    [given] = sent.headers.get_list(browser_key.HEADER)
    assert browser_key.valid_key(given) and given != DEE_KEY
    [header] = set_cookie(transform)
    assert header.startswith(f"{browser_key.COOKIE}={given};")
    assert "HttpOnly" in header and "SameSite=Strict" in header and "Path=/" in header


def test_the_cookie_comes_with_pages_only():
    transform = browser_key.page_key_transform()(request("/voila/static/voila.js"))
    assert set_cookie(transform) == []


# -- behind JupyterHub ------------------------------------------------------------------------------------


@pytest.fixture
def team(store):
    """Hub users: an admin, a trainer and two members of staff."""
    store.add_user("ada", "admin", by="test")
    store.add_user("tess", "trainer", by="test")
    store.add_user("dee", "staff", ["Oak House"], by="test")
    store.add_user("mallory", "staff", ["Oak House"], by="test")
    return store


def as_hub_user(monkeypatch, name: str, key: str | None = None) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", name)
    if key:
        monkeypatch.setenv(browser_key.VARIABLE, key)
    else:
        monkeypatch.delenv(browser_key.VARIABLE, raising=False)


def test_behind_the_hub_answers_belong_to_the_sign_in_whatever_name_or_key_is_sent(team, monkeypatch):
    code = sessions.start_session(team, "Tess")
    as_hub_user(monkeypatch, "dee")
    dee = joined_by_messages(team, code, "Dee Smith")  # the name the trainer sees is Dee's own choice
    answer_first_item(dee, "to")

    as_hub_user(monkeypatch, "mallory", key=DEE_KEY)  # Mallory even sends Dee's browser key: ignored here
    refused = joined_by_messages(team, code, "dee smith")
    assert refused.join_box.participant is None and "already uses the name" in refused.join_box.status.value
    mallory = joined_by_messages(team, code, "M")
    answer_first_item(mallory, "for")

    saved = answers_of(team, code)
    assert saved["Dee Smith"][KIND][ITEM]["answer"] == "Important to"
    assert saved["M"][KIND][ITEM]["answer"] == "Important for"
    savers = {person.name: {v.saved_by for v in team.document_history(summary.document_id)}
              for person, summary in zip(sessions.participants(team, code),
                                         sorted(team.find_documents(tool=sessions.ANSWERS_TOOL),
                                                key=lambda s: s.document_id))}
    assert savers == {"Dee Smith": {"dee"}, "M": {"mallory"}}  # each save recorded under the sign-in


def test_a_hub_user_with_no_role_practises_but_cannot_join(team, monkeypatch):
    code = sessions.start_session(team, "Tess")
    as_hub_user(monkeypatch, "stranger")
    page = joined_by_messages(team, code, "Stranger")
    assert page.join_box.participant is None
    assert "stranger is signed in but has no role in pcp yet" in page.join_box.status.value
    assert answers_of(team, code) == {}


# -- the trainer's page --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dee", "mallory"])
def test_staff_get_the_trainers_page_as_one_sentence_with_no_control(team, monkeypatch, name):
    code = sessions.start_session(team, "Tess")
    as_hub_user(monkeypatch, "dee")
    answer_first_item(joined_by_messages(team, code, "Dee"), "to")

    as_hub_user(monkeypatch, name)
    page = facilitator_page(team)
    assert isinstance(page, RefusedPage)
    assert "Staff cannot run practice sessions as the trainer" in page.status.value
    assert not controls(page, (widgets.Button, widgets.Text, widgets.Dropdown, widgets.Checkbox))
    assert "Dee" not in repr([w.value for w in controls(page, widgets.HTML)])
    assert [e.action for e in team.access_log(user=name)][-1] == "refused"


@pytest.mark.parametrize("name", ["tess", "ada"])
def test_trainers_and_admins_open_the_trainers_page(team, monkeypatch, name):
    code = sessions.start_session(team, "Tess")
    as_hub_user(monkeypatch, name)
    page = facilitator_page(team)
    assert isinstance(page, FacilitatorPage)
    send_state(page.earlier, value=code)
    click(page.reopen_button)
    assert f"Session {code} is open" in page.status.value


# -- sessions stored before answers had owners ----------------------------------------------------------------


def test_a_session_stored_before_owners_still_opens_and_its_names_cannot_be_taken_over(store, monkeypatch):
    code = sessions.start_session(store, "Priya")
    old = store.create_document(sessions.ANSWERS_TOOL, f"{code}:1a2b3c4d",  # as join() made them before
                                {"session": code, "name": "Dee", "joined": "2026-11-20T10:00:00+00:00",
                                 "answers": {KIND: {ITEM: {"answer": "Important to", "ok": True,
                                                           "saved_at": "2026-11-20T10:05:00+00:00"}}}},
                                saved_by="practice page")
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    trainer = facilitator_page(store)
    send_state(trainer.earlier, value=code)
    click(trainer.reopen_button)
    send_state(trainer.item, index=[(i.kind, i.item_id) for i in trainer.items].index((KIND, ITEM)))
    assert "Dee" in trainer.progress.value and "Participant 1" in trainer.answers.value
    assert sessions.completion_xlsx(store, code) and sessions.handout_pdf(store, code)

    in_browser(monkeypatch, MALLORY_KEY)
    mallory = joined_by_messages(store, code, "Dee")
    assert mallory.join_box.participant is None
    assert store.get_document(old.document_id).version == 1
