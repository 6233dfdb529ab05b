"""A download made only when asked: a button, then a link to the file it made.

Handouts and packs take a second or more to print, so a page builds them when a person
presses the button, not every time the page opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ipywidgets as widgets

from pcp_widgets.ui.downloads import DOCX_MIME, PDF_MIME, download_link_html, report_unexpected, safe_download_name
from pcp_widgets.ui.frame import html_block


@dataclass(frozen=True)
class Prepared:
    """A file made on request, and the words of its link."""

    data: bytes
    file_name: str
    link_text: str
    mime: str


class PreparedDownload:
    """A button that makes a file and then offers it as a link; a failure is said, never shown as a trace."""

    def __init__(self, button_text: str, make: Callable[[], Prepared], what: str):
        self.make = make
        self.what = what
        self.button = widgets.Button(description=button_text)
        self.button.on_click(lambda _b: self.prepare())
        self.link = widgets.HTML()
        self.widget = widgets.VBox([self.button, self.link])

    def prepare(self) -> None:
        try:
            prepared = self.make()
        except Exception as error:  # noqa: BLE001 - the page must stay usable; the log has the trace
            report_unexpected(self.what, error)
            self.link.value = html_block(f"<p>The {self.what} could not be made; ask whoever runs the server.</p>")
            return
        size = f" ({len(prepared.data) // 1024} KB)"
        link_html = download_link_html(prepared.data, prepared.file_name, prepared.link_text + size, prepared.mime)
        self.link.value = html_block(f"<p>{link_html}</p>")


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
