"""The start page: every page linked under its audience, escaped text, and a true status line."""

import html
import re
from html.parser import HTMLParser

import pytest

from pcp_widgets.pages import PAGES, START_PAGE, Page
from pcp_widgets.store import open_store
from pcp_widgets.ui.gate import RefusedPage, page_or_refusal
from pcp_widgets.ui.start import TITLE, StartPage, start_page, status_text
from tests.support.workbook_files import full_workbook


class Outline(HTMLParser):
    """The headings, links and text of an HTML fragment, in document order."""

    def __init__(self):
        super().__init__()
        self.headings, self.links, self.text, self._in = [], [], [], None

    def handle_starttag(self, tag, attrs):
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append([int(tag[1]), ""])
            self._in = "heading"
        elif tag == "a":
            self.links.append([dict(attrs)["href"], ""])
            self._in = "link"

    def handle_endtag(self, tag):
        if tag == "a" or re.fullmatch(r"h[1-6]", tag):
            self._in = None

    def handle_data(self, data):
        self.text.append(data)
        if self._in == "heading":
            self.headings[-1][1] += data
        elif self._in == "link":
            self.links[-1][1] += data


def outline(fragment: str) -> Outline:
    parsed = Outline()
    parsed.feed(fragment)
    return parsed


def page_html(status: str, pages=PAGES) -> str:
    """Everything the start page shows, as the browser gets it: the HTML of each of its parts."""
    return "\n".join(child.value for child in StartPage(status, pages).widget.children)


def test_every_page_is_linked_relative_to_the_start_page():
    page = outline(page_html("Database: test."))
    links = dict((text, href) for href, text in page.links)
    for registered in PAGES:
        if registered is not START_PAGE:
            expected = registered.path.removeprefix("workbooks/") if registered.path.startswith("workbooks/") \
                else "../" + registered.path  # the start page itself is in workbooks/
            assert links[registered.title] == expected
    assert all(not href.startswith(("/", "http")) for href, _ in page.links)


def test_headings_start_at_h1_and_never_skip_a_level():
    levels = [level for level, _ in outline(page_html("Database: test.")).headings]
    assert levels[0] == 1 and levels.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(levels, levels[1:]))
    assert outline(page_html("x")).headings[0][1] == TITLE


def test_pages_are_grouped_by_audience_and_empty_groups_left_out():
    pages = (
        START_PAGE,
        Page("audits/a.ipynb", "Plan quality", ("quality lead", "manager"), "See plan quality."),
        Page("workbooks/b.ipynb", "One-page profile", ("trainer",), "Practise a profile."),
    )
    page = outline(page_html("x", pages))
    headings = [text for level, text in page.headings if level == 2]
    assert headings == ["For trainers", "For quality leads", "For managers"]
    assert [text for _, text in page.links] == ["One-page profile", "Plan quality", "Plan quality"]


def test_everything_shown_is_escaped():
    pages = (START_PAGE, Page("audits/x.ipynb", "<b>Tom & Jerry</b>", ("manager",), "<script>alert(1)</script>"))
    fragment = page_html('<img src=x onerror="alert(2)">', pages)
    assert "<script>" not in fragment and "<img" not in fragment and "<b>" not in fragment
    assert "&lt;b&gt;Tom &amp; Jerry&lt;/b&gt;" in fragment
    assert "&lt;img src=x onerror=&quot;alert(2)&quot;&gt;" in fragment


def test_status_of_an_empty_database(store):
    text = status_text(store)
    assert text.startswith(f"Database: {store.describe()}.")
    assert "No audit records are stored yet." in text


def test_status_counts_records_of_each_kind(store, tmp_path):
    from pcp_widgets.audit.ingest.importer import import_files

    import_files([full_workbook(tmp_path / "march.xlsx")], store)
    text = status_text(store)
    for name in ("File audit 1", "Observations 1", "Incidents and refusals 1", "Plan changes 1", "Outcomes 1",
                 "Reviews 1"):
        assert name in text


