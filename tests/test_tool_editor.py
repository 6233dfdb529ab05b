"""The generic tool editor's widgets, driven without a browser: saving, escaping, sorting, versions."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest

from pcp_widgets.audit.demo import add_example_documents
from pcp_widgets.tools import TOOLS
from pcp_widgets.ui.editor import ToolEditor
from pcp_widgets.ui.tool_page import ToolPage, tool_intro_html

HOSTILE = "<img src=x onerror=alert(1)>"


def latest(store, editor):
    return store.get_document(editor.session.document_id)


@pytest.mark.parametrize("tool_key", list(TOOLS))
def test_every_tool_opens_with_a_control_for_every_section(store, tool_key):
    page = ToolPage(tool_key, store=store, person="Sam")
    editor = page.editor
    tool = TOOLS[tool_key]
    shown = set(editor.fields)
    if editor.sorter is not None:
        shown |= {key for key, _ in editor.sorter.sorting.columns} | {"statements"}
    assert {s.key for s in tool.editable_sections} <= shown
    assert "contributors" in editor.fields
    assert tool.title in tool_intro_html(tool_key)


def test_typing_in_a_list_saves_a_new_version_and_reopening_shows_it(store):
    editor = ToolEditor("one_page_profile", store=store, person="Pat")
    editor.fields["important_to"].box.value = "My garden\nSeeing Su and Jessica every day"
    assert latest(store, editor).version == 2
    assert latest(store, editor).content["important_to"] == ["My garden", "Seeing Su and Jessica every day"]
    assert "Saved at" in editor.status.value
    again = ToolEditor("one_page_profile", store=store)
    again.choose.value = "Pat"
    again.open_button.click()
    assert again.fields["important_to"].box.value == "My garden\nSeeing Su and Jessica every day"


def test_a_hostile_name_is_shown_as_text_everywhere(store):
    editor = ToolEditor("one_page_profile", store=store, person=HOSTILE)
    editor.fields["appreciation"].box.value = HOSTILE
    rendered = editor.body.children[0].value + editor.preview.value + editor.status.value
    assert HOSTILE not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered
    editor.prepare_download(".pdf")
    name = re.search(r'download="([^"]+)"', editor.links.value).group(1)
    assert re.fullmatch(r"[A-Za-z0-9._-]+\.pdf", name)


def test_a_table_row_can_be_added_filled_and_removed(store):
    editor = ToolEditor("communication_chart", store=store, person="Michael")
    table = editor.fields["rows"]
    table.add_button.click()
    table.controls[0]["person_does"].value = "Yells and stares"
    table.controls[0]["we_should"].value = "Look where he is staring"
    assert latest(store, editor).content["rows"][0]["we_should"] == "Look where he is staring"
    remove = table.rows_box.children[0].children[-1]
    remove.click()
    assert latest(store, editor).content["rows"] == []


def test_a_bad_value_says_why_and_is_not_saved(store):
    editor = ToolEditor("communication_chart", store=store, person="Michael")
    table = editor.fields["rows"]
    table.add_button.click()
    table.controls[0]["we_should"].value = "Look where he is staring"  # "When I do this" is needed
    assert "Not saved yet" in editor.status.value and "When I do this is needed" in editor.status.value
    assert latest(store, editor).version == 1


def test_sorting_by_buttons_places_statements_and_derives_keep_and_change(store):
    editor = ToolEditor("working_not_working", store=store, person="Arthur")
    sorter = editor.sorter
    sorter.statement.value = "Friday evenings with Stephen"
    add_working, add_not_working = [b for b in sorter.widget.children[1].children if b.description.startswith("Add")]
    add_working.click()
    sorter.statement.value = "Being shaken awake"
    sorter.perspective.value = "staff"
    add_not_working.click()
    content = latest(store, editor).content
    assert content["keep"] == ["Friday evenings with Stephen"] and content["change"] == ["Being shaken awake"]
    sorter.lists["working"].value = 0
    move = sorter.widget.children[3].children[0].children[1].children[0]
    assert move.description == "Move to Not working"
    move.click()
    assert latest(store, editor).content["change"] == ["Friday evenings with Stephen", "Being shaken awake"]
    assert "Friday evenings" in editor.preview.value


def test_two_editors_conflict_show_both_and_keep_mine(store):
    first = ToolEditor("one_page_profile", store=store, person="Pat")
    second = ToolEditor("one_page_profile", store=store, person="Pat")
    first.fields["important_to"].box.value = "Strictly"
    second.fields["important_to"].box.value = "My TV magazine"
    assert "saved elsewhere" in second.status.value
    both = second.conflict_box.children[0].value
    assert "Strictly" in both and "My TV magazine" in both
    keep_mine = second.conflict_box.children[1].children[0]
    keep_mine.click()
    assert latest(store, second).content["important_to"] == ["My TV magazine"]
    assert second.conflict_box.children == ()


def test_restoring_a_version_shows_it_and_saves_it_as_the_newest(store):
    editor = ToolEditor("good_day_bad_day", store=store, person="Sam")
    editor.fields["good_day"].box.value = "Lie in"
    editor.fields["good_day"].box.value = "Up early"
    editor.version_choice.value = 2
    editor.view_button.click()
    assert "Lie in" in editor.version_view.value
    editor.restore_button.click()
    assert editor.fields["good_day"].box.value == "Lie in"
    assert latest(store, editor).version == 4
    assert [v for _, v in editor.version_choice.options] == [4, 3, 2, 1]


def test_the_relationship_circle_redraws_as_people_are_added(store):
    editor = ToolEditor("relationship_circle", store=store, person="Kevin")
    before = editor.picture_png
    assert 'alt="The relationship circle of Kevin' in editor.picture.value
    assert before.startswith(b"\x89PNG")
    table = editor.fields["people"]
    table.add_button.click()
    table.controls[0]["group"].value = "family"
    table.controls[0]["ring"].value = 1
    table.controls[0]["name"].value = "Mum"
    assert editor.picture_png != before
    assert latest(store, editor).content["people"] == [{"name": "Mum", "group": "family", "ring": 1, "note": ""}]


def test_action_plan_flags_low_confidence_beside_the_steps(store):
    add_example_documents(store)
    editor = ToolEditor("action_plan", store=store, person="Jo", today=dt.date(2026, 2, 10))
    assert "make the step smaller" in editor.notes["actions"].value
    assert "Overdue" in editor.notes["actions"].value


def test_downloads_are_real_pdf_and_word_files(store):
    add_example_documents(store)
    editor = ToolEditor("one_page_profile", store=store, person="Pat")
    editor.prepare_download(".pdf")
    data = base64.b64decode(re.search(r"base64,([^\"]+)", editor.links.value).group(1))
    assert data.startswith(b"%PDF")
    assert 'download="Pat-One-page-profile.pdf"' in editor.links.value
    editor.prepare_download(".docx")
    assert 'download="Pat-One-page-profile.docx"' in editor.links.value


def test_the_wording_check_sits_beside_best_support_and_important_to(store):
    editor = ToolEditor("one_page_profile", store=store, person="Pat")
    editor.fields["best_support"].box.value = "Staff to promote independence\nCall my name from the bedroom door " \
                                              "to wake me; never shake me."
    note = editor.notes["best_support"].value
    assert "Wording check" in note and "Staff to promote independence" in note
    assert "Call my name" not in note
    editor.fields["important_to"].box.value = "She likes her garden"
    assert "own voice" in editor.notes["important_to"].value
    editor.fields["important_to"].box.value = "I like my garden"
    assert editor.notes["important_to"].value == ""
    assert editor.notes["appreciation"].value == ""  # appreciation is not checked
