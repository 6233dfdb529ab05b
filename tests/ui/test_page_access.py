"""The audit pages on a team server, tried by Hub users of different roles and as an attacker would try
them: by sending the widget messages the page never offers (issue 16 items 2 and 4)."""

from __future__ import annotations

import datetime as dt
import html

import pytest

from pcp_widgets.audit.outputs import free_text
from pcp_widgets.audit.analysis import wtfc
from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.cli import main
from pcp_widgets.ui.dashboards import INCIDENTS, dashboard_page
from pcp_widgets.ui.gate import RefusedPage
from pcp_widgets.ui.wtfc_page import themes_page
from tests.audit.test_wtfc import REVIEWS
from tests.support.widget_messages import click, controls, send_state
from tests.support.workbook_files import headers, row, write_workbook


@pytest.fixture
def team(store, tmp_path, monkeypatch):
    """Refusals at Oak House (P-0001) and Elm Court (P-0100), and Hub users: a manager of Oak House (mo),
    a quality lead (quinn) and a member of staff (sid)."""
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    events = [headers("event")]
    for week in range(4):
        day = dt.date(2025, 3, 3) + dt.timedelta(weeks=week)
        events += [row("event", event_date=day, service="Oak House", person_ref="P-0001"),
                   row("event", event_date=day, service="Elm Court", person_ref="P-0100", trigger="noise")]
    import_files([write_workbook(tmp_path / "march.xlsx", {"Incidents and refusals": events})], store,
                 imported_by="quinn")
    store.add_user("mo", "manager", ["Oak House"], by="test")
    store.add_user("quinn", "quality-lead", by="test")
    store.add_user("sid", "staff", ["Oak House"], by="test")
    return store


def as_hub_user(monkeypatch, name):
    monkeypatch.setenv("JUPYTERHUB_USER", name)


def everything_shown(page) -> str:
    """All the HTML and option labels the page sends to the browser, unescaped."""
    texts = [getattr(w, "value", "") for w in controls(page)] + [label for label in page.service.options]
    return html.unescape(" ".join(str(t) for t in texts))


def actions_of(store, name):
    return [(e.action, e.person_ref) for e in store.access_log(user=name)]


# -- dashboards ---------------------------------------------------------------------------


def test_staff_cannot_open_a_dashboard(team, monkeypatch):
    as_hub_user(monkeypatch, "sid")
    page = dashboard_page(INCIDENTS.path, team)
    assert isinstance(page, RefusedPage)
    assert "Staff cannot view the audit dashboards" in page.reason
    assert actions_of(team, "sid")[-1] == ("refused", None)


def test_a_manager_sees_only_their_services_records_and_choices(team, monkeypatch):
    as_hub_user(monkeypatch, "mo")
    page = dashboard_page(INCIDENTS.path, team)
    assert [label for label, _ in page.service.options] == ["All your services", "Oak House"]
    assert {str(s) for s in page.records["event"]["service"].unique()} == {"Oak House"}
    assert "4 event records" in page.status.value
    shown = everything_shown(page)
    assert "Elm Court" not in shown and "P-0100" not in shown and "noise" not in shown


def test_a_quality_lead_sees_every_service(team, monkeypatch):
    as_hub_user(monkeypatch, "quinn")
    page = dashboard_page(INCIDENTS.path, team)
    assert [label for label, _ in page.service.options] == ["All services", "Elm Court", "Oak House"]
    assert "8 event records" in page.status.value


def test_a_service_the_list_never_offered_is_refused_in_the_kernel(team, monkeypatch):
    as_hub_user(monkeypatch, "mo")
    page = dashboard_page(INCIDENTS.path, team)
    send_state(page.service, index=5)  # beyond the list: the widget itself refuses it
    assert page.service.value == "" and "Elm Court" not in everything_shown(page)

    # Were the list ever to offer it (a bug, a stale page), the kernel's own check still refuses.
    page.service.options = [*page.service.options, ("Elm Court", "Elm Court")]
    send_state(page.service, index=2)
    said = html.unescape(page.status.value)
    assert "Managers can see the audits of only the people of their services; Elm Court is not one of them." in said
    assert "noise" not in everything_shown(page)
    assert actions_of(team, "mo")[-1] == ("refused", None)


def test_looking_up_a_persons_ref_is_logged_as_viewed_and_the_downloads_as_exported(team, monkeypatch):
    as_hub_user(monkeypatch, "mo")
    page = dashboard_page(INCIDENTS.path, team)
    send_state(page.person, value="p-0001")
    entries = [(e.action, e.person_ref, e.detail) for e in team.access_log(user="mo")]
    assert ("viewed", "P-0001", "Incidents and refusals: All services; all dates; person P-0001") in entries
    exported = [e for e in entries if e[0] == "exported"]
    assert [e[1] for e in exported] == [None, "P-0001"]  # the page as it opened, then the person's view
    assert exported[-1][2].endswith("each chart (PNG) and table (xlsx) offered to download")

    send_state(page.person, value="P-0100")  # a person at another service: nothing to find, nothing logged
    assert "No records have the person ref P-0100" in html.unescape(page.status.value)
    assert "Elm Court" not in everything_shown(page)
    assert not [e for e in team.access_log(person_ref="P-0100")]


