"""The generic tool editor's widgets, driven without a browser: saving, escaping, sorting, versions."""

from __future__ import annotations

import base64
import datetime as dt
import re

import io

import ipywidgets as widgets
import pdfplumber
import pytest

from pcp_widgets.audit.demo import DEMO_SERVICE, add_example_documents
from pcp_widgets.tools import TOOLS
from pcp_widgets.identity import signed_in_name
from pcp_widgets.ui.editor import ToolEditor
from pcp_widgets.ui.tool_page import ToolPage, tool_page

from tests.support.render_documents import docx_text

HOSTILE = "<img src=x onerror=alert(1)>"


def walk(widget):
    """Every widget inside ``widget``, itself first."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from walk(child)


def latest(store, editor):
    return store.get_document(editor.session.document_id)


def registered(store, name, service="Oak House") -> str:
    """The ref of ``name`` in the register (added, or the entry already there)."""
    return store.add_person(name, service, by="ann").person.ref


def add_examples(store):
    """The guidance's examples (Pat's profile, Jo's action plan...), as the demo stores them: linked to
    register entries at the demo's service."""
    add_example_documents(store)


def editor_for(store, tool, name, service="Oak House", **options):
    """An editor with ``name``'s document of ``tool`` open, as the person picker would open it."""
    return ToolEditor(tool, store=store, person=registered(store, name, service), **options)


@pytest.mark.parametrize("tool_key", list(TOOLS))
def test_every_tool_opens_with_a_control_for_every_section(store, tool_key):
    page = ToolPage(tool_key, store=store, person=registered(store, "Sam"))
    editor = page.editor
    tool = TOOLS[tool_key]
    shown = set(editor.fields)
    if editor.sorter is not None:
        shown |= {key for key, _ in editor.sorter.sorting.columns} | {"statements"}
    assert {s.key for s in tool.editable_sections} <= shown
    assert "contributors" in editor.fields
    header = page.widget.children[0].value
    assert f"<h1>{tool.title}</h1>" in header and "Back to the start page" in header
    assert editor.status is page.status  # one status line, by the person picker
    assert page.status in editor.widget.children and page.status not in page.widget.children


def test_typing_in_a_list_saves_a_new_version_and_reopening_shows_it(store):
    editor = editor_for(store, "one_page_profile", "Pat")
    editor.fields["important_to"].box.value = "My garden\nSeeing Su and Jessica every day"
    assert latest(store, editor).version == 2
    assert latest(store, editor).content["important_to"] == ["My garden", "Seeing Su and Jessica every day"]
    assert "Saved at" in editor.status.value
    again = ToolEditor("one_page_profile", store=store)
    assert ("Pat (P-0001, Oak House)", "P-0001") in again.choose.options
    again.choose.value = "P-0001"
    again.open_button.click()
    assert again.fields["important_to"].box.value == "My garden\nSeeing Su and Jessica every day"


def test_a_hostile_name_is_shown_as_text_everywhere(store):
    editor = editor_for(store, "one_page_profile", HOSTILE)
    editor.fields["appreciation"].box.value = HOSTILE
    rendered = editor.body.children[0].value + editor.preview.value + editor.status.value
    assert HOSTILE not in rendered
    assert "&lt;img src=x onerror=alert(1)&gt;" in rendered
    name = re.search(r'download="([^"]+)"', editor.downloads.links()["pdf"]).group(1)
    assert re.fullmatch(r"[A-Za-z0-9._-]+\.pdf", name)


def test_a_table_row_can_be_added_filled_and_removed(store):
    editor = editor_for(store, "communication_chart", "Michael")
    table = editor.fields["rows"]
    table.add_button.click()
    table.controls[0]["person_does"].value = "Yells and stares"
    table.controls[0]["we_should"].value = "Look where he is staring"
    assert latest(store, editor).content["rows"][0]["we_should"] == "Look where he is staring"
    remove = table.rows_box.children[0].children[-1]
    remove.click()
    assert latest(store, editor).content["rows"] == []


def test_a_bad_value_says_why_and_is_not_saved(store):
    editor = editor_for(store, "communication_chart", "Michael")
    table = editor.fields["rows"]
    table.add_button.click()
    table.controls[0]["we_should"].value = "Look where he is staring"  # "When I do this" is needed
    assert "Not saved yet" in editor.status.value and "When I do this is needed" in editor.status.value
    assert latest(store, editor).version == 1


