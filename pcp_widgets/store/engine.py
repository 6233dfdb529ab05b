"""Which database to use, and how to connect to it safely.

The default is a SQLite file in the user's data folder, in WAL mode so that a page can
read while an import writes. Any SQLAlchemy URL works through ``--db`` or ``PCP_DB``;
PostgreSQL (the ``postgres`` extra) is the choice for a shared server.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa
from platformdirs import user_data_path

from pcp_widgets.errors import DatabaseError

APP_NAME = "pcp-workbook"
DEFAULT_FILE_NAME = "pcp.sqlite"
#: How long a writer waits for another writer (an import in another window) before giving up.
SQLITE_BUSY_TIMEOUT_MS = 30_000
#: Page cache per connection; a large import's pages then stay in memory until it commits.
SQLITE_CACHE_KIB = 64 * 1024


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
        folder = Path(url.database).expanduser().parent
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise DatabaseError(f"cannot create the folder {folder} for the database: {error.strerror}.") from None
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
        cursor.close()

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN")

    return engine
