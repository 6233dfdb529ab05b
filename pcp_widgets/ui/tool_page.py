"""A tool's teaching page: what it is for, a worked example, a practice editor, reflection.

Each notebook in ``workbooks/`` is one call, ``tool_page("one_page_profile")``; the words
come from the tool's declaration and its example in :mod:`pcp_widgets.tools.examples`, so
the page, the start page's link, the printed handout and the session plan agree.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from pcp_widgets.pages import START_PAGE, page_for, tool_page_path, link
from pcp_widgets.render import html_fragment
from pcp_widgets.render.handout import handout
from pcp_widgets.tools import get_tool
from pcp_widgets.tools.examples import example_for
from pcp_widgets.ui.editor import ToolEditor
from pcp_widgets.ui.frame import html_block
from pcp_widgets.ui.prepared import print_downloads


def tool_intro_html(tool_key: str) -> str:
    tool = get_tool(tool_key)
    page = page_for(tool_page_path(tool.key))
    back = f'<p><a href="{html.escape(link(page, START_PAGE))}">Back to the start page</a></p>' if page else ""
    return html_block(
        f"{back}<h1>{html.escape(tool.title)}</h1>"
        f"<p><strong>What it is for.</strong> {html.escape(tool.purpose)}</p>"
        f"<p><strong>When to use it.</strong> {html.escape(tool.when_to_use)}</p>"
    )


def worked_example_html(tool_key: str) -> str:
    """The guidance's example shown as the finished tool (the fragment escapes every word)."""
    example = example_for(get_tool(tool_key).key)
    return html_block(
        "<h2>Worked example</h2>"
        f"<p>{html.escape(example.heading)}, drawn from the guidance: this is what the tool looks like "
        "when it is finished.</p>" + html_fragment(example)
    )


def practice_intro_html() -> str:
    return html_block(
        "<h2>Practise with your own example</h2>"
        "<p>Choose the person (or add a new one) and press Open. Everything you type is saved as you go, "
        "with every earlier version kept.</p>"
    )


def reflection_html(tool_key: str) -> str:
    """The questions to think about, or talk over in the group, after practising the tool."""
    questions = "".join(f"<li>{html.escape(q)}</li>" for q in get_tool(tool_key).reflection)
    return html_block(f"<h2>Reflection questions</h2><ol>{questions}</ol>")


class ToolPage:
    """The whole teaching page: introduction, worked example, practice editor, reflection questions."""

    def __init__(self, tool_key: str, store=None, person: str | None = None):
        self.editor = ToolEditor(tool_key, store=store, person=person)
        tool = get_tool(tool_key)
        self.handouts = print_downloads("a handout", lambda fmt: handout(tool.key, fmt), f"{tool.key}-handout",
                                        "handout", f": {tool.title} explained, the worked example and a blank template")
        self.widget = widgets.VBox([
            widgets.HTML(tool_intro_html(tool_key)),
            *(download.widget for download in self.handouts.values()),
            widgets.HTML(worked_example_html(tool_key)),
            widgets.HTML(practice_intro_html()),
            self.editor.widget,
            widgets.HTML(reflection_html(tool_key)),
        ])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def tool_page(tool_key: str, store=None, person: str | None = None) -> ToolPage:
    return ToolPage(tool_key, store=store, person=person)
