"""A tool document as a short list of printable blocks, derived from its declaration.

Every output format (PDF, Word, HTML) draws the same blocks, so a tool's printed form is
decided once, here, from ``tool.sections`` and ``tool.layout``: list sections become
bullets, table sections tables with their column labels, text sections paragraphs. The
few layouts that arrange sections differently (two lists side by side, the working /
not working grid, the review's perspectives, the circle's picture) are small functions
over the same sections, not templates per tool.

Flags (an action with low confidence, an overdue step) are added to their table as a
column of words, so they survive printing in black and white.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Union

from pcp_widgets.render.text import printable, uk_date
from pcp_widgets.tools import Document, Section
from pcp_widgets.tools.flags import document_flags, flags_by_row

#: The header of the column that carries flags, in words.
FLAG_HEADER = "Needs attention"


@dataclass(frozen=True)
class Bullets:
    label: str
    items: tuple[str, ...]
    empty_note: str = ""


@dataclass(frozen=True)
class Text:
    label: str
    text: str
    empty_note: str = ""


@dataclass(frozen=True)
class Table:
    """A table; each cell is a tuple of lines (one line for a plain value, several for a list).

    ``flag_column`` is the index of the column holding flags in words, if any, so a
    renderer can set it in bold; ``list_columns`` are the columns whose cells are lists,
    each line an item of its own (bulleted), rather than one value.
    """

    label: str
    headers: tuple[str, ...]
    rows: tuple[tuple[tuple[str, ...], ...], ...]
    empty_note: str = ""
    flag_column: int | None = None
    list_columns: tuple[int, ...] = ()


@dataclass(frozen=True)
class SideBySide:
    """Lists printed next to each other (important to | important for, good day | bad day)."""

    parts: tuple[Bullets, ...]


@dataclass(frozen=True)
class Picture:
    """The relationship circle drawn from its people; renderers ask :mod:`.circle` for it."""

    label: str
    person: str
    people: tuple[dict, ...]


@dataclass(frozen=True)
class Chart:
    """A chart drawn elsewhere (PNG bytes), with the sentences that say what it shows."""

    label: str
    png: bytes
    sentences: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewPage:
    """Start a new page here (printed handouts only: each part of a pack on its own sheet)."""


Block = Union[Bullets, Text, Table, SideBySide, Picture, Chart, NewPage]


@dataclass(frozen=True)
class Layout:
    heading: str
    subtitle: str
    contributors: str
    blocks: tuple[Block, ...]


def document_layout(document: Document, today: dt.date | None = None) -> Layout:
    """The blocks of ``document`` in print order; ``today`` decides what is overdue."""
    tool = document.tool_spec
    flags = flags_by_row(document_flags(document, today))
    arrange = _ARRANGEMENTS.get(tool.layout, _in_order)
    return Layout(
        heading=printable(document.heading),
        subtitle=_subtitle(document),
        contributors=_contributors(document),
        blocks=tuple(arrange(document, flags)),
    )


def _subtitle(document: Document) -> str:
    subtitle = f"{document.tool_spec.title} for {printable(document.person)}"
    return subtitle + (f" · updated {uk_date(document.updated)}" if document.updated else "")


def _contributors(document: Document) -> str:
    names = [
        printable(c["name"]) + (f" ({printable(c['relationship'])})" if c.get("relationship") else "")
        for c in document.contributors
    ]
    return f"Written with: {', '.join(names)}" if names else ""


# -- one section, whatever the layout ------------------------------------------------------


def section_block(section: Section, value, flags: dict) -> Block:
    """The block a section prints as, by its kind alone."""
    note = section.prompt
    if section.kind == "text":
        return Text(section.label, printable(value), note)
    if section.kind == "list":
        return Bullets(section.label, tuple(printable(item) for item in value), note)
    return _table_block(section, value, flags)


def _table_block(section: Section, rows: list[dict], flags: dict) -> Table:
    numbered = list(enumerate(rows, 1))
    if section.columns[0].kind == "date":  # a log: newest first, undated entries last
        numbered.sort(key=lambda pair: pair[1].get(section.columns[0].key) or "", reverse=True)
    headers = tuple(column.label for column in section.columns)
    cells = [tuple((cell_text(column, row.get(column.key)),) for column in section.columns) for _, row in numbered]
    row_flags = [tuple(flags.get((section.key, n), ())) for n, _ in numbered]
    if not any(row_flags):
        return Table(section.label, headers, tuple(cells), section.prompt)
    return Table(
        section.label,
        headers + (FLAG_HEADER,),
        tuple(row + (tuple(found),) for row, found in zip(cells, row_flags)),
        section.prompt,
        flag_column=len(headers),
    )


def cell_text(column, value) -> str:
    """What a person reads in a table cell: labels for choices, UK dates, blanks for nothing."""
    if value is None or value == "":
        return ""
    if column.kind == "choice":
        return printable(column.label_for(value))
    if column.kind == "date":
        return uk_date(value)
    return printable(value)


# -- arrangements by layout -----------------------------------------------------------------


def _in_order(document: Document, flags: dict) -> list[Block]:
    return [section_block(s, document.sections.get(s.key, s.empty()), flags) for s in document.tool_spec.sections]


def _side_by_side_first_two(document: Document, flags: dict) -> list[Block]:
    """Two-column sheets: the first two lists next to each other, the rest below."""
    blocks = _in_order(document, flags)
    first, second = blocks[0], blocks[1]
    if isinstance(first, Bullets) and isinstance(second, Bullets):
        return [SideBySide((first, second)), *blocks[2:]]
    return blocks


def _working_grid(document: Document, flags: dict) -> list[Block]:
    """Working / not working: perspectives as rows, working and not working as columns,
    then what to keep doing and what to change side by side."""
    tool = document.tool_spec
    statements = tool.section("statements")
    perspective, side = statements.column("perspective"), statements.column("side")
    cells: dict[str, dict[str, list[str]]] = {}
    for row in document.sections.get("statements", []):
        who = perspective.label_for(row["perspective"])
        if row.get("other_name"):  # named: its own row, so no one's words are merged or lost
            who = f"{who}: {row['other_name']}"
        cells.setdefault(printable(who), {}).setdefault(row["side"], []).append(printable(row["text"]))
    ordered = _perspective_order(cells, [perspective.label_for(value) for value in perspective.values])
    grid = Table(
        statements.label,
        (perspective.label, *(label for _, label in side.choices)),
        tuple((( who,), *(tuple(cells[who].get(value, ())) for value in side.values)) for who in ordered),
        statements.prompt,
        list_columns=tuple(range(1, len(side.values) + 1)),
    )
    derived = [section_block(s, document.sections.get(s.key, []), flags) for s in tool.sections if s.derived]
    return [grid, SideBySide(tuple(derived))]


def _perspective_order(cells: dict, declared: list[str]) -> list[str]:
    """Declared perspectives first, in their order; named 'someone else' rows after their kind."""
    rank = {label: n for n, label in enumerate(declared)}
    return sorted(cells, key=lambda who: (rank.get(who.split(":")[0], len(declared)), who))


def _review_grid(document: Document, flags: dict) -> list[Block]:
    """A review's 'working: X' and 'not working: X' questions as one grid, one row per
    perspective, where the first of them stands; every other section as itself."""
    tool = document.tool_spec
    pairs = [
        (s, tool.section("not_" + s.key))
        for s in tool.sections
        if s.key.startswith("working_") and any(t.key == "not_" + s.key for t in tool.sections)
    ]
    in_grid = {s.key for pair in pairs for s in pair}
    rows = tuple(
        ((_capitalise(working.label.split(": ", 1)[-1]),),
         tuple(printable(v) for v in document.sections.get(working.key, [])),
         tuple(printable(v) for v in document.sections.get(not_working.key, [])))
        for working, not_working in pairs
    )
    grid = Table("What is working and not working", ("Whose view", "Working", "Not working"), rows,
                 list_columns=(1, 2))
    blocks: list[Block] = []
    for section in tool.sections:
        if section.key not in in_grid:
            blocks.append(section_block(section, document.sections.get(section.key, section.empty()), flags))
        elif grid not in blocks:
            blocks.append(grid)
    return blocks


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


def _circle(document: Document, flags: dict) -> list[Block]:
    """The picture, the counts beside it, and every person as a table (the accessible form)."""
    from pcp_widgets.render.circle_counts import circle_counts

    people = tuple(document.sections.get("people", []))
    counts = circle_counts(people)
    count_rows = tuple(((label,), (str(number),)) for _, rows in counts.sections() for label, number in rows)
    return [
        Picture(document.tool_spec.title, printable(document.person), people),
        Table("How many people, by group", ("Who", "How many"), count_rows),
        *_in_order(document, flags),
    ]


_ARRANGEMENTS: dict[str, Callable[[Document, dict], list[Block]]] = {
    "columns": _side_by_side_first_two,
    "grid": _working_grid,
    "review": _review_grid,
    "circle": _circle,
}
