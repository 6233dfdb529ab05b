"""The store's main paths on PostgreSQL, each on a new, empty database of its own (tests/support/postgres_support.py).

They run when ``PCP_TEST_POSTGRES_URL`` names a test server (``.ci/run`` starts one, with
``.ci/with-postgres``, and requires them to run) and skip, saying why, otherwise. Tests elsewhere that take the
``store`` or ``store_url`` fixture run on that server too; these are the paths where PostgreSQL behaves
differently from SQLite: its own migrations and triggers, real concurrent writers, pg_dump backups, and an
erasure that has to rewrite the tables' files.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import threading
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from pcp_widgets import cli
from pcp_widgets.audit.outputs.export_as import export_commissioners
from pcp_widgets.audit.demo import run_demo
from pcp_widgets.audit.outputs.export_log import OverlapError
from pcp_widgets.audit.analysis.frames import Filters
from pcp_widgets.audit.schema.sheets import KINDS
from pcp_widgets.errors import ConflictError
from pcp_widgets.store import backup, erasure, migrate, open_store
from pcp_widgets.store.retention import load_policy
from pcp_widgets.store.tables import metadata
from pcp_widgets.ui.dashboard import filtered_view, load_records
from pcp_widgets.ui.dashboards import DASHBOARDS
from tests.support.postgres_support import fresh_database, postgres_url  # noqa: F401 (postgres_url is a fixture)
from tests.store.test_backup import _latest, another_process_saving
from tests.audit.test_commissioners import import_rows
from tests.audit.test_disclosure_attacker import many_people, one_person
from tests.store.test_erasure import NAME, PROFILE, REF, _distinct_refs, _person_with_history
from tests.store.test_retention import TODAY

APPEND_ONLY = "the access log is append-only"


@contextlib.contextmanager
def opened(url):
    store = open_store(url)
    try:
        yield store
    finally:
        store.dispose()


def test_a_new_database_is_brought_to_the_newest_schema_with_the_access_logs_guard(postgres_url):
    with opened(postgres_url) as store:
        assert migrate.stored_revisions(store.engine) == [migrate.HEAD_REVISION] == [migrate.head_revision()]
        with store.engine.connect() as connection:
            tables = set(sa.inspect(connection).get_table_names())
            triggers = connection.exec_driver_sql(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'access_log'::regclass AND NOT tgisinternal"
            ).scalars().all()
        assert set(metadata.tables) <= tables
        assert triggers == ["access_log_append_only"]
    with opened(postgres_url) as store:  # opening it again changes nothing
        assert migrate.stored_revisions(store.engine) == [migrate.HEAD_REVISION]


def test_saves_and_restores_keep_every_version_and_a_save_from_an_old_version_is_refused(postgres_url):
    with opened(postgres_url) as store:
        store.add_person("Pat", "Oak House", ref="P-0001", by="ann")
        first = store.open_person_document(PROFILE, "P-0001", user="sam", new_content={"person": "Pat", "likes": "tea"})
        second = store.save_document(first.document_id, {"person": "Pat", "likes": "jazz"}, first.version,
                                     saved_by="ann")
        with pytest.raises(ConflictError):  # sam's page still shows version 1
            store.save_document(first.document_id, {"person": "Pat", "likes": "golf"}, first.version, saved_by="sam")
        restored = store.restore_document(first.document_id, 1, second.version, saved_by="ann")
        assert restored.version == 3 and restored.content == first.content
        assert [(v.version, v.saved_by, v.content["likes"]) for v in store.document_history(first.document_id)] == [
            (3, "ann", "tea"), (2, "ann", "jazz"), (1, "sam", "tea")]  # newest first
        assert [(e.user, e.action) for e in store.access_log(person_ref="P-0001")] == [
            ("ann", "added a person"), ("sam", "saved"), ("ann", "saved"), ("ann", "restored")]


def test_two_editors_adding_the_same_person_at_the_same_moment_get_one_record_and_one_document(postgres_url):
    """Each editor is a thread with its own store (its own connections), released together by a barrier,
    several times over: PostgreSQL's unique indexes, not a look beforehand, decide who was first."""
    names = ["Zoe", "Zac", "Zia", "Zed", "Zara", "Zeb"]
    editors = [open_store(postgres_url) for _ in range(2)]
    try:
        for name in names:
            barrier = threading.Barrier(len(editors))

            def add(store, name=name, barrier=barrier):
                barrier.wait()
                return store.add_person(name, "Oak House", by=f"editor{editors.index(store)}")

            with ThreadPoolExecutor(len(editors)) as pool:
                added = list(pool.map(add, editors))
            assert sorted(result.created for result in added) == [False, True], name
            assert added[0].person == added[1].person
            ref = added[0].person.ref

            def open_profile(store, ref=ref, barrier=threading.Barrier(len(editors))):
                barrier.wait()
                return store.open_person_document(PROFILE, ref, user="sam", new_content={"person": name})

            with ThreadPoolExecutor(len(editors)) as pool:
                documents = list(pool.map(open_profile, editors))
            assert documents[0].document_id == documents[1].document_id
            assert len(editors[0].documents_of(ref)) == 1
        assert sorted(p.preferred_name for p in editors[0].people()) == sorted(names)
    finally:
        for store in editors:
            store.dispose()


