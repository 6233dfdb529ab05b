"""Every tool to PDF, Word and HTML from its declaration; flags in words; typed text escaped."""

from __future__ import annotations

import datetime as dt
import re
from xml.etree import ElementTree

import pytest

from pcp_widgets.render import UnsupportedFormat, html_fragment, render, render_bytes
from pcp_widgets.tools import TOOLS, document_from_dict
from pcp_widgets.tools.examples import ARTHUR_WORKING, EXAMPLES, SHOP_WALK_PLAN
from tests.support.render_documents import docx_text, document_texts, filled_document, is_a4_portrait, read_pdf, squeeze

PRINTED = [key for key in TOOLS if key not in ("one_page_profile", "relationship_circle")]  # own tests
HOSTILE = "<img src=x onerror=alert(1)>"
TODAY = dt.date(2026, 2, 20)


def assert_pdf_holds(data: bytes, texts: list[str]) -> None:
    facts = read_pdf(data)
    assert facts.pages >= 1
    assert all(is_a4_portrait(size) for size in facts.sizes)
    assert round(facts.smallest_font, 3) >= 8
    for text in texts:
        assert squeeze(text) in facts.stream_text, text


@pytest.mark.parametrize("tool", PRINTED)
def test_every_tool_prints_every_item_to_pdf_and_word(tool):
    document = filled_document(tool)
    texts = document_texts(document)
    # every section's label, except the review's perspectives, which are the rows of one grid
    labels = [s.label for s in document.tool_spec.sections if not re.match(r"(not_)?working_", s.key)]
    assert texts
    assert_pdf_holds(render_bytes(document, "pdf"), texts)
    word = docx_text(render_bytes(document, "docx"))
    for text in texts + labels:
        assert text in word, text


@pytest.mark.parametrize("tool", list(TOOLS))
def test_every_tool_has_an_escaped_html_fragment(tool):
    document = filled_document(tool)
    fragment = html_fragment(document)
    assert fragment.startswith('<section class="pcp-doc') and fragment.endswith("</section>")
    for text in document_texts(document):
        assert text.replace("'", "&#x27;") in fragment, text


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda d: d.tool)
def test_every_example_renders_to_pdf_word_and_html(example, tmp_path):
    for ext in ("pdf", "docx", "html"):
        out = render(example, tmp_path / f"{example.tool}.{ext}", today=TODAY)
        assert out.stat().st_size > 1000
    word = docx_text((tmp_path / f"{example.tool}.docx").read_bytes())
    for text in document_texts(example):
        assert text in word


@pytest.mark.parametrize("tool", list(TOOLS))
def test_a_blank_document_prints_its_prompts(tool):
    blank = document_from_dict({"tool": tool, "person": "Sam",
                                **{s.key: s.empty() for s in TOOLS[tool].editable_sections}})
    word = docx_text(render_bytes(blank, "docx"))
    for section in TOOLS[tool].editable_sections:
        if not section.fixed_rows and not re.match(r"(not_)?working_", section.key):  # review grid: blank cells
            assert section.prompt in word


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_low_confidence_and_overdue_steps_are_flagged_in_words(fmt):
    data = render_bytes(SHOP_WALK_PLAN, fmt, today=TODAY)
    text = {"pdf": lambda: read_pdf(data).stream_text, "docx": lambda: squeeze(docx_text(data)),
            "html": lambda: squeeze(data.decode())}[fmt]()
    assert squeeze("Needs attention") in text
    assert squeeze("Confidence is 5 out of 10: make the step smaller") in text
    assert squeeze("Confidence is 3 out of 10") in text
    assert squeeze("Overdue: this step was due by 15/02/2026.") in text
    assert squeeze("Overdue: this step was due by 01/03/2026.") not in text  # not yet due on TODAY
    assert squeeze("due by 20/01/2026") not in text  # done steps are never overdue


def test_working_not_working_prints_as_a_grid_of_perspectives_with_keep_and_change():
    fragment = html_fragment(ARTHUR_WORKING)
    header = re.search(r"<thead><tr>(.*?)</tr></thead>", fragment).group(1)
    assert re.findall(r"<th scope=\"col\">(.*?)</th>", header) == ["Whose view", "Working", "Not working"]
    rows = re.findall(r"<tr><td>([^<]*)</td>", fragment)
    assert rows == ["The person", "Family", "Staff"]
    assert "What to keep doing" in fragment and "What to change" in fragment


