"""The store: migrations, the default location, tool document versions and conflicts."""

import sqlite3
import subprocess
import sys

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from pcp_widgets.audit.ingest.importer import import_files
from pcp_widgets.errors import ConflictError, DatabaseError, NotFound
from pcp_widgets.store import default_url, migrate, open_store
from pcp_widgets.store.engine import create_engine
from pcp_widgets.store.tables import metadata
from tests.support.workbook_files import full_workbook


def test_migrations_build_exactly_the_tables_the_schema_declares(store_url):
    """A question added to the schema without a migration fails here, not in a user's import."""
    store = open_store(store_url)
    with store.engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    assert differences == []


def test_a_first_version_database_is_upgraded_in_place_and_keeps_its_rows(tmp_path):
    url = f"sqlite:///{tmp_path}/old.sqlite"
    engine = create_engine(url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(sa.text(
            "INSERT INTO imports (file_name, sha256, imported_at, rows, accepted, rejected, new, updated, "
            "duplicates, counts) VALUES ('march.xlsx', 'abc', '2025-03-01 10:00:00', 1, 1, 0, 1, 0, 0, '{}')"))
        connection.execute(sa.text(
            "INSERT INTO plan_change_records (natural_key, content_hash, import_id, source_row, change_date, "
            "service, person_ref, reason, description) VALUES ('k', 'h', 1, 2, '2025-03-01', 'Oak House', "
            "'P-0001', 'review', 'Offer two options at breakfast')"))
        assert "documents" not in sa.inspect(connection).get_table_names()
    engine.dispose()

    store = open_store(url)

    assert store.count_records("plan_change") == 1
    assert store.read_records("plan_change")["description"].tolist() == ["Offer two options at breakfast"]
    assert store.imports()[0]["file_name"] == "march.xlsx"
    document = store.create_document("one_page_profile", "Pat", {"person": "Pat"})
    assert document.version == 1
    with store.engine.connect() as connection:
        assert migrate.current_revision(connection) == migrate.head_revision()


def test_the_declared_newest_version_is_alembics_newest():
    """A migration added without moving HEAD_REVISION on would leave databases unupgraded: caught here."""
    assert migrate.HEAD_REVISION == migrate.head_revision()


def test_opening_an_up_to_date_database_does_not_load_alembic(tmp_path):
    """Every page opens the store; only a database that needs upgrading pays for loading alembic."""
    url = f"sqlite:///{tmp_path}/pcp.sqlite"
    opening = ("import sys; from pcp_widgets.store import open_store; "
               f"open_store({url!r}).dispose(); print('alembic' in sys.modules)")
    loaded = [subprocess.run([sys.executable, "-c", opening], capture_output=True, text=True, check=True).stdout.strip()
              for _ in range(2)]
    assert loaded == ["True", "False"]  # made and migrated, then opened as it is


def test_a_database_from_a_newer_pcp_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path}/newer.sqlite"
    open_store(url).dispose()
    with sqlite3.connect(tmp_path / "newer.sqlite") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(DatabaseError, match="newer version of pcp"):
        open_store(url)


def test_sqlite_uses_write_ahead_logging(tmp_path):
    store = open_store(f"sqlite:///{tmp_path}/wal.sqlite")
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"


def test_writes_reach_the_database_file_from_a_background_thread(tmp_path):
    """SQLite copies its write-ahead log into the file inside a commit only when told to; the store's
    own thread does it after each write, so an import never waits for it (and the file is up to date)."""
    path = tmp_path / "copied.sqlite"
    store = open_store(f"sqlite:///{path}")
    watcher = sqlite3.connect(path)  # an open reader: closing the store's connections then copies nothing
    watcher.execute("SELECT count(*) FROM sqlite_master").fetchone()
    import_files([full_workbook(tmp_path / "march.xlsx")], store)
    store.dispose()  # waits for the copy asked for after the last write
    file_alone = sqlite3.connect(f"{path.as_uri()}?immutable=1", uri=True)  # the file, without its log
    assert file_alone.execute("SELECT person_ref FROM review_records").fetchall() == [("P-0001",)]
    file_alone.close()
    watcher.close()


def test_default_database_is_in_the_user_data_folder(monkeypatch):
    monkeypatch.delenv("PCP_DB", raising=False)
    url = default_url()
    assert url.startswith("sqlite:///") and url.endswith("pcp-workbook/pcp.sqlite")
    monkeypatch.setenv("PCP_DB", "sqlite:////tmp/elsewhere.sqlite")
    assert default_url() == "sqlite:////tmp/elsewhere.sqlite"


@pytest.mark.parametrize(
    "url, message",
    [
        ("not a url", "is not a database URL"),
        ("mysql+nosuchdriver://x/y", "install its driver"),
    ],
)
def test_bad_database_urls_get_one_sentence(url, message):
    with pytest.raises(DatabaseError, match=message):
        open_store(url)