def test_the_access_log_refuses_every_change_and_removal(postgres_url):
    with opened(postgres_url) as store:
        store.log_access("ann", "viewed", "P-0001", "one_page_profile: version 1")
        for statement in ("UPDATE access_log SET detail = 'nothing to see'", "DELETE FROM access_log",
                          "TRUNCATE access_log"):
            with pytest.raises(sa.exc.DatabaseError, match=APPEND_ONLY):
                with store.engine.begin() as connection:
                    connection.exec_driver_sql(statement)
        assert [(e.user, e.detail) for e in store.access_log()] == [("ann", "one_page_profile: version 1")]


def _records(store) -> dict[str, pd.DataFrame]:
    """Every kind's stored rows, without the database's own ids, in a fixed order."""
    found = {}
    for kind in KINDS:
        frame = store.read_records(kind).drop(columns=["id", "import_id"], errors="ignore")
        found[kind] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
    return found


def test_the_demo_imports_the_same_rows_and_every_dashboard_shows_the_same_figures_as_on_sqlite(tmp_path,
                                                                                                postgres_url):
    stores = {"sqlite": open_store(f"sqlite:///{tmp_path}/demo.sqlite"), "postgresql": open_store(postgres_url)}
    try:
        for store in stores.values():
            with contextlib.redirect_stdout(io.StringIO()):
                assert run_demo(store, out_dir=None, services=3, months=3, seed=1, quiet=True) == 0
        on_sqlite, on_postgres = (_records(store) for store in stores.values())
        for kind in KINDS:
            assert len(on_postgres[kind]) > 0, kind
            pd.testing.assert_frame_equal(on_postgres[kind], on_sqlite[kind], obj=kind)
        for dashboard in DASHBOARDS.values():
            views = [filtered_view(load_records(store, dashboard.kinds), Filters()) for store in stores.values()]
            for panel in dashboard.panels:
                pd.testing.assert_frame_equal(panel.table(views[1]), panel.table(views[0]),
                                              obj=f"{dashboard.path} {panel.key}")
    finally:
        for store in stores.values():
            store.dispose()


# -- a person's data: export, erase, redact --------------------------------------------------------------------


def _row_traces(store) -> list[str]:
    """The tables with a row whose text holds the person's name or ref (any case)."""
    found = []
    with store.engine.connect() as connection:
        for table in sa.inspect(connection).get_table_names():
            hits = connection.exec_driver_sql(
                f'SELECT count(*) FROM "{table}" t WHERE t::text ILIKE %(name)s OR t::text ILIKE %(ref)s',
                {"name": f"%{NAME}%", "ref": f"%{REF}%"}).scalar()
            if hits:
                found.append(f"{hits} row(s) of {table}")
    return found


