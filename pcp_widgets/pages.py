"""The one list of served pages.

``pcp serve`` serves these notebooks and nothing else, warms a kernel for the ones marked
``preheat``, and the start page lists them grouped by who they are for. Adding a page is
one entry here (a test checks that every notebook under ``workbooks/`` and ``audits/`` is
listed, and that every entry exists).
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from pathlib import Path

from pcp_widgets.access import Action

#: Who a page is for, in the order the start page shows them, with the heading it uses.
AUDIENCES: dict[str, str] = {
    "trainer": "For trainers",
    "staff": "The person-centred thinking tools: for support workers, key workers and trainers",
    "quality lead": "For quality leads",
    "manager": "For managers",
    "commissioner team": "For the team that reports to commissioners",
    "admin": "For admins and the data protection lead",
}

#: The folders of the repository that hold served notebooks.
PAGE_FOLDERS = ("workbooks", "audits")


@dataclass(frozen=True)
class Page:
    path: str  # relative to the repository root, with forward slashes
    title: str
    audiences: tuple[str, ...]  # keys of AUDIENCES; empty for the start page, which is for everyone
    purpose: str  # one line, shown under the link on the start page
    preheat: bool = False  # keep a kernel ready so the page opens fast
    #: What the signed-in person's role must allow to open the page (None: everyone signed in). The
    #: start page lists only the pages a person may open, and :func:`pcp_widgets.ui.gate.page_or_refusal`
    #: refuses the others in the kernel, before the page reads anything. Checks on one person's record
    #: (their service) are made by the page itself, when the record is asked for.
    needs: Action | None = None

    def __post_init__(self):
        unknown = [a for a in self.audiences if a not in AUDIENCES]
        if unknown:
            raise ValueError(f"{self.path}: unknown audience {unknown[0]!r}; use one of {', '.join(AUDIENCES)}")


START_PAGE = Page(
    path="workbooks/start_here.ipynb",
    title="Start here",
    audiences=(),
    purpose="What this workbook offers and where to find each page.",
    preheat=True,
)

def tool_page_path(tool_key: str) -> str:
    """Where a tool's page lives: ``workbooks/<tool key>.ipynb``."""
    return f"workbooks/{tool_key}.ipynb"


def _tool_pages() -> tuple[Page, ...]:
    """One page per person-centred thinking tool, from the tools' own declarations."""
    from pcp_widgets.tools import TOOLS

    return tuple(
        Page(path=tool_page_path(tool.key), title=tool.title, audiences=("staff",), purpose=tool.purpose,
             preheat=tool.key == "one_page_profile")
        for tool in TOOLS.values()
    )


def practice_page_path(kind: str) -> str:
    """Where a practice exercise's page lives: ``workbooks/practice_<kind>.ipynb``."""
    return f"workbooks/practice_{kind}.ipynb"


def _practice_pages() -> tuple[Page, ...]:
    """One page per kind of practice exercise, with the title and purpose of its content file."""
    from pcp_widgets.practice.content import KINDS, heading

    return tuple(Page(path=practice_page_path(kind), title=heading(kind)[0], audiences=("trainer",),
                      purpose=heading(kind)[1]) for kind in KINDS)


def _dashboard(path: str, title: str, audiences: tuple[str, ...], purpose: str) -> Page:
    """An audit dashboard's page: kept warm (its charts take a while to draw) and opened only by a role
    that views the dashboards."""
    return Page(path=path, title=title, audiences=audiences, purpose=purpose, preheat=True,
                needs=Action.VIEW_DASHBOARDS)


#: The audit dashboards (their panels are declared in :mod:`pcp_widgets.ui.dashboards`). Listed here,
#: not read from there, so the registry never imports the charting libraries a page may not need.
DASHBOARD_PAGES: tuple[Page, ...] = (
    _dashboard("audits/plan_quality.ipynb", "Plan quality", ("quality lead",),
               "This month's plan quality by service, the trend, the weakest audit questions, and specific wording."),
    _dashboard("audits/observation_sampling.ipynb", "Observation sampling", ("quality lead",),
               "Whether practice matches the plan: each check, each routine, by month and by staff member."),
    _dashboard("audits/incidents_and_refusals.ipynb", "Incidents and refusals", ("manager", "quality lead"),
               "Refusals and incidents on run charts with plan changes marked: did the plan change help?"),
    _dashboard("audits/outcomes.ipynb", "Outcomes", ("manager", "quality lead"),
               "Outcome status, steps done and confidence over time, reviews on time, and copy-paste reviews."),
)