def test_start_page_widget_uses_the_database_of_pcp_db(tmp_path, monkeypatch):
    monkeypatch.setenv("PCP_DB", f"sqlite:///{tmp_path}/pages.sqlite")
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    page = start_page()
    assert f"SQLite file {tmp_path}/pages.sqlite" in page.status.value
    assert "../audits/import_audit_data.ipynb" in page.links.value


def test_a_database_that_cannot_be_opened_is_one_sentence_in_the_status(monkeypatch):
    monkeypatch.setenv("PCP_DB", "not a database url")
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    status = start_page().status.value
    assert "The database could not be opened:" in status
    assert "Traceback" not in status
    assert "pcp-problem" in status and "pcp-problem" not in StartPage("Database: x.").status.value


# -- on a team server: only the pages the signed-in person's role opens (issue 16 item 2) ------


@pytest.fixture
def team(tmp_path, monkeypatch):
    """The database pages use ($PCP_DB), with Hub users of four roles; the page is not kept warm."""
    url = f"sqlite:///{tmp_path}/team.sqlite"
    monkeypatch.setenv("PCP_DB", url)
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    store = open_store(url)
    store.add_user("sid", "staff", ["Oak House", "Elm Court"], by="test")
    store.add_user("quinn", "quality-lead", by="test")
    store.add_user("tess", "trainer", by="test")
    store.add_user("mo", "manager", ["Oak House"], by="test")
    yield store
    store.dispose()


def linked_titles(page) -> set[str]:
    return {text for _, text in outline(page.links.value).links}


def opened_by(monkeypatch, name):
    monkeypatch.setenv("JUPYTERHUB_USER", name)
    return start_page()


def test_staff_see_who_they_are_and_only_the_pages_they_may_open(team, monkeypatch):
    page = opened_by(monkeypatch, "sid")
    assert "Signed in as sid (staff, Elm Court, Oak House)." in html.unescape(page.who.value)
    titles = linked_titles(page)
    assert "One-page profile" in titles
    assert not titles & {"Import audit data", "Plan quality", "Working Together for Change", "Run a practice session"}
    assert "audits/" not in page.links.value and "For quality leads" not in page.links.value


@pytest.mark.parametrize("name, sees, does_not_see", [
    ("quinn", {"Import audit data", "Plan quality", "Working Together for Change"}, {"Run a practice session"}),
    ("mo", {"Plan quality", "Working Together for Change"}, {"Import audit data", "Run a practice session"}),
    ("tess", {"Run a practice session"}, {"Import audit data", "Plan quality", "Working Together for Change"}),
])
def test_each_role_is_linked_to_the_pages_its_gate_opens(team, monkeypatch, name, sees, does_not_see):
    page = opened_by(monkeypatch, name)
    titles = linked_titles(page)
    assert sees <= titles and not does_not_see & titles
    for registered in PAGES:  # every link shown opens; every page that opens is linked
        if registered is not START_PAGE:
            opens = not isinstance(page_or_refusal(registered.path, team, lambda identity: "page"), RefusedPage)
            assert (registered.title in titles) == opens, registered.path


def test_a_hub_user_with_no_role_gets_the_sentence_and_no_links(team, monkeypatch):
    page = opened_by(monkeypatch, "mallory")
    assert isinstance(page, RefusedPage)
    assert "mallory is signed in but has no role in pcp yet; ask an admin" in html.unescape(page.status.value)
    assert "<a " not in "".join(getattr(child, "value", "") for child in page.widget.children).replace(
        'href="../workbooks/start_here.ipynb"', "")
    assert team.access_log(user="mallory")[-1].action == "refused"


def test_the_one_computer_owner_is_an_admin_and_sees_every_page(team, monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_USER", raising=False)
    page = start_page()
    assert linked_titles(page) == {registered.title for registered in PAGES if registered is not START_PAGE}
    assert "(admin" in page.who.value
