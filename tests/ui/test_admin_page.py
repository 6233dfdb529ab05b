"""The admin page on a real store: each section does what its button says, and the kernel refuses anyone
else, even one who sends the page's widget messages themselves."""

from __future__ import annotations

import base64
import datetime as dt
import html
import io
import json
import re
import zipfile

import ipywidgets as widgets
import openpyxl
import pytest

from pcp_widgets.access import Identity
from pcp_widgets.ui.admin_page import AdminPage, admin_page, erasure_preview, services_from_text
from pcp_widgets.ui.gate import RefusedPage

PROFILE = "one_page_profile"
REF = "P-0042"
NAME = "Zebedee <b>Quartermaine</b>"


def every_widget(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from every_widget(child)


def press(page, description: str) -> None:
    """Send the widget message a browser sends when the button is pressed (visible or not)."""
    (found,) = [w for w in every_widget(page.widget) if isinstance(w, widgets.Button) and w.description == description]
    found._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []})


def said(line) -> str:
    """What a status line says, as a person reads it (unescaped)."""
    return html.unescape(line.value)


def link_data(html_text: str) -> tuple[str, bytes]:
    """The file name and the bytes of the download link in ``html_text``."""
    match = re.search(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', html_text)
    assert match, html_text
    return match.group(1), base64.b64decode(match.group(2))


@pytest.fixture
def held(store, monkeypatch):
    """An admin Hub user (ada), a quality lead (quinn), and Zebedee at Oak House with three versions of a profile."""
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    store.add_user("ada", "admin", by="test")
    store.add_user("quinn", "quality-lead", by="test")
    store.add_person(NAME, "Oak House", ref=REF, by="ann")
    store.add_person("Pat", "Oak House", ref="P-0001", by="ann")
    first = store.open_person_document(PROFILE, REF, user="sam", new_content={"person": NAME, "likes": "jazz"})
    second = store.save_document(first.document_id, {"person": NAME, "likes": "her neighbour Val"}, 1, saved_by="ann")
    store.save_document(first.document_id, {"person": NAME, "likes": "tea at 7"}, second.version, saved_by="sam")
    return store


def as_hub_user(monkeypatch, name: str) -> None:
    monkeypatch.setenv("JUPYTERHUB_USER", name)


@pytest.fixture
def page(held, monkeypatch):
    as_hub_user(monkeypatch, "ada")
    built = admin_page(held)
    assert isinstance(built, AdminPage)
    return built


def test_services_typed_in_one_box():
    assert services_from_text(" Oak House, Elm Court\nAsh Lodge,, ") == ["Oak House", "Elm Court", "Ash Lodge"]


def test_users_are_listed_added_and_changed_and_each_change_is_logged(page, held):
    assert "quinn" in page.users_table.value and "quality-lead" in page.users_table.value
    assert "2 people can sign in" in page.users_table.value
    page.new_name.value, page.new_role.value, page.new_services.value = "Sid", "staff", "Oak House, Elm Court"
    press(page, "Add the user")
    assert held.user("sid").services == ("Elm Court", "Oak House") and held.user("sid").role == "staff"
    assert "Added sid: staff" in said(page.users_status) and "sid" in page.users_table.value

    page.chosen_user.value = "sid"
    page.changed_role.value = "manager"
    press(page, "Change the role")
    page.changed_services.value = "Ash Lodge"
    press(page, "Change the services")
    assert (held.user("sid").role, held.user("sid").services) == ("manager", ("Ash Lodge",))
    assert [e.detail for e in held.access_log(user="ada") if e.action == "changed a role"] == [
        "added sid as staff in Oak House, Elm Court", "sid: staff to manager", "sid's services: Ash Lodge"]

    page.new_name.value = "sid"
    press(page, "Add the user")
    assert "sid is already a pcp user (manager)" in said(page.users_status) and "pcp-problem" in said(page.users_status)


def test_the_register_is_listed_added_to_and_people_leave_and_come_back(page, held):
    assert "Zebedee &lt;b&gt;Quartermaine&lt;/b&gt;" in page.register_table.value  # escaped, never markup
    assert "<b>Quartermaine" not in page.register_table.value
    assert "2 people in the register, 2 of them active" in page.register_table.value
    page.person_name.value, page.person_service.value = "Zoe", "Elm Court"
    press(page, "Add to the register")
    (zoe,) = [p for p in held.people() if p.preferred_name == "Zoe"]
    assert zoe.service == "Elm Court" and "Added Zoe (" in said(page.register_status)
    page.person_name.value, page.person_service.value = "zoe ", "Elm Court"
    press(page, "Add to the register")
    assert "already in the register; nothing was added" in said(page.register_status)

    page.leaving.value = zoe.ref
    page.left_on.box.value = "31/10/2026"
    press(page, "Mark as left")
    assert held.person(zoe.ref).left_on == dt.date(2026, 10, 31) and "Left 31/10/2026" in page.register_table.value
    press(page, "Mark as back")
    assert held.person(zoe.ref).active
    page.left_on.box.value = "31/02/2026"
    press(page, "Mark as left")
    assert "is not a date we can read" in said(page.register_status) and held.person(zoe.ref).active


def test_who_looked_at_a_persons_plan_is_shown_and_downloaded_and_the_look_up_is_logged(page, held):
    today = dt.date.today()
    page.log_person.value, page.log_user.value = REF.lower(), "SAM"
    page.log_from.box.value, page.log_to.box.value = f"{today:%d/%m/%Y}", f"{today:%d/%m/%Y}"
    press(page, "Look up the access log")
    table = page.log_table.value
    assert "2 entries" in table and table.count("<td>sam</td>") == 2 and "<td>ann</td>" not in table
    name, data = link_data(page.log_link.value)
    assert name.startswith("access-log-") and name.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Access log"]
    rows = [[cell.value for cell in row] for row in sheet.iter_rows() if row[1].value == "sam"]
    assert [(r[2], r[3], r[4]) for r in rows] == [("saved", REF, NAME), ("saved", REF, NAME)]
    last = held.access_log()[-1]
    assert (last.user, last.action, last.person_ref) == ("ada", "exported", REF)
    assert last.detail.startswith("the access log (2 entries, person P-0042; user sam; from ")

    page.log_from.box.value = "not a day"
    press(page, "Look up the access log")
    assert "is not a date we can read" in said(page.log_link)


def test_a_persons_data_is_exported_as_a_zip_and_the_export_is_logged(page, held):
    page.data_ref.value = "p-0042"
    press(page, "Look up the person")
    assert "Zebedee &lt;b&gt;" in page.found.value and page.person_box.layout.display == "flex"
    press(page, "Export everything held (zip)")
    name, data = link_data(page.export.link.value)
    assert name == f"{REF}.zip"
    archive = zipfile.ZipFile(io.BytesIO(data))
    versions = json.loads(archive.read("person.json"))["documents"][0]["versions"]
    assert [v["saved_by"] for v in versions] == ["sam", "ann", "sam"]
    assert archive.read("summary.pdf").startswith(b"%PDF")
    last = held.access_log()[-1]
    assert (last.user, last.action, last.person_ref, last.detail) == (
        "ada", "exported", REF, f"everything held about them to a download, {REF}.zip")


def test_one_version_is_redacted_and_the_others_stay(page, held):
    page.data_ref.value = REF
    press(page, "Look up the person")
    assert page.version.options[0][0].startswith("Version 3, saved ")
    page.version.value = 2
    page.redact_reason.value = "it named a neighbour"
    press(page, "Redact this version")
    history = {v.version: v.content for v in held.document_history(held.documents_of(REF)[0].document_id)}
    assert history[1]["likes"] == "jazz" and history[3]["likes"] == "tea at 7"
    assert "likes" not in history[2] and history[2]["redacted"] == {**history[2]["redacted"], "by": "ada",
                                                                     "reason": "it named a neighbour"}
    assert "Redacted version 2 of P-0042's one page profile" in said(page.person_status)


def test_an_erasure_says_what_goes_and_what_stays_and_needs_the_ref_typed_again(page, held):
    page.data_ref.value = REF
    press(page, "Look up the person")
    press(page, "Erase this person…")
    preview = page.erase_preview.value
    assert page.erase_confirm.layout.display == "flex"
    assert "Their 1 tool document, with 3 versions in all." in preview and "anonymous code" in preview
    assert "<b>Quartermaine" not in preview

    page.erase_typed.value, page.erase_reason.value = "P-0001", "the person asked, under Article 17"
    press(page, "Erase for good")
    assert "Nothing was erased: the ref typed again did not match." in said(page.person_status)
    assert held.person(REF).ref == REF

    page.erase_typed.value = "p-0042"
    press(page, "Erase for good")
    assert "Erased: 1 document(s) with 3 version(s) deleted" in said(page.person_status)
    assert [p.ref for p in held.people(include_left=True)] == ["P-0001"] and held.documents_of("P-0001") == []
    assert "Quartermaine" not in page.register_table.value
    erased = held.access_log()[-1]
    assert (erased.user, erased.action) == ("ada", "erased") and "Article 17" in erased.detail


def test_what_is_due_under_the_retention_policy_is_shown_and_applied_after_a_confirmation(page, held):
    assert "Due to go today" in page.due_table.value and "Nothing is due to go." in page.due_table.value
    press(page, "Apply the schedule…")
    assert "nothing to apply" in said(page.retention_status) and page.apply_confirm.layout.display == "none"

    held.person_left(REF, dt.date.today() - dt.timedelta(days=9 * 366), by="ann")
    press(page, "Check again")
    assert f"{REF} (left " in page.due_table.value
    # one row per kind of record: the kind in words, how long it is kept, how many are due
    assert re.search(r"tool documents of people who have left</t[dh]>\s*<td[^>]*>8 years</td>\s*<td[^>]*>1</td>",
                     page.due_table.value)
    assert re.search(r"practice sessions</t[dh]>\s*<td[^>]*>1 year</td>\s*<td[^>]*>0</td>", page.due_table.value)
    press(page, "Apply the schedule…")
    assert page.apply_confirm.layout.display == "flex"
    assert "This removes for good: 1 tool documents of people who have left." in page.apply_note.value
    assert held.documents_of(REF)  # nothing removed before the confirmation
    press(page, "Remove them now")
    assert held.documents_of(REF) == [] and "Removed 1 tool documents of people who have left" in \
        page.retention_status.value
    assert held.access_log()[-1].action == "applied retention" and held.access_log()[-1].user == "ada"


def test_the_os_account_of_a_one_computer_pcp_serve_is_its_admin(held):
    assert isinstance(admin_page(held), AdminPage)


@pytest.mark.parametrize("name", ["quinn", "mallory"])
def test_a_hub_user_who_is_not_an_admin_gets_the_sentence_and_no_control(held, monkeypatch, name):
    as_hub_user(monkeypatch, name)
    refused = admin_page(held)
    assert isinstance(refused, RefusedPage)
    assert not [w for w in every_widget(refused.widget) if isinstance(w, (widgets.Button, widgets.Text))]
    if name == "quinn":
        assert refused.reason == "Quality leads cannot manage who signs in and their roles; ask an admin if your " \
                                 "work needs it."
    assert held.access_log()[-1].action == "refused"


ERASE_REFUSED = "Quality leads cannot erase a person's records; ask an admin if your work needs it."


def test_a_quality_lead_who_has_the_page_and_sends_erase_is_refused_in_the_kernel(held, monkeypatch):
    """The page was built for an admin, the confirmation filled in; then the kernel is the quality lead's."""
    as_hub_user(monkeypatch, "ada")
    page = admin_page(held)
    page.data_ref.value = REF
    press(page, "Look up the person")
    press(page, "Erase this person…")
    page.erase_typed.value, page.erase_reason.value = REF, "the person asked"

    as_hub_user(monkeypatch, "quinn")
    press(page, "Erase for good")
    assert ERASE_REFUSED in said(page.person_status)
    assert held.person(REF).preferred_name == NAME and len(held.document_history(
        held.documents_of(REF)[0].document_id)) == 3
    refused = held.access_log()[-1]
    assert (refused.user, refused.action, refused.person_ref) == ("quinn", "refused", REF)
    assert refused.detail == f"audits/admin.ipynb: {ERASE_REFUSED}"


def test_an_admin_demoted_while_the_page_is_open_can_no_longer_use_it(held, monkeypatch):
    as_hub_user(monkeypatch, "ada")
    page = admin_page(held)
    held.add_user("root", "admin", by="test")
    held.set_user_role("ada", "quality-lead", by="root")
    page.new_name.value = "eve"
    page.new_role.value = "admin"
    press(page, "Add the user")
    assert "Quality leads cannot manage who signs in" in said(page.users_status) and held.find_user("eve") is None
    press(page, "Apply the schedule…")
    assert "Quality leads cannot apply the retention schedule" in said(page.retention_status)


@pytest.mark.parametrize("button, place", [
    ("Add the user", "users_status"), ("Change the role", "users_status"), ("Add to the register", "register_status"),
    ("Look up the person", "person_status"), ("Redact this version", "person_status"),
    ("Erase this person…", "person_status"), ("Erase for good", "person_status"),
    ("Check again", "retention_status"), ("Remove them now", "retention_status"),
])
def test_every_button_checks_the_role_of_whoever_is_signed_in_now(held, monkeypatch, button, place):
    as_hub_user(monkeypatch, "ada")
    page = admin_page(held)
    held.add_user("sid", "staff", ["Elm Court"], by="test")
    as_hub_user(monkeypatch, "sid")
    before = len(held.access_log())
    press(page, button)
    said_there = said(getattr(page, place))
    assert "Staff cannot" in said_there, said_there
    assert [e.action for e in held.access_log()[before:]] == ["refused"]


def test_the_erasure_preview_counts_from_the_gathered_data():
    held = {"documents": [{"versions": [1, 2]}, {"versions": [1]}], "audit_records": {"event": [1, 2, 3]},
            "access_log": [1]}
    goes, stays = erasure_preview(held)
    assert goes[0] == "Their 2 tool documents, with 3 versions in all."
    assert stays[:2] == ["Their 3 audit rows, under an anonymous code, so counts and charts still add up.",
                         "The 1 access-log entry about them, under the same code."]


def test_the_page_builds_for_an_identity_given_directly(held):
    page = AdminPage(held, Identity("ada", "admin", source="hub"))
    assert "Sign-in name" in [w.description for w in every_widget(page.widget) if isinstance(w, widgets.Text)]
