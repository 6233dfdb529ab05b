"""The tool pages as a team server's people use them, and as someone would try to get round them.

A member of staff at Oak House (sid) signs in through the Hub (JUPYTERHUB_USER, as the Hub's spawner
sets it); Zoe is at Oak House and Pat at Elm Court. The browser can send any widget message, so the
attacker's tests call what such a message would set off, and check the store afterwards.
"""

from __future__ import annotations

import ipywidgets as widgets
import pytest
from traitlets import TraitError

from pcp_widgets.access import Identity, NotAllowed
from pcp_widgets.ui.gate import RefusedPage
from pcp_widgets.ui.session import DocumentSession, add_person
from pcp_widgets.ui.tool_page import ToolPage, tool_page

TOOL = "one_page_profile"
REFUSED_ELM = "Staff can open only the people of their services; {ref} is at Elm Court."


@pytest.fixture
def team(store):
    """Users of each kind, and two people in the register: Zoe at Oak House, Pat at Elm Court."""
    store.add_user("ada", "admin", by="test")
    store.add_user("sid", "staff", ["Oak House"], by="test")
    store.add_user("tess", "trainer", by="test")
    store.add_user("quinn", "quality-lead", by="test")
    store.zoe = store.add_person("Zoe", "Oak House", by="ada").person.ref
    store.pat = store.add_person("Pat", "Elm Court", by="ada").person.ref
    return store


def signed_in_as(monkeypatch, store, name) -> ToolPage | RefusedPage:
    """The tool page as ``name`` opens it behind the Hub."""
    monkeypatch.setenv("JUPYTERHUB_USER", name)
    return tool_page(TOOL, store=store)


