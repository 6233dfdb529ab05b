"""Downloads that take a while to make, offered so that saving one is a single click.

Handouts and the session pack hold only the guidance's invented examples and never change
between releases, so :class:`ReadyDownload` makes them once the page is on the screen (on the
kernel's event loop, so the page does not wait) and shows the link itself, which is read from
the cache on every later opening (:mod:`pcp_widgets.render.cache`). A file made from what is
in the database now, such as a practice session's handout pack, is made when a person presses
its button (:class:`PreparedDownload`), and its link then appears in its own place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ipywidgets as widgets

from pcp_widgets.ui.downloads import DOCX_MIME, PDF_MIME, download_link_html, safe_download_name
from pcp_widgets.ui.frame import StatusLine, html_block
from pcp_widgets.ui.kernel import kernel_loop

#: Seconds after the page is built before a ready download is made: long enough for the page
#: to reach the browser first.
READY_DELAY = 0.3


@dataclass(frozen=True)
class Prepared:
    """A file made on request, and the words of its link."""

    data: bytes
    file_name: str
    link_text: str
    mime: str


class PreparedDownload:
    """A button that makes a file and then offers it as a link in its own place, so two downloads on a page
    never replace each other's links; a failure is said there (the guard of :class:`StatusLine`)."""

    def __init__(self, button_text: str, make: Callable[[], Prepared], what: str):
        self.make = make
        self.what = what
        self.button = widgets.Button(description=button_text)
        self.button.on_click(lambda _b: self.prepare())
        self.link = StatusLine(what)
        self.widget = widgets.VBox([self.button, self.link])

    def prepare(self) -> None:
        offer(self.link, self.make, self.what)

    def clear(self) -> None:
        """Take the link away (what it offered is out of date)."""
        self.link.value = ""


def offer(place: StatusLine, make: Callable[[], Prepared], what: str) -> None:
    """Make the file and show its link in ``place``; a failure is said there instead."""
    with place.guarded(f"The {what} could not be made; ask whoever runs the server."):
        prepared = make()
        size = f" ({max(1, len(prepared.data) // 1024)} KB)"
        link_html = download_link_html(prepared.data, prepared.file_name, prepared.link_text + size, prepared.mime)
        place.value = html_block(f"<p>{link_html}</p>")


class ReadyDownload:
    """A link made without being asked for: "Preparing …" until the file is made, then the link.

    In a kernel the file is made just after the page is shown; elsewhere (tests, scripts) at once.
    """

    def __init__(self, make: Callable[[], Prepared], what: str):
        self.make = make
        self.what = what
        self.widget = self.link = StatusLine(what)
        self.link.say(f"Preparing the {what}…")
        loop = kernel_loop()
        if loop is None:
            self.prepare()
        else:
            loop.call_later(READY_DELAY, self.prepare)

    def prepare(self) -> None:
        offer(self.link, self.make, self.what)


#: The forms a printed document is offered in: the renderer's format, the file suffix and its MIME type.
PRINT_FORMS = {"PDF": ("pdf", ".pdf", PDF_MIME), "Word": ("docx", ".docx", DOCX_MIME)}


def print_downloads(noun: str, make: Callable[[str], bytes], stem: str, what: str,
                    detail: str = "") -> dict[str, ReadyDownload]:
    """A "Download <noun> (PDF)" and a "(Word)" link, made ready; ``make(fmt)`` prints it as 'pdf' or 'docx'.

    ``stem`` names the file, ``what`` the document while it is made and in a failure, ``detail``
    follows the link's words.
    """
    def prepared(form: str) -> Prepared:
        fmt, suffix, mime = PRINT_FORMS[form]
        return Prepared(make(fmt), safe_download_name(stem, suffix), f"Download {noun} ({form}){detail}", mime)

    return {form: ReadyDownload(lambda form=form: prepared(form), f"{what} ({form})") for form in PRINT_FORMS}
