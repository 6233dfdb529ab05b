"""Download links that are always on the page and always of what the page holds now: one click saves.

A "Download PDF" button that then offers a second link to click is one click too many. Here
each form (PDF, Word) is a link of its own, made again whenever what it prints changes: while
it is being made the link's place says "Preparing the PDF…" (so nobody saves an old copy), and
then the link is back, holding the new file. A form that cannot be made says why in the link's
place, in one sentence (a one-page profile too long for its page names the section to shorten),
and the other forms are still offered.

In a kernel the files are made on the kernel's event loop a moment after the change, one form
per turn of the loop, so a burst of changes makes them once and a person's clicks are not held
up longer than one form takes; outside a kernel (tests, scripts) they are made at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import ipywidgets as widgets

from pcp_widgets.errors import PcpError
from pcp_widgets.ui.debounce import Debouncer
from pcp_widgets.ui.downloads import DOCX_MIME, PDF_MIME, download_link_html
from pcp_widgets.ui.frame import StatusLine, html_block

#: Seconds after the last change before the files are made again.
DELAY = 0.3


@dataclass(frozen=True)
class Form:
    """One form a document is offered in: its name in words, the renderer's format, suffix and MIME type."""

    name: str
    fmt: str
    suffix: str
    mime: str


PDF = Form("PDF", "pdf", ".pdf", PDF_MIME)
WORD = Form("Word", "docx", ".docx", DOCX_MIME)


def link_words(form: Form, data: bytes) -> str:
    """'Download PDF (45 KB)': the form, and the size so nobody is surprised on a phone."""
    return f"Download {form.name} ({max(1, round(len(data) / 1024))} KB)"


def preparing_html(form: Form) -> str:
    return html_block(f"<p class='pcp-download' aria-disabled='true'>Preparing the {form.name} file…</p>")


class CurrentDownloads:
    """One always-current link per form; :meth:`refresh` after every change of what they print.

    ``make(fmt)`` returns the file's bytes (or raises a PcpError saying why it cannot be made);
    ``name(suffix)`` its file name; ``what`` names it in the server's log if making it fails.
    """

    def __init__(self, forms: tuple[Form, ...], what: str, delay: float = DELAY):
        self.forms = forms
        self.lines = {form.fmt: StatusLine(what) for form in forms}
        self.widget = widgets.HBox(list(self.lines.values()))
        self.widget.add_class("pcp-row")
        self._make: Callable[[str], bytes] | None = None
        self._name: Callable[[str], str] | None = None
        self._waiting: list[Form] = []
        self._maker = Debouncer(self._make_next, delay)

    def refresh(self, make: Callable[[str], bytes], name: Callable[[str], str]) -> None:
        """What the links print has changed: say each is being prepared, and make them again shortly."""
        self._make, self._name = make, name
        self.preparing()
        self._waiting = list(self.forms)
        self._maker()

    def preparing(self) -> None:
        """Take the links away (what they hold is out of date) and say they are being prepared."""
        for form in self.forms:
            self.lines[form.fmt].value = preparing_html(form)

    def flush(self) -> None:
        """Make every waiting form now (before a test reads the links, or a page is closed)."""
        self._maker.cancel()
        while self._waiting:
            self._make_one(self._waiting.pop(0))

    def _make_next(self) -> None:
        """Make one waiting form, then let the loop deliver what a person did before the next one."""
        if self._waiting:
            self._make_one(self._waiting.pop(0))
        if self._waiting:
            self._maker()

    def _make_one(self, form: Form) -> None:
        line = self.lines[form.fmt]
        with line.guarded(f"The {form.name} file could not be made; whoever runs the server can see why in "
                          "its log."):
            try:
                data = self._make(form.fmt)
            except PcpError as error:
                raise PcpError(f"The {form.name} cannot be made: {error}") from error
            link = download_link_html(data, self._name(form.suffix), link_words(form, data), form.mime)
            line.value = html_block("<p>" + link.replace("<a ", '<a class="pcp-download" ', 1) + "</p>")

    def links(self) -> dict[str, str]:
        """The HTML now in each form's place, by format (for tests and for looking)."""
        return {fmt: line.value for fmt, line in self.lines.items()}


__all__ = ["Form", "PDF", "WORD", "CurrentDownloads", "link_words", "preparing_html"]
