"""The door of every page, tried as someone whose role does not open it would try it."""

import ipywidgets as widgets
import pytest

from pcp_widgets.pages import PAGES, START_PAGE, page_for
from pcp_widgets.ui.gate import RefusedPage, page_or_refusal

IMPORT_PAGE = "audits/import_audit_data.ipynb"


@pytest.fixture
def team(store, monkeypatch):
    """Three Hub users: an admin, a quality lead and a member of staff at Oak House."""
    store.add_user("ada", "admin", by="test")
    store.add_user("quinn", "quality-lead", by="test")
    store.add_user("sid", "staff", ["Oak House"], by="test")
    return store


def as_hub_user(monkeypatch, name):
    monkeypatch.setenv("JUPYTERHUB_USER", name)


def every_widget(widget):
    yield widget
    for child in getattr(widget, "children", ()):
        yield from every_widget(child)


def test_staff_get_the_sentence_and_no_control_of_the_import_page(team, monkeypatch):
    as_hub_user(monkeypatch, "sid")
    built = []
    page = page_or_refusal(IMPORT_PAGE, team, lambda identity: built.append(identity) or "the page")

    assert built == []  # the page was never built: nothing read, no widget to send a message to
    assert isinstance(page, RefusedPage)
    assert page.reason == "Staff cannot import audit workbooks; ask an admin if your work needs it."
    assert page.reason in page.status.value
    assert not [w for w in every_widget(page.widget) if isinstance(w, (widgets.Button, widgets.FileUpload))]
    assert [(e.user, e.action) for e in team.access_log(user="sid")] == [("sid", "signed in"), ("sid", "refused")]
    assert team.access_log()[-1].detail.startswith(IMPORT_PAGE)


def test_a_quality_lead_opens_the_import_page_as_themselves(team, monkeypatch):
    as_hub_user(monkeypatch, "Quinn")
    page = page_or_refusal(IMPORT_PAGE, team, lambda identity: identity)
    assert (page.name, page.role) == ("quinn", "quality-lead")


def test_a_hub_user_nobody_added_opens_nothing(team, monkeypatch):
    as_hub_user(monkeypatch, "mallory")
    for path in (START_PAGE.path, IMPORT_PAGE, "workbooks/one_page_profile.ipynb"):
        page = page_or_refusal(path, team, lambda identity: "the page")
        assert isinstance(page, RefusedPage)
        assert "mallory is signed in but has no role in pcp yet" in page.reason


@pytest.mark.parametrize("name, opens", [
    ("ada", {page.path for page in PAGES}),
    ("sid", {page.path for page in PAGES if page.needs is None}),
])
def test_each_role_opens_exactly_the_pages_its_work_needs(team, monkeypatch, name, opens):
    as_hub_user(monkeypatch, name)
    opened = {page.path for page in PAGES
              if not isinstance(page_or_refusal(page.path, team, lambda identity: "the page"), RefusedPage)}
    assert opened == opens
    assert page_for(IMPORT_PAGE).needs is not None  # the test above would pass trivially without it