def _file_traces(store) -> list[str]:
    """Which of the name and ref are in the bytes of this database's own files (tables, indexes, TOAST, free
    space maps, the catalogs), after a checkpoint has written every changed page to them. The server's WAL
    (pg_wal) is not looked at: it keeps old rows until it is recycled, which the README says."""
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        try:
            connection.exec_driver_sql("CHECKPOINT")
            folder = Path(connection.exec_driver_sql("SHOW data_directory").scalar())
        except sa.exc.DBAPIError as error:
            pytest.skip(f"the test server's role cannot checkpoint or show its data folder: {error.orig}")
        oid = connection.exec_driver_sql("SELECT oid FROM pg_database WHERE datname = current_database()").scalar()
    base = folder / "base" / str(oid)
    try:
        files = [path for path in base.iterdir() if path.is_file()]
    except PermissionError:
        pytest.skip(f"the test server's data folder {base} cannot be read by this account")
    found = []
    for path in files:
        data = path.read_bytes()
        for text in (NAME, REF, REF.lower(), "Zebedee"):
            if text.encode() in data:
                found.append(f"{text!r} in {path.name}")
    return found


def test_export_erase_and_redact_on_postgresql_leave_no_trace_of_the_person(tmp_path, postgres_url, capsys):
    url, store = _person_with_history(tmp_path, postgres_url)
    try:
        out = tmp_path / f"{REF}.zip"
        assert cli.main(["person", "export", REF, "--out", str(out), "--db", url]) == 0
        with zipfile.ZipFile(out) as archive:
            exported = json.loads(archive.read("person.json"))
        assert [len(d["versions"]) for d in exported["documents"]] == [3]
        assert {kind for kind in exported["audit_records"]} == set(KINDS)
        assert cli.main(["person", "redact", "P-0001", "--tool", PROFILE, "--version", "1",
                         "--reason", "it named a third party", "--db", url]) == 0
        pat = store.documents_of("P-0001")[0].document_id
        assert store.get_document(pat, 1).content["redacted"]["reason"] == "it named a third party"

        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql("ANALYZE")  # as autovacuum does: the planner's statistics now hold values
            assert connection.exec_driver_sql("SELECT count(*) FROM pg_stats WHERE schemaname = 'public' AND "
                                              "histogram_bounds::text ILIKE %(ref)s", {"ref": f"%{REF}%"}).scalar()
        counts, people = store.count_records(), _distinct_refs(store)
        assert _row_traces(store) and _file_traces(store)  # the scans find him before
        capsys.readouterr()
        assert cli.main(["person", "erase", REF.lower(), "--reason", "the person asked, under Article 17",
                         "--yes", "--db", url]) == 0
        assert "1 document(s) with 3 version(s) deleted; 6 audit row(s)" in capsys.readouterr().out

        assert _row_traces(store) == []
        assert _file_traces(store) == []  # VACUUM FULL rewrote the tables: no dead row keeps him
        assert store.count_records() == counts and _distinct_refs(store) == people
        assert [p.ref for p in store.people(include_left=True)] == ["P-0001"]
        last = store.access_log()[-1]
        assert last.action == "erased" and last.person_ref.startswith(erasure.ERASED_PREFIX)
        with pytest.raises(sa.exc.DatabaseError, match=APPEND_ONLY):  # the trigger is enabled again
            with store.engine.begin() as connection:
                connection.exec_driver_sql("UPDATE access_log SET detail = 'changed'")
    finally:
        store.dispose()


