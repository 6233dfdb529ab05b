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

PostgreSQL has its own tools for this (``pg_dump`` / ``pg_restore``, see the README).
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from pcp_widgets.errors import PcpError
from pcp_widgets.store import migrate
from pcp_widgets.store.engine import SQLITE_BUSY_TIMEOUT_MS, create_private_file, describe_url

SQLITE_HEADER = b"SQLite format 3\x00"
#: The table a backup carries to say it is one (dropped again by a restore).
MARKER = "pcp_backup"


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

    def describe(self) -> str:
        made = f"made {self.made_at[:16].replace('T', ' ')} UTC by {self.made_by}, " if self.made_at else ""
        return (f"{self.path}: a pcp backup ({made}schema {self.schema}) holding {self.documents} tool "
                f"document{'' if self.documents == 1 else 's'} and {self.versions} version"
                f"{'' if self.versions == 1 else 's'}")


def sqlite_path(url) -> Path:
    """The file of a SQLite URL, or one sentence saying what to use for any other database."""
    parsed = sa.make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(f"pcp backup and pcp restore work on SQLite files; for the {parsed.get_backend_name()} "
                          "database use its own tools (pg_dump and pg_restore; see the README).")
    if parsed.database in (None, "", ":memory:") or parsed.database.startswith("file:"):
        raise BackupError("pcp backup and pcp restore need a SQLite file, not a database in memory.")
    return Path(parsed.database).expanduser()


def backup(url, out, *, by: str) -> BackupInfo:
    """Copy the SQLite database at ``url`` to the file ``out`` (owner-only), safely while others write."""
    source_path, out = sqlite_path(url), Path(out).expanduser()
    if not source_path.is_file():
        raise BackupError(f"There is no database at {source_path} to back up.")
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
    try:
        source = sqlite3.connect(f"{source_path.resolve().as_uri()}?mode=rw", uri=True,
                                 timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        target = sqlite3.connect(partial, isolation_level=None)
        try:
            source.backup(target)  # one step: one consistent snapshot
            target.execute("PRAGMA journal_mode = DELETE")
            schema = _schema(target)
            made_at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
            target.execute(f"CREATE TABLE {MARKER} (made_at TEXT NOT NULL, made_by TEXT NOT NULL, schema TEXT)")
            target.execute(f"INSERT INTO {MARKER} VALUES (?, ?, ?)", (made_at, by, schema))
            _check_integrity(target, out)
        finally:
            target.close()
            source.close()
        with open(partial, "rb+") as written:
            os.fsync(written.fileno())
        os.replace(partial, out)
    except sqlite3.Error as error:
        raise BackupError(f"The backup of {source_path} could not be made: {error}.") from None
    finally:
        partial.unlink(missing_ok=True)
    made = read_backup(out)
    _log(url, by, "exported", f"a backup of the whole database to {out.resolve()}")
    return made


def read_backup(path) -> BackupInfo:
    """What a backup file holds, after checking it is an undamaged pcp database this pcp can read."""
    path = Path(path).expanduser()
    try:
        with open(path, "rb") as file:
            header = file.read(len(SQLITE_HEADER))
    except OSError as error:
        raise BackupError(f"The backup {path} cannot be read: {error.strerror}.") from None
    if header != SQLITE_HEADER:
        raise BackupError(f"{path} is not a pcp backup: it is not a SQLite database file.")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _check_integrity(connection, path)
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if not {"alembic_version", "documents", "document_versions"} <= tables:
                raise BackupError(f"{path} is a SQLite database but not a pcp backup.")
            schema = _schema(connection)
            made_at = made_by = None
            if MARKER in tables:
                made_at, made_by = connection.execute(f"SELECT made_at, made_by FROM {MARKER}").fetchone()
            documents = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
            versions = connection.execute("SELECT count(*) FROM document_versions").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error as error:
        raise BackupError(f"{path} is not a pcp backup, or is damaged ({error}).") from None
    if schema not in migrate.known_revisions():
        raise BackupError(f"{path} was made by a newer version of pcp (schema {schema}); update pcp to restore it.")
    return BackupInfo(path, schema, made_at, made_by, documents, versions)


def restore(path, url, *, by: str) -> BackupInfo:
    """Copy the backup ``path`` into the empty SQLite database at ``url`` and upgrade it to this pcp's schema."""
    info = read_backup(path)
    target_path = sqlite_path(url)
    holding = _tables_with_rows(target_path)
    if holding:
        raise BackupError(f"{describe_url(sa.make_url(url))} already holds data ({', '.join(holding[:3])}); "
                          "pcp restore writes only into an empty database, so give --db a new file.")
    create_private_file(target_path)
    source = sqlite3.connect(f"{info.path.resolve().as_uri()}?mode=ro", uri=True)
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
    _log(url, by, "restored", f"the whole database from the backup {info.path.resolve()}"
                              + (f" made {info.made_at} by {info.made_by}" if info.made_at else ""))
    return info


def _log(url, by: str, action: str, detail: str) -> None:
    """An access-log entry in the database at ``url`` (opening it upgrades an older schema, as any pcp
    command does): a backup reads, and a restore writes, every person's record."""
    from pcp_widgets.store import open_store

    store = open_store(str(url))
    try:
        store.log_access(by, action, None, detail)
    finally:
        store.dispose()


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
