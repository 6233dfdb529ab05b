"""Tool documents with full version history.

Every save adds a version; nothing is overwritten. A save names the version it was based
on, and is refused with :class:`ConflictError` when that is no longer the latest, so two
people editing the same profile never silently overwrite each other: the editor can then
show both versions. Restoring an old version is itself a new save.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from pcp_widgets.errors import ConflictError, NotFound
from pcp_widgets.store.tables import utc_now, document_versions, documents


@dataclass(frozen=True)
class DocumentVersion:
    document_id: int
    version: int
    tool: str
    person: str
    content: dict
    saved_at: dt.datetime
    saved_by: str | None
    note: str | None


@dataclass(frozen=True)
class DocumentSummary:
    document_id: int
    tool: str
    person: str
    created_at: dt.datetime
    latest_version: int


def create(connection, tool: str, person: str, content: dict, saved_by: str | None = None) -> DocumentVersion:
    now = utc_now()
    result = connection.execute(
        documents.insert().values(tool=tool, person=person, created_at=now, latest_version=1)
    )
    document_id = result.inserted_primary_key[0]
    _insert_version(connection, document_id, 1, content, now, saved_by, note="created")
    return get(connection, document_id, 1)


def save(connection, document_id: int, content: dict, base_version: int, saved_by: str | None = None,
         note: str | None = None) -> DocumentVersion:
    """Add version ``base_version + 1``, or raise ConflictError if someone saved since ``base_version``."""
    new_version = base_version + 1
    person = content.get("person")
    values = {"latest_version": new_version, **({"person": person} if person else {})}
    moved = connection.execute(
        documents.update()
        .where(documents.c.id == document_id, documents.c.latest_version == base_version)
        .values(**values)
    )
    if moved.rowcount != 1:
        latest = _latest_version_number(connection, document_id)
        raise ConflictError(document_id, base_version, latest)
    _insert_version(connection, document_id, new_version, content, utc_now(), saved_by, note)
    return get(connection, document_id, new_version)


def restore(connection, document_id: int, version: int, base_version: int,
            saved_by: str | None = None) -> DocumentVersion:
    old = get(connection, document_id, version)
    return save(connection, document_id, old.content, base_version, saved_by, note=f"restored version {version}")


def get(connection, document_id: int, version: int | None = None) -> DocumentVersion:
    if version is None:
        version = _latest_version_number(connection, document_id)
    row = connection.execute(
        sa.select(document_versions, documents.c.tool, documents.c.person)
        .join(documents, documents.c.id == document_versions.c.document_id)
        .where(document_versions.c.document_id == document_id, document_versions.c.version == version)
    ).mappings().first()
    if row is None:
        raise NotFound(f"Document {document_id} has no version {version}.")
    return DocumentVersion(
        document_id=document_id, version=version, tool=row["tool"],
        person=row["content"].get("person") or row["person"], content=row["content"],
        saved_at=row["saved_at"], saved_by=row["saved_by"], note=row["note"],
    )


def history(connection, document_id: int) -> list[DocumentVersion]:
    """Every version, newest first."""
    latest = _latest_version_number(connection, document_id)
    return [get(connection, document_id, number) for number in range(latest, 0, -1)]


def find(connection, tool: str | None = None, person: str | None = None) -> list[DocumentSummary]:
    query = sa.select(documents).order_by(documents.c.person, documents.c.tool, documents.c.id)
    if tool is not None:
        query = query.where(documents.c.tool == tool)
    if person is not None:
        query = query.where(documents.c.person == person)
    return [
        DocumentSummary(row.id, row.tool, row.person, row.created_at, row.latest_version)
        for row in connection.execute(query)
    ]


def _latest_version_number(connection, document_id: int) -> int:
    latest = connection.execute(
        sa.select(documents.c.latest_version).where(documents.c.id == document_id)
    ).scalar()
    if latest is None:
        raise NotFound(f"There is no document {document_id}.")
    return latest


def _insert_version(connection, document_id, version, content, saved_at, saved_by, note) -> None:
    connection.execute(
        document_versions.insert().values(
            document_id=document_id, version=version, content=content, saved_at=saved_at,
            saved_by=saved_by, note=note,
        )
    )

