"""The one-page profile on exactly one A4 portrait page, or a plain reason why not.

The page: the person's name as the heading, then three boxes (what people like and
admire, what is important, how best to support) one under another, each as wide as the
page. All three boxes use one common text size, so no section looks less important than
another: the largest size from 12 pt down to 8 pt at which everything fits. A box whose
items are short is set in two columns when that makes it clearly shorter and each column
holds at least three items (a short list stays in one column: a column of one item beside
one of two reads as a mistake). Heights are measured
with the same reportlab paragraphs that are then drawn, so what is measured is what
prints. Space left over is shared between the boxes, which leaves room to write by hand.

Below 8 pt a profile stops being readable for many of the people it is for; then nothing
is drawn and :class:`DoesNotFit` names the section to shorten and roughly by how much.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from pcp_widgets.render.errors import DoesNotFit
from pcp_widgets.render.fonts import BOLD, ITALIC, REGULAR, register_pdf_fonts
from pcp_widgets.render.text import printable, uk_date, word_count
from pcp_widgets.tools import Document

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 34.0  # points, about 12 mm: inside every printer's unprintable edge
LARGEST, SMALLEST, STEP = 12.0, 8.0, 0.5
BOX_PADDING = 8.0
BOX_GAP = 10.0
HEADER_GAP = 8.0  # below the heading, and above the footer
COLUMN_GAP = 14.0
MIN_COLUMN_ITEMS = 3  # fewer items than this in either column: the box stays in one column
NAME_SIZE = 26.0
GREY = Color(0.35, 0.35, 0.35)
BAND = Color(0.88, 0.88, 0.88)


def _style(name: str, size: float, font: str = REGULAR, color=black, indent: float = 0.0) -> ParagraphStyle:
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.25, textColor=color,
                          leftIndent=indent, bulletIndent=0, bulletFontName=REGULAR, bulletFontSize=size)


# -- measuring ----------------------------------------------------------------------------------


@dataclass
class _Box:
    """One section's box at one text size: its paragraphs split into one or two columns."""

    label: str
    words: int
    title: Paragraph
    columns: list[list[Paragraph]]
    column_width: float
    title_height: float
    body_height: float

    @property
    def height(self) -> float:
        return self.title_height + self.body_height + 2 * BOX_PADDING


def _items(items: list[str], prompt: str, size: float) -> list[Paragraph]:
    if not items:
        return [Paragraph(escape(printable(prompt)), _style("prompt", size, ITALIC, GREY))]
    style = _style("item", size, indent=size * 1.1)
    return [Paragraph(escape(printable(item)), style, bulletText="•") for item in items]


def _stack_height(heights: list[float], size: float) -> float:
    """Paragraphs one under another, with the gap between items."""
    return sum(heights) + size * 0.35 * max(0, len(heights) - 1)


def _measure_box(label: str, items: list[str], prompt: str, size: float) -> _Box:
    """The box at ``size``, in one column or in two, whichever is clearly shorter."""
    inner = PAGE_WIDTH - 2 * MARGIN - 2 * BOX_PADDING
    title = Paragraph(escape(label), _style("title", size + 2, BOLD))
    title_height = title.wrap(inner, 1e6)[1] + BOX_PADDING * 0.75
    paragraphs = _items(items, prompt, size)
    full = _stack_height([p.wrap(inner, 1e6)[1] for p in paragraphs], size)
    best = _Box(label, word_count(items), title, [paragraphs], inner, title_height, full)
    half = (inner - COLUMN_GAP) / 2
    heights = [p.wrap(half, 1e6)[1] for p in paragraphs]
    for split in range(MIN_COLUMN_ITEMS, len(paragraphs) - MIN_COLUMN_ITEMS + 1):
        height = max(_stack_height(heights[:split], size), _stack_height(heights[split:], size))
        if height < min(best.body_height, full * 0.9):  # two columns only when clearly shorter
            best = _Box(label, best.words, title, [paragraphs[:split], paragraphs[split:]], half, title_height,
                        height)
    return best


@dataclass
class ProfileFit:
    """How the profile fits: the text size chosen and each box as measured at that size."""

    size: float
    boxes: list[_Box]
    header: list[tuple[Paragraph, float]]
    footer: tuple[Paragraph, float] | None

    @property
    def spare(self) -> float:
        """Height left over on the page (negative: how much too tall)."""
        gaps = BOX_GAP * (len(self.boxes) - 1)
        return _available(self.header, self.footer) - gaps - sum(box.height for box in self.boxes)


def _header(document: Document) -> list[tuple[Paragraph, float]]:
    width = PAGE_WIDTH - 2 * MARGIN
    name = Paragraph(escape(printable(document.person)), _style("name", NAME_SIZE, BOLD))
    subtitle_text = document.tool_spec.title + (f" · updated {uk_date(document.updated)}" if document.updated else "")
    subtitle = Paragraph(escape(subtitle_text), _style("subtitle", 10, REGULAR, GREY))
    return [(p, p.wrap(width, 1e6)[1]) for p in (name, subtitle)]


