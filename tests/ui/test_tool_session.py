"""Editing a tool document: saves as versions, conflicts that lose nothing, restores, sorting moves."""

from __future__ import annotations

import pytest

from pcp_widgets.access import Identity
from pcp_widgets.audit.demo import DEMO_SERVICE, add_example_documents
from pcp_widgets.tools import InvalidDocument
from pcp_widgets.tools.examples import EXAMPLES, PAT_PROFILE
from pcp_widgets.ui.fields import items_to_lines, lines_to_items
from pcp_widgets.ui.session import DocumentSession, people
from pcp_widgets.ui.sorting import SORTINGS, describe_statement

#: A keyworker at Oak House, as the server knows them.
SAM = Identity("sam", "staff", frozenset({"Oak House"}), "hub")


def opened(store, tool, name, identity=SAM):
    """The session of ``name``'s document of ``tool``, the person added to Oak House's register first."""
    ref = store.add_person(name, "Oak House", by="ann").person.ref
    return DocumentSession.open(store, identity, tool, ref)


def test_opening_a_new_person_creates_version_one_and_reopening_finds_the_latest(store):
    session = opened(store, "one_page_profile", "  Pat ")
    assert session.version == 1 and session.document.person == "Pat" and session.document.is_blank()
    session.update("important_to", ["My garden"])
    assert session.save()
    session.update("best_support", ["Give me an hour to get ready"])
    assert session.save()
    again = opened(store, "one_page_profile", "pat")  # the same register entry: names are folded
    assert again.document_id == session.document_id and again.version == 3
    assert again.document.sections["important_to"] == ["My garden"]
    assert again.document.sections["best_support"] == ["Give me an hour to get ready"]
    assert [person.label() for person in people(store, SAM)] == [f"Pat ({session.ref}, Oak House)"]
    assert [(v.version, v.saved_by) for v in again.versions()] == [(3, "sam"), (2, "sam"), (1, "sam")]


def test_a_bad_value_is_refused_before_it_reaches_the_store(store):
    session = opened(store, "relationship_circle", "Kevin")
    with pytest.raises(InvalidDocument):
        session.update("people", [{"name": "Mum", "group": "family", "ring": 9, "note": ""}])
    assert store.get_document(session.document_id).version == 1


def test_two_editors_conflict_and_keeping_mine_loses_nothing(store):
    first = opened(store, "one_page_profile", "Pat")
    second = opened(store, "one_page_profile", "Pat")
    first.update("important_to", ["Strictly on Saturdays"])
    assert first.save()
    second.update("important_to", ["My weekly TV magazine"])
    assert not second.save()
    conflict = second.conflict
    assert conflict.theirs.sections["important_to"] == ["Strictly on Saturdays"]
    assert conflict.mine.sections["important_to"] == ["My weekly TV magazine"]
    second.keep_mine()
    latest = store.get_document(second.document_id)
    assert latest.content["important_to"] == ["My weekly TV magazine"]
    contents = [v.content["important_to"] for v in store.document_history(second.document_id)]
    assert ["Strictly on Saturdays"] in contents  # theirs is still in the history


def test_keeping_theirs_keeps_mine_in_the_history(store):
    first = opened(store, "one_page_profile", "Pat")
    second = opened(store, "one_page_profile", "Pat")
    first.update("appreciation", ["Bubbly"])
    first.save()
    second.update("appreciation", ["Confident"])
    assert not second.save()
    second.keep_theirs()
    assert second.document.sections["appreciation"] == ["Bubbly"]
    assert store.get_document(second.document_id).content["appreciation"] == ["Bubbly"]
    contents = [v.content["appreciation"] for v in store.document_history(second.document_id)]
    assert ["Confident"] in contents
    second.update("appreciation", ["Bubbly", "Independent"])
    assert second.save()  # and the editor goes on saving normally


def test_restoring_an_old_version_makes_a_new_version(store):
    session = opened(store, "good_day_bad_day", "Sam")
    session.update("good_day", ["Lie in"])
    session.save()
    session.update("good_day", ["Up early"])
    session.save()
    assert [v.version for v in session.versions()] == [3, 2, 1]
    assert session.version_document(2).sections["good_day"] == ["Lie in"]
    assert session.restore(2)
    assert session.version == 4 and session.document.sections["good_day"] == ["Lie in"]
    assert session.versions()[0].note == "restored version 2"


def test_the_demo_examples_are_stored_once_in_the_register(store):
    assert add_example_documents(store) == len(EXAMPLES)
    assert add_example_documents(store) == 0
    people = {person.preferred_name: person for person in store.people()}
    assert {example.person for example in EXAMPLES} <= set(people)  # so the tool pages list them
    assert {people[example.person].service for example in EXAMPLES} == {DEMO_SERVICE}
    at_the_demo = Identity("sam", "staff", frozenset({DEMO_SERVICE}), "hub")
    session = DocumentSession.open(store, at_the_demo, "one_page_profile", people["Pat"].ref)
    assert session.document.to_dict()["best_support"] == PAT_PROFILE.sections["best_support"]


