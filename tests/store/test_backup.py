"""Backups taken while another process keeps saving restore to a sound database with every version committed
before the backup began; restores refuse a database that holds data, and a file that is not a pcp backup."""

import contextlib
import os
import shutil
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
from tests.support.postgres_support import fresh_database, postgres_url  # noqa: F401 (postgres_url is a fixture)

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
    """PostgreSQL goes to pg_dump (tests/store/test_postgres.py backs up and restores a real one); its failure is a
    sentence naming the database without its password, and no file is left."""
    url = "postgresql+psycopg://pcp:secret@nowhere.invalid/pcp"
    assert cli.main(["backup", "--out", str(tmp_path / "x.dump"), "--db", url]) == 2
    err = capsys.readouterr().err
    assert err.startswith("pcp: ") and err.count("\n") == 1 and "secret" not in err
    assert ("could not be made" in err and "nowhere.invalid" in err) or "pg_dump is not installed" in err
    assert list(tmp_path.iterdir()) == []


# -- encrypted backups (age format, with a passphrase) ---------------------------------------------------------

PASSPHRASE = "lantern orchard pebble quay"
#: What the database holds that must not be readable in an encrypted backup's bytes.
SECRETS = (b"Zebedee Quist", b"ZQ-7731", b"Willow Mews", b"rides the number 9 bus")


def _rows(path) -> dict[str, list[tuple]]:
    """Every row of every pcp table but the access log (a backup and a restore each add their own entry)."""
    connection = sqlite3.connect(path)
    try:
        names = [row[0] for row in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('access_log', ?) "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name", (backup.MARKER,))]
        return {name: connection.execute(f'SELECT * FROM "{name}" ORDER BY 1').fetchall() for name in names}
    finally:
        connection.close()


def _hidden(folder) -> list[str]:
    """Hidden files in ``folder``: a backup's partial file or plain temporary copy left behind."""
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture
def live(tmp_path):
    """A SQLite database holding a person with two versions of a profile, and a file holding a passphrase."""
    url = f"sqlite:///{tmp_path}/live.sqlite"
    store = open_store(url)
    store.add_person("Zebedee Quist", "Willow Mews", by="ann", ref="ZQ-7731")
    first = store.open_person_document(PROFILE, "ZQ-7731", user="sam",
                                       new_content={"person": "Zebedee Quist", "likes": "rides the number 9 bus"})
    store.save_document(first.document_id, {"person": "Zebedee Quist", "likes": "rides the number 9 bus daily"},
                        first.version, saved_by="sam")
    store.dispose()
    secret = tmp_path / "passphrase"
    secret.write_text(PASSPHRASE + "\n", encoding="utf-8")
    return url, secret


def test_an_encrypted_backup_holds_no_readable_name_and_verifies_and_restores_with_every_row(tmp_path, live, capsys):
    url, secret = live
    plain, sealed = tmp_path / "plain.pcpbackup", tmp_path / "night.pcpbackup.age"
    assert cli.main(["backup", "--out", str(plain), "--db", url]) == 0
    assert cli.main(["backup", "--out", str(sealed), "--encrypt", "--passphrase-file", str(secret), "--db", url]) == 0
    assert "encrypted in the age format" in capsys.readouterr().out
    assert sealed.stat().st_mode & 0o777 == 0o600
    assert all(text in plain.read_bytes() for text in SECRETS)  # the scan finds them where they are plain
    assert not any(text in sealed.read_bytes() for text in SECRETS)
    assert _hidden(tmp_path) == []  # no plain copy or partial file left beside the database or the backup

    assert cli.main(["backup", "--verify", str(sealed), "--passphrase-file", str(secret)]) == 0
    assert "holding 1 tool document and 2 versions; it can be restored" in capsys.readouterr().out
    restored = tmp_path / "new-machine.sqlite"
    assert cli.main(["restore", str(sealed), "--db", f"sqlite:///{restored}", "--passphrase-file",
                     str(secret)]) == 0
    capsys.readouterr()
    rows = _rows(restored)
    assert rows == _rows(tmp_path / "live.sqlite") and len(rows["document_versions"]) == 2
    assert rows["people"] and len(rows) > 10  # every table, not an empty match
    reopened = open_store(f"sqlite:///{restored}")
    try:
        entry = reopened.access_log()[-1]
        assert (entry.action, entry.detail.split("/")[-1].split(" ")[0]) == ("restored", "night.pcpbackup.age")
    finally:
        reopened.dispose()