def test_someone_elses_view_is_its_own_row_with_their_name():
    data = ARTHUR_WORKING.to_dict()
    data["statements"] = data["statements"] + [
        {"text": "Arthur's GP visits are calmer now.", "perspective": "other", "other_name": "Dr Shah",
         "side": "working"}]
    fragment = html_fragment(document_from_dict(data))
    assert "<td>Someone else: Dr Shah</td>" in fragment


def test_the_learning_log_prints_newest_first():
    document = filled_document("learning_log", rows=4)
    dates = [row["date"] for row in document.sections["entries"]]
    fragment = html_fragment(document)
    printed = [dt.date(*map(int, reversed(d.split("/")))).isoformat()
               for d in re.findall(r"<td>(\d\d/\d\d/\d{4})</td>", fragment)]
    assert printed == sorted(dates, reverse=True)


def test_the_review_prints_working_and_not_working_as_one_grid():
    document = filled_document("person_centred_review")
    fragment = html_fragment(document)
    assert fragment.count("What is working and not working") == 1
    for who in ("The person", "Family", "Staff", "Others"):
        assert f"<td>{who}</td>" in fragment


def test_typed_markup_is_shown_as_text_in_html_everywhere():
    for tool in TOOLS:
        document = filled_document(tool, person=HOSTILE)
        data = document.to_dict()
        for section in document.tool_spec.editable_sections:
            if section.kind == "list":
                data[section.key] = [HOSTILE]
            elif section.kind == "text":
                data[section.key] = HOSTILE
        fragment = html_fragment(document_from_dict(data))
        assert "<img" not in fragment
        assert "&lt;img src=x onerror=alert(1)&gt;" in fragment
        page = render_bytes(document_from_dict(data), "html").decode()
        assert "<img" not in page


def test_typed_markup_prints_literally_in_pdf_and_word():
    document = filled_document("good_day_bad_day", person=HOSTILE)
    data = document.to_dict()
    data["good_day"] = [HOSTILE, "Fish & chips <on Friday>"]
    document = document_from_dict(data)
    assert_pdf_holds(render_bytes(document, "pdf"), [HOSTILE, "Fish & chips <on Friday>"])
    assert HOSTILE in docx_text(render_bytes(document, "docx"))


def test_control_characters_typed_in_do_not_break_word_or_svg():
    document = filled_document("four_plus_one")
    data = document.to_dict()
    data["tried"] = ["A bell\x07 and a form\x0cfeed"]
    word = docx_text(render_bytes(document_from_dict(data), "docx"))
    assert "A bell and a formfeed" in word
    circle = document_from_dict({"tool": "relationship_circle", "person": "Kev\x01in",
                                 "people": [{"name": "Ann\x07 Lee", "group": "family", "ring": 1}]})
    svg = render_bytes(circle, "svg")
    ElementTree.fromstring(svg)
    assert b"Ann Lee" in svg and b"Kevin" in svg


def test_long_lists_and_long_cells_flow_over_pages():
    data = filled_document("working_not_working").to_dict()
    data["statements"] = [{"text": f"Statement {n}: " + "words " * 30, "perspective": "staff",
                           "side": "working" if n % 2 else "not_working"} for n in range(60)]
    facts = read_pdf(render_bytes(document_from_dict(data), "pdf"))
    assert facts.pages >= 2
    chart = filled_document("communication_chart").to_dict()
    chart["rows"][0] = {key: "Stay calm and wait. " * 99 for key in chart["rows"][0]}  # one row taller than a page
    facts = read_pdf(render_bytes(document_from_dict(chart), "pdf"))
    assert facts.pages >= 2 and facts.stream_text.count("Staycalmandwait.") == 4 * 99


def test_the_format_follows_the_extension_and_unknown_ones_are_refused(tmp_path):
    document = filled_document("doughnut")
    assert render(document, tmp_path / "d.PDF").read_bytes().startswith(b"%PDF")
    assert render(document, tmp_path / "d.docx").read_bytes().startswith(b"PK")
    with pytest.raises(UnsupportedFormat, match=r"d\.odt has '\.odt'; pcp render writes"):
        render(document, tmp_path / "d.odt")
    with pytest.raises(UnsupportedFormat, match="Only the relationship circle is a picture"):
        render(document, tmp_path / "d.png")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.PDF", "d.docx"]