def test_list_text_boxes_take_one_item_per_line_and_drop_pasted_bullets():
    assert lines_to_items("• Bubbly\n\n - Confident \n* Selfless\n") == ["Bubbly", "Confident", "Selfless"]
    assert lines_to_items(items_to_lines(["a", "b"])) == ["a", "b"]


def test_sorting_working_and_not_working_moves_statements_between_columns():
    sorting = SORTINGS["working_not_working"]
    sections = {"statements": []}
    sections.update(sorting.add(sections, "working", "Friday evenings with Stephen"))
    sections.update(sorting.add(sections, "not_working", "Being shaken awake", "staff"))
    sections.update(sorting.add(sections, "working", "Calls from Marie", "other", "Marie"))
    assert sorting.items(sections) == {
        "working": ["Friday evenings with Stephen (The person)", "Calls from Marie (Someone else: Marie)"],
        "not_working": ["Being shaken awake (Staff)"],
    }
    sections.update(sorting.move(sections, "working", 1, "not_working"))
    assert sorting.items(sections)["not_working"][1].startswith("Calls from Marie")
    sections.update(sorting.remove(sections, "not_working", 0))
    assert [s["text"] for s in sections["statements"]] == ["Friday evenings with Stephen", "Calls from Marie"]
    assert describe_statement({"text": "x", "perspective": "family"}) == "x (Family)"


def test_sorting_important_to_and_for_moves_between_the_two_lists():
    sorting = SORTINGS["important_to_for"]
    sections = {"important_to": ["Cycling"], "important_for": []}
    sections.update(sorting.add(sections, "important_to", "Keeping well"))
    sections.update(sorting.move(sections, "important_to", 1, "important_for"))
    assert sections == {"important_to": ["Cycling"], "important_for": ["Keeping well"]}


def test_a_removed_statement_is_put_back_where_it_was():
    sorting = SORTINGS["working_not_working"]
    sections = {"statements": [{"text": t, "perspective": "person", "other_name": "", "side": side}
                               for t, side in (("A", "working"), ("B", "not_working"), ("C", "working"))]}
    before = [dict(s) for s in sections["statements"]]
    changed, removed = sorting.take(sections, "working", 1)  # C, the second in Working, third overall
    assert [s["text"] for s in changed["statements"]] == ["A", "B"]
    assert removed.shown == "C (The person)"
    assert sorting.put_back({**sections, **changed}, removed)["statements"] == before
    listed = SORTINGS["important_to_for"]
    lists = {"important_to": ["x", "y", "z"], "important_for": []}
    changed, removed = listed.take(lists, "important_to", 0)
    assert listed.put_back({**lists, **changed}, removed) == {"important_to": ["x", "y", "z"]}


def test_a_row_is_held_only_while_it_is_being_filled_in_from_the_left():
    from pcp_widgets.tools import get_tool
    from pcp_widgets.ui.fields import held_note, still_being_filled

    people = get_tool("relationship_circle").section("people")
    row = {"name": "", "group": "", "ring": None, "note": ""}
    assert still_being_filled(people, row) == []  # blank: nothing to hold
    assert still_being_filled(people, {**row, "name": "Mum"}) == ["Group", "Ring (1 closest, 4 furthest)"]
    assert still_being_filled(people, {**row, "name": "Mum", "group": "family"}) == ["Ring (1 closest, 4 furthest)"]
    assert still_being_filled(people, {**row, "name": "Mum", "group": "family", "ring": 2}) == []  # complete
    assert still_being_filled(people, {**row, "group": "family"}) == []  # the name was skipped: a real problem
    assert still_being_filled(people, {**row, "name": "Mum", "note": "Sundays"}) == []  # filled past the gaps
    assert still_being_filled(people, {**row, "name": "Mum", "group": "cousins"}) == []  # not a group: said
    assert held_note(2, ["Group"]) == "Row 2 is saved once Group is filled in."
    assert held_note(1, ["A", "B", "C"]) == "Row 1 is saved once A, B and C are filled in."


def test_an_edit_that_changes_nothing_saves_no_new_version(store):
    session = opened(store, "one_page_profile", "Pat")
    session.update("important_to", ["My garden"])
    assert session.save() and session.version == 2
    session.update("important_to", ["My garden"])
    assert not session.dirty
    session.update("important_to", ["  My garden "])  # the same once cleaned
    assert not session.dirty
