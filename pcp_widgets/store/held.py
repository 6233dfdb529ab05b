"""Everything held about one person, read in one connection: what a subject access export sends.

:meth:`pcp_widgets.store.Store.held_about` is the way in; :mod:`pcp_widgets.subject_access` turns
what it gives (plain JSON-ready values) into the zip, the sheets and the summary.
"""

from __future__ import annotations

import sqlalchemy as sa

from pcp_widgets.audit.schema.sheets import KINDS, sheet_for
from pcp_widgets.store import access_log as _access_log
from pcp_widgets.store import erasure
from pcp_widgets.store import people as _people
from pcp_widgets.store.tables import RECORD_TABLES, document_versions, documents, imports, replaced_records

#: Practice answers are kept by participant; those that name a person's ref are theirs too.
PRACTICE_TOOLS = ("practice_answers",)


def gather(connection, ref: str) -> dict:
    """Everything held about the register entry ``ref``, as plain JSON-ready values."""
    person = _people.get(connection, ref)
    return {
        "person": {"ref": person.ref, "preferred_name": person.preferred_name, "service": person.service,
                   "left_on": person.left_on, "added_at": person.added_at, "added_by": person.added_by},
        "documents": _documents(connection, documents.c.person_ref == person.ref),
        "audit_records": {kind: rows for kind in KINDS if (rows := _audit_rows(connection, kind, person.ref))},
        "practice_answers": _practice_mentions(connection, person.ref),
        "access_log": [{"at": e.at, "user": e.user, "action": e.action, "detail": e.detail}
                       for e in _access_log.query(connection, person_ref=person.ref)],
    }


def _documents(connection, where) -> list[dict]:
    found = []
    for doc in connection.execute(sa.select(documents).where(where).order_by(documents.c.tool, documents.c.id)):
        versions = connection.execute(sa.select(document_versions).where(
            document_versions.c.document_id == doc.id).order_by(document_versions.c.version)).mappings()
        found.append({"tool": doc.tool, "document_id": doc.id, "created_at": doc.created_at,
                      "versions": [{"version": v["version"], "saved_at": v["saved_at"], "saved_by": v["saved_by"],
                                    "note": v["note"], "content": v["content"]} for v in versions]})
    return found


def _audit_rows(connection, kind: str, ref: str) -> list[dict]:
    table = RECORD_TABLES[kind]
    spellings = erasure.typed_refs(connection, table.c.person_ref, ref)
    if not spellings:
        return []
    keys = list(sheet_for(kind).keys)
    query = (sa.select(table, imports.c.file_name).join(imports, imports.c.id == table.c.import_id)
             .where(table.c.person_ref.in_(spellings)).order_by(table.c.id))
    rows = []
    for row in connection.execute(query).mappings():
        replaced = connection.execute(sa.select(replaced_records.c.old_values, replaced_records.c.replaced_at).where(
            replaced_records.c.kind == kind, replaced_records.c.record_id == row["id"])
            .order_by(replaced_records.c.id)).all()
        rows.append({**{key: row[key] for key in keys}, "imported_from": row["file_name"],
                     "source_row": row["source_row"],
                     "earlier_values": [{"replaced_at": at, "values": old} for old, at in replaced]})
    return rows


def _practice_mentions(connection, ref: str) -> list[dict]:
    """Practice answers are kept by participant, not by person; any that name the ref are theirs too."""
    where = sa.and_(documents.c.tool.in_(PRACTICE_TOOLS), documents.c.id.in_(
        sa.select(document_versions.c.document_id).where(sa.cast(document_versions.c.content, sa.Text).ilike(
            f"%{ref}%"))))
    return _documents(connection, where)
