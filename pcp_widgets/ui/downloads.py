"""Downloads from a page, and failures nobody foresaw, shared by every page.

Downloads are ``data:`` links with a ``download`` file name: ipywidgets 8 has no download
widget, and a link inside an HTML widget works in Voila without any script or file route.
File names are made safe here (ASCII letters, digits, '-', '_', '.'), whatever a person typed.
"""

from __future__ import annotations

import base64
import html
import re
import sys
import traceback
import unicodedata

#: A download link carries the file in the page; beyond this, point to the command line instead.
MAX_DOWNLOAD_BYTES = 40 * 1024 * 1024
#: Longest file name shown or used in a download name.
MAX_NAME_LENGTH = 120
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_MIME = "application/pdf"


def safe_download_name(stem: str, suffix: str = ".xlsx") -> str:
    """A file name for a download: letters, digits, '-', '_' and '.', never empty, never hidden."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", unicodedata.normalize("NFKD", stem).encode("ascii", "ignore")
                     .decode("ascii")).strip("-._")
    return (cleaned[:MAX_NAME_LENGTH] or "download") + suffix


def download_link_html(data: bytes, file_name: str, text: str, mime: str = XLSX_MIME) -> str:
    """A link that saves ``data`` as ``file_name`` (a ``data:`` URI, so no file is left on the server)."""
    if len(data) > MAX_DOWNLOAD_BYTES:
        return html.escape(
            f"{file_name} is too large to download from this page ({len(data) / 1e6:.0f} MB); "
            "ask whoever runs the server to use the pcp command instead."
        )
    encoded = base64.b64encode(data).decode("ascii")
    return (f'<a download="{html.escape(file_name)}" href="data:{mime};base64,{encoded}">'
            f"{html.escape(text)}</a>")


def report_unexpected(page: str, error: BaseException) -> None:
    """Log a failure we did not foresee where the person running the server can see it (never the page)."""
    print(f"pcp: the {page} failed unexpectedly: {type(error).__name__}: {error}", file=sys.__stderr__)
    traceback.print_exception(error, file=sys.__stderr__)


def picture_html(png: bytes, alt: str, max_width: str = "60rem") -> str:
    """A PNG shown in the page with its text alternative.

    An HTML ``<img>`` rather than ipywidgets' Image widget: Image has no alt text, and giving
    it a tooltip instead breaks its view in ipywidgets 8.1 (``updateTooltip`` fails on load).
    """
    encoded = base64.b64encode(png).decode("ascii")
    return (f'<img src="data:image/png;base64,{encoded}" alt="{html.escape(alt)}" '
            f'style="max-width: {max_width}; width: 100%; height: auto;">')