def test_an_encrypted_backup_is_standard_age_that_age_itself_decrypts(tmp_path, live):
    """The file is age's own format (scrypt recipient), decrypted here by pyrage directly, not through pcp: the
    `age` tool or any other age implementation can open it with the passphrase."""
    from pyrage import passphrase as age

    url, _ = live
    sealed = tmp_path / "night.age"
    backup.backup(url, sealed, by="ann", passphrase=PASSPHRASE)
    data = sealed.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n-> scrypt ")
    opened = tmp_path / "opened.sqlite"
    opened.write_bytes(age.decrypt(data, PASSPHRASE))
    assert _rows(opened) == _rows(tmp_path / "live.sqlite")


@pytest.mark.skipif(shutil.which("age") is None or sys.platform == "win32",
                    reason="the age tool is not installed (apt-get install age)")
def test_the_age_tool_itself_decrypts_an_encrypted_backup(tmp_path, live):
    """What the README promises: `age -d` opens the file with the passphrase (typed at its terminal prompt, as
    age reads passphrases only from a terminal) and gives back the plain backup, which pcp restores."""
    import pty

    url, _ = live
    sealed, opened = tmp_path / "night.age", tmp_path / "night.pcpbackup"
    backup.backup(url, sealed, by="ann", passphrase=PASSPHRASE)
    child, terminal = pty.fork()
    if child == 0:  # pragma: no cover (the child process)
        os.execvp("age", ["age", "-d", "-o", str(opened), str(sealed)])
    said = b""
    while b"passphrase" not in said.lower():
        try:
            said += os.read(terminal, 1024)
        except OSError:  # age ended without asking
            break
    os.write(terminal, PASSPHRASE.encode() + b"\n")
    with contextlib.suppress(OSError):
        while os.read(terminal, 1024):
            pass
    assert os.waitpid(child, 0)[1] == 0, said
    assert backup.read_backup(opened).versions == 2
    backup.restore(opened, f"sqlite:///{tmp_path}/new.sqlite", by="bo")
    assert _rows(tmp_path / "new.sqlite") == _rows(tmp_path / "live.sqlite")


