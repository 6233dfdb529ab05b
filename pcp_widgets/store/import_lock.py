"""One import at a time per server: a row in the database that every page and process can see.

An import replaces stored rows, and two at once would each take the database's write lock file by
file, in turns, each slowing the other and leaving the people watching them unsure which import
stored what. So an import first inserts the row named "import" into ``import_locks``; the primary
key lets only one insert succeed, whichever process, kernel or machine makes it (a JupyterHub gives
every person their own server process; on Kubernetes they may be on different machines sharing one
PostgreSQL). Whoever finds the row already there is told who is importing and since when.

The row is removed when the import ends, however it ends. A process that died while holding it
(a kernel killed by the idle cull, a server restart) cannot remove it, so a row is taken over when
it is stale: its process is gone (same host, that process id no longer running), or its holder has
not renewed it for :data:`STALE_AFTER` (another machine's process; an import renews its row as it
reports progress).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import socket
import time
from dataclasses import dataclass
from typing import Callable, Iterator

import sqlalchemy as sa

from pcp_widgets.errors import PcpError
from pcp_widgets.store.tables import import_locks, utc_now

#: The name of the import lock's row.
IMPORT = "import"
#: A holder that has not renewed its row for this long is taken to have died.
STALE_AFTER = dt.timedelta(minutes=15)
#: How often (seconds) a running import renews its row, at most.
RENEW_EVERY = 30.0


class ImportRunning(PcpError):
    """Another import holds the lock; the message says whose and since when."""


@dataclass(frozen=True)
class Holder:
    held_by: str
    host: str
    pid: int
    since: dt.datetime
    renewed_at: dt.datetime

    def sentence(self) -> str:
        since = _aware(self.since).astimezone()
        return (f"Another import is running, started by {self.held_by} at {since:%H:%M} on {since:%d/%m/%Y}; "
                "try again when it has finished.")


def holder(connection: sa.Connection, name: str = IMPORT) -> Holder | None:
    """Who holds the lock ``name`` now (None when nobody does)."""
    row = connection.execute(sa.select(import_locks).where(import_locks.c.name == name)).mappings().first()
    if row is None:
        return None
    return Holder(row["held_by"], row["host"], row["pid"], row["since"], row["renewed_at"])


def acquire(engine: sa.Engine, held_by: str, name: str = IMPORT, now: dt.datetime | None = None) -> None:
    """Take the lock for ``held_by``, or raise :class:`ImportRunning` naming whoever holds it.

    A stale holder's row is removed (only if it is still the same row) and the insert tried once more.
    """
    for _ in range(2):
        try:
            with engine.begin() as connection:
                stamp = now or utc_now()
                connection.execute(import_locks.insert().values(
                    name=name, held_by=held_by, host=socket.gethostname(), pid=os.getpid(), since=stamp,
                    renewed_at=stamp))
            return
        except sa.exc.IntegrityError:
            with engine.begin() as connection:
                current = holder(connection, name)
                if current is not None and not is_stale(current, now or utc_now()):
                    raise ImportRunning(current.sentence()) from None
                if current is not None:
                    connection.execute(import_locks.delete().where(
                        (import_locks.c.name == name) & (import_locks.c.pid == current.pid)
                        & (import_locks.c.host == current.host)))
    current = _holder(engine, name)
    raise ImportRunning(current.sentence() if current else "Another import has just started; try again soon.")


def _holder(engine: sa.Engine, name: str) -> Holder | None:
    with engine.connect() as connection:
        return holder(connection, name)


def is_stale(current: Holder, now: dt.datetime) -> bool:
    """Whether the holder is gone: its process ended (on this host), or it stopped renewing its row."""
    if current.host == socket.gethostname() and not _running(current.pid):
        return True
    return now - _aware(current.renewed_at) > STALE_AFTER


def renew(engine: sa.Engine, name: str = IMPORT) -> None:
    """Say this process is still importing (its own row only)."""
    with engine.begin() as connection:
        connection.execute(import_locks.update().where(_own(name)).values(renewed_at=utc_now()))


def release(engine: sa.Engine, name: str = IMPORT) -> None:
    """Remove this process's row (never another's, even after a stale takeover)."""
    with engine.begin() as connection:
        connection.execute(import_locks.delete().where(_own(name)))


@contextlib.contextmanager
def held(engine: sa.Engine, held_by: str, name: str = IMPORT) -> Iterator[Callable[[], None]]:
    """The lock held for the ``with`` block; yields ``keep_alive()``, to call as the work goes on
    (it renews the row at most every :data:`RENEW_EVERY` seconds)."""
    acquire(engine, held_by, name)
    last = time.monotonic()

    def keep_alive() -> None:
        nonlocal last
        if time.monotonic() - last >= RENEW_EVERY:
            renew(engine, name)
            last = time.monotonic()

    try:
        yield keep_alive
    finally:
        release(engine, name)


def _own(name: str) -> sa.ColumnElement[bool]:
    return ((import_locks.c.name == name) & (import_locks.c.host == socket.gethostname())
            & (import_locks.c.pid == os.getpid()))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another account
        return True
    return True


def _aware(stamp: dt.datetime) -> dt.datetime:
    """SQLite gives back stored UTC times without their zone."""
    return stamp if stamp.tzinfo is not None else stamp.replace(tzinfo=dt.timezone.utc)


__all__ = ["IMPORT", "STALE_AFTER", "ImportRunning", "Holder", "holder", "acquire", "is_stale", "renew",
           "release", "held"]
