"""Any tool as an editable Word document (.docx), drawn from its blocks.

Real Word structure rather than a picture of the page: a title, a Heading 1 per section,
Word's own bulleted list style, and tables whose header row repeats on every page, so a
person can keep editing it in Word and a screen reader can move through it by heading.
"""

from __future__ import annotations

import io

from docx import Document as WordDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from pcp_widgets.render.blocks import Bullets, Chart, Layout, NewPage, Picture, SideBySide, Table, Text


def layout_docx(layout: Layout) -> bytes:
    word = WordDocument()
    _a4(word)
    word.core_properties.title = layout.heading
    word.core_properties.author = "pcp-workbook"
    word.add_heading(layout.heading, level=0)
    word.add_paragraph(layout.subtitle)
    if layout.contributors:
        word.add_paragraph(layout.contributors)
    for block in layout.blocks:
        _BLOCKS[type(block)](word, block)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _a4(word) -> None:
    for section in word.sections:
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.left_margin = section.right_margin = Mm(18)
        section.top_margin = section.bottom_margin = Mm(15)


def _note(container, text: str) -> None:
    paragraph = container.add_paragraph()
    paragraph.add_run(text).italic = True


def _bullets(word, block: Bullets) -> None:
    word.add_heading(block.label, level=1)
    if not block.items:
        _note(word, block.empty_note)
    for item in block.items:
        word.add_paragraph(item, style="List Bullet")


def _text(word, block: Text) -> None:
    word.add_heading(block.label, level=1)
    if block.text:
        word.add_paragraph(block.text)
    else:
        _note(word, block.empty_note)


def _fill_cell(cell, lines: tuple[str, ...], bold: bool = False, bulleted: bool = False) -> None:
    """A cell's lines, a paragraph each; bulleted when the column holds lists."""
    style = "List Bullet" if bulleted else None
    for n, line in enumerate(lines or ("",)):
        paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
        if style and line:
            paragraph.style = style
        paragraph.add_run(line).bold = bold


def _repeat_header(row) -> None:
    """Mark a row as the table's header: repeated on each page, announced as headers."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _word_table(word, headers: tuple[str, ...], rows, flag_column: int | None = None,
                list_columns: tuple[int, ...] = ()) -> None:
    table = word.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, header in zip(table.rows[0].cells, headers):
        _fill_cell(cell, (header,), bold=True)
    _repeat_header(table.rows[0])
    for row in rows:
        cells = table.add_row().cells
        for n, (cell, lines) in enumerate(zip(cells, row)):
            _fill_cell(cell, lines, bold=n == flag_column, bulleted=n in list_columns)


def _table(word, block: Table) -> None:
    word.add_heading(block.label, level=1)
    if not block.rows:
        _note(word, block.empty_note)
        return
    _word_table(word, block.headers, block.rows, block.flag_column, block.list_columns)


def _side_by_side(word, block: SideBySide) -> None:
    word.add_heading(" · ".join(part.label for part in block.parts), level=1)
    rows = (tuple(part.items or (part.empty_note,) for part in block.parts),)
    _word_table(word, tuple(part.label for part in block.parts), rows, list_columns=tuple(range(len(block.parts))))


def _picture(word, block: Picture) -> None:
    from pcp_widgets.render.pictures import circle_picture

    png = circle_picture(block.person, block.people, "png")
    _add_png(word, png, f"{block.label} of {block.person}: the people are listed in the table below.")


def _chart(word, block: Chart) -> None:
    """A chart drawn elsewhere, under its heading, with the sentences that say what it shows."""
    word.add_heading(block.label, level=1)
    _add_png(word, block.png, " ".join(block.sentences) or block.label)
    for sentence in block.sentences:
        word.add_paragraph(sentence, style="List Bullet")


def _add_png(word, png: bytes, description: str) -> None:
    """A picture at the full text width, with its description for screen readers (Word's alt text)."""
    word.add_picture(io.BytesIO(png), width=Mm(174))
    word.inline_shapes[-1]._inline.docPr.set("descr", description)
    word.paragraphs[-1].paragraph_format.space_after = Pt(6)


def _new_page(word, _block: NewPage) -> None:
    word.add_page_break()


_BLOCKS = {Bullets: _bullets, Text: _text, Table: _table, SideBySide: _side_by_side, Picture: _picture,
           Chart: _chart, NewPage: _new_page}
