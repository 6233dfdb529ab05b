"""The start page: what the workbook offers, and a link to every page, grouped by who it is for.

The page is the shared frame (:class:`~pcp_widgets.ui.frame.PageFrame`: title and welcome),
who is signed in and as what, the links built by :func:`start_page_html` from the page registry
(:mod:`pcp_widgets.pages`), and the status line saying which database is in use and what it holds.
Only the pages the signed-in person's role may open are linked (:func:`pages_for`): a link to a
page that would only refuse them is a promise the page breaks, and on a team server it tells
everyone what the others can do. A Hub user nobody has given a role gets the gate's one sentence
(:mod:`pcp_widgets.ui.gate`). The pages check again themselves, in their kernels. Everything shown is
escaped. Links are real links and headings go h1 then h2, so the page works with a keyboard,
a screen reader and a magnifier; the one stylesheet gives the contrast.
"""

from __future__ import annotations

import html
import os

import ipywidgets as widgets

from pcp_widgets.access import Identity, allowed
from pcp_widgets.audit.schema.sheets import SHEETS
from pcp_widgets.errors import PcpError
from pcp_widgets.identity import signed_in_name
from pcp_widgets.pages import AUDIENCES, PAGES, START_PAGE, Page, link
from pcp_widgets.ui.frame import PageFrame, html_block
from pcp_widgets.ui.gate import RefusedPage, page_or_refusal

TITLE = "Person-centred planning workbook"
WELCOME = (
    "A practice workbook and audit toolkit for person-centred planning in adult social care. "
    "Choose the page for the job you are doing. Everything stays on this computer or your "
    "organisation's server; nothing is sent anywhere."
)
#: How the status line begins when the database cannot be opened (said as a problem).
NOT_OPENED = "The database could not be opened: "

def record_counts(store) -> dict[str, int]:
    """How many audit records the store holds of each kind, by the sheet's name, in schema order."""
    return {sheet.name: store.count_records(sheet.kind) for sheet in SHEETS}


def status_text(store) -> str:
    """One line for the foot of the page: which database, and what it holds."""
    counts = record_counts(store)
    if sum(counts.values()) == 0:
        held = "No audit records are stored yet."
    else:
        held = "Audit records stored: " + ", ".join(f"{name} {count:,}" for name, count in counts.items()) + "."
    return f"Database: {store.describe()}. {held}"


def pages_for(identity: Identity, pages: tuple[Page, ...] = PAGES) -> tuple[Page, ...]:
    """The pages ``identity``'s role may open (those that need nothing, and those whose action it may take)."""
    return tuple(page for page in pages if page.needs is None or allowed(identity, page.needs))


def signed_in_sentence(identity: Identity) -> str:
    """Who is signed in and as what: "Signed in as sid (staff, Oak House)"."""
    role = identity.role.replace("-", " ")
    services = ", ".join(sorted(identity.services))
    return f"Signed in as {identity.name} ({role}{', ' + services if services else ''})."


def _page_item(page: Page) -> str:
    return (
        f'<li><a href="{html.escape(link(START_PAGE, page))}">{html.escape(page.title)}</a>'
        f'<span class="pcp-purpose">{html.escape(page.purpose)}</span></li>'
    )


def start_page_html(pages: tuple[Page, ...] = PAGES) -> str:
    """The pages by audience, each a heading and a list of links (empty groups left out)."""
    parts = []
    for audience, heading in AUDIENCES.items():
        listed = [page for page in pages if audience in page.audiences and page != START_PAGE]
        if not listed:
            continue
        parts.append(f"<h2>{html.escape(heading)}</h2>")
        parts.append('<ul class="pcp-links">' + "".join(_page_item(page) for page in listed) + "</ul>")
    return html_block("\n".join(parts))


class StartPage(PageFrame):
    """The title and welcome, who is signed in, the links to their pages, and the database's status at the foot.

    Without an ``identity`` (a test of the layout) every page in ``pages`` is linked and nobody is named.
    """

    what = "start page"

    def __init__(self, status: str, pages: tuple[Page, ...] = PAGES, identity: Identity | None = None):
        super().__init__()
        self.identity = identity
        self.who = widgets.HTML(html_block(f"<p>{html.escape(signed_in_sentence(identity))}</p>") if identity else "")
        self.links = widgets.HTML(start_page_html(pages_for(identity, pages) if identity else pages))
        self.frame(START_PAGE.path, self.who, self.links, self.status, title=TITLE, intro=WELCOME,
                   status_first=False)
        self.say(status, problem=status.startswith(NOT_OPENED))


def kept_warm() -> bool:
    """Whether this kernel is one Voila keeps warm: it runs the page's cells before anyone asks for it."""
    return os.environ.get("VOILA_PREHEAT") == "True"


def wait_for_visit() -> None:
    """In a kernel Voila keeps warm, wait until someone opens the page, so the status is current.

    Voila runs a pre-heated kernel's cells before anyone asks for the page; without this the
    record counts would be those of the moment the kernel started. Elsewhere it returns at once.
    """
    if not kept_warm():
        return
    from voila.utils import wait_for_request

    try:
        wait_for_request()
    except Exception:  # the server went away or cannot be reached: show the status as it is now
        return


def built_on_visit(build, store=None):
    """``build(store)``, for a page a kernel Voila may keep warm: the page's libraries (imported
    with its module) and the store are ready before anyone asks, and the page reads its data
    once someone opens it, so what it shows is current. Elsewhere it builds at once."""
    if store is None:
        from pcp_widgets.store import open_store

        store = open_store()
    wait_for_visit()
    return build(store)


def start_page() -> StartPage | RefusedPage:
    """The start page for whoever is signed in, with the status of the database pages use as it is when
    someone visits (a Hub user with no role gets the gate's sentence instead)."""
    from pcp_widgets.store import open_store

    wait_for_visit()
    try:
        store = open_store()
    except PcpError as error:
        # Nobody's role can be read: the one-computer owner still sees their pages, a Hub user none.
        return StartPage(f"{NOT_OPENED}{error}", PAGES if signed_in_name()[1] == "os" else ())
    try:
        return page_or_refusal(START_PAGE.path, store,
                               lambda identity: StartPage(status_text(store), identity=identity))
    finally:
        store.dispose()


__all__ = ["TITLE", "WELCOME", "record_counts", "status_text", "pages_for", "signed_in_sentence",
           "start_page_html", "StartPage",
           "kept_warm", "wait_for_visit", "built_on_visit", "start_page"]
