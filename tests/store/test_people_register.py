"""The register of people supported: unique refs, one record per name and service even when two
editors add at the same moment, audit refs linked by ref, and old documents given register entries."""

import datetime as dt
import multiprocessing

import pytest
import sqlalchemy as sa

from pcp_widgets.access import Identity, visible_services
from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.errors import NotFound, PcpError
from pcp_widgets.store import open_store
from pcp_widgets.store.tables import people
from pcp_widgets.tools import TOOLS
from pcp_widgets.audit.schema.sheets import SHEETS
from tests.support.workbook_files import headers, row, write_workbook

NAMES = ["Zoe", "Pat", "Ravi", "Ngozi", "Tom", "Aisha", "Ken", "Maya", "Sam", "Iris", "Joe", "Lena"]


def test_adding_gives_the_next_ref_and_the_same_name_in_a_service_gives_the_same_record(store):
    zoe = store.add_person("Zoe", "Oak House", by="sam")
    assert zoe.created and zoe.person.ref == "P-0001" and zoe.person.preferred_name == "Zoe"
    again = store.add_person("  zoe ", "Oak House", by="ann")
    assert not again.created and again.person == zoe.person
    elsewhere = store.add_person("Zoe", "Elm Court", by="sam")
    assert elsewhere.created and elsewhere.person.ref == "P-0002"
    assert [p.label() for p in store.people()] == ["Zoe (P-0001, Oak House)", "Zoe (P-0002, Elm Court)"]


def test_a_ref_is_unique_and_one_that_is_taken_is_refused_in_a_sentence(store):
    store.add_person("Pat", "Oak House", ref="p-0042", by="sam")
    assert store.person("P-0042").preferred_name == "Pat"
    with pytest.raises(PcpError, match="^P-0042 is already in the register, at Oak House; give another ref"):
        store.add_person("Ravi", "Elm Court", ref="P-0042", by="sam")
    with pytest.raises(sa.exc.IntegrityError):  # the rule is the database's, not only the method's
        with store.engine.begin() as connection:
            connection.execute(people.insert().values(ref="P-0042", service="X", added_at=dt.datetime.now(),
                                                      added_by="x"))
    assert store.add_person("Ravi", "Elm Court", by="sam").person.ref == "P-0043"  # after the highest


@pytest.mark.parametrize("bad", ["John Smith", "P 00<script>", "x" * 41])
def test_a_ref_must_be_a_short_pseudonymous_code(store, bad):
    with pytest.raises(PcpError):
        store.add_person("Pat", "Oak House", ref=bad, by="sam")
    assert store.people() == []


def test_people_who_left_stay_but_leave_the_everyday_list(store):
    store.add_person("Pat", "Oak House", by="sam")
    store.add_person("Ken", "Oak House", by="sam")
    store.person_left("P-0001", dt.date(2026, 5, 31), by="ann")
    assert [p.preferred_name for p in store.people()] == ["Ken"]
    left = store.person("P-0001")
    assert not left.active and left.label() == "Pat (P-0001, Oak House, left 31/05/2026)"
    assert [p.ref for p in store.people(include_left=True)] == ["P-0002", "P-0001"]  # Ken, then Pat


def test_staff_are_listed_only_the_people_of_their_services(store):
    for name, service in [("Pat", "Oak House"), ("Ken", "Elm Court"), ("Iris", "Ash Lodge")]:
        store.add_person(name, service, by="ann")
    staff = Identity("sam", "staff", frozenset({"Elm Court", "Ash Lodge"}))
    assert [p.preferred_name for p in store.people(services=visible_services(staff))] == ["Iris", "Ken"]
    assert len(store.people(services=visible_services(Identity("ann", "quality-lead")))) == 3
    assert store.people(services=visible_services(Identity("tia", "trainer"))) == []


def _add_each_at_the_same_moment(url, names, by, barrier, results):
    store = open_store(url)
    try:
        answers = []
        for name in names:
            barrier.wait()  # both editors press Add for the same name together
            added = store.add_person(name, "Oak House", by=by)
            answers.append((name, added.person.ref, added.created))
        results.put(answers)
    finally:
        store.dispose()


