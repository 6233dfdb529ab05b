"""Backups of a SQLite store taken while pages write, and restores into an empty database.

A backup is made with SQLite's online backup API (``sqlite3.Connection.backup``) in one step: the copy
is read inside one read transaction, so it is the database exactly as it stood when the step began
(every commit before it, none after), while pages go on writing to the write-ahead log. The copy is
written to a hidden file beside the target, made readable by its owner only (0600) before a byte is
written, switched out of WAL mode so it is one self-contained file, stamped with a ``pcp_backup`` table
(when, by whom, which schema), checked with ``PRAGMA integrity_check`` and only then renamed into place:
a failed backup never leaves a half-written file under the name asked for.

A restore checks the file first (a SQLite file, undamaged, a pcp database at a schema this pcp knows),
refuses a target that holds any rows, copies the backup in with the same API and opens the result as a
store, which upgrades an older schema with the usual migrations.

A PostgreSQL database is backed up with its own tool, ``pg_dump`` (one consistent snapshot, safe while pages
write), in its custom format, and restored with ``pg_restore`` under the same rules: the file is checked first
(``pg_restore --list`` reads its table of contents; its schema version and counts come from its data), the
target must hold no rows, and the backup and the restore are logged. The file is owner-only here too. The
password, if the URL has one, reaches the tools in their environment (``PGPASSWORD``), never on a command line
every account on the computer can read.

``--encrypt`` wraps either kind of backup in the standard age format (https://age-encryption.org/v1) with a
passphrase (its key stretched by scrypt), through pyrage, the Python binding of rage (Rust's age), rather than a
cipher of our own: anyone can decrypt it with the ``age`` tool, and a wrong passphrase or a changed byte is
refused, never half-read. pyrage encrypts whole byte strings in memory (about three times the backup's size at
the peak). The plain backup is made in an owner-only temporary file (beside the SQLite database it copies, else
in the system's temporary folder), encrypted into the owner-only file beside the target, decrypted back and
checked like a plain one, and only then renamed into place; the plain copy is removed. A restore or a check
decrypts into an owner-only temporary file the same way, so nothing is written to the target database until
the passphrase has opened the whole file and it has been checked.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa

from pcp_widgets.errors import PcpError
from pcp_widgets.store import access_log, migrate
from pcp_widgets.store.engine import SQLITE_BUSY_TIMEOUT_MS, create_engine, create_private_file, describe_url

SQLITE_HEADER = b"SQLite format 3\x00"
#: The first bytes of a pg_dump custom-format archive.
PG_DUMP_HEADER = b"PGDMP"
#: The table a backup carries to say it is one (dropped again by a restore).
MARKER = "pcp_backup"
#: The first line of a file in the age format, and of one in its ASCII armour.
AGE_HEADERS = (b"age-encryption.org/v1\n", b"-----BEGIN AGE ENCRYPTED FILE-----")
#: Shorter passphrases are refused when a backup is encrypted: the file may travel, and scrypt only slows guessing.
MIN_PASSPHRASE = 12
PASSPHRASE_ENV, PASSPHRASE_FILE_ENV = "PCP_BACKUP_PASSPHRASE", "PCP_BACKUP_PASSPHRASE_FILE"


class BackupError(PcpError):
    exit_code = 2


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    schema: str
    made_at: str | None  # ISO time in UTC; None for a plain copy of a pcp database
    made_by: str | None
    documents: int
    versions: int
    kind: str = "sqlite"  # or "postgresql": a pg_dump archive
    encrypted: bool = False  # in the age format, with a passphrase

    def describe(self) -> str:
        made = (f"made {self.made_at[:16].replace('T', ' ')} UTC" + (f" by {self.made_by}" if self.made_by else "")
                + ", ") if self.made_at else ""
        archive = "a pg_dump archive, " if self.kind == "postgresql" else ""
        sealed = "encrypted in the age format with a passphrase, " if self.encrypted else ""
        return (f"{self.path}: a pcp backup ({sealed}{archive}{made}schema {self.schema}) holding {self.documents} "
                f"tool document{'' if self.documents == 1 else 's'} and {self.versions} version"
                f"{'' if self.versions == 1 else 's'}")


def is_postgresql(url) -> bool:
    return sa.make_url(url).get_backend_name() == "postgresql"


def sqlite_path(url) -> Path:
    """The file of a SQLite URL, or one sentence saying which databases pcp backs up."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(f"pcp backup and pcp restore work on SQLite files and PostgreSQL databases, not on a "
                          f"{parsed.get_backend_name()} database; use its own tools.")
    if parsed.database in (None, "", ":memory:") or parsed.database.startswith("file:"):
        raise BackupError("pcp backup and pcp restore need a SQLite file, not a database in memory.")
    return Path(parsed.database).expanduser()


