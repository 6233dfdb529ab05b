"""The access log: who viewed, saved, restored, imported, exported, signed in or changed a role, and when.

Append-only. This module has :func:`append` and :func:`query` and nothing else; the database
itself refuses UPDATE and DELETE on the table (triggers from migration 0004), so the data
protection lead can rely on it to say who looked at a person's record. Entries name the person
by their register ref (pseudonymous), never by name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from pcp_widgets.errors import PcpError
from pcp_widgets.store.tables import access_log, utc_now

#: What an entry may say was done. "added a person" is a new register entry; "refused" is an attempt
#: the person's role or services did not allow (a page or an action), with the sentence they were shown.
#: "erased" and "redacted": pcp_widgets.store.erasure (an erasure's entry names the anonymous code).
PERSON_DATA_ACTIONS = ("erased", "redacted")
ACTIONS = ("viewed", "saved", "restored", "imported", "exported", "signed in", "changed a role", "added a person",
           "applied retention", "refused")
#: A longer detail is cut here: the log says what happened, it does not hold documents.
MAX_DETAIL = 500


@dataclass(frozen=True)
class AccessEntry:
    at: dt.datetime  # aware, UTC
    user: str
    action: str
    person_ref: str | None
    detail: str

    def describe(self) -> str:
        whose = f" {self.person_ref}" if self.person_ref else ""
        detail = f": {self.detail}" if self.detail else ""
        return f"{self.at.astimezone():%d/%m/%Y %H:%M} {self.user} {self.action}{whose}{detail}"


def append(connection, user: str, action: str, person_ref: str | None = None, detail: str = "") -> None:
    """Add one entry, in the caller's transaction (so a save and its entry stand or fall together)."""
    if action not in ACTIONS and action not in PERSON_DATA_ACTIONS:
        raise ValueError(f"unknown access-log action {action!r}")
    if not user:
        raise PcpError("An access-log entry needs the name of who did it.")
    connection.execute(access_log.insert().values(
        at=utc_now(), user_name=user, action=action, person_ref=person_ref or None,
        detail=(detail or "")[:MAX_DETAIL]))


def query(connection, *, person_ref: str | None = None, user: str | None = None,
          start: dt.datetime | None = None, end: dt.datetime | None = None) -> list[AccessEntry]:
    """Entries oldest first, narrowed to a person's ref, a user, and ``start <= at < end`` (aware times)."""
    select = sa.select(access_log).order_by(access_log.c.at, access_log.c.id)
    if person_ref is not None:
        select = select.where(sa.func.upper(access_log.c.person_ref) == person_ref.strip().upper())
    if user is not None:
        select = select.where(sa.func.lower(access_log.c.user_name) == user.strip().lower())
    if start is not None:
        select = select.where(access_log.c.at >= _utc(start))
    if end is not None:
        select = select.where(access_log.c.at < _utc(end))
    return [AccessEntry(_utc(row.at), row.user_name, row.action, row.person_ref, row.detail)
            for row in connection.execute(select)]


def _utc(moment: dt.datetime) -> dt.datetime:
    """Aware UTC: SQLite hands back the stored UTC time without its zone, PostgreSQL with it."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc)