def every_widget(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from every_widget(child)


def nothing_of_pat_touched(store, user="sid"):
    """No document of Pat's was made, opened, saved or restored by ``user``; what they tried is logged refused."""
    assert store.documents_of(store.pat) == []
    touched = [entry.action for entry in store.access_log(person_ref=store.pat) if entry.user == user]
    assert touched and set(touched) == {"refused"}


def test_staff_see_only_the_people_of_their_services_labelled_by_name_ref_and_service(team, monkeypatch):
    page = signed_in_as(monkeypatch, team, "sid")
    assert isinstance(page, ToolPage)
    assert list(page.editor.choose.options) == [("Choose a person…", ""), (f"Zoe ({team.zoe}, Oak House)", team.zoe)]
    assert list(page.editor.service.options) == ["Oak House"]  # they add people to their own service only
    page.editor.choose.value = team.zoe
    page.editor.open_button.click()
    assert "Opened Zoe&#x27;s one-page profile" in page.status.value
    assert [(e.user, e.action) for e in team.access_log(person_ref=team.zoe)][-2:] == [("ada", "added a person"),
                                                                                       ("sid", "saved")]


def test_an_admin_sees_everyone_and_may_type_a_new_service(team, monkeypatch):
    page = signed_in_as(monkeypatch, team, "ada")
    assert [ref for _, ref in page.editor.choose.options if ref] == [team.pat, team.zoe]  # by name
    assert isinstance(page.editor.service, widgets.Combobox)
    assert set(page.editor.service.options) >= {"Oak House", "Elm Court"} and not page.editor.service.ensure_option
    page.editor.service.value = "Ash Lodge"
    page.editor.new_person.value = "Ravi"  # Enter in the name box
    page.editor.add_button.click()  # the click that left the box: Ravi is added once, and no complaint
    assert "pcp-problem" not in page.status.value
    ravi = team.people(services={"Ash Lodge"})[0]
    assert (ravi.preferred_name, ravi.added_by) == ("Ravi", "ada")
    assert page.editor.session.ref == ravi.ref and page.editor.choose.value == ravi.ref


def test_the_attackers_open_of_a_person_at_another_service_is_refused_and_nothing_of_theirs_is_read(
        team, monkeypatch):
    """sid's page never offers Pat; sid's browser sends the message that opens Pat's profile anyway."""
    page = signed_in_as(monkeypatch, team, "sid")
    editor = page.editor
    editor.open(team.pat)  # what the Open button sets off, with the ref a forged message would carry
    assert REFUSED_ELM.format(ref=team.pat) in page.status.value and "pcp-problem" in page.status.value
    assert editor.session is None and editor.body.children == ()
    assert team.pat not in {ref for _, ref in editor.choose.options}
    nothing_of_pat_touched(team)
    refused = team.access_log(person_ref=team.pat)[-1]
    assert (refused.user, refused.action) == ("sid", "refused") and REFUSED_ELM.format(ref=team.pat) in refused.detail


def test_a_forged_picker_message_cannot_reach_a_person_the_picker_does_not_hold(team, monkeypatch):
    """Over the widget protocol the Dropdown takes an index into the options the kernel gave it; there is
    no index for Pat, and the widget drops a forged one (with a warning in the server's log)."""
    page = signed_in_as(monkeypatch, team, "sid")
    forged = {"method": "update", "state": {"index": 2, "_options_labels": ["", "", f"Pat ({team.pat})"]},
              "buffer_paths": []}
    page.editor.choose._handle_msg({"content": {"data": forged}, "buffers": []})
    assert page.editor.choose.value in ("", team.zoe)
    page.editor.open_button.click()
    assert team.documents_of(team.pat) == []
    assert all(entry.person_ref != team.pat for entry in team.access_log(user="sid"))


def test_adding_a_person_at_another_service_is_refused_and_adds_no_one(team, monkeypatch):
    page = signed_in_as(monkeypatch, team, "sid")
    with pytest.raises(TraitError):  # the service list holds only Oak House
        page.editor.service.value = "Elm Court"
    sid = team.find_user("sid")
    with pytest.raises(NotAllowed, match="Staff can add only the people of their services"):
        add_person(team, Identity(sid.name, sid.role, frozenset(sid.services), "hub"), "Kim", "Elm Court", TOOL)
    assert [p.preferred_name for p in team.people(services={"Elm Court"})] == ["Pat"]
    assert team.access_log(user="sid")[-1].action == "refused"


def test_a_service_taken_away_while_the_page_is_open_stops_the_next_save_and_restore(team, monkeypatch):
    page = signed_in_as(monkeypatch, team, "sid")
    editor = page.editor
    editor.open(team.zoe)
    editor.fields["important_to"].box.value = "My garden"
    assert "Saved at" in page.status.value
    versions = len(team.document_history(editor.session.document_id))

    team.set_user_services("sid", ["Elm Court"], by="ada")  # an admin moves sid while the page is open
    editor.fields["important_to"].box.value = "My garden\nTea at four"
    assert f"Not saved: Staff can save the documents of only the people of their services; {team.zoe} is at " \
           "Oak House." in page.status.value
    editor.version_choice.value = 1
    editor.restore_button.click()
    assert "Staff can restore the documents of only the people of their services" in page.status.value
    editor.view_button.click()
    assert "Staff can open only the people of their services" in page.status.value
    assert len(team.document_history(editor.session.document_id)) == versions
    assert [e.action for e in team.access_log(person_ref=team.zoe, user="sid")][-3:] == ["refused"] * 3


def test_each_version_says_who_saved_it_by_the_signed_in_name(team, monkeypatch):
    page = signed_in_as(monkeypatch, team, "SID")
    page.editor.open(team.zoe)
    page.editor.fields["important_to"].box.value = "My garden"
    newest = page.editor.version_choice.options[0][0]
    assert newest.startswith("Version 2, saved ") and newest.endswith(" by sid")
    assert {v.saved_by for v in team.document_history(page.editor.session.document_id)} == {"sid"}


def test_a_trainer_sees_the_example_and_handouts_and_one_sentence_in_place_of_the_editor(team, monkeypatch):
    page = signed_in_as(monkeypatch, team, "tess")
    assert isinstance(page, ToolPage) and page.editor is None
    shown = "\n".join(w.value for w in page.widget.children if isinstance(w, widgets.HTML))
    assert "Worked example" in shown and "Reflection questions" in shown
    assert "Trainers cannot open a person&#x27;s tool documents; ask an admin if your work needs it." in shown
    assert all(page.handouts[form].link.value for form in ("PDF", "Word"))
    controls = [w for w in every_widget(page.widget) if isinstance(w, (widgets.Dropdown, widgets.Button,
                                                                        widgets.Text, widgets.Combobox))]
    assert controls == []  # nothing a message could press to reach a record
    assert [e.action for e in team.access_log(user="tess")] == ["signed in"]


def test_a_hub_user_nobody_added_gets_the_refused_page(team, monkeypatch):
    page = signed_in_as(monkeypatch, team, "mallory")
    assert isinstance(page, RefusedPage) and "mallory is signed in but has no role in pcp yet" in page.reason


def test_two_editors_opening_a_new_persons_document_at_once_share_one(team):
    ada = Identity("ada", "admin", frozenset(), "hub")
    quinn = Identity("quinn", "quality-lead", frozenset(), "hub")
    first = DocumentSession.open(team, ada, TOOL, team.zoe)
    second = DocumentSession.open(team, quinn, TOOL, team.zoe)
    assert first.document_id == second.document_id
    assert len(team.documents_of(team.zoe)) == 1
    assert [e.action for e in team.access_log(person_ref=team.zoe)][-2:] == ["saved", "viewed"]


def test_two_editors_adding_the_same_name_get_one_entry_and_one_document(team, monkeypatch):
    first, second = (signed_in_as(monkeypatch, team, "sid") for _ in range(2))
    for page in (first, second):  # the name is typed, then Enter
        page.editor.new_person.value = "Nia"
    nia = [person for person in team.people(services={"Oak House"}) if person.preferred_name == "Nia"]
    assert len(nia) == 1 and first.editor.session.document_id == second.editor.session.document_id
    assert f"Nia ({nia[0].ref}, Oak House) was already in the register" in second.status.value