def test_sorting_by_buttons_places_statements_and_derives_keep_and_change(store):
    editor = editor_for(store, "working_not_working", "Arthur")
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
    first = editor_for(store, "one_page_profile", "Pat")
    second = editor_for(store, "one_page_profile", "Pat")
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
    editor = editor_for(store, "good_day_bad_day", "Sam")
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
    editor = editor_for(store, "relationship_circle", "Kevin")
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
    add_examples(store)
    editor = editor_for(store, "action_plan", "Jo", service=DEMO_SERVICE, today=dt.date(2026, 2, 10))
    assert "make the step smaller" in editor.notes["actions"].value
    assert "Overdue" in editor.notes["actions"].value


def linked_file(link_html: str) -> bytes:
    return base64.b64decode(re.search(r"base64,([^\"]+)", link_html).group(1))


def test_downloads_are_real_pdf_and_word_links_from_the_start(store):
    """One click: the links are there as soon as the document opens, with no button to press first."""
    add_examples(store)
    editor = editor_for(store, "one_page_profile", "Pat", service=DEMO_SERVICE)
    links = editor.downloads.links()
    assert linked_file(links["pdf"]).startswith(b"%PDF")
    assert 'download="Pat-One-page-profile.pdf"' in links["pdf"] and ">Download PDF (" in links["pdf"]
    assert linked_file(links["docx"]).startswith(b"PK")
    assert 'download="Pat-One-page-profile.docx"' in links["docx"]
    assert not any(isinstance(w, widgets.Button) and w.description.startswith("Download")
                   for w in walk(editor.widget))


def test_the_download_links_follow_every_save(store):
    editor = editor_for(store, "one_page_profile", "Pat")
    editor.fields["important_to"].box.value = "Seeing Su every day"
    with pdfplumber.open(io.BytesIO(linked_file(editor.downloads.links()["pdf"]))) as pdf:
        assert "Seeing Su every day" in pdf.pages[0].extract_text()
    assert "Seeing Su every day" in docx_text(linked_file(editor.downloads.links()["docx"]))


def test_between_a_change_and_its_save_the_links_say_preparing_never_an_old_file(store):
    from pcp_widgets.ui.debounce import Debouncer

    editor = editor_for(store, "one_page_profile", "Pat")
    waiting = []
    editor.saver = Debouncer(lambda: waiting.append(True))  # in a kernel the save waits for a pause in typing
    editor.fields["important_to"].box.value = "My garden"
    assert waiting
    assert all("Preparing the" in line and "href" not in line for line in editor.downloads.links().values())
    editor.save_now()
    with pdfplumber.open(io.BytesIO(linked_file(editor.downloads.links()["pdf"]))) as pdf:
        assert "My garden" in pdf.pages[0].extract_text()


def test_a_profile_too_long_for_its_page_says_which_section_to_shorten_where_the_pdf_link_was(store):
    editor = editor_for(store, "one_page_profile", "Pat")
    long_text = "\n".join(f"{n}. When I ask for a cup of tea make it with milk and one sugar and bring it to my "
                          "chair by the window so I can watch the birds." for n in range(70))
    editor.fields["best_support"].box.value = long_text
    pdf, word = editor.downloads.links()["pdf"], editor.downloads.links()["docx"]
    assert "The PDF cannot be made" in pdf and "How best to support me" in pdf and "words" in pdf
    assert "href" not in pdf
    assert linked_file(word).startswith(b"PK")  # Word has no page limit: still offered


def test_the_wording_check_sits_beside_best_support_and_important_to(store):
    editor = editor_for(store, "one_page_profile", "Pat")
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


def test_outside_a_kernel_a_running_event_loop_does_not_delay_a_save():
    """Browser tests run Playwright's event loop in this process; saves must not wait for it."""
    import asyncio

    from pcp_widgets.ui.debounce import Debouncer

    saved = []

    async def edit():
        Debouncer(lambda: saved.append(True))()
        return list(saved)

    # in a thread of its own: the browser tests' loop may already be running in this one
    import threading

    seen = []
    worker = threading.Thread(target=lambda: seen.append(asyncio.run(edit())))
    worker.start()
    worker.join()
    assert seen == [[True]]