def backup(url, out, *, by: str, passphrase: str | None = None) -> BackupInfo:
    """Copy the database at ``url`` to the file ``out`` (owner-only), safely while others write; encrypted in
    the age format with ``passphrase`` if one is given."""
    out = Path(out).expanduser()
    if passphrase is not None:
        check_passphrase(passphrase)
    source_path = None if is_postgresql(url) else sqlite_path(url)
    if source_path is not None and not source_path.is_file():
        raise BackupError(f"There is no database at {source_path} to back up.")
    partial = _private_partial(out)
    try:
        if passphrase is None:
            _write_backup(url, source_path, partial, shown=out, by=by)
        else:
            with _private_temporary(near=source_path) as plain:
                _write_backup(url, source_path, plain, shown=out, by=by)
                _encrypt(plain, partial, passphrase)
        made = read_backup(partial, passphrase, shown=out)  # decrypted back, and checked, before it is renamed
        _put_in_place(partial, out)
    finally:
        partial.unlink(missing_ok=True)
    _log(url, by, "exported", f"a backup of the whole database to {out.resolve()}"
                              + (", encrypted with a passphrase" if passphrase is not None else ""))
    return made


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to encrypt with: an encrypted backup may leave the building, and scrypt
    only slows the guessing of a short one down. (Decrypting takes any: the file says if it opens.)"""
    if len(passphrase) < MIN_PASSPHRASE:
        raise BackupError(f"The passphrase is too short to protect a backup that may travel: use at least "
                          f"{MIN_PASSPHRASE} characters (several unrelated words are easy to type and hard to guess).")


def _write_backup(url, source_path: Path | None, file: Path, *, shown: Path, by: str) -> None:
    """The plain backup of ``url`` written into the existing owner-only ``file``."""
    if source_path is None:  # PostgreSQL: pg_dump reads one consistent snapshot
        target, environment = _pg_connection(url)
        _run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={file}",
              f"--dbname={target}"], environment, f"The backup of {describe_url(sa.make_url(url))} could not be made")
        return
    try:
        source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=rw", uri=True,
                                 timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        target = sqlite3.connect(file, isolation_level=None)
        try:
            source.backup(target)  # one step: one consistent snapshot
            target.execute("PRAGMA journal_mode = DELETE")
            schema = _schema(target)
            made_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            target.execute(f"CREATE TABLE {MARKER} (made_at TEXT NOT NULL, made_by TEXT NOT NULL, schema TEXT)")
            target.execute(f"INSERT INTO {MARKER} VALUES (?, ?, ?)", (made_at, by, schema))
            _check_integrity(target, shown)
        finally:
            target.close()
            source.close()
    except sqlite3.Error as error:
        raise BackupError(f"The backup of {source_path} could not be made: {error}.") from None


@contextlib.contextmanager
def _private_temporary(near: Path | None) -> Iterator[Path]:
    """An empty owner-only file for a plain copy of a backup, removed afterwards: beside ``near`` (a database
    that holds the same data anyway), else in the system's temporary folder ($TMPDIR)."""
    try:
        descriptor, name = tempfile.mkstemp(prefix=".pcp-backup-", suffix=".part",
                                            dir=near.parent if near is not None else None)
    except OSError as error:
        raise BackupError(f"No temporary file could be made for the backup: {error.strerror}.") from None
    os.close(descriptor)  # mkstemp made it readable by its owner only
    try:
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def _encrypt(plain: Path, encrypted: Path, passphrase: str) -> None:
    from pyrage import EncryptError, passphrase as age

    try:
        sealed = age.encrypt(plain.read_bytes(), passphrase)
    except EncryptError as error:
        raise BackupError(f"The backup could not be encrypted: {error}.") from None
    with open(encrypted, "wb") as file:  # the owner-only file made for it; opening it keeps its mode
        file.write(sealed)