PAGES: tuple[Page, ...] = (
    Page(
        path="audits/plan_quality.ipynb",
        title="Plan quality",
        audiences=("quality lead",),
        purpose="This month's plan quality by service, the trend, the weakest audit questions, and specific wording.",
        preheat=True,
        needs=Action.VIEW_DASHBOARDS,
    ),
    Page(
        path="audits/observation_sampling.ipynb",
        title="Observation sampling",
        audiences=("quality lead",),
        purpose="Whether practice matches the plan: each check, each routine, by month and by staff member.",
        preheat=True,
        needs=Action.VIEW_DASHBOARDS,
    ),
    Page(
        path="audits/incidents_and_refusals.ipynb",
        title="Incidents and refusals",
        audiences=("manager", "quality lead"),
        purpose="Refusals and incidents on run charts with plan changes marked: did the plan change help?",
        preheat=True,
        needs=Action.VIEW_DASHBOARDS,
    ),
    Page(
        path="audits/outcomes.ipynb",
        title="Outcomes",
        audiences=("manager", "quality lead"),
        purpose="Outcome status, steps done and confidence over time, reviews on time, and copy-paste reviews.",
        preheat=True,
        needs=Action.VIEW_DASHBOARDS,
    ),
)


PAGES: tuple[Page, ...] = (
    START_PAGE,
    *_tool_pages(),
    Page(
        path="audits/import_audit_data.ipynb",
        title="Import audit data",
        audiences=("quality lead",),
        purpose="Import the month's audit workbooks and see every row stored or explained, with the reason.",
        preheat=True,
        needs=Action.IMPORT,
    ),
    *DASHBOARD_PAGES,
    Page(
        path="audits/working_together_for_change.ipynb",
        title="Working Together for Change",
        audiences=("commissioner team", "manager"),
        purpose="Theme the top-two working, not working and future statements from reviews, with I statements.",
        preheat=True,
        needs=Action.THEME_REVIEWS,
    ),
    Page(
        path="workbooks/session_plan.ipynb",
        title="Start here: a two-hour session plan",
        audiences=("trainer",),
        purpose="A two-hour person-centred thinking session step by step, with timings, links and the whole pack.",
    ),
    Page(
        path="workbooks/facilitator.ipynb",
        title="Run a practice session",
        audiences=("trainer",),
        purpose="Start a session with a code, see who has done what, discuss answers side by side, print the pack.",
        preheat=True,
        needs=Action.RUN_PRACTICE,
    ),
    *_practice_pages(),
    Page(
        path="audits/admin.ipynb",
        title="Admin and data protection",
        audiences=("admin",),
        purpose="Who signs in and their roles, the register, the access log, a person's data, and retention.",
        needs=Action.MANAGE_USERS,
    ),
)


def page_for(path: str) -> Page | None:
    """The registered page at ``path`` (relative to the repository root), or None."""
    for page in PAGES:
        if page.path == path:
            return page
    return None


def link(from_page: Page, to_page: Page) -> str:
    """A relative link between two served pages; Voila serves both under the same ``/voila/render/``."""
    return posixpath.relpath(to_page.path, posixpath.dirname(from_page.path))


def repo_root() -> Path:
    """The folder holding ``workbooks/`` and ``audits/``: the parent of the installed package's folder."""
    return Path(__file__).resolve().parent.parent


def notebooks_on_disk(root: Path | None = None) -> set[str]:
    """Every notebook under the page folders, as registry paths (checkpoint copies left out)."""
    root = root or repo_root()
    found = set()
    for folder in PAGE_FOLDERS:
        for path in (root / folder).rglob("*.ipynb"):
            if ".ipynb_checkpoints" not in path.parts:
                found.add(path.relative_to(root).as_posix())
    return found


__all__ = ["AUDIENCES", "PAGE_FOLDERS", "Page", "START_PAGE", "PAGES", "page_for", "link",
           "repo_root", "notebooks_on_disk"]