# -- the Person list is read when someone visits, not when the kernel started ---------------------


def person_names(editor) -> list[str]:
    return [label.split(" (")[0] for label, ref in editor.choose.options if ref]


def test_a_person_added_on_another_editor_is_listed_once_this_one_saves_or_opens(store):
    here = editor_for(store, "one_page_profile", "Pat")
    there = ToolEditor("good_day_bad_day", store=store)
    there.service.value = "Oak House"
    there.new_person.value = "Nia"
    there.add_button.click()  # added to the register, and their document saved as version 1
    assert "Nia" in person_names(there) and "Good day and bad day for Nia" in there.body.children[0].value
    assert "Nia" not in person_names(here)
    here.fields["important_to"].box.value = "My garden"  # any save reads the list again
    assert person_names(here) == ["Nia", "Pat"] and here.choose.value == here.session.ref


def test_a_page_kept_warm_reads_the_people_when_someone_visits(store, monkeypatch):
    """Voila runs a warm kernel's cells before anyone asks; someone saved meanwhile must be listed."""
    import voila.utils

    editor_for(store, "one_page_profile", "Pat")

    def someone_else_saves_then_a_visit_comes():
        editor_for(store, "communication_chart", "Saved Meanwhile")

    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setattr(voila.utils, "wait_for_request", someone_else_saves_then_a_visit_comes)
    page = tool_page("one_page_profile", store=store)
    assert person_names(page.editor) == ["Pat", "Saved Meanwhile"]


# -- working / not working --------------------------------------------------------------------------


def add_button(sorter, label):
    return next(b for b in sorter.add_buttons.values() if b.description == f"Add to {label}")


def test_after_add_whose_view_goes_back_to_the_person_and_the_other_name_is_emptied(store):
    editor = editor_for(store, "working_not_working", "Arthur")
    sorter = editor.sorter
    sorter.statement.value = "Calls from Marie"
    sorter.perspective.value = "other"
    sorter.other.value = "Marie"
    add_button(sorter, "Working").click()
    assert (sorter.perspective.value, sorter.other.value, sorter.statement.value) == ("person", "", "")
    sorter.statement.value = "Cold dinners"
    add_button(sorter, "Not working").click()
    statements = latest(store, editor).content["statements"]
    assert statements[1] == {"text": "Cold dinners", "perspective": "person", "other_name": "",
                             "side": "not_working"}


def test_what_to_keep_and_change_are_shown_under_the_columns_as_statements_are_placed(store):
    editor = editor_for(store, "working_not_working", "Arthur")
    sorter = editor.sorter
    assert sorter.widget.children.index(sorter.follows_view) == 4  # right under the columns
    sorter.statement.value = "Friday evenings with <b>Stephen</b>"
    add_button(sorter, "Working").click()
    shown = sorter.follows_view.value
    assert "What to keep doing" in shown and "What to change" in shown
    assert "Friday evenings with &lt;b&gt;Stephen&lt;/b&gt;" in shown
    keep, change = shown.split("What to change")
    assert "Friday" in keep and "Friday" not in change
    sorter.lists["working"].value = 0
    sorter.move_buttons["working", "not_working"].click()
    keep, change = sorter.follows_view.value.split("What to change")
    assert "Friday" in change and "Friday" not in keep


def test_remove_can_be_undone_putting_the_statement_back_in_its_place(store):
    editor = editor_for(store, "working_not_working", "Arthur")
    sorter = editor.sorter
    for text in ("First", "Second", "Third"):
        sorter.statement.value = text
        add_button(sorter, "Working").click()
    assert sorter.undo_button.layout.display == "none"
    sorter.lists["working"].value = 1
    sorter.remove_buttons["working"].click()
    assert [s["text"] for s in latest(store, editor).content["statements"]] == ["First", "Third"]
    assert sorter.undo_button.layout.display != "none" and "Removed “Second (The person)”" in sorter.message.value
    sorter.undo_button.click()
    assert [s["text"] for s in latest(store, editor).content["statements"]] == ["First", "Second", "Third"]
    assert sorter.undo_button.layout.display == "none"