# -- the commissioner export ------------------------------------------------------------------


def test_pcp_export_commissioners_refuses_a_role_that_does_not_export_in_one_sentence(team, store_url, tmp_path,
                                                                                      monkeypatch, capsys):
    as_hub_user(monkeypatch, "mo")
    out = tmp_path / "commissioners.xlsx"
    assert main(["export", "commissioners", "--db", store_url, "--out", str(out)]) != 0
    said = capsys.readouterr().err
    assert "Managers cannot export for commissioners; ask an admin if your work needs it." in said
    assert "Traceback" not in said and not out.exists()
    assert actions_of(team, "mo") == [("refused", None)]


# -- Working Together for Change ------------------------------------------------------------------


@pytest.fixture
def reviewed_team(team, tmp_path):
    """The team, with the review statements of Oak House and Elm Court of tests/audit/test_wtfc.py."""
    rows = [headers("review")] + [
        row("review", review_date=date, service=service, person_ref=ref, working_1=w, working_2=None,
            not_working_1=nw, not_working_2=None, future_1=f, future_2=None)
        for date, service, ref, w, nw, f in REVIEWS]
    import_files([write_workbook(tmp_path / "reviews.xlsx", {"Reviews": rows})], team)
    return team


def opened_themes(monkeypatch, store, name):
    as_hub_user(monkeypatch, name)
    page = themes_page(store)
    if not isinstance(page, RefusedPage):
        page.first.value, page.last.value = "2026-01", "2026-03"
        click(page.load_button)
    return page


def test_staff_cannot_open_the_themes_page(reviewed_team, monkeypatch):
    page = opened_themes(monkeypatch, reviewed_team, "sid")
    assert isinstance(page, RefusedPage) and "Staff cannot theme review statements" in page.reason


def test_a_manager_themes_only_their_services_statements(reviewed_team, monkeypatch):
    page = opened_themes(monkeypatch, reviewed_team, "mo")
    send_state(page.kind, index=1)  # not working
    offered = [value for _, value in page.unthemed.options]
    assert offered == ["Agency staff don't know how I like things done", "Staff rush my bath in the mornings"]
    assert [label for label, _ in page.service.options] == ["All your services", "Oak House"]
    assert "Elm Court" not in everything_shown(page) and "proper wash" not in everything_shown(page)

    page.service.options = [*page.service.options, ("Elm Court", "Elm Court")]  # as if the list offered it
    send_state(page.service, index=2)
    assert ("Managers can theme the reviews of only the people of their services; Elm Court is not one of them."
            in html.unescape(page.status.value))
    assert actions_of(reviewed_team, "mo")[-1] == ("refused", None)


def test_a_theme_holding_other_services_statements_is_not_a_managers_to_delete(reviewed_team, monkeypatch):
    quinn = opened_themes(monkeypatch, reviewed_team, "quinn")
    send_state(quinn.kind, index=1)
    quinn.unthemed.value = ("Staff rush my bath in the mornings", "I don't get a proper wash in the morning")
    quinn.new_name.value, quinn.new_i.value = "Rushed mornings", "I want time to wake up"
    click(quinn.create_button)
    assert "Saved (version 1)" in quinn.status.value

    page = opened_themes(monkeypatch, reviewed_team, "mo")
    send_state(page.kind, index=1)
    assert page.theme_statements.options == ("Staff rush my bath in the mornings",)  # not Elm Court's wash
    click(page.remove_theme_button)
    assert "not yours to delete" in html.unescape(page.status.value)
    assert [t.name for t in wtfc.load_themes(reviewed_team, "2026-01", "2026-03").theme_set.themes] == [
        "Rushed mornings"]


def test_a_manager_cannot_sign_off_or_export_by_sending_the_hidden_buttons_clicks(reviewed_team, monkeypatch):
    page = opened_themes(monkeypatch, reviewed_team, "mo")
    assert page.sign_button.layout.display == "none" and page.export_button.layout.display == "none"
    click(page.sign_button)
    assert "Managers cannot export for commissioners" in html.unescape(page.signed.value)
    click(page.export_button)
    assert "Managers cannot export for commissioners" in html.unescape(page.export_link.value)
    assert "base64," not in page.export_link.value
    assert free_text.latest_sign_off(reviewed_team, "2026-01", "2026-03") is None
    assert reviewed_team.commissioner_exports() == []
    assert [action for action, _ in actions_of(reviewed_team, "mo")][-2:] == ["refused", "refused"]
