"""The trainer's two-hour session plan: timings, links to served pages, and the whole pack."""

from __future__ import annotations

import base64
import io
import re

import docx
import pdfplumber

from pcp_widgets.pages import PAGES, page_for
from pcp_widgets.tools import TOOLS
from pcp_widgets.ui.session_plan import SESSION_MINUTES, SESSION_PLAN_PATH, STEPS, SessionPlanPage


def test_the_plan_fills_two_hours_and_every_step_uses_a_served_page():
    assert SESSION_MINUTES == 120
    assert all(page_for(step.page) is not None for step in STEPS)
    paths = [page.path for page in PAGES]
    assert paths.index(SESSION_PLAN_PATH) + 1 == paths.index("workbooks/facilitator.ipynb")
    assert page_for(SESSION_PLAN_PATH).audiences == ("trainer",)


def test_the_page_shows_each_step_in_order_with_its_time_and_a_relative_link():
    page = SessionPlanPage()
    shown = page.plan.value
    places = [shown.index(step.title.replace("'", "&#x27;")) for step in STEPS]
    assert places == sorted(places)
    assert "0:00 to 0:10" in shown and "1:55 to 2:00" in shown
    hrefs = re.findall(r'href="([^"]+)"', shown)
    assert "one_page_profile.ipynb" in hrefs and "practice_four_perspectives.ipynb" in hrefs
    assert all(not href.startswith(("/", "http")) for href in hrefs)


def test_the_word_pack_has_every_tool_each_after_a_page_break():
    page = SessionPlanPage()
    found = re.search(r'download="([^"]+)" href="data:[^;]+;base64,([^"]+)"', page.packs["Word"].link.value)
    assert found and found.group(1).endswith(".docx"), page.packs["Word"].link.value
    word = docx.Document(io.BytesIO(base64.b64decode(found.group(2))))
    headings = [p.text for p in word.paragraphs if p.style.name.startswith("Heading")]
    assert all(f"Blank template: {tool.title}" in headings for tool in TOOLS.values())


def test_the_pack_is_offered_as_one_link_to_every_handout_in_one_pdf():
    page = SessionPlanPage()
    found = re.search(r'href="data:application/pdf;base64,([^"]+)"', page.packs["PDF"].link.value)
    assert found, page.packs["PDF"].link.value
    with pdfplumber.open(io.BytesIO(base64.b64decode(found.group(1)))) as pdf:
        text = " ".join(p.extract_text() or "" for p in pdf.pages)
        pages = len(pdf.pages)
    assert all(f"Blank template: {tool.title}" in text for tool in TOOLS.values())
    assert pages >= 3 * len(TOOLS)