def test_a_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(DatabaseError, match="not a pcp database or is damaged"):
        open_store(f"sqlite:///{path}")
    assert path.read_text().startswith("these are my notes")


def test_the_description_never_shows_a_password():
    from pcp_widgets.store.engine import describe_url

    described = describe_url(sa.make_url("postgresql+psycopg://pcp:secret@db.example/pcp"))
    assert "secret" not in described and "db.example" in described


# -- tool documents ---------------------------------------------------------------------


def test_every_save_is_a_new_version_and_nothing_is_overwritten(store):
    first = store.create_document("one_page_profile", "Pat", {"person": "Pat", "appreciation": ["kind"]})
    second = store.save_document(first.document_id, {"person": "Pat", "appreciation": ["kind", "funny"]}, 1)
    assert (first.version, second.version) == (1, 2)
    assert store.get_document(first.document_id).content["appreciation"] == ["kind", "funny"]
    assert store.get_document(first.document_id, 1).content["appreciation"] == ["kind"]
    assert [v.version for v in store.document_history(first.document_id)] == [2, 1]


def test_saving_over_an_old_version_is_refused_and_both_versions_survive(store):
    doc = store.create_document("one_page_profile", "Pat", {"person": "Pat", "important_to": ["tea"]})
    store.save_document(doc.document_id, {"person": "Pat", "important_to": ["tea", "my dog"]}, 1, saved_by="Alex")
    with pytest.raises(ConflictError) as refused:
        store.save_document(doc.document_id, {"person": "Pat", "important_to": ["coffee"]}, 1, saved_by="Sam")
    assert refused.value.latest_version == 2 and refused.value.base_version == 1
    assert "saved elsewhere" in str(refused.value)
    assert store.get_document(doc.document_id).content["important_to"] == ["tea", "my dog"]
    assert [v.saved_by for v in store.document_history(doc.document_id)] == ["Alex", None]


def test_restoring_makes_a_new_version(store):
    doc = store.create_document("doughnut", "Arthur", {"person": "Arthur", "core": ["a"]})
    store.save_document(doc.document_id, {"person": "Arthur", "core": ["b"]}, 1)
    restored = store.restore_document(doc.document_id, 1, 2)
    assert restored.version == 3 and restored.content["core"] == ["a"] and restored.note == "restored version 1"
    with pytest.raises(ConflictError):
        store.restore_document(doc.document_id, 1, 2)


def test_finding_documents_and_missing_ones(store):
    store.create_document("doughnut", "Arthur", {"person": "Arthur"})
    store.create_document("one_page_profile", "Pat", {"person": "Pat"})
    assert [d.person for d in store.find_documents(tool="doughnut")] == ["Arthur"]
    assert [d.tool for d in store.find_documents(person="Pat")] == ["one_page_profile"]
    with pytest.raises(NotFound):
        store.get_document(999)
    with pytest.raises(NotFound):
        store.get_document(1, 7)


def test_two_stores_on_one_file_cannot_both_win(tmp_path):
    """Two editors (two processes' stores) saving on the same base: exactly one succeeds."""
    url = f"sqlite:///{tmp_path}/shared.sqlite"
    alex, sam = open_store(url), open_store(url)
    doc = alex.create_document("one_page_profile", "Kevin", {"person": "Kevin"})
    alex.save_document(doc.document_id, {"person": "Kevin", "by": "Alex"}, 1)
    with pytest.raises(ConflictError):
        sam.save_document(doc.document_id, {"person": "Kevin", "by": "Sam"}, 1)
    assert sam.get_document(doc.document_id).content["by"] == "Alex"


def test_a_sign_off_of_free_text_comes_back_as_it_was_given_the_latest_for_its_period(store):
    from pcp_widgets.store.commissioner_records import texts_sha256

    assert store.latest_sign_off("2026-01", "2026-03") is None
    store.sign_off_texts("2026-01", "2026-03", [("working", "Getting out", "I go out each week")], by="jo")
    later = store.sign_off_texts("2026-01", "2026-03", [("not_working", "Waiting", "I wait for help"),
                                                        ("working", "Getting out", "I go out each week")], by="sam")
    store.sign_off_texts("2026-04", "2026-06", [("working", "Other", "Another quarter")], by="jo")
    found = store.latest_sign_off("2026-01", "2026-03")
    assert (found.first, found.last, found.signed_by) == (later.first, later.last, later.signed_by) == \
        ("2026-01", "2026-03", "sam")
    assert found.signed_at.replace(tzinfo=None) == later.signed_at.replace(tzinfo=None)  # SQLite keeps no zone
    assert found.texts == (("not_working", "Waiting", "I wait for help"), ("working", "Getting out", "I go out each week"))
    # the stored fingerprint does not depend on the texts' order
    assert texts_sha256(found.texts) == texts_sha256(reversed(found.texts))