def _footer(document: Document) -> tuple[Paragraph, float] | None:
    """Who wrote it, on at most two lines at 8 pt: enough names, then 'and N others'."""
    names = [printable(c["name"]) + (f" ({printable(c['relationship'])})" if c.get("relationship") else "")
             for c in document.contributors]
    if not names:
        return None
    width = PAGE_WIDTH - 2 * MARGIN
    style = _style("footer", SMALLEST, REGULAR, GREY)
    for shown in range(len(names), 0, -1):
        rest = len(names) - shown
        text = "Written with: " + ", ".join(names[:shown]) + (f" and {rest} others" if rest else "")
        paragraph = Paragraph(escape(text), style)
        height = paragraph.wrap(width, 1e6)[1]
        if height <= style.leading * 2 + 0.1:
            return paragraph, height
    return None


def _available(header, footer) -> float:
    """The height the boxes share: the page less its margins, the heading and the footer."""
    used = sum(height for _, height in header) + HEADER_GAP + (footer[1] + HEADER_GAP if footer else 0)
    return PAGE_HEIGHT - 2 * MARGIN - used


def fit_profile(document: Document) -> ProfileFit:
    """The largest common size, 12 pt down to 8 pt, at which the three boxes fit the page.

    Raises DoesNotFit, naming the section(s) to shorten, when even 8 pt is too big.
    """
    register_pdf_fonts()
    header, footer = _header(document), _footer(document)
    size = LARGEST
    while True:
        boxes = [
            _measure_box(section.label, document.sections.get(section.key, []), section.prompt, size)
            for section in document.tool_spec.sections
        ]
        fit = ProfileFit(size, boxes, header, footer)
        if fit.spare >= 0:
            return fit
        if size <= SMALLEST:
            raise _does_not_fit(fit)
        size -= STEP


# -- advice when it does not fit -----------------------------------------------------------------


def _about_words(words: int, share: float) -> int:
    """Words to cut for ``share`` of a box, with a tenth more for lines that only shrink partly."""
    n = math.ceil(words * share * 1.1)
    step = 1 if n <= 20 else 5 if n <= 100 else 10
    return max(1, math.ceil(n / step) * step)


def _about_percent(over: float, keep: float) -> int:
    return max(5, int(round(over / keep * 100 / 5) * 5))


def _does_not_fit(fit: ProfileFit) -> DoesNotFit:
    over = -fit.spare
    bodies = {box.label: box.body_height for box in fit.boxes}
    longest = max(fit.boxes, key=lambda box: box.body_height)
    size = f"{SMALLEST:g} pt"
    total = sum(bodies.values())
    # One section holding most of the text, and able to take the whole cut: name only it.
    if longest.body_height >= total / 2 and over <= longest.body_height * 0.9:
        words = _about_words(longest.words, over / longest.body_height)
        return DoesNotFit(
            f"{longest.label} is about {_about_percent(over, longest.body_height - over)}% too long to fit on "
            f"one page at {size}; shorten it by about {words} words.",
            ((longest.label, words),),
        )
    cuts = tuple((box.label, _about_words(box.words, over / total)) for box in fit.boxes if box.words)
    listed = [f"{label} by about {words} words" for label, words in cuts]
    joined = ", ".join(listed[:-1]) + (" and " if len(listed) > 1 else "") + listed[-1]
    return DoesNotFit(
        f"This one-page profile is about {_about_percent(over, max(total - over, 1.0))}% too long to fit on one "
        f"page at {size}; shorten {joined}.",
        cuts,
    )


# -- drawing ---------------------------------------------------------------------------------------


def profile_pdf(document: Document) -> bytes:
    """The profile as a one-page A4 PDF (raises DoesNotFit before anything is drawn)."""
    fit = fit_profile(document)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(printable(document.heading))
    canvas.setAuthor("pcp-workbook")
    top = PAGE_HEIGHT - MARGIN
    for paragraph, height in fit.header:
        paragraph.drawOn(canvas, MARGIN, top - height)
        top -= height
    top -= HEADER_GAP
    extra = fit.spare / len(fit.boxes)
    for box in fit.boxes:
        height = box.height + extra
        _draw_box(canvas, box, top, height, fit.size)
        top -= height + BOX_GAP
    if fit.footer:
        paragraph, height = fit.footer
        paragraph.drawOn(canvas, MARGIN, MARGIN)
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _draw_box(canvas: Canvas, box: _Box, top: float, height: float, size: float) -> None:
    width = PAGE_WIDTH - 2 * MARGIN
    canvas.setStrokeColor(black)
    canvas.setLineWidth(1)
    canvas.setFillColor(BAND)
    band = box.title_height + BOX_PADDING * 0.5
    canvas.rect(MARGIN, top - band, width, band, stroke=0, fill=1)
    canvas.rect(MARGIN, top - height, width, height, stroke=1, fill=0)
    x = MARGIN + BOX_PADDING
    title_height = box.title.wrap(width - 2 * BOX_PADDING, 1e6)[1]
    box.title.drawOn(canvas, x, top - BOX_PADDING * 0.6 - title_height)
    for column in box.columns:
        y = top - BOX_PADDING - box.title_height
        for paragraph in column:
            _, h = paragraph.wrap(box.column_width, 1e6)
            paragraph.drawOn(canvas, x, y - h)
            y -= h + size * 0.35
        x += box.column_width + COLUMN_GAP
