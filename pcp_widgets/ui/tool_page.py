"""A tool's page: its title, what it is for and when to use it, then the editor.

Each notebook in ``workbooks/`` is one call, ``tool_page("one_page_profile")``; the words
come from the tool's declaration, so the page, the start page's link and the print agree.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from pcp_widgets.pages import START_PAGE, page_for, tool_page_path, link
from pcp_widgets.tools import get_tool
from pcp_widgets.ui.editor import ToolEditor, html_block


def tool_intro_html(tool_key: str) -> str:
    tool = get_tool(tool_key)
    page = page_for(tool_page_path(tool.key))
    back = f'<p><a href="{html.escape(link(page, START_PAGE))}">Back to the start page</a></p>' if page else ""
    return html_block(
        f"{back}<h1>{html.escape(tool.title)}</h1>"
        f"<p><strong>What it is for.</strong> {html.escape(tool.purpose)}</p>"
        f"<p><strong>When to use it.</strong> {html.escape(tool.when_to_use)}</p>"
        "<p>Choose the person (or add a new one) and press Open. Everything you type is saved as you go, "
        "with every earlier version kept.</p>"
    )


class ToolPage:
    """The whole page: introduction and editor."""

    def __init__(self, tool_key: str, store=None, person: str | None = None):
        self.editor = ToolEditor(tool_key, store=store, person=person)
        self.widget = widgets.VBox([widgets.HTML(tool_intro_html(tool_key)), self.editor.widget])

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


def tool_page(tool_key: str, store=None, person: str | None = None) -> ToolPage:
    return ToolPage(tool_key, store=store, person=person)
