"""Which database to use, and how to connect to it safely.

The default is a SQLite file in the user's data folder, in WAL mode so that a page can
read while an import writes. Any SQLAlchemy URL works through ``--db`` or ``PCP_DB``;
PostgreSQL (the ``postgres`` extra) is the choice for a shared server.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading
from pathlib import Path

import sqlalchemy as sa
from platformdirs import user_data_path

from pcp_widgets.environment import APP_NAME
from pcp_widgets.errors import DatabaseError

DEFAULT_FILE_NAME = "pcp.sqlite"
#: How long a writer waits for another writer (an import in another window) before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Page cache per connection; a large import's pages then stay in memory until it commits.
SQLITE_CACHE_KIB = 64 * 1024
#: Seconds the background checkpoint thread waits for more writes before it ends (see Checkpointer).
CHECKPOINT_IDLE_SECONDS = 5.0


def default_url() -> str:
    """``$PCP_DB`` if set, else the SQLite file in this user's data folder."""
    if url := os.environ.get("PCP_DB", "").strip():
        return url
    return f"sqlite:///{user_data_path(APP_NAME) / DEFAULT_FILE_NAME}"


def describe_url(url: sa.URL) -> str:
    """A description safe to print: the SQLite file's path, or the URL without its password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}" if url.database not in (None, "", ":memory:") else "SQLite in memory"
    return f"{url.get_backend_name()} database {url.render_as_string(hide_password=True)}"


def create_engine(url: str) -> sa.Engine:
    """An engine for ``url`` with our connection settings, or a :class:`DatabaseError` sentence."""
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise DatabaseError(
            f"{url!r} is not a database URL; use a form such as sqlite:///path/to/pcp.sqlite "
            "or postgresql+psycopg://user@host/dbname."
        ) from None
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_engine(parsed)
    if parsed.get_backend_name() == "postgresql" and parsed.get_driver_name() in ("psycopg2", "default"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return sa.create_engine(parsed, pool_pre_ping=True)
    except (ImportError, sa.exc.NoSuchModuleError):
        raise DatabaseError(
            f"pcp cannot talk to a {parsed.get_backend_name()} database: install its driver "
            "(for PostgreSQL: pip install 'pcp-workbook[postgres]')."
        ) from None


def _sqlite_engine(url: sa.URL) -> sa.Engine:
    if url.database and url.database != ":memory:" and not url.database.startswith("file:"):
        create_private_file(Path(url.database).expanduser())
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        # Let SQLAlchemy, not the sqlite3 module, decide where transactions begin, so that
        # migrations and imports are truly atomic (SQLAlchemy's documented recipe).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA wal_autocheckpoint = 0")  # the Store's Checkpointer does it instead
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")

    return engine


def create_private_file(path: Path) -> None:
    """Make the SQLite file ``path`` (empty, which SQLite takes as a new database) readable by its owner only,
    in a folder of its own only the owner may enter, when we create them; SQLite gives its -wal and -shm
    files the database file's mode. A file or folder that is already there keeps the mode its owner chose."""
    folder = path.parent
    try:
        if not folder.is_dir():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    except OSError as error:
        raise DatabaseError(f"cannot create the database {path}: {error.strerror}.") from None
    try:
        if hasattr(os, "fchmod"):  # POSIX; elsewhere the folder's own permissions apply
            os.fchmod(descriptor, 0o600)  # whatever the umask
    finally:
        os.close(descriptor)


def sqlite_checkpointer(engine: sa.Engine) -> Checkpointer | None:
    """The Checkpointer for a SQLite file's engine; None for any other database."""
    database = engine.url.database
    if engine.dialect.name != "sqlite" or database in (None, "", ":memory:") or database.startswith("file:"):
        return None
    return Checkpointer(os.path.abspath(database))


class Checkpointer:
    """Copies a SQLite database's write-ahead log into the database file, in a background thread.

    SQLite otherwise makes the copy inside whichever commit takes the log past 1000 pages:
    during an import that is every file, and the importing process (which everything else
    waits for) stood still for it, about a fifth of its time. Here the copy is asked for after
    each write and made on a connection of its own, in a thread (SQLite works outside Python's
    global lock), without waiting for any lock (PASSIVE): reads and the next write carry on.
    The last copy asked for is made before the process exits (as the commit used to make
    it), so a command's writes are in the database file, synced, when it returns.
    """

    def __init__(self, path: str):
        self.path = path
        self._wanted = threading.Event()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._stopping = False
        atexit.register(self.close)

    def request(self) -> None:
        with self._lock:
            if self._thread is None:
                self._stopping = False
                self._thread = threading.Thread(target=self._run, name="pcp-sqlite-checkpoint", daemon=True)
                self._thread.start()
            self._wanted.set()

    def close(self) -> None:
        """Make the copy last asked for, then stop the thread."""
        with self._lock:
            thread = self._thread
            self._stopping = True
            self._wanted.set()
        if thread is not None:
            thread.join()

    def _run(self) -> None:
        connection = _open_existing(self.path)
        try:
            while True:
                copy, last = self._next()
                if copy and connection is not None:
                    try:
                        connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
                    except sqlite3.Error:
                        pass  # the next write asks again; until then the log holds the data safely
                if last:
                    return
        finally:
            if connection is not None:
                connection.close()

    def _next(self) -> tuple[bool, bool]:
        """Wait for a request: (whether to copy, whether this thread then ends: closing, or idle a while)."""
        asked = self._wanted.wait(CHECKPOINT_IDLE_SECONDS)
        with self._lock:
            asked = asked or self._wanted.is_set()
            self._wanted.clear()
            last = self._stopping or not asked
            if last:
                self._thread = None  # the next request starts another thread
            return asked, last


def _open_existing(path: str) -> sqlite3.Connection | None:
    """A connection to the database file if it is still there (never a new, empty one)."""
    try:
        return sqlite3.connect(f"{Path(path).as_uri()}?mode=rw", uri=True, isolation_level=None,
                               timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
    except sqlite3.Error:
        return None