def test_a_wrong_passphrase_or_a_damaged_encrypted_file_is_one_sentence_and_nothing_is_restored(
        tmp_path, live, capsys, monkeypatch):
    url, secret = live
    sealed = tmp_path / "night.age"
    backup.backup(url, sealed, by="ann", passphrase=PASSPHRASE)
    data = sealed.read_bytes()
    truncated, header_only, flipped = tmp_path / "truncated.age", tmp_path / "header.age", tmp_path / "flipped.age"
    truncated.write_bytes(data[:len(data) // 2])
    header_only.write_bytes(data[:40])
    flipped.write_bytes(data[:-100] + bytes([data[-100] ^ 1]) + data[-99:])
    target = tmp_path / "empty.sqlite"
    open_store(f"sqlite:///{target}").dispose()  # pcp's tables, no rows: a restore may go here
    expected = {(sealed, "a wrong passphrase!"): "The passphrase does not open",
                (truncated, PASSPHRASE): "is damaged or incomplete", (header_only, PASSPHRASE): "is damaged",
                (flipped, PASSPHRASE): "is damaged or incomplete", (sealed, None): "is an encrypted backup"}
    for (path, passphrase), sentence in expected.items():
        if passphrase is None:
            monkeypatch.delenv(backup.PASSPHRASE_ENV, raising=False)
        else:
            monkeypatch.setenv(backup.PASSPHRASE_ENV, passphrase)
        for command in (["restore", str(path), "--db", f"sqlite:///{target}"], ["backup", "--verify", str(path)]):
            assert cli.main(command) == 2
            error = capsys.readouterr().err
            assert sentence in error and error.startswith("pcp: ") and error.count("\n") == 1, error
            assert PASSPHRASE not in error
        assert backup._tables_with_rows(target) == []
    assert _hidden(tmp_path) == []  # no plain copy left beside the target
    monkeypatch.setenv(backup.PASSPHRASE_FILE_ENV, str(secret))  # the right one, from the environment
    monkeypatch.setenv(backup.PASSPHRASE_ENV, "a wrong passphrase!")  # the file named wins over the value
    assert cli.main(["restore", str(sealed), "--db", f"sqlite:///{target}"]) == 0
    assert len(_rows(target)["document_versions"]) == 2


def test_a_passphrase_on_the_command_line_or_a_short_one_is_refused_and_no_file_is_written(
        tmp_path, live, capsys, monkeypatch):
    url, _ = live
    out = tmp_path / "night.age"
    short = tmp_path / "short"
    short.write_text("tiny words", encoding="utf-8")
    monkeypatch.delenv(backup.PASSPHRASE_ENV, raising=False)
    monkeypatch.delenv(backup.PASSPHRASE_FILE_ENV, raising=False)
    commands = {
        ("backup", "--out", str(out), "--encrypt", "--passphrase", PASSPHRASE, "--db", url):
            "pcp backup takes no passphrase on the command line",
        ("backup", "--out", str(out), "--encrypt", f"--passphrase={PASSPHRASE}", "--db", url):
            "pcp backup takes no passphrase on the command line",
        ("restore", str(tmp_path / "x.age"), "--passphrase", PASSPHRASE, "--db", f"sqlite:///{tmp_path}/new.sqlite"):
            "pcp restore takes no passphrase on the command line",
        ("backup", "--out", str(out), "--encrypt", "--passphrase-file", str(short), "--db", url):
            "at least 12 characters",
        ("backup", "--out", str(out), "--encrypt", "--db", url): "pcp backup --encrypt needs a passphrase",
        ("backup", "--out", str(out), "--passphrase-file", str(short), "--db", url): "Add --encrypt",
    }
    for command, sentence in commands.items():
        assert cli.main(list(command)) == 2
        error = capsys.readouterr().err
        assert sentence in error and error.count("\n") == 1 and PASSPHRASE not in error, error
    assert _hidden(tmp_path) == [] and not out.exists()


def _pg_rows(url) -> dict[str, list[tuple]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {name: [tuple(row) for row in connection.exec_driver_sql(f'SELECT * FROM "{name}" ORDER BY 1')]
                    for name in ("people", "documents", "document_versions", "user_services", "users")}
    finally:
        engine.dispose()


def test_an_encrypted_pg_dump_restores_every_row_and_a_wrong_passphrase_leaves_the_target_empty(
        tmp_path, postgres_url, capsys, monkeypatch):
    """The same encryption wraps a PostgreSQL backup (pg_dump's archive); runs when PCP_TEST_POSTGRES_URL is set."""
    from pyrage import passphrase as age

    store = open_store(postgres_url)
    store.add_person("Zebedee Quist", "Willow Mews", by="ann", ref="ZQ-7731")
    first = store.open_person_document(PROFILE, "ZQ-7731", user="sam", new_content={"person": "Zebedee Quist"})
    store.save_document(first.document_id, {"person": "Zebedee Quist", "likes": "rides the number 9 bus"},
                        first.version, saved_by="sam")
    store.dispose()
    sealed = tmp_path / "night.dump.age"
    made = backup.backup(postgres_url, sealed, by="ann", passphrase=PASSPHRASE)
    assert (made.kind, made.encrypted, made.versions) == ("postgresql", True, 2)
    assert sealed.stat().st_mode & 0o777 == 0o600 and _hidden(tmp_path) == []
    data = sealed.read_bytes()
    assert not any(text in data for text in SECRETS)
    assert age.decrypt(data, PASSPHRASE).startswith(backup.PG_DUMP_HEADER)  # a pg_dump archive inside standard age
    with fresh_database() as target:
        monkeypatch.setenv(backup.PASSPHRASE_ENV, "a wrong passphrase!")
        assert cli.main(["restore", str(sealed), "--db", target]) == 2
        assert "The passphrase does not open" in capsys.readouterr().err
        assert backup._pg_tables_with_rows(target) == []
        monkeypatch.setenv(backup.PASSPHRASE_ENV, PASSPHRASE)
        assert cli.main(["backup", "--verify", str(sealed)]) == 0
        assert "encrypted in the age format with a passphrase, a pg_dump archive" in capsys.readouterr().out
        assert cli.main(["restore", str(sealed), "--db", target]) == 0
        rows = _pg_rows(target)
        assert rows == _pg_rows(postgres_url) and len(rows["document_versions"]) == 2


def test_an_encrypted_backup_that_does_not_decrypt_back_is_never_put_in_place(tmp_path, live, monkeypatch):
    """Encryption that went wrong (here, its output cut short) is caught by decrypting the file back before it
    is renamed: no file under the name asked for, and no plain copy left."""
    from pyrage import passphrase as age

    url, _ = live
    whole = age.encrypt
    monkeypatch.setattr(age, "encrypt", lambda data, passphrase: whole(data, passphrase)[:-64])
    with pytest.raises(backup.BackupError, match="damaged or incomplete"):
        backup.backup(url, tmp_path / "night.age", by="ann", passphrase=PASSPHRASE)
    assert not (tmp_path / "night.age").exists() and _hidden(tmp_path) == []


def test_what_restore_prints_about_the_database_never_holds_its_password():
    from pcp_widgets.store import describe_database

    said = describe_database("postgresql+psycopg://pcp_user:hunter2-secret@db-host/pcp")
    assert "hunter2-secret" not in said and "db-host/pcp" in said
    assert describe_database("sqlite:////srv/pcp/pcp.sqlite") == "SQLite file /srv/pcp/pcp.sqlite"
