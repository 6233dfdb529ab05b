"""The frame every page shares: one stylesheet, the header, one status line, one guard.

Every page class derives from :class:`PageFrame` and calls :meth:`PageFrame.frame` with its
registered path and its parts. The frame puts the app's stylesheet on the page once (so every
control is laid out by the same rules, see ``style.css``), then the header (a link back to the
start page, the page's title as its one ``h1``, its introduction), then the parts.

A page says what just happened on its :class:`StatusLine`, and runs whatever a person sets off
inside :meth:`StatusLine.guarded`: a problem the person can put right (a :class:`PcpError`) is
said as its own sentence; anything else is said as one plain sentence on the page while the
traceback goes to the server's log, never to the page.
"""

from __future__ import annotations

import contextlib
import html
from functools import lru_cache
from pathlib import Path
from typing import Callable, Iterator, TypeVar

import ipywidgets as widgets

from pcp_widgets.errors import PcpError
from pcp_widgets.pages import START_PAGE, link, page_for
from pcp_widgets.ui.downloads import report_unexpected

T = TypeVar("T")

#: What a page says when something failed that nobody foresaw (the log has the details).
UNEXPECTED = ("Something went wrong that we did not expect; nothing you saved is lost. Whoever runs the "
              "server can see the details in its log.")


@lru_cache(maxsize=1)
def stylesheet() -> str:
    """The app's one stylesheet, as a ``<style>`` element (read once per kernel)."""
    return "<style>" + Path(__file__).with_name("style.css").read_text(encoding="utf-8") + "</style>"


def html_block(inner: str) -> str:
    """HTML for an HTML widget, marked as British English (the stylesheet comes with the frame)."""
    return f'<div class="pcp-block" lang="en-GB">{inner}</div>'


def status_html(text: str, problem: bool = False) -> str:
    """A sentence, escaped, marked as a problem (red edge) or a note (blue edge)."""
    css = "pcp-problem" if problem else "pcp-note"
    return html_block(f"<p class='{css}'>{html.escape(text)}</p>")


def scrolling(inner: str, name: str) -> str:
    """Wide tables scroll sideways in a box of their own on a phone, not off the page; the box can
    be reached by Tab (so a keyboard can scroll it) and is named for screen readers."""
    return f"<div class='pcp-scroll' tabindex='0' role='region' aria-label='{html.escape(name)}'>{inner}</div>"


def back_link_html(path: str) -> str:
    """The link from a registered page back to the start page (none on the start page itself)."""
    page = page_for(path)
    if page is None or page == START_PAGE:
        return ""
    return f'<p><a href="{html.escape(link(page, START_PAGE))}">Back to the start page</a></p>'


def header_html(path: str, title: str | None = None, intro: str = "") -> str:
    """The top of a page: the link back, the title (the registry's, unless given) and the introduction."""
    page = page_for(path)
    shown_title = title or (page.title if page else "")
    paragraphs = "".join(f"<p>{html.escape(' '.join(text.split()))}</p>" for text in intro.split("\n\n") if text.strip())
    return html_block(f"{back_link_html(path)}<h1>{html.escape(shown_title)}</h1>{paragraphs}")


class StatusLine(widgets.HTML):
    """One line saying what just happened, announced to screen-reader users as it changes."""

    def __init__(self, what: str = "page", **kwargs):
        """``what`` names the page or part in the server's log when something unexpected fails."""
        super().__init__(**kwargs)
        self.what = what
        self.add_class("pcp-status-line")

    def say(self, text: str, problem: bool = False) -> None:
        self.value = (f'<div role="status" aria-live="polite">{status_html(text, problem)}</div>'
                      if text else "")

    @contextlib.contextmanager
    def guarded(self, unexpected: str = UNEXPECTED) -> Iterator[None]:
        """Run what a person set off: their mistake is said in its own words, anything else plainly.

        The page stays usable either way; the traceback of an unexpected failure goes to the
        server's log with the name of the page.
        """
        try:
            yield
        except PcpError as error:
            self.say(str(error), problem=True)
        except Exception as error:  # noqa: BLE001 - never a traceback on the page; the server log has it
            report_unexpected(self.what, error)
            self.say(unexpected, problem=True)

    def run(self, action: Callable[[], T], unexpected: str = UNEXPECTED) -> T | None:
        """``action()`` inside :meth:`guarded`; its result, or None if it failed."""
        with self.guarded(unexpected):
            return action()
        return None


class PageFrame:
    """The base of every page: ``self.status``, ``self.widget`` and showing the page in a notebook."""

    #: Names the page in the server's log.
    what = "page"

    def __init__(self):
        self.status = StatusLine(self.what)
        self.widget: widgets.Box | None = None

    def frame(self, path: str, *parts: widgets.Widget, title: str | None = None, intro: str = "",
              status_first: bool = True) -> widgets.VBox:
        """Lay out the page: stylesheet and header, the status line (first, unless a part holds it), the parts."""
        head = widgets.HTML(stylesheet() + header_html(path, title, intro))
        children = [head] + ([self.status] if status_first else []) + list(parts)
        self.widget = widgets.VBox(children)
        self.widget.add_class("pcp-page")
        return self.widget

    def say(self, text: str, problem: bool = False) -> None:
        self.status.say(text, problem)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)


__all__ = ["UNEXPECTED", "stylesheet", "html_block", "status_html", "scrolling", "back_link_html", "header_html",
           "StatusLine", "PageFrame"]