def test_important_to_and_for_removal_can_be_undone_too(store):
    editor = editor_for(store, "important_to_for", "Sam")
    sorter = editor.sorter
    for text in ("Cycling", "Keeping well"):
        sorter.statement.value = text
        add_button(sorter, "Important to me").click()
    sorter.lists["important_to"].value = 0
    sorter.remove_buttons["important_to"].click()
    assert latest(store, editor).content["important_to"] == ["Keeping well"]
    sorter.undo()
    assert latest(store, editor).content["important_to"] == ["Cycling", "Keeping well"]


# -- table rows filled in from left to right -------------------------------------------------------


def test_a_row_filled_in_from_the_left_is_held_quietly_until_it_is_complete(store):
    editor = editor_for(store, "relationship_circle", "Kevin")
    table = editor.fields["people"]
    table.add_button.click()
    table.controls[0]["name"].value = "Mum"
    assert "Not saved yet" not in editor.status.value and "pcp-problem" not in editor.status.value
    assert "Row 1 is saved once Group and Ring (1 closest, 4 furthest) are filled in." in table.note.value
    table.controls[0]["group"].value = "family"
    assert "pcp-problem" not in editor.status.value
    assert "Row 1 is saved once Ring (1 closest, 4 furthest) is filled in." in table.note.value
    assert latest(store, editor).content["people"] == []  # held, not saved
    table.controls[0]["ring"].value = 1
    assert table.note.value == "" and "Saved at" in editor.status.value
    assert latest(store, editor).content["people"] == [{"name": "Mum", "group": "family", "ring": 1, "note": ""}]


def test_leaving_a_held_row_unfinished_says_what_it_needs(store):
    editor = editor_for(store, "relationship_circle", "Kevin")
    table = editor.fields["people"]
    table.add_button.click()
    table.controls[0]["name"].value = "Mum"
    table.add_button.click()  # going on to a new row leaves the first unfinished
    assert "Not saved yet: Group is needed" in editor.status.value and "pcp-problem" in editor.status.value


def test_a_real_problem_in_a_row_is_said_at_once(store):
    editor = editor_for(store, "relationship_circle", "Kevin")
    table = editor.fields["people"]
    table.add_button.click()
    table.controls[0]["group"].value = "family"  # the name, before it, was skipped
    assert "Not saved yet: Name is needed" in editor.status.value
    assert table.note.value == ""


def test_date_columns_are_day_first_date_fields(store):
    from pcp_widgets.ui.dates import DateField

    editor = editor_for(store, "action_plan", "Jo")
    table = editor.fields["actions"]
    table.add_button.click()
    by_when = table.controls[0]["by_when"]
    assert isinstance(by_when, DateField)
    table.controls[0]["what"].value = "Visit the allotment"
    by_when.box.value = "01/07/2026"
    assert latest(store, editor).content["actions"][0]["by_when"] == "2026-07-01"
    assert "1 July 2026" in by_when.echo.value
    reopened = editor_for(store, "action_plan", "Jo")
    assert reopened.fields["actions"].controls[0]["by_when"].box.value == "01/07/2026"


def test_earlier_versions_offers_the_one_before_the_newest_never_a_blank_choice(store):
    editor = editor_for(store, "good_day_bad_day", "Sam")
    assert editor.version_choice.value == 1  # only one version yet: that one
    editor.fields["good_day"].box.value = "Lie in"
    editor.fields["good_day"].box.value = "Up early"
    assert editor.version_choice.value == 2
    editor.view_button.click()
    assert "Lie in" in editor.version_view.value


def test_each_version_says_who_saved_it_as_the_server_knows_them(store, monkeypatch):
    """The name comes from the server's environment (JupyterHub sets JUPYTERHUB_USER), never the page."""
    store.add_user("sam.keyworker", "staff", ["Oak House"], by="ann")
    monkeypatch.setenv("JUPYTERHUB_USER", "Sam.Keyworker")
    editor = editor_for(store, "one_page_profile", "Zoe")
    editor.change("important_to", ["My garden"])
    editor.saver.flush()
    newest = max(editor.version_choice.options, key=lambda option: option[1])[0]
    assert "by sam.keyworker" in newest
    monkeypatch.delenv("JUPYTERHUB_USER")
    other = editor_for(store, "one_page_profile", "Zoe")
    other.change("important_to", ["My garden", "Tea at four"])
    other.saver.flush()
    newest = max(other.version_choice.options, key=lambda option: option[1])[0]
    assert "by sam.keyworker" not in newest and f"by {signed_in_name()[0]}" in newest
