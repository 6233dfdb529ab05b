"""Backups taken while another process keeps saving restore to a sound database with every version committed
before the backup began; restores refuse a database that holds data, and a file that is not a pcp backup."""

import contextlib
import sqlite3
import subprocess
import sys
import textwrap
import time

import pytest
import sqlalchemy as sa

from pcp_widgets import cli
from pcp_widgets.store import backup, migrate, open_store
from pcp_widgets.store.engine import create_engine

PROFILE = "one_page_profile"

#: A separate process saving version after version of one document until told to stop.
WRITER = textwrap.dedent("""
    import pathlib, sys
    from pcp_widgets.store import open_store
    url, document_id, stop = sys.argv[1], int(sys.argv[2]), pathlib.Path(sys.argv[3])
    store = open_store(url)
    latest = store.get_document(document_id)
    while not stop.exists():
        latest = store.save_document(document_id, {"person": "Pat", "n": latest.version + 1}, latest.version,
                                     saved_by="writer")
    store.dispose()
""")


def _versions(path) -> list[tuple[int, str]]:
    connection = sqlite3.connect(path)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return connection.execute("SELECT version, content FROM document_versions ORDER BY version").fetchall()
    finally:
        connection.close()


def _latest(url, document_id) -> int:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return connection.execute(sa.text("SELECT latest_version FROM documents WHERE id = :i"),
                                      {"i": document_id}).scalar()
    finally:
        engine.dispose()


@contextlib.contextmanager
def another_process_saving(url, document_id: int, folder):
    """WRITER saving version after version of the document in a process of its own, from before the block
    (once it has saved 30) until after it; then it must have ended cleanly."""
    stop = folder / "stop"
    writer = subprocess.Popen([sys.executable, "-c", WRITER, url, str(document_id), str(stop)])
    try:
        for _ in range(6000):  # until the writer is well under way (a guard against a hang, not a timing)
            if _latest(url, document_id) >= 30 or writer.poll() is not None:
                break
            time.sleep(0.01)
        yield writer
    finally:
        stop.touch()
        writer.wait()
    assert writer.returncode == 0


def test_a_backup_taken_while_another_process_saves_restores_every_version_committed_before_it(tmp_path):
    url = f"sqlite:///{tmp_path}/live.sqlite"
    store = open_store(url)
    store.add_person("Pat", "Oak House", by="ann")
    document = store.open_person_document(PROFILE, "P-0001", user="sam", new_content={"person": "Pat", "n": 1})
    # A page in the middle of a read: the saves after it stay in the write-ahead log (no checkpoint can pass
    # a reader), so a backup that copied the database file alone would miss them.
    reader = sqlite3.connect(tmp_path / "live.sqlite", isolation_level=None)
    reader.execute("BEGIN")
    reader.execute("SELECT count(*) FROM document_versions").fetchone()
    try:
        with another_process_saving(url, document.document_id, tmp_path):
            committed_before = _latest(url, document.document_id)
            made = backup.backup(url, tmp_path / "night.pcpbackup", by="ann")
            still_writing = _latest(url, document.document_id)
    finally:
        reader.close()
    assert committed_before >= 30 and still_writing > committed_before  # the writer kept on throughout
    assert (tmp_path / "night.pcpbackup").stat().st_mode & 0o777 == 0o600
    assert made.made_by == "ann" and made.schema == migrate.HEAD_REVISION
    assert [(e.user, e.action) for e in store.access_log() if e.action == "exported"] == [("ann", "exported")]

    restored_url = f"sqlite:///{tmp_path}/new-machine.sqlite"
    backup.restore(tmp_path / "night.pcpbackup", restored_url, by="bo")
    restored = _versions(tmp_path / "new-machine.sqlite")
    numbers = [version for version, _ in restored]
    assert numbers == list(range(1, len(numbers) + 1))  # no gap: a snapshot, not a mix of moments
    assert len(numbers) >= committed_before
    live = dict(_versions(tmp_path / "live.sqlite"))
    assert all(live[version] == content for version, content in restored)
    reopened = open_store(restored_url)
    try:
        assert reopened.get_document(document.document_id).version == len(numbers)
        assert reopened.person("P-0001").preferred_name == "Pat"
        assert [e.action for e in reopened.access_log(person_ref="P-0001")][:2] == ["added a person", "saved"]
        log = reopened.access_log()
        assert (log[-1].user, log[-1].action) == ("bo", "restored") and "night.pcpbackup made" in log[-1].detail
        assert not any(e.action == "exported" for e in log)  # the backup's own entry came after its snapshot
    finally:
        reopened.dispose()
        store.dispose()
    with sqlite3.connect(tmp_path / "new-machine.sqlite") as connection:
        tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert backup.MARKER not in tables