def _decrypt(path: Path, passphrase: str | None, plain: Path) -> None:
    """The age file ``path`` decrypted whole into ``plain``, or one sentence (nothing is written if it fails)."""
    from pyrage import DecryptError, passphrase as age

    if passphrase is None:
        raise BackupError(f"{path} is an encrypted backup: give its passphrase in a file readable only by you "
                          f"with --passphrase-file FILE, or set ${PASSPHRASE_ENV} or ${PASSPHRASE_FILE_ENV}.")
    try:
        opened = age.decrypt(path.read_bytes(), passphrase)
    except OSError as error:
        raise BackupError(f"The backup {path} cannot be read: {error.strerror}.") from None
    except DecryptError as error:
        if str(error) == "Decryption failed":  # what age says when the passphrase does not open the header
            raise BackupError(f"The passphrase does not open {path}: it is not the one the backup was encrypted "
                              "with.") from None
        raise BackupError(f"{path} is damaged or incomplete: it could not be decrypted ({error}).") from None
    with open(plain, "wb") as file:
        file.write(opened)


def _put_in_place(partial: Path, out: Path) -> None:
    """The finished backup on disk (synced), then under the name asked for, in one rename."""
    with open(partial, "rb+") as written:
        os.fsync(written.fileno())
    os.replace(partial, out)


def _private_partial(out: Path) -> Path:
    """An empty owner-only file beside ``out``, for the backup to be written into before it is renamed."""
    if not out.parent.is_dir():
        raise BackupError(f"The folder {out.parent} does not exist; make it first or choose another --out.")
    partial = out.with_name(f".{out.name}.{os.getpid()}.part")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        if hasattr(os, "fchmod"):
            os.fchmod(descriptor, 0o600)
        os.close(descriptor)
    except OSError as error:
        raise BackupError(f"The backup cannot be written to {out.parent}: {error.strerror}.") from None
    return partial


def read_backup(path, passphrase: str | None = None, *, shown: Path | None = None) -> BackupInfo:
    """What a backup file holds, after checking it is an undamaged pcp database this pcp can read (decrypted
    with ``passphrase`` first if it is encrypted). Sentences name ``shown`` (the file asked for) if given."""
    path = Path(path).expanduser()
    with _plain_backup(path, passphrase, shown=shown) as (_, info):
        return info


@contextlib.contextmanager
def _plain_backup(path: Path, passphrase: str | None, *, shown: Path | None = None,
                  near: Path | None = None) -> Iterator[tuple[Path, BackupInfo]]:
    """The backup at ``path`` as a plain file to read (itself, or decrypted into an owner-only temporary file
    beside ``near`` or in the system's temporary folder, removed afterwards), and what it holds."""
    shown = shown or path
    if not _is_encrypted(path, shown):
        yield path, _read_plain(path, shown)
        return
    with _private_temporary(near) as plain:
        _decrypt(path, passphrase, plain)
        yield plain, dataclasses.replace(_read_plain(plain, shown), path=shown, encrypted=True)


def _is_encrypted(path: Path, shown: Path) -> bool:
    try:
        with open(path, "rb") as file:
            header = file.read(max(len(header) for header in AGE_HEADERS))
    except OSError as error:
        raise BackupError(f"The backup {shown} cannot be read: {error.strerror}.") from None
    return header.startswith(AGE_HEADERS)


def _read_plain(path: Path, shown: Path) -> BackupInfo:
    """What the plain backup file ``path`` holds; sentences name it ``shown``."""
    try:
        with open(path, "rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"The backup {shown} cannot be read: {error.strerror}.") from None
    if header.startswith(PG_DUMP_HEADER):
        return _pg_read_backup(path, shown)
    if header != SQLITE_HEADER:
        raise BackupError(f"{shown} is not a pcp backup: it is not a SQLite database file or a pg_dump archive.")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _check_integrity(connection, shown)
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "documents", "document_versions"} <= tables:
                raise BackupError(f"{shown} is a SQLite database but not a pcp backup.")
            schema = _schema(connection)
            made_at = made_by = None
            if MARKER in tables:
                made_at, made_by = connection.execute(f"SELECT made_at, made_by FROM {MARKER}").fetchone()
            documents = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
            versions = connection.execute("SELECT count(*) FROM document_versions").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise BackupError(f"{shown} is not a pcp backup, or is damaged ({error}).") from None
    if schema not in migrate.known_revisions():
        raise BackupError(f"{shown} was made by a newer version of pcp (schema {schema}); update pcp to restore it.")
    return BackupInfo(shown, schema, made_at, made_by, documents, versions)


