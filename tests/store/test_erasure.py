"""Erasure leaves no byte of the person's name or ref in the database's files, and counts still add up;
the reason and the confirmation guard it; only admins may do it."""

import datetime as dt
import sqlite3

import pytest
import sqlalchemy as sa

from pcp_widgets import cli
from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.audit.schema.sheets import SHEETS
from pcp_widgets.store import erasure, open_store
from pcp_widgets.store.tables import RECORD_TABLES, access_log
from tests.support.workbook_files import headers, row, write_workbook

NAME = "Zebedee Quartermaine"
REF = "P-0042"
PROFILE = "one_page_profile"


def _person_with_history(tmp_path, url=None, *, long_versions=0, left_and_back=False, secure_delete=None):
    """A store (a SQLite file unless ``url`` says otherwise) where Zebedee (P-0042) has three versions of a
    profile, a row on every audit sheet (one mentioning him by name) and access-log entries; Pat (P-0001) has
    rows of her own.

    ``long_versions`` more versions, each longer than a page (so deleting them frees whole overflow pages full
    of his name and ref), make sure the freed pages would hold him; ``left_and_back`` records that he left and
    came back before the erasure, which rewrites his register row elsewhere in its page and leaves the old copy
    in the page's free space, freed long before the erasure (only a VACUUM removes that). ``secure_delete``
    ("ON" or "OFF") is the store's connections' default, whatever the SQLite build's."""
    url = url or f"sqlite:///{tmp_path}/pcp.sqlite"
    store = open_store(url)
    if secure_delete is not None:
        _secure_delete_by_default(store.engine, secure_delete)
    rows = {s.name: [headers(s.kind), row(s.kind), row(s.kind, person_ref=REF.lower())] for s in SHEETS}
    rows[next(s.name for s in SHEETS if s.kind == "event")][2] = row("event", person_ref=REF, notes=f"{NAME} refused breakfast")
    import_files([write_workbook(tmp_path / "march.xlsx", rows)], store)
    store.add_person(NAME, "Oak House", ref=REF, by="ann")
    store.add_person("Pat", "Oak House", ref="P-0001", by="ann")
    first = store.open_person_document(PROFILE, REF, user="sam", new_content={"person": NAME, "likes": "jazz"})
    second = store.save_document(first.document_id, {"person": NAME, "likes": f"{NAME} likes jazz and tea"}, 1,
                                 saved_by="ann")
    latest = store.save_document(first.document_id, {"person": NAME, "likes": "tea at 7"}, second.version,
                                 saved_by="sam")
    for n in range(long_versions):
        latest = store.save_document(first.document_id, {"person": NAME, "story": f"{n}: {NAME} ({REF}) " * 200},
                                     latest.version, saved_by="sam")
    if left_and_back:
        store.person_left(REF, dt.date(2026, 3, 1), by="ann")
        store.person_left(REF, None, by="ann")
    store.open_person_document(PROFILE, "P-0001", user="sam", new_content={"person": "Pat"})
    return url, store


def _secure_delete_by_default(engine, setting: str) -> None:
    """Give the store's next connections secure_delete ON or OFF. OFF is SQLite's own default, but Debian
    builds SQLite with it ON, which would hide here what the erasure must do itself on other builds (Python's
    own on Windows and macOS among them): there, pages and cells freed before the erasure keep their bytes
    until a VACUUM, and those the erasure frees keep them unless it turns secure_delete on."""
    sa.event.listen(engine, "connect", lambda connection, _: connection.execute(f"PRAGMA secure_delete = {setting}"))
    engine.dispose()  # the connections opened before this are closed; the next ones have the setting


def _traces(tmp_path) -> list[str]:
    """Which of the name and ref (UTF-8, UTF-16) are in the bytes of the database, its WAL, SHM or journal."""
    found = []
    for suffix in ("", "-wal", "-shm", "-journal"):
        path = tmp_path / f"pcp.sqlite{suffix}"
        if not path.exists():
            continue
        data = path.read_bytes()
        for text in (NAME, REF, REF.lower(), "Zebedee"):
            for encoding in ("utf-8", "utf-16-le", "utf-16-be"):
                if text.encode(encoding) in data:
                    found.append(f"{text!r} in {path.name} ({encoding})")
    return found