def test_without_vacuum_full_the_file_scan_finds_the_erased_rows(tmp_path, postgres_url):
    """The file scan above can fail: the same erasure committed without scrub_files leaves dead rows."""
    url, store = _person_with_history(tmp_path, postgres_url)
    try:
        with store.transaction() as connection:
            erasure.erase(connection, REF, by="ann", reason="asked")
        assert _row_traces(store) == []  # no live row holds him ...
        assert _file_traces(store)  # ... but the files still do
    finally:
        store.dispose()


# -- commissioner exports, retention -------------------------------------------------------------------------


def test_an_export_overlapping_a_logged_one_is_refused(tmp_path, postgres_url):
    with opened(postgres_url) as store:
        import_rows(store, tmp_path, {"event": one_person(3) + many_people("Big House", 20)})
        export_commissioners(store, tmp_path / "q1.xlsx", first="2025-01", last="2025-03", made_by="Ann Lead")
        with pytest.raises(OverlapError, match=r"2025-01 to 2025-03 \(q1.xlsx\) made by Ann Lead"):
            export_commissioners(store, tmp_path / "year.xlsx", first="2025-01", last="2025-12")
        assert not (tmp_path / "year.xlsx").exists()


def test_retention_apply_removes_what_is_due_and_keeps_the_log_guarded(postgres_url):
    with opened(postgres_url) as store:
        pat = store.add_person("Pat", "Oak House", by="ann").person
        store.open_person_document(PROFILE, pat.ref, user="sam", new_content={"person": "Pat"})
        store.person_left(pat.ref, dt.date(2017, 6, 1), by="ann")
        kim = store.add_person("Kim", "Oak House", by="ann").person
        store.open_person_document(PROFILE, kim.ref, user="sam", new_content={"person": "Kim"})
        assert store.retention_due(load_policy(), TODAY).counts()["person_documents"] == 1
        store.apply_retention(load_policy(), by="ann", today=TODAY)
        assert [d.person for d in store.find_documents()] == ["Kim"]
        assert store.access_log()[-1].action == "applied retention"
        with pytest.raises(sa.exc.DatabaseError, match=APPEND_ONLY):
            with store.engine.begin() as connection:
                connection.exec_driver_sql("DELETE FROM access_log")


# -- backups with pg_dump -----------------------------------------------------------------------------------


def test_a_pg_dump_backup_taken_while_another_process_saves_restores_every_version_committed_before_it(
        tmp_path, postgres_url, capsys):
    with opened(postgres_url) as store:
        store.add_person("Pat", "Oak House", by="ann")
        document = store.open_person_document(PROFILE, "P-0001", user="sam", new_content={"person": "Pat", "n": 1})
    night = tmp_path / "night.dump"
    with another_process_saving(postgres_url, document.document_id, tmp_path):
        committed_before = _latest(postgres_url, document.document_id)
        assert cli.main(["backup", "--out", str(night), "--db", postgres_url]) == 0
        still_writing = _latest(postgres_url, document.document_id)
    assert committed_before >= 30 and still_writing > committed_before
    assert night.stat().st_mode & 0o777 == 0o600
    assert cli.main(["backup", "--verify", str(night)]) == 0
    assert "a pg_dump archive" in capsys.readouterr().out

    assert cli.main(["restore", str(night), "--db", postgres_url]) == 2  # it holds data
    assert "already holds data" in capsys.readouterr().err
    with fresh_database() as restored_url:
        assert cli.main(["restore", str(night), "--db", restored_url]) == 0
        with opened(restored_url) as restored:
            versions = sorted(v.version for v in restored.document_history(document.document_id))
            assert versions == list(range(1, len(versions) + 1))  # no gap
            assert committed_before <= len(versions) <= still_writing
            assert restored.access_log()[-1].action == "restored"
            with pytest.raises(sa.exc.DatabaseError, match=APPEND_ONLY):  # the guard came back with the dump
                with restored.engine.begin() as connection:
                    connection.exec_driver_sql("DELETE FROM access_log")
    with opened(postgres_url) as store:
        assert [e.action for e in store.access_log() if e.action == "exported"] == ["exported"]