def restore(path, url, *, by: str, passphrase: str | None = None) -> BackupInfo:
    """Copy the backup ``path`` (decrypted with ``passphrase`` if it is encrypted) into the empty database at
    ``url`` and upgrade it to this pcp's schema."""
    path = Path(path).expanduser()
    target_path = None if is_postgresql(url) else sqlite_path(url)
    with _plain_backup(path, passphrase, near=target_path) as (plain, info):
        if (target_path is None) != (info.kind == "postgresql"):
            raise BackupError(f"{info.path} is a backup of a {_KIND_NAMES[info.kind]} database; restore it into a "
                              f"{_KIND_NAMES[info.kind]} database (pcp restore FILE --db URL).")
        if target_path is None:
            _pg_restore(plain, url)
        else:
            _sqlite_restore(plain, url, target_path)
    _log(url, by, "restored", f"the whole database from the backup {info.path.resolve()}"
                              + (f" made {info.made_at}" if info.made_at else "")
                              + (f" by {info.made_by}" if info.made_by else ""))
    return info


def _sqlite_restore(plain: Path, url, target_path: Path) -> None:
    holding = _tables_with_rows(target_path)
    if holding:
        raise BackupError(f"{describe_url(sa.make_url(url))} already holds data ({', '.join(holding[:3])}); "
                          "pcp restore writes only into an empty database, so give --db a new file.")
    create_private_file(target_path)
    source = sqlite3.connect(f"{plain.resolve().as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(target_path, isolation_level=None, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    try:
        source.backup(target)
        target.execute(f"DROP TABLE IF EXISTS {MARKER}")
        target.execute("PRAGMA journal_mode = WAL")
    except sqlite3.Error as error:
        raise BackupError(f"The backup could not be restored into {target_path}: {error}.") from None
    finally:
        target.close()
        source.close()


def _log(url, by: str, action: str, detail: str) -> None:
    """An access-log entry in the database at ``url`` (upgrading an older schema first, as opening it with
    any pcp command does): a backup reads, and a restore writes, every person's record. Written here, not
    through a Store, because pcp_widgets.store exports these functions: the package imports this module."""
    engine = create_engine(str(url))
    try:
        migrate.upgrade(engine)
        with engine.begin() as connection:
            access_log.append(connection, by, action, None, detail)
    finally:
        engine.dispose()


def _tables_with_rows(path: Path) -> list[str]:
    """The tables of the SQLite file at ``path`` that hold a row (none for a missing or empty file)."""
    if not path.exists() or path.stat().st_size == 0:
        return []
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            names = [row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
                "AND name != 'alembic_version' ORDER BY name")]
            return [name for name in names
                    if connection.execute(f'SELECT 1 FROM "{name}" LIMIT 1').fetchone() is not None]
        finally:
            connection.close()
    except sqlite3.Error:
        return [path.name]  # not a database we can read: certainly not an empty one


def _schema(connection: sqlite3.Connection) -> str:
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    return row[0] if row else ""


def _check_integrity(connection: sqlite3.Connection, path: Path) -> None:
    result = connection.execute("PRAGMA integrity_check").fetchone()[0]
    if result != "ok":
        raise BackupError(f"{path} is damaged (SQLite's integrity check says: {result}).")


# -- PostgreSQL: pg_dump and pg_restore ---------------------------------------------------------------------

_KIND_NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
#: Tables whose rows a backup must have for it to be a pcp database.
_PCP_TABLES = ("alembic_version", "documents", "document_versions")


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(f"{name} is not installed; it comes with PostgreSQL's client programs "
                          "(on Debian or Ubuntu: apt-get install postgresql-client).")
    return found


