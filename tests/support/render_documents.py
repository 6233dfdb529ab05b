"""Documents for the render tests, filled from each tool's declaration, and readers of the
files the renderers write (PDF through pdfplumber, Word through python-docx)."""

from __future__ import annotations

import io
import random
import re
from dataclasses import dataclass

import pdfplumber
from docx import Document as WordDocument

from pcp_widgets.tools import TOOLS, Document, document_from_dict

WEEK_SAMPLE = ("Swimming at the leisure centre", "Lunch with Mum", "Quiz night at the Red Lion")


def _cell_value(column, row: int, where: str):
    if column.kind == "date":
        return f"2026-0{1 + row % 9}-1{row % 10}"
    if column.kind == "choice":
        return column.values[row % len(column.values)]
    if column.kind == "number":
        low, high = column.minimum or 0, column.maximum or 20
        return low + row % (high - low + 1)
    return f"{where} {column.label} {row + 1}"


def filled_document(tool_key: str, rows: int = 3, person: str = "Sam") -> Document:
    """A document of ``tool_key`` with every section filled with distinct, findable text."""
    tool = TOOLS[tool_key]
    data = {"tool": tool_key, "person": person, "title": "", "created": "2026-01-10T09:00:00+00:00",
            "updated": "2026-01-12T09:00:00+00:00", "contributors": [{"name": person, "relationship": "self"}]}
    for section in tool.editable_sections:
        tag = section.key.replace("_", " ")
        if section.kind == "text":
            data[section.key] = f"{tag} text for {person}"
        elif section.kind == "list":
            data[section.key] = [f"{tag} item {n + 1}" for n in range(min(rows, section.max_items or rows))]
        elif section.fixed_rows:
            data[section.key] = [
                {**{c.key: f"{day} {c.label} {WEEK_SAMPLE[n % 3]}" for c in section.columns}, section.row_key: day}
                for n, day in enumerate(section.fixed_rows)
            ]
        else:
            data[section.key] = [{c.key: _cell_value(c, n, tag) for c in section.columns} for n in range(rows)]
    return document_from_dict(data)


def document_texts(document: Document) -> list[str]:
    """Every piece of text a person typed into the document's editable sections."""
    texts = []
    tool = document.tool_spec
    for section in tool.editable_sections:
        value = document.sections[section.key]
        if section.kind == "text":
            texts.append(value)
        elif section.kind == "list":
            texts += value
        else:
            texts += [row[c.key] for row in value for c in section.columns if c.kind == "text" and row.get(c.key)]
    return [text for text in texts if text]


FIRST = ("Alice Bob Charlotte Dev Eilidh Farhan Grace Hamza Isla Jamal Katarzyna Liam Mohammed Niamh Oluwaseun "
         "Priya Quentin Rhiannon Siobhan Tomasz Zoë Łukasz Ольга").split()
LAST = "Smith Jones Patel Nowak O'Brien Okafor Williams Campbell Hughes Begum".split()
GROUPS = ("family", "friends", "paid", "community")


def circle_people(count: int, seed: int = 4, crowd: tuple[str, int] | None = None) -> list[dict]:
    """``count`` people with unique names spread over the quarters and rings, or all in one
    (group, ring) when ``crowd`` is given; more people sit in the outer rings, as in life."""
    chooser = random.Random(seed)
    names = [f"{first} {last}" for first in FIRST for last in LAST]
    chooser.shuffle(names)
    people = []
    for n in range(count):
        group, ring = crowd or (chooser.choice(GROUPS), chooser.choice((1, 2, 2, 3, 3, 3, 4, 4, 4, 4)))
        people.append({"name": names[n], "group": group, "ring": ring, "note": ""})
    return people


def circle_document(people: list[dict], person: str = "Kevin") -> Document:
    return document_from_dict({"tool": "relationship_circle", "person": person, "people": people})


# -- reading what was written -------------------------------------------------------------------


@dataclass
class PdfFacts:
    pages: int
    sizes: list[tuple[float, float]]  # (width, height) of each page, in points
    smallest_font: float
    largest_font: float
    stream_text: str  # every character in drawing order, whitespace removed
    text: str  # pdfplumber's reading of the page text


def squeeze(text: str) -> str:
    """Text without whitespace, so wrapping at a different place cannot hide or fake a match."""
    return re.sub(r"\s+", "", text)


def read_pdf(data: bytes) -> PdfFacts:
    """Facts about a PDF as a reader sees them. Characters are taken in drawing order, in
    which each paragraph and table cell is whole even when set in columns."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        chars = [char for page in pdf.pages for char in page.chars]
        return PdfFacts(
            pages=len(pdf.pages),
            sizes=[(float(page.width), float(page.height)) for page in pdf.pages],
            smallest_font=min(char["size"] for char in chars),
            largest_font=max(char["size"] for char in chars),
            stream_text=squeeze("".join(char["text"] for char in chars)),
            text="\n".join(page.extract_text() or "" for page in pdf.pages),
        )


def docx_text(data: bytes) -> str:
    """Every paragraph of a Word file, in the body and in table cells, one per line."""
    word = WordDocument(io.BytesIO(data))
    lines = [p.text for p in word.paragraphs]
    for table in word.tables:
        for row in table.rows:
            for cell in row.cells:
                lines += [p.text for p in cell.paragraphs]
    return "\n".join(lines)


A4 = (595.27, 841.89)


def is_a4_portrait(size: tuple[float, float]) -> bool:
    return abs(size[0] - A4[0]) < 1 and abs(size[1] - A4[1]) < 1
