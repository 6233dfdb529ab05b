"""Tool documents to paper and screen: PDF, Word, HTML, and the circle as PNG and SVG.

One entry point, :func:`render`, picks the format from the output file's extension and
writes atomically (a temporary file beside the target, then a rename), so a render that
fails, or a profile that does not fit, never leaves a half-written file behind.
:func:`render_bytes` gives the same bytes for a page's download button, and
:func:`html_fragment` the preview the pages show.

- one-page profile: PDF on exactly one A4 page (:mod:`.profile`), Word, HTML;
- relationship circle: PNG, SVG (names kept as text) and PDF of the picture (:mod:`.circle`),
  Word and HTML with the picture, the counts and the list of people;
- every other tool: PDF, Word and HTML from the same blocks (:mod:`.blocks`).

The renderers are imported inside the functions that pick them, on purpose: every tool page imports
this package for its preview, and a page's kernel would otherwise load ReportLab, python-docx and
matplotlib before anyone asks for a file (measured here: +446 ms for the PDF renderer, +93 ms for Word,
+69 ms for the pictures, on top of 34 ms for this package). tests/test_architecture.py lists the
import circle this makes (the renderers come back here for shared helpers).
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from pcp_widgets.errors import UsageError
from pcp_widgets.render.blocks import Layout, document_layout
from pcp_widgets.render.errors import DoesNotFit, UnsupportedFormat
from pcp_widgets.tools import Document

#: Every extension we write, and what it is, for messages.
FORMATS = {
    "pdf": "PDF",
    "docx": "Word",
    "html": "HTML",
    "png": "PNG picture",
    "svg": "SVG picture",
}
#: Formats that are pictures, so only the relationship circle has them.
PICTURE_FORMATS = ("png", "svg")

__all__ = ["DoesNotFit", "FORMATS", "UnsupportedFormat", "html_fragment", "layout_bytes", "output_format", "render",
           "render_bytes"]


def output_format(document: Document, out_path: str | os.PathLike) -> str:
    """The format for ``out_path`` from its extension, or UnsupportedFormat in one sentence."""
    suffix = Path(out_path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        known = ", ".join(f".{key}" for key in FORMATS)
        shown = f"'.{suffix}'" if suffix else "no extension"
        raise UnsupportedFormat(f"{Path(out_path).name} has {shown}; pcp render writes {known}.")
    if suffix in PICTURE_FORMATS and document.tool_spec.layout != "circle":
        raise UnsupportedFormat(
            f"Only the relationship circle is a picture; write {document.tool_spec.title} as .pdf, .docx or .html."
        )
    return suffix


def render_bytes(document: Document, fmt: str, *, today: dt.date | None = None) -> bytes:
    """The document in ``fmt`` ('pdf', 'docx', 'html', 'png', 'svg') as bytes.

    ``today`` decides which actions are overdue (default: today). Raises DoesNotFit for
    a one-page profile too long for one page, UnsupportedFormat for a format the tool has not.
    """
    fmt = output_format(document, f"out.{fmt}")
    layout_kind = document.tool_spec.layout
    if fmt == "pdf" and layout_kind == "profile":
        from pcp_widgets.render.profile import profile_pdf

        return profile_pdf(document)
    if layout_kind == "circle" and fmt in ("pdf", *PICTURE_FORMATS):
        from pcp_widgets.render.pictures import circle_picture

        return circle_picture(document.person, document.sections.get("people", []), fmt, document.heading)
    if fmt == "html":
        from pcp_widgets.render.html import html_page

        return html_page(html_fragment(document, today=today), document.heading).encode("utf-8")
    footer = f"{document.person} · {document.tool_spec.title}"
    return layout_bytes(document_layout(document, today), fmt, footer=footer)


def layout_bytes(layout: Layout, fmt: str, *, footer: str) -> bytes:
    """Laid-out blocks as 'docx' (Word) or 'pdf', the PDF with ``footer`` on every page."""
    if fmt == "docx":
        from pcp_widgets.render.word import layout_docx

        return layout_docx(layout)
    from pcp_widgets.render.pdf import layout_pdf

    return layout_pdf(layout, footer=footer)


def html_fragment(document: Document, *, today: dt.date | None = None) -> str:
    """The document as a self-contained, escaped HTML fragment for a page to show."""
    from pcp_widgets.render.html import layout_html

    spec = document.tool_spec
    return layout_html(document_layout(document, today), spec.key, spec.layout)


def render(document: Document, out_path: str | os.PathLike, *, today: dt.date | None = None) -> Path:
    """Write the document to ``out_path`` in the format its extension names; returns the path.

    Nothing is written unless the whole render succeeds: the bytes are made first, then
    written to a temporary file in the same folder and renamed over the target. The file
    is readable by its owner only, as befits what it says about a person.
    """
    out = Path(out_path)
    fmt = output_format(document, out)
    if not out.parent.is_dir():
        raise UsageError(f"The folder {out.parent} does not exist; create it or choose another --out.")
    data = render_bytes(document, fmt, today=today)
    write_atomically(out, data)
    return out


def write_atomically(out: Path, data: bytes) -> None:
    handle, temporary = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".part")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, out)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
