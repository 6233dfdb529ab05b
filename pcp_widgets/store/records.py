"""Storing one imported file's audit records: new, updated or duplicate, all or nothing.

The importer has already checked every row and settled conflicts inside the file; here
each row is compared with what is stored under the same natural key:

* no stored row: inserted (``new``);
* a stored row with the same fingerprint: nothing changes (``duplicates``);
* a stored row with a different fingerprint: replaced (``updated``), its old values
  copied to ``replaced_records`` first so nothing is ever lost.

Everything for one file happens in one transaction (see :meth:`Store.transaction`), so a
killed process leaves nothing from that file behind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Sequence

import sqlalchemy as sa

from pcp_widgets.audit.schema import sheet_for
from pcp_widgets.store.tables import utc_now, RECORD_TABLES, imports, replaced_records

#: Natural keys looked up per query; well under every database's bound-parameter limit.
LOOKUP_CHUNK = 900


@dataclass(frozen=True)
class Record:
    """One checked row ready to store."""

    row: int
    values: dict
    key: str
    content_hash: str


@dataclass
class StoredCounts:
    new: int = 0
    updated: int = 0
    duplicates: int = 0


def start_import(connection: sa.Connection, file_name: str, sha256: str) -> int:
    """Log the import first: on SQLite this write takes the database's write lock for the whole file."""
    result = connection.execute(
        imports.insert().values(
            file_name=file_name, sha256=sha256, imported_at=utc_now(), rows=0, accepted=0, rejected=0,
            new=0, updated=0, duplicates=0, counts={},
        )
    )
    if connection.dialect.name == "postgresql":
        # Two imports at once would otherwise both see a key as new; take turns instead.
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7071)"))
    return result.inserted_primary_key[0]


def finish_import(connection: sa.Connection, import_id: int, counts: dict[str, dict[str, int]]) -> None:
    totals = {name: sum(c[name] for c in counts.values()) for name in
              ("rows", "accepted", "rejected", "new", "updated", "duplicates")}
    connection.execute(imports.update().where(imports.c.id == import_id).values(counts=counts, **totals))


def store_records(connection: sa.Connection, kind: str, records: Sequence[Record], import_id: int) -> StoredCounts:
    table = RECORD_TABLES[kind]
    stored = _stored_fingerprints(connection, table, [r.key for r in records])
    counts = StoredCounts()
    new, changed = [], []
    for record in records:
        previous = stored.get(record.key)
        if previous is None:
            new.append(record)
        elif previous[1] == record.content_hash:
            counts.duplicates += 1
        else:
            changed.append((previous[0], record))
    if new:
        connection.execute(table.insert(), [_row(record, import_id) for record in new])
    if changed:
        _replace(connection, kind, table, changed, import_id)
    counts.new, counts.updated = len(new), len(changed)
    return counts


def _row(record: Record, import_id: int) -> dict:
    return {
        **record.values,
        "natural_key": record.key,
        "content_hash": record.content_hash,
        "import_id": import_id,
        "source_row": record.row,
    }


def _stored_fingerprints(connection, table: sa.Table, keys: list[str]) -> dict[str, tuple[int, str]]:
    found: dict[str, tuple[int, str]] = {}
    query = sa.select(table.c.natural_key, table.c.id, table.c.content_hash)
    for chunk in _chunks(sorted(set(keys)), LOOKUP_CHUNK):
        for key, record_id, content_hash in connection.execute(query.where(table.c.natural_key.in_(chunk))):
            found[key] = (record_id, content_hash)
    return found


def _replace(connection, kind: str, table: sa.Table, changed: list[tuple[int, Record]], import_id: int) -> None:
    """Copy each old row to the history, then overwrite it with the new values."""
    field_keys = sheet_for(kind).keys
    ids = [record_id for record_id, _ in changed]
    old_rows = {}
    for chunk in _chunks(ids, LOOKUP_CHUNK):
        for row in connection.execute(sa.select(table).where(table.c.id.in_(chunk))).mappings():
            old_rows[row["id"]] = row
    now = utc_now()
    connection.execute(
        replaced_records.insert(),
        [
            {
                "kind": kind,
                "record_id": record_id,
                "natural_key": record.key,
                "old_values": {k: _jsonable(old_rows[record_id][k]) for k in field_keys},
                "old_import_id": old_rows[record_id]["import_id"],
                "replaced_by_import_id": import_id,
                "replaced_at": now,
            }
            for record_id, record in changed
        ],
    )
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("record_id"))
        .values({k: sa.bindparam(f"new_{k}") for k in (*field_keys, "content_hash", "import_id", "source_row")})
    )
    connection.execute(
        update,
        [
            {"record_id": record_id, **{f"new_{k}": v for k, v in _row(record, import_id).items() if k != "natural_key"}}
            for record_id, record in changed
        ],
    )


def _jsonable(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else value


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]