@pytest.fixture
def saved_backup(tmp_path):
    url = f"sqlite:///{tmp_path}/live.sqlite"
    store = open_store(url)
    store.add_person("Pat", "Oak House", by="ann")
    store.open_person_document(PROFILE, "P-0001", user="sam", new_content={"person": "Pat"})
    store.dispose()
    path = tmp_path / "night.pcpbackup"
    backup.backup(url, path, by="ann")
    return path


def test_restore_refuses_a_database_that_holds_data_and_leaves_it_alone(tmp_path, saved_backup, capsys):
    target = f"sqlite:///{tmp_path}/in-use.sqlite"
    store = open_store(target)
    store.add_person("Jo", "Elm Court", by="ann")
    store.dispose()
    assert cli.main(["restore", str(saved_backup), "--db", target]) == 2
    error = capsys.readouterr().err
    assert "already holds data" in error and "only into an empty database" in error
    assert error.count("\n") == 1
    store = open_store(target)
    try:
        assert [p.preferred_name for p in store.people()] == ["Jo"]
    finally:
        store.dispose()

    empty_but_made = f"sqlite:///{tmp_path}/fresh.sqlite"
    open_store(empty_but_made).dispose()  # tables, no rows: empty
    assert cli.main(["restore", str(saved_backup), "--db", empty_but_made]) == 0
    assert "holding 1 tool document and 1 version" in capsys.readouterr().out


def test_a_file_that_is_not_a_pcp_backup_gets_one_sentence(tmp_path, saved_backup, capsys):
    text = tmp_path / "notes.txt"
    text.write_text("not a database", encoding="utf-8")
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as connection:
        connection.execute("CREATE TABLE t (x)")
    damaged = tmp_path / "damaged.pcpbackup"
    data = bytearray(saved_backup.read_bytes())
    page = 4096
    data[page:len(data)] = bytes([0xA5]) * (len(data) - page)  # every page after the first overwritten
    damaged.write_bytes(bytes(data))
    expected = {text: "not a SQLite database file", other: "is a SQLite database but not a pcp backup",
                damaged: "damaged", tmp_path / "missing.pcpbackup": "cannot be read"}
    for path, sentence in expected.items():
        for command in (["restore", str(path), "--db", f"sqlite:///{tmp_path}/new.sqlite"],
                        ["backup", "--verify", str(path)]):
            assert cli.main(command) == 2
            error = capsys.readouterr().err
            assert sentence in error and error.startswith("pcp: ") and error.count("\n") == 1, error
    assert not (tmp_path / "new.sqlite").exists() or backup._tables_with_rows(tmp_path / "new.sqlite") == []
    assert cli.main(["backup", "--verify", str(saved_backup)]) == 0
    assert "it can be restored" in capsys.readouterr().out


def test_a_backup_from_an_older_pcp_is_upgraded_when_restored(tmp_path):
    url = f"sqlite:///{tmp_path}/old.sqlite"
    engine = create_engine(url)
    migrate.upgrade(engine, "0003")  # before the register of people and the access log
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO documents (id, tool, person, created_at, latest_version) "
                                   "VALUES (1, 'one_page_profile', 'Pat', '2024-01-01 10:00:00', 1)"))
        connection.execute(sa.text("INSERT INTO document_versions (document_id, version, content, saved_at) "
                                   "VALUES (1, 1, '{\"person\": \"Pat\"}', '2024-01-01 10:00:00')"))
    engine.dispose()
    made = backup.backup(url, tmp_path / "old.pcpbackup", by="ann")
    assert made.schema == "0003"
    restored_url = f"sqlite:///{tmp_path}/new.sqlite"
    backup.restore(tmp_path / "old.pcpbackup", restored_url, by="bo")
    store = open_store(restored_url)
    try:
        assert migrate.stored_revisions(store.engine) == [migrate.HEAD_REVISION]
        assert store.get_document(1).content == {"person": "Pat"}
        assert [(e.user, e.action) for e in store.access_log()] == [("bo", "restored")]
    finally:
        store.dispose()


def test_a_postgresql_database_that_cannot_be_reached_is_one_sentence(tmp_path, capsys):
    """PostgreSQL goes to pg_dump (tests/test_postgres.py backs up and restores a real one); its failure is a
    sentence naming the database without its password, and no file is left."""
    url = "postgresql+psycopg://pcp:secret@nowhere.invalid/pcp"
    assert cli.main(["backup", "--out", str(tmp_path / "x.dump"), "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pcp: ") and err.count("\n") == 1 and "secret" not in err
    assert ("could not be made" in err and "nowhere.invalid" in err) or "pg_dump is not installed" in err
    assert list(tmp_path.iterdir()) == []
