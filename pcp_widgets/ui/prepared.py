"""A download made only when asked: a button, then a link to the file it made.

Handouts and packs take a second or more to print, so a page builds them when a person
presses the button, not every time the page opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ipywidgets as widgets

from pcp_widgets.ui.downloads import DOCX_MIME, PDF_MIME, download_link_html, safe_download_name
from pcp_widgets.ui.frame import StatusLine, html_block


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
        with self.link.guarded(f"The {self.what} could not be made; ask whoever runs the server."):
            prepared = self.make()
            size = f" ({max(1, len(prepared.data) // 1024)} KB)"
            link_html = download_link_html(prepared.data, prepared.file_name, prepared.link_text + size,
                                           prepared.mime)
            self.link.value = html_block(f"<p>{link_html}</p>")

    def clear(self) -> None:
        """Take the link away (what it offered is out of date)."""
        self.link.value = ""


#: The forms a printed document is offered in: the renderer's format, the file suffix and its MIME type.
PRINT_FORMS = {"PDF": ("pdf", ".pdf", PDF_MIME), "Word": ("docx", ".docx", DOCX_MIME)}


def print_downloads(noun: str, make: Callable[[str], bytes], stem: str, what: str,
                    detail: str = "") -> dict[str, PreparedDownload]:
    """A "Prepare <noun> (PDF)" and a "(Word)" button; ``make(fmt)`` prints the document as 'pdf' or 'docx'.

    ``stem`` names the file, ``what`` the document in a failure, ``detail`` follows the link's words.
    """
    def prepared(form: str) -> Prepared:
        fmt, suffix, mime = PRINT_FORMS[form]
        return Prepared(make(fmt), safe_download_name(stem, suffix), f"Download {noun} ({form}){detail}", mime)

    return {form: PreparedDownload(f"Prepare {noun} ({form})", lambda form=form: prepared(form), what)
            for form in PRINT_FORMS}
