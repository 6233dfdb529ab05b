"""Teaching: every tool's handout (PDF and Word) and its teaching page show the worked example and the questions."""

from __future__ import annotations

import html
import io
import re
import zipfile

import docx
import pdfplumber
import pytest

from pcp_widgets.render.handout import handout
from pcp_widgets.tools import TOOLS
from pcp_widgets.tools.examples import example_for
from pcp_widgets.ui.tool_page import ToolPage


def pdf_text(data: bytes) -> str:
    """The PDF's words with every run of white space as one space, so wrapped lines still match."""
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return squash(" ".join(page.extract_text() or "" for page in pdf.pages))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def first_item(example) -> str:
    """A short piece of the worked example: the first list item, text, or first filled table cell."""
    spec = example.tool_spec
    for section in spec.editable_sections:
        value = example.sections[section.key]
        if section.kind == "list" and value:
            return value[0]
        if section.kind == "text" and value:
            return value
        for row in value if section.kind == "table" else ():
            for column in section.columns:
                if column.kind == "text" and row.get(column.key) and column.key != section.row_key:
                    return row[column.key]
    raise AssertionError(f"{spec.key}: the example is blank")


@pytest.mark.parametrize("tool_key", list(TOOLS))
def test_the_handout_explains_the_tool_shows_the_example_and_a_template(tool_key):
    tool = TOOLS[tool_key]
    text = pdf_text(handout(tool_key, "pdf"))
    assert squash(tool.purpose) in text
    # the first words only: a grid's columns print side by side, so a long item's lines interleave
    assert " ".join(first_item(example_for(tool_key)).split()[:3]) in text
    assert "Blank template" in text
    for section in tool.editable_sections:
        assert text.count(squash(section.label)) >= 2, section.label  # explained, and in the template
    for question in tool.reflection:
        assert squash(question) in text


def docx_parts(data: bytes) -> tuple[list[str], str]:
    """The Word document's headings, and all its words (tables included)."""
    word = docx.Document(io.BytesIO(data))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading") or p.style.name == "Title"]
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    words = squash(" ".join([p.text for p in word.paragraphs] + cells))
    return headings, words


@pytest.mark.parametrize("tool_key", ["one_page_profile", "relationship_circle", "perfect_week"])
def test_the_word_handout_has_the_same_three_parts_as_the_pdf_as_editable_headings(tool_key):
    tool = TOOLS[tool_key]
    data = handout(tool_key, "docx")
    headings, words = docx_parts(data)
    assert headings[0] == f"{tool.title}: handout"
    assert "What it is for" in headings and f"Blank template: {tool.title}" in headings
    assert any(h.startswith("Worked example: ") for h in headings)
    assert squash(tool.purpose) in words
    assert " ".join(first_item(example_for(tool_key)).split()[:3]) in words
    for question in tool.reflection:
        assert squash(question) in words
    with zipfile.ZipFile(io.BytesIO(data)) as parts:
        body = parts.read("word/document.xml")
    assert body.count(b'w:type="page"') == 2  # explained | worked example | template, each on its own page


def test_the_template_of_a_fixed_row_table_prints_its_rows():
    text = pdf_text(handout("perfect_week", "pdf"))
    after_template = text.split("Blank template", 1)[1]
    assert all(day in after_template for day in ("Monday", "Sunday"))
    assert "Pat" not in after_template


@pytest.mark.parametrize("tool_key", ["one_page_profile", "relationship_circle", "person_centred_review"])
def test_the_teaching_page_shows_the_example_the_editor_and_the_questions_escaped(store, tool_key):
    page = ToolPage(tool_key, store=store, person=store.add_person("Sam", "Oak House", by="ann").person.ref)
    html_parts = [child.value for child in page.widget.children if hasattr(child, "value")]
    whole = "\n".join(html_parts)
    example = example_for(tool_key)
    assert "Worked example" in whole
    assert html.escape(first_item(example)) in whole
    assert "Reflection questions" in whole
    for question in TOOLS[tool_key].reflection:  # several hold an apostrophe, which must come escaped
        assert html.escape(question) in whole
    assert page.editor.widget in page.widget.children
    for form, suffix in (("PDF", "-handout.pdf"), ("Word", "-handout.docx")):  # one click: the link is there
        assert 'download="' in page.handouts[form].link.value and suffix in page.handouts[form].link.value
    order = [whole.index(marker) for marker in ("What it is for", "Worked example", "Practise with your own",
                                                "Reflection questions")]
    assert order == sorted(order)