def test_two_editors_adding_the_same_people_at_the_same_moment_get_one_record_each(store_url):
    """Two processes, one database: each name is added by both at once; every name ends as one record."""
    open_store(store_url).dispose()  # made and migrated before the race
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(2), context.Queue()
    editors = [context.Process(target=_add_each_at_the_same_moment, args=(store_url, NAMES, by, barrier, results))
               for by in ("sam", "ann")]
    for editor in editors:
        editor.start()
    answers = [results.get(timeout=300) for _ in editors]
    for editor in editors:
        editor.join()
    assert [editor.exitcode for editor in editors] == [0, 0]

    store = open_store(store_url)
    try:
        register = store.people()
        assert sorted(p.preferred_name for p in register) == sorted(NAMES)
        assert len({p.ref for p in register}) == len(NAMES)
        for first, second in zip(*answers):
            assert first[:2] == second[:2]  # the same name, the same ref for both editors
            assert [first[2], second[2]].count(True) == 1  # one of them made it
        added = [entry for entry in store.access_log() if entry.action == "added a person"]
        assert len(added) == len(NAMES)
    finally:
        store.dispose()


def test_refs_in_imported_audit_rows_are_linked_to_the_register(store, tmp_path):
    rows = {s.name: [headers(s.kind), row(s.kind)] for s in SHEETS}
    file_audit = next(s for s in SHEETS if s.kind == "file_audit")
    rows[file_audit.name].append(row("file_audit", person_ref="p-0007", service="Elm Court"))
    import_files([write_workbook(tmp_path / "march.xlsx", rows)], store)
    store.add_person("Pat", "Oak House", ref="P-0001", by="ann")

    assert store.unregistered_audit_refs() == {"P-0007": "Elm Court"}
    assert store.add_person("Ken", "Oak House", by="ann").person.ref == "P-0008"  # never an audit row's ref
    added = store.register_audit_refs(by="ann")
    assert [(p.ref, p.preferred_name, p.service) for p in added] == [("P-0007", None, "Elm Court")]
    assert store.unregistered_audit_refs() == {}
    assert store.register_audit_refs(by="ann") == []
    assert store.person("p-0007").label() == "no name recorded (P-0007, Elm Court)"


# -- tool documents by register ref ---------------------------------------------------------------


def test_documents_written_before_the_register_are_given_register_entries(store):
    """The migration path: documents keyed by a typed name get a ref; a name already registered is reused."""
    store.add_person("Pat", "Elm Court", by="ann")  # P-0001
    store.create_document("one_page_profile", "Pat", {"person": "Pat"})
    first_zoe = store.create_document("one_page_profile", "Zoe", {"person": "Zoe"})
    second_zoe = store.create_document("one_page_profile", "Zoe", {"person": "Zoe", "note": "the other editor's"})
    store.create_document("relationship_circle", "Zoe", {"person": "Zoe"})
    store.create_document("wtfc_themes", "2026-Q1", {"person": "2026-Q1"})  # about no one

    linked = store.link_documents_to_register("Not yet assigned", by="ada", tools=TOOLS)

    assert linked["linked"] == {"Zoe": "P-0002", "Pat": "P-0001"}
    assert linked["added"] == ["P-0002"]
    assert linked["not_linked"] == [first_zoe.document_id]  # the older of two Zoe profiles keeps no ref
    assert store.person("P-0002").service == "Not yet assigned"
    zoe_documents = store.documents_of("P-0002")
    assert [(d.tool, d.document_id) for d in zoe_documents][0] == ("one_page_profile", second_zoe.document_id)
    assert {d.tool for d in zoe_documents} == {"one_page_profile", "relationship_circle"}
    assert [d.person for d in store.documents_of("P-0001")] == ["Pat"]
    assert store.link_documents_to_register("Not yet assigned", by="ada", tools=TOOLS)["linked"] == {}  # done once


def test_a_person_has_one_document_per_tool_and_opening_it_is_logged(store):
    store.add_person("Zoe", "Oak House", by="ann")
    made = store.open_person_document("one_page_profile", "P-0001", user="sam", new_content={"person": "Zoe"})
    again = store.open_person_document("one_page_profile", "p-0001", user="ann", new_content={"person": "Zoe"})
    assert again.document_id == made.document_id and again.version == 1
    with pytest.raises(sa.exc.IntegrityError):  # a second editor's document for the same person and tool
        store.create_document("one_page_profile", "Zoe", {"person": "Zoe"}, "mo", person_ref="P-0001")
    assert [(e.user, e.action, e.person_ref) for e in store.access_log(person_ref="P-0001")][1:] == [
        ("sam", "saved", "P-0001"), ("ann", "viewed", "P-0001")]
    with pytest.raises(NotFound, match="P-0009 is not in the register"):
        store.open_person_document("one_page_profile", "P-0009", user="sam", new_content={})