def _distinct_refs(store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {kind: connection.execute(sa.select(sa.func.count(sa.distinct(sa.func.upper(table.c.person_ref)))))
                .scalar() for kind, table in RECORD_TABLES.items()}


def test_after_an_erasure_no_byte_of_the_name_or_ref_is_in_the_files_and_counts_add_up(tmp_path, capsys):
    url, store = _person_with_history(tmp_path, long_versions=40, left_and_back=True, secure_delete="OFF")
    assert cli.main(["person", "export", REF, "--out", str(tmp_path / f"{REF}.zip"), "--db", url]) == 0
    counts, people = store.count_records(), _distinct_refs(store)
    assert _traces(tmp_path)  # the scan finds him before

    assert cli.main(["person", "erase", REF.lower(), "--reason", "the person asked, under Article 17",
                     "--yes", "--db", url]) == 0
    assert "1 document(s) with 43 version(s) deleted; 6 audit row(s)" in capsys.readouterr().out

    assert _traces(tmp_path) == []  # with this store still open, as a server's would be: the WAL is kept
    with store.engine.connect() as connection:  # VACUUM left no free pages for old rows to hide in
        assert connection.exec_driver_sql("PRAGMA freelist_count").scalar() == 0
    store.dispose()
    assert _traces(tmp_path) == []
    store = open_store(url)
    assert store.count_records() == counts and _distinct_refs(store) == people  # charts still add up
    assert [p.ref for p in store.people(include_left=True)] == ["P-0001"]
    assert len(store.find_documents(PROFILE)) == 1  # Pat's stays
    codes = {r for r in store.read_records("event")["person_ref"] if r.startswith(erasure.ERASED_PREFIX)}
    assert len(codes) == 1
    (code,) = codes
    assert all(set(store.read_records(s.kind)["person_ref"]) == {"P-0001", code} for s in SHEETS)
    last = store.access_log()[-1]
    assert (last.action, last.person_ref) == ("erased", code)
    assert last.detail.endswith("Reason: the person asked, under Article 17")
    assert {e.person_ref for e in store.access_log()} <= {None, "P-0001", code}
    with pytest.raises(sa.exc.DatabaseError, match="append-only"):  # the trigger is back
        with store.engine.begin() as connection:
            connection.execute(access_log.update().values(detail="changed"))
    store.dispose()


def test_the_erasing_transaction_itself_overwrites_what_it_frees(tmp_path):
    """secure_delete on its own: the erasure committed and copied into the file (as a crash before its VACUUM
    would leave it) holds none of the pages and cells it freed, though they were full of him."""
    url, store = _person_with_history(tmp_path, long_versions=40, secure_delete="ON")  # nothing freed before
    _secure_delete_by_default(store.engine, "OFF")  # the erasure's own connection starts with it off
    with store.transaction() as connection:
        erasure.erase(connection, REF, by="ann", reason="asked")
    store.dispose()
    raw = sqlite3.connect(tmp_path / "pcp.sqlite", isolation_level=None)
    try:
        erasure._checkpoint(raw)  # the WAL copied into the file and emptied, and no VACUUM
        assert raw.execute("PRAGMA freelist_count").fetchone()[0] > 40  # his versions' pages are free, not gone
    finally:
        raw.close()
    assert _traces(tmp_path) == []


def test_without_the_file_scrub_the_scan_finds_the_person(tmp_path):
    """The byte scan above can fail: the same erasure, committed without scrub_files, leaves him in the files."""
    url, store = _person_with_history(tmp_path)
    with store.transaction() as connection:
        erasure.erase(connection, REF, by="ann", reason="asked")
    assert _traces(tmp_path)
    store.dispose()


def test_a_reason_naming_the_person_or_a_wrong_confirmation_erases_nothing(tmp_path, capsys, monkeypatch):
    url, store = _person_with_history(tmp_path)
    for reason in (f"{NAME} asked", "zebedee quartermaine asked", f"asked ({REF.lower()})"):
        assert cli.main(["person", "erase", REF, "--reason", reason, "--yes", "--db", url]) != 0
        assert capsys.readouterr().err.startswith("pcp: The reason must not name the person")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("P-0041\n"))
    assert cli.main(["person", "erase", REF, "--reason", "asked", "--db", url]) != 0
    assert "Nothing was erased: the ref typed did not match." in capsys.readouterr().err
    assert store.person(REF).preferred_name == NAME and len(store.documents_of(REF)) == 1
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("p-0042\n"))
    assert cli.main(["person", "erase", REF, "--reason", "asked", "--db", url]) == 0
    assert [p.ref for p in store.people(include_left=True)] == ["P-0001"]
    store.dispose()


@pytest.mark.parametrize("command", [["export", REF, "--out", "x.zip"], ["erase", REF, "--reason", "asked", "--yes"],
                                     ["redact", REF, "--tool", PROFILE, "--version", "1", "--reason", "third party"]])
def test_only_admins_may_export_erase_or_redact(tmp_path, capsys, monkeypatch, command):
    url, store = _person_with_history(tmp_path)
    store.add_user("lee", "quality-lead", by="ann")
    monkeypatch.setenv("JUPYTERHUB_USER", "lee")
    assert cli.main(["person", *command, "--db", url]) != 0
    err = capsys.readouterr().err
    assert err.startswith("pcp: Quality leads cannot ") and err.count("\n") == 1
    assert store.person(REF).preferred_name == NAME
    assert [v.content for v in store.document_history(store.documents_of(REF)[0].document_id)][-1]["likes"] == "jazz"
    store.dispose()
