"""Every tool except the profile and the circle as a clean A4 PDF, drawn from its blocks.

reportlab's platypus flows the blocks over as many pages as they need: headings, bullets,
and tables whose header row repeats on each page. A logical row whose cells are lists
(the working / not working grid, lists side by side) is printed as one physical row per
item, so even a very long list breaks cleanly between pages instead of overflowing one.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.colors import Color, black
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Image, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table as PdfTable, TableStyle

from pcp_widgets.render.blocks import Bullets, Chart, Layout, Picture, SideBySide, Table, Text
from pcp_widgets.render.fonts import BOLD, ITALIC, REGULAR, register_pdf_fonts

MARGIN = 15 * mm
BODY = 10.0
GREY = Color(0.35, 0.35, 0.35)
HEADER_FILL = Color(0.88, 0.88, 0.88)


def _style(name, size=BODY, font=REGULAR, color=black, space_before=0.0, space_after=0.0, indent=0.0):
    return ParagraphStyle(name, fontName=font, fontSize=size, leading=size * 1.25, textColor=color,
                          spaceBefore=space_before, spaceAfter=space_after, leftIndent=indent,
                          bulletFontName=REGULAR, bulletFontSize=size)


STYLES = {
    "heading": _style("heading", 18, BOLD, space_after=2),
    "subtitle": _style("subtitle", 10, REGULAR, GREY, space_after=1),
    "section": _style("section", 13, BOLD, space_before=10, space_after=4),
    "body": _style("body", space_after=3),
    "bullet": _style("bullet", space_after=2.5, indent=11),
    "note": _style("note", BODY, ITALIC, GREY, space_after=3),
    "cell": _style("cell", 9),
    "cell_bold": _style("cell_bold", 9, BOLD),
    "cell_small": _style("cell_small", 8),
    "cell_small_bold": _style("cell_small_bold", 8, BOLD),
}


def _p(text: str, style: str) -> Paragraph:
    """A paragraph of typed text: escaped, so '<' and '&' print as themselves."""
    return Paragraph(escape(text).replace("\n", "<br/>"), STYLES[style])


def layout_pdf(layout: Layout, footer: str) -> bytes:
    """The blocks of a layout on as many A4 portrait pages as they need."""
    register_pdf_fonts()
    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=A4, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
                                 bottomMargin=MARGIN + 10, title=layout.heading, author="pcp-workbook",
                                 invariant=1)
    width = A4[0] - 2 * MARGIN
    story = [_p(layout.heading, "heading"), _p(layout.subtitle, "subtitle")]
    if layout.contributors:
        story.append(_p(layout.contributors, "subtitle"))
    for block in layout.blocks:
        story += _flowables(block, width)

    def number_page(canvas, doc):
        canvas.saveState()
        canvas.setFont(REGULAR, 8)
        canvas.setFillColor(GREY)
        canvas.drawString(MARGIN, MARGIN * 0.6, f"{footer} · page {doc.page}")
        canvas.restoreState()

    document.build(story, onFirstPage=number_page, onLaterPages=number_page)
    return buffer.getvalue()


def _flowables(block, width: float) -> list:
    if isinstance(block, Bullets):
        return _bullets(block)
    if isinstance(block, Text):
        body = [_p(block.text, "body")] if block.text else [_p(block.empty_note, "note")]
        return [KeepTogether([_p(block.label, "section"), body[0]])]
    if isinstance(block, Table):
        return _table(block, width)
    if isinstance(block, SideBySide):
        return _side_by_side(block, width)
    if isinstance(block, Chart):
        return _chart(block, width)
    if isinstance(block, Picture):
        raise TypeError("the relationship circle prints through pcp_widgets.render.circle")
    raise TypeError(f"no PDF form for {type(block).__name__}")


def _chart(block: Chart, width: float) -> list:
    """The chart at the full text width, its height kept in proportion, and its sentences under it."""
    picture = Image(io.BytesIO(block.png))
    picture.drawHeight = picture.imageHeight * width / picture.imageWidth
    picture.drawWidth = width
    words = [Paragraph(escape(s), STYLES["bullet"], bulletText="•") for s in block.sentences]
    return [KeepTogether([_p(block.label, "section"), picture, *words[:1]]), *words[1:]]


def _bullets(block: Bullets) -> list:
    title = _p(block.label, "section")
    if not block.items:
        return [KeepTogether([title, _p(block.empty_note, "note")])]
    items = [Paragraph(escape(item), STYLES["bullet"], bulletText="•") for item in block.items]
    return [KeepTogether([title, items[0]]), *items[1:]]


def _cell(lines: tuple[str, ...], style: str, bulleted: bool) -> list[Paragraph] | str:
    if not lines or lines == ("",):
        return ""
    if bulleted:
        hanging = ParagraphStyle(f"{style}_bullet", parent=STYLES[style], leftIndent=_BULLET_INDENT - 2)
        return [Paragraph(escape(line), hanging, bulletText="•") for line in lines]
    return [_p(line, style) for line in lines]


def _expand(row: tuple[tuple[str, ...], ...], list_columns: tuple[int, ...]) -> list[list[tuple[str, ...]]]:
    """One logical row as physical rows: item j of every list cell on physical row j, the
    other cells whole on the first."""
    if not list_columns:
        return [list(row)]
    depth = max([len(row[n]) for n in list_columns] + [1])

    def piece(n: int, cell: tuple[str, ...], j: int) -> tuple[str, ...]:
        if n not in list_columns:
            return cell if j == 0 else ()
        return cell[j:j + 1]

    return [[piece(n, cell, j) for n, cell in enumerate(row)] for j in range(depth)]


#: Cell padding left and right, and the bullet's indent, in points.
_CELL_PADDING, _BULLET_INDENT = 12.0, 11.0


def _widths(block: Table, width: float, size: float) -> list[float]:
    """Column widths: each at least its longest word (so no word breaks), the rest of the
    width shared by how much text each column holds."""
    minimum, weights = [], []
    for n, header in enumerate(block.headers):
        texts = [header] + [line for row in block.rows for line in row[n]]
        longest = max(stringWidth(word, BOLD, size) for text in texts for word in (text.split() or [""]))
        minimum.append(longest + _CELL_PADDING + (_BULLET_INDENT if n in block.list_columns else 0))
        lengths = [len(" ".join(row[n])) for row in block.rows] or [0]
        weights.append(max(sum(lengths) / len(lengths), 4.0) ** 0.7)
    if sum(minimum) >= width:
        return [width * m / sum(minimum) for m in minimum]
    spare = width - sum(minimum)
    return [m + spare * w / sum(weights) for m, w in zip(minimum, weights)]


def _table(block: Table, width: float, equal: bool = False) -> list:
    title = _p(block.label, "section")
    if not block.rows:
        return [KeepTogether([title, _p(block.empty_note, "note")])]
    small = len(block.headers) > 5
    plain, bold = ("cell_small", "cell_small_bold") if small else ("cell", "cell_bold")
    data = [[_p(header, bold) for header in block.headers]]
    logical_starts = []
    for row in block.rows:
        logical_starts.append(len(data))
        for physical in _expand(row, block.list_columns):
            data.append([_cell(cell, bold if n == block.flag_column else plain, n in block.list_columns)
                         for n, cell in enumerate(physical)])
    commands = [
        ("BACKGROUND", (0, 0), (-1, 0), HEADER_FILL),
        ("BOX", (0, 0), (-1, -1), 0.8, black),
        ("INNERGRID", (0, 0), (-1, 0), 0.5, black),
        ("LINEAFTER", (0, 0), (-2, -1), 0.5, black),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    commands += [("LINEABOVE", (0, start), (-1, start), 0.5, black) for start in logical_starts]
    size = STYLES[plain].fontSize
    widths = [width / len(block.headers)] * len(block.headers) if equal else _widths(block, width, size)
    table = PdfTable(data, colWidths=widths, repeatRows=1, splitInRow=1)
    table.setStyle(TableStyle(commands))
    return [title, table]


def _side_by_side(block: SideBySide, width: float) -> list:
    """Lists next to each other: a table with the lists' labels as its header row."""
    rows = (tuple(part.items or (part.empty_note,) for part in block.parts),)
    as_table = Table(" · ".join(part.label for part in block.parts), tuple(p.label for p in block.parts), rows,
                     list_columns=tuple(range(len(block.parts))))
    flowables = _table(as_table, width, equal=True)
    return [Spacer(1, 6), *flowables[1:]]