def _pg_connection(url) -> tuple[str, dict]:
    """A libpq URI for the database at ``url`` without its password, and an environment holding the password."""
    parsed = sa.make_url(url)
    environment = dict(os.environ, TZ="UTC")  # pg_dump stamps the archive in local time: make that UTC
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def _run(command: list[str], environment: dict | None, failing: str) -> str:
    """Run a PostgreSQL tool; its last error line in one sentence if it fails."""
    try:
        done = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    except OSError as error:
        raise BackupError(f"{failing}: {error.strerror}.") from None
    if done.returncode != 0:
        lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
        reason = (lines[-1] if lines else f"exit code {done.returncode}").removeprefix(
            f"{Path(command[0]).name}: ").removeprefix("error: ").rstrip(".")
        raise BackupError(f"{failing}: {reason}.")
    return done.stdout


def _pg_read_backup(path: Path, shown: Path) -> BackupInfo:
    """What a pg_dump archive holds: its table of contents read by pg_restore, its schema and counts from its data."""
    restore_tool = _pg_tool("pg_restore")
    failing = f"{shown} is not a pcp backup, or is damaged"
    contents = _run([restore_tool, "--list", str(path)], dict(os.environ, TZ="UTC"), failing)
    tables = set(re.findall(r"^\d+; \d+ \d+ TABLE DATA \S+ (\S+) ", contents, flags=re.MULTILINE))
    if not set(_PCP_TABLES) <= tables:
        raise BackupError(f"{shown} is a PostgreSQL archive but not a pcp backup.")
    made = re.search(r"^; Archive created at (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d)", contents, flags=re.MULTILINE)
    data = _run([restore_tool, "--data-only", *(f"--table={name}" for name in _PCP_TABLES), "--file=-",
                 str(path)], None, failing)
    rows = _copied_rows(data)
    schema = rows["alembic_version"][0] if rows["alembic_version"] else ""
    if schema not in migrate.known_revisions():
        raise BackupError(f"{shown} was made by a newer version of pcp (schema {schema}); update pcp to restore it.")
    return BackupInfo(shown, schema, f"{made[1]}T{made[2]}" if made else None, None,
                      len(rows["documents"]), len(rows["document_versions"]), kind="postgresql")


def _copied_rows(script: str) -> dict[str, list[str]]:
    """The data lines of each table's COPY block in a plain SQL dump, by table name (without its schema)."""
    rows: dict[str, list[str]] = {name: [] for name in _PCP_TABLES}
    current = None
    for line in script.splitlines():
        if current is None:
            started = re.match(r"COPY (?:\w+\.)?(\w+) ", line)
            if started:
                current = rows.setdefault(started[1], [])
        elif line == "\\.":
            current = None
        else:
            current.append(line)
    return rows


def _pg_tables_with_rows(url) -> list[str]:
    engine = create_engine(str(url))
    try:
        with engine.connect() as connection:
            names = sorted(name for name in sa.inspect(connection).get_table_names() if name != "alembic_version")
            return [name for name in names
                    if connection.exec_driver_sql(f'SELECT 1 FROM "{name}" LIMIT 1').first() is not None]
    except sa.exc.OperationalError as error:
        raise BackupError(f"Cannot open {describe_url(sa.make_url(url))}: {str(error.orig).strip()}") from None
    finally:
        engine.dispose()


def _pg_restore(archive: Path, url) -> None:
    """pg_restore the archive into the empty PostgreSQL database at ``url`` in one transaction, then upgrade it.

    pcp's own empty tables there (a database pcp opened but never wrote to) are replaced by the archive's
    (``--clean``); a database holding any row is refused before anything is changed."""
    holding = _pg_tables_with_rows(url)
    if holding:
        raise BackupError(f"{describe_url(sa.make_url(url))} already holds data ({', '.join(holding[:3])}); "
                          "pcp restore writes only into an empty database, so create a new one (createdb) and "
                          "give it to --db.")
    target, environment = _pg_connection(url)
    _run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction",
          "--exit-on-error", f"--dbname={target}", str(archive)], environment,
         f"The backup could not be restored into {describe_url(sa.make_url(url))}")
