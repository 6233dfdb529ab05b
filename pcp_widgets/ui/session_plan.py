"""The trainer's "Start here": a two-hour person-centred thinking session, step by step.

The plan is declared once, :data:`STEPS`, each step with its minutes, what the trainer
does and the page it uses; the page, the timings and the links are derived from it. The
buttons at the foot print the whole pack: every tool's handout in one PDF or Word document.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

import ipywidgets as widgets

from pcp_widgets.pages import START_PAGE, Page, link, page_for, practice_page_path, tool_page_path
from pcp_widgets.render.handout import pack
from pcp_widgets.ui.frame import PageFrame, html_block
from pcp_widgets.ui.prepared import print_downloads

SESSION_PLAN_PATH = "workbooks/session_plan.ipynb"
PACK_FILE_STEM = "person-centred-thinking-pack"


@dataclass(frozen=True)
class Step:
    minutes: int
    title: str
    what_to_do: str
    page: str  # the registered page this step uses


STEPS: tuple[Step, ...] = (
    Step(10, "Welcome, and the idea of a planning conversation",
         "Introduce yourselves. Explain that person-centred thinking starts from what matters to the person, "
         "found out by listening, and that every tool today is a way of having that conversation.",
         START_PAGE.path),
    Step(20, "One-page profile, with Pat",
         "Show Pat's profile and read it together: what people admire, what matters to her, how to support "
         "her. Then each participant starts a profile for someone they support, and you ask the reflection "
         "questions.", tool_page_path("one_page_profile")),
    Step(15, "Important to and important for, with Kevin",
         "Show Kevin's example and how the balance turned his budget towards becoming a cycle mechanic. "
         "Participants sort what they know of their own person into the two lists.",
         tool_page_path("important_to_for")),
    Step(15, "Working and not working, with Arthur",
         "Show Arthur's grid: his view, his family's and his staff's. Talk about what to keep and what to change.",
         tool_page_path("working_not_working")),
    Step(15, "Practice: Four perspectives",
         "Participants work through Arthur's situation from each view, then turn what is not working into "
         "actions with who and when.", practice_page_path("four_perspectives")),
    Step(15, "Communication chart, with Michael",
         "Show how Michael's team learned what his yelling meant. Participants write two rows for someone "
         "they support: what they do, what we think it means, what we should do.",
         tool_page_path("communication_chart")),
    Step(15, "Practice: Make it specific",
         "Participants rewrite generic plan statements into actions a new member of staff could do on day one.",
         practice_page_path("make_it_specific")),
    Step(10, "Practice: The review questions",
         "A short quiz: the person-centred review questions, in order.", practice_page_path("review_questions")),
    Step(5, "Close",
         "Ask what each person will try this week. Hand out the pack, and print the session's answers from the "
         "practice session page if you ran one.", "workbooks/facilitator.ipynb"),
)

SESSION_MINUTES = sum(step.minutes for step in STEPS)


def clock(minutes: int) -> str:
    """Minutes from the start as h:mm, the way a trainer's running order shows them."""
    return f"{minutes // 60}:{minutes % 60:02d}"


def step_link(here: Page, step: Step) -> str:
    target = page_for(step.page)
    if target is None:  # a step must use a served page; the registry test keeps this from happening
        raise LookupError(f"{step.page} is not a registered page")
    return f'<a href="{html.escape(link(here, target))}">Open: {html.escape(target.title)}</a>'


def session_plan_html() -> str:
    """The running order: start time, minutes, title, what to do and the link, every word escaped."""
    here = page_for(SESSION_PLAN_PATH)
    rows, start = [], 0
    for n, step in enumerate(STEPS, 1):
        rows.append(
            f"<li><h3>{n}. {html.escape(step.title)}</h3>"
            f"<p><strong>{clock(start)} to {clock(start + step.minutes)}</strong> ({step.minutes} minutes)</p>"
            f"<p>{html.escape(step.what_to_do)}</p><p>{step_link(here, step)}</p></li>"
        )
        start += step.minutes
    return html_block(
        f"<ol class='pcp-steps'>{''.join(rows)}</ol>"
        "<h2>The pack</h2><p>Every tool's handout in one PDF: the tool explained, the worked example and a blank "
        "template. Print it before the session.</p>"
    )


INTRO = (f"A running order for a session of {SESSION_MINUTES // 60} hours. Each step opens its page; every "
         "tool page has a worked example from the guidance, a practice editor and reflection questions.")


class SessionPlanPage(PageFrame):
    """The plan and the buttons that prepare the pack."""

    what = "session plan page"

    def __init__(self):
        super().__init__()
        self.packs = print_downloads("the whole pack", pack, PACK_FILE_STEM, "session pack")
        self.plan = widgets.HTML(session_plan_html())
        self.frame(SESSION_PLAN_PATH, self.plan, *(d.widget for d in self.packs.values()), intro=INTRO)


def session_plan_page() -> SessionPlanPage:
    return SessionPlanPage()
