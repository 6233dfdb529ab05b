"""A tool's teaching page: what it is for, a worked example, a practice editor, reflection.

Each notebook in ``workbooks/`` is one call, ``tool_page("one_page_profile")``; the words
come from the tool's declaration and its example in :mod:`pcp_widgets.tools.examples`, so
the page, the start page's link, the printed handout and the session plan agree.

The page is a :class:`~pcp_widgets.ui.frame.PageFrame`: the shared header and one status line,
which the editor uses (it sits by the person picker, where the person is looking). A page may
be started ahead of time in a kernel kept warm; it learns who is signed in and reads the register
when someone opens it (:func:`pcp_widgets.ui.start.built_on_visit`), so a person added a moment
ago is listed.

Anyone signed in may open a tool page: trainers teach from its worked example and handouts. The
practice editor works on people's records, so it is there only for a role that may open them
(:data:`pcp_widgets.access.Action.VIEW_PERSON`); anyone else sees, in its place, the sentence
saying why, and no control that could reach a record.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from pcp_widgets.access import Action, Identity, NotAllowed, check
from pcp_widgets.identity import sign_in
from pcp_widgets.pages import tool_page_path
from pcp_widgets.render import html_fragment
from pcp_widgets.render.handout import handout
from pcp_widgets.tools import get_tool
from pcp_widgets.tools.examples import example_for
from pcp_widgets.ui.editor import ToolEditor
from pcp_widgets.ui.frame import PageFrame, html_block, scrolling
from pcp_widgets.ui.gate import RefusedPage, page_or_refusal
from pcp_widgets.ui.prepared import print_downloads
from pcp_widgets.ui.start import built_on_visit


def tool_intro(tool_key: str) -> str:
    """The page's introduction: what the tool is for and when to use it (two paragraphs)."""
    tool = get_tool(tool_key)
    return f"What it is for: {tool.purpose}\n\nWhen to use it: {tool.when_to_use}"


def worked_example_html(tool_key: str) -> str:
    """The guidance's example shown as the finished tool (the fragment escapes every word)."""
    example = example_for(get_tool(tool_key).key)
    return html_block(
        "<h2>Worked example</h2>"
        f"<p>{html.escape(example.heading)}, drawn from the guidance: this is what the tool looks like "
        "when it is finished.</p>" + scrolling(html_fragment(example), "The worked example")
    )


#: What the practice part says above the editor.
PRACTICE_INTRO = ("Choose the person (or add them to the register) and press Open. Everything you type is saved "
                  "as you go, with every earlier version kept and who saved it.")


def practice_intro_html(text: str = PRACTICE_INTRO) -> str:
    """The practice part's heading and what to do there (or why there is no editor)."""
    return html_block(f"<h2>Practise with your own example</h2><p>{html.escape(text)}</p>")


def reflection_html(tool_key: str) -> str:
    """The questions to think about, or talk over in the group, after practising the tool."""
    questions = "".join(f"<li>{html.escape(q)}</li>" for q in get_tool(tool_key).reflection)
    return html_block(f"<h2>Reflection questions</h2><ol>{questions}</ol>")


class ToolPage(PageFrame):
    """The whole teaching page: introduction, worked example, practice editor, reflection questions."""

    what = "tool page"

    def __init__(self, tool_key: str, store=None, person: str | None = None, identity: Identity | None = None):
        """``person`` is a register ref to open at once; ``identity`` who is signed in (signed in here if not given)."""
        super().__init__()
        tool = get_tool(tool_key)
        if store is None:
            from pcp_widgets.store import open_store

            store = open_store()
        identity = identity if identity is not None else sign_in(store)
        self.editor: ToolEditor | None = None
        try:
            check(identity, Action.VIEW_PERSON)
        except NotAllowed as error:  # a trainer: the example and handouts, and why there is no editor
            practice = [widgets.HTML(practice_intro_html(str(error)))]
        else:
            self.editor = ToolEditor(tool.key, store=store, person=person, status=self.status, identity=identity)
            practice = [widgets.HTML(practice_intro_html()), self.editor.widget]
        self.handouts = print_downloads("a handout", lambda fmt: handout(tool.key, fmt), f"{tool.key}-handout",
                                        "handout", f": {tool.title} explained, the worked example and a blank template")
        self.frame(
            tool_page_path(tool.key),
            *(download.widget for download in self.handouts.values()),
            widgets.HTML(worked_example_html(tool.key)),
            *practice,
            widgets.HTML(reflection_html(tool.key)),
            intro=tool_intro(tool.key),
            status_first=self.editor is None,  # the editor shows it by the person picker
        )


def tool_page(tool_key: str, store=None, person: str | None = None) -> ToolPage | RefusedPage:
    """The page, built once someone opens it (in a kernel kept warm), through the door every page has
    (:func:`pcp_widgets.ui.gate.page_or_refusal`): who is signed in is learnt then, on the server's side,
    and the Person list is read then, so it is current."""
    path = tool_page_path(get_tool(tool_key).key)
    return built_on_visit(lambda opened: page_or_refusal(
        path, opened, lambda identity: ToolPage(tool_key, store=opened, person=person, identity=identity)), store)
