"""A printed handout for each tool, and the session pack of all of them, as PDF or Word.

A handout has three parts, each from the tool's declaration so the print agrees with the
page: the tool explained (what it is for, when to use it, each section with its question
and smaller prompts, and the reflection questions), the worked example from the guidance
as the finished tool, and a blank template to fill in by hand. They are ordinary render
blocks, drawn by :func:`pcp_widgets.render.pdf.layout_pdf`, or by
:func:`pcp_widgets.render.word.layout_docx` for a trainer who wants to add their own words.
"""

from __future__ import annotations

from pcp_widgets.render import layout_bytes
from pcp_widgets.render.cache import cached
from pcp_widgets.render.blocks import Block, Bullets, Chart, Layout, NewPage, Picture, Table, Text, document_layout
from pcp_widgets.render.text import printable
from pcp_widgets.tools import TOOLS, Section, Tool, get_tool
from pcp_widgets.tools.examples import example_for

#: Blank lines printed for a list section, and for a table without fixed rows.
BLANK_LIST_LINES = 6
BLANK_TABLE_ROWS = 5
#: Room for one handwritten line: no-break spaces, so the cell keeps two lines' height.
_LINE = "\u00a0\n\u00a0"
#: Room in a fixed row (a day of the week), where people write a few things each.
_TALL = "\n".join([_LINE] * 2)
PACK_TITLE = "Person-centred thinking: the session pack"


def tool_handout_blocks(tool: Tool) -> list[Block]:
    """The three parts of one tool's handout, in print order."""
    return [*explained_blocks(tool), NewPage(), *example_blocks(tool), NewPage(), *template_blocks(tool)]


def explained_blocks(tool: Tool) -> list[Block]:
    """What the tool is for, when to use it, its sections' questions, and what to reflect on."""
    blocks: list[Block] = [Text("What it is for", tool.purpose), Text("When to use it", tool.when_to_use)]
    blocks += [Bullets(f"Section: {s.label}", (s.prompt, *s.hints)) for s in tool.editable_sections]
    if tool.reflection:
        blocks.append(Bullets("Reflection questions", tool.reflection))
    return blocks


def example_blocks(tool: Tool) -> list[Block]:
    """The worked example as the finished tool, introduced by whose it is and who wrote it."""
    example = example_for(tool.key)
    layout = document_layout(example)
    intro = " ".join(part for part in (layout.subtitle.split(" · ")[0] + ".", layout.contributors) if part)
    return [Text(f"Worked example: {layout.heading}", intro), *(_printable_block(b) for b in layout.blocks)]


def _printable_block(block: Block) -> Block:
    """The circle's picture as a PNG chart, which the PDF renderer draws; every other block as it is."""
    if not isinstance(block, Picture):
        return block
    from pcp_widgets.render.pictures import circle_picture

    png = circle_picture(block.person, block.people, "png", block.label)
    return Chart(block.label, png, (f"The people in {block.person}'s life, closest in the middle ring.",))


def template_blocks(tool: Tool) -> list[Block]:
    """Every section with room to write by hand: lines for lists and text, empty rows for tables."""
    intro = Text(f"Blank template: {tool.title}", "Name of the person: ____________________   "
                                                   "Written with: ____________________   Date: __________")
    return [intro, *(_blank_block(section) for section in tool.editable_sections)]


def _blank_block(section: Section) -> Table:
    if section.kind == "table":
        blank = tuple((_LINE,) for _ in section.columns)
        if section.fixed_rows:
            rows = tuple(tuple((label,) if c.key == section.row_key else (_TALL,) for c in section.columns)
                         for label in section.fixed_rows)
        else:
            rows = (blank,) * BLANK_TABLE_ROWS
        return Table(section.label, tuple(c.label for c in section.columns), rows)
    lines = 1 if section.kind == "text" else min(BLANK_LIST_LINES, section.max_items or BLANK_LIST_LINES)
    height = _LINE if section.kind == "list" else "\n".join([_LINE] * 3)  # a text section: one big box
    return Table(section.label, (section.prompt,), ((( height,),),) * lines)


def handout_layout(tool_key: str) -> Layout:
    """One tool's handout: explained, worked example, blank template."""
    tool = get_tool(tool_key)
    return Layout(heading=f"{tool.title}: handout", subtitle="Person-centred thinking tools",
                  contributors="", blocks=tuple(tool_handout_blocks(tool)))


def pack_layout() -> Layout:
    """Every tool's handout, in the order of the tools, each starting on a new page."""
    blocks: list[Block] = [Bullets("Contents", tuple(tool.title for tool in TOOLS.values()))]
    for tool in TOOLS.values():
        blocks += [NewPage(), Text(tool.title, "Handout: the tool explained, a worked example, a blank template."),
                   *tool_handout_blocks(tool)]
    return Layout(heading=PACK_TITLE, subtitle="A handout for every tool", contributors="", blocks=tuple(blocks))


def handout(tool_key: str, fmt: str = "pdf") -> bytes:
    """One tool's handout as 'pdf' or 'docx' (made once per release: it holds only invented examples)."""
    tool = get_tool(tool_key)
    footer = f"{printable(tool.title)} · handout"
    return cached("handout", [tool.key, fmt], fmt, lambda: layout_bytes(handout_layout(tool.key), fmt, footer=footer))


def pack(fmt: str = "pdf") -> bytes:
    """Every tool's handout in one 'pdf' or 'docx' (made once per release, as each handout is)."""
    return cached("pack", [fmt], fmt, lambda: layout_bytes(pack_layout(), fmt, footer=PACK_TITLE))
