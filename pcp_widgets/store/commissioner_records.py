"""What went to commissioners, on record: the free-text sign-offs (who allowed which theme texts of a
period to leave) and the log of commissioner exports.

Reached through :class:`pcp_widgets.store.Store` (``sign_off_texts``, ``latest_sign_off``,
``log_commissioner_export``, ``commissioner_exports``); what the records mean, and the rules that
read them, are in :mod:`pcp_widgets.audit.outputs.free_text` and
:mod:`pcp_widgets.audit.outputs.export_log`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Iterable, Sequence

import sqlalchemy as sa

from pcp_widgets.store.tables import commissioner_exports, free_text_signoffs, utc_now

_EXPORT_FIELDS = ("first_month", "last_month", "min_count", "file_name", "made_at", "made_by", "sha256",
                  "figures_sha256")

#: One theme's text as signed off: (kind, name, I statement).
Text = tuple[str, str, str]


@dataclass(frozen=True)
class SignedTexts:
    """One sign-off as stored: the period (YYYY-MM to YYYY-MM), who signed it off and when, and the texts."""

    first: str
    last: str
    signed_by: str
    signed_at: dt.datetime
    texts: tuple[Text, ...]


def texts_sha256(texts: Iterable[Sequence[str]]) -> str:
    """A fingerprint of a sign-off's texts, the same whatever their order."""
    payload = sorted([kind, name, i_statement] for kind, name, i_statement in texts)
    return hashlib.sha256(json.dumps(payload).encode()).hexdigest()


def add_sign_off(connection: sa.Connection, first: str, last: str, signed_by: str,
                 texts: Sequence[Sequence[str]]) -> dt.datetime:
    """Store one sign-off; returns the moment it is stored under (UTC)."""
    now = utc_now()
    connection.execute(free_text_signoffs.insert().values(
        first_month=first, last_month=last, signed_by=signed_by, signed_at=now,
        texts=[list(text) for text in texts], texts_sha256=texts_sha256(texts)))
    return now


def latest_sign_off(connection: sa.Connection, first: str, last: str) -> SignedTexts | None:
    """The period's most recent sign-off, if any."""
    table = free_text_signoffs
    row = connection.execute(sa.select(table).where(table.c.first_month == first, table.c.last_month == last)
                             .order_by(table.c.id.desc()).limit(1)).mappings().first()
    if row is None:
        return None
    return SignedTexts(row["first_month"], row["last_month"], row["signed_by"], row["signed_at"],
                       tuple(tuple(text) for text in row["texts"]))


@dataclass(frozen=True)
class LoggedExport:
    """One commissioner export as logged: its period (YYYY-MM), threshold, file, maker and fingerprints."""

    first: str
    last: str
    min_count: int
    file_name: str
    made_at: dt.datetime
    made_by: str
    sha256: str
    figures_sha256: str

    def describe(self) -> str:
        when = self.made_at.astimezone().strftime("%d/%m/%Y %H:%M") if self.made_at.tzinfo else \
            self.made_at.strftime("%d/%m/%Y %H:%M")
        return f"the export of {self.first} to {self.last} ({self.file_name}) made by {self.made_by} on {when}"


def add_export(connection: sa.Connection, *, first: str, last: str, min_count: int, file_format: str,
               file_name: str, made_by: str, sha256: str, figures_sha256: str) -> None:
    """Log one export, made now."""
    connection.execute(commissioner_exports.insert().values(
        first_month=first, last_month=last, min_count=int(min_count), file_format=file_format,
        file_name=file_name, made_at=utc_now(), made_by=made_by, sha256=sha256, figures_sha256=figures_sha256))


def exports(connection: sa.Connection) -> list[LoggedExport]:
    """Every logged export, oldest first."""
    query = sa.select(*(commissioner_exports.c[name] for name in _EXPORT_FIELDS)).order_by(commissioner_exports.c.id)
    return [LoggedExport(*row) for row in connection.execute(query)]
