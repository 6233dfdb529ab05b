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
import functools
from dataclasses import dataclass
from typing import Iterable, Protocol, Sequence

import sqlalchemy as sa

from pcp_widgets.store.tables import utc_now, RECORD_TABLES, imports, replaced_records

#: Natural keys looked up per query; well under every database's bound-parameter limit.
LOOKUP_CHUNK = 900
_LOOKUP_NAMES = tuple(f"key_{index}" for index in range(LOOKUP_CHUNK))
#: Rows handed to the driver per executemany call.
INSERT_CHUNK = 20_000


class RecordBatch(Protocol):
    """What the store needs of one file's accepted rows of one kind, column by column.

    The importer's ``audit.ingest.batch.Batch`` is one. It is described here rather than imported
    so that the store depends on nothing above it: the importer hands the store its rows,
    and the store never needs to know how they were read or checked.
    """

    kind: str
    rows: list[int]  # spreadsheet row numbers
    values: dict[str, list]  # field key -> normalised values, one per row
    keys: list[str]  # natural keys, one per row
    hashes: list[str]  # fingerprints of each row's content

    def __len__(self) -> int: ...

    def values_row(self, position: int) -> dict: ...


@dataclass
class StoredCounts:
    new: int = 0
    updated: int = 0
    duplicates: int = 0


def start_import(connection: sa.Connection, file_name: str, sha256: str, imported_by: str | None = None) -> int:
    """Log the import first: on SQLite this write takes the database's write lock for the whole file."""
    result = connection.execute(
        imports.insert().values(
            file_name=file_name, sha256=sha256, imported_at=utc_now(), rows=0, accepted=0, rejected=0,
            new=0, updated=0, duplicates=0, counts={}, imported_by=imported_by,
        )
    )
    if connection.dialect.name == "postgresql":
        # Two imports at once would otherwise both see a key as new; take turns instead.
        connection.execute(sa.text("SELECT pg_advisory_xact_lock(7071)"))
    return result.inserted_primary_key[0]


def finish_import(connection: sa.Connection, import_id: int, counts: dict[str, dict[str, int]]) -> dict[str, int]:
    """Write the file's counts to its imports log entry; returns the totals written."""
    totals = {name: sum(c[name] for c in counts.values()) for name in
              ("rows", "accepted", "rejected", "new", "updated", "duplicates")}
    connection.execute(imports.update().where(imports.c.id == import_id).values(counts=counts, **totals))
    return totals


def store_batch(connection: sa.Connection, batch: RecordBatch, import_id: int) -> StoredCounts:
    table = RECORD_TABLES[batch.kind]
    stored = _stored_fingerprints(connection, table, batch.keys)
    new: Sequence[int] = range(len(batch))  # nothing stored under these keys: the usual case
    changed: list[tuple[int, int]] = []
    if stored:
        new = []
        for position, (key, content_hash) in enumerate(zip(batch.keys, batch.hashes)):
            previous = stored.get(key)
            if previous is None:
                new.append(position)
            elif previous[1] != content_hash:
                changed.append((previous[0], position))
    if new:
        _insert_new(connection, table, batch, new, import_id)
    if changed:
        _replace(connection, table, batch, changed, import_id)
    return StoredCounts(new=len(new), updated=len(changed), duplicates=len(batch) - len(new) - len(changed))


def _insert_new(connection, table: sa.Table, batch: RecordBatch, positions: list[int], import_id: int) -> None:
    def pick(column: list) -> list:
        return column if len(positions) == len(column) else [column[p] for p in positions]

    columns = {
        "natural_key": pick(batch.keys),
        "content_hash": pick(batch.hashes),
        "import_id": [import_id] * len(positions),
        "source_row": pick(batch.rows),
        **{key: pick(values) for key, values in batch.values.items()},
    }
    bulk_insert(connection, table, columns)


def bulk_insert(connection, table: sa.Table, columns: dict[str, list]) -> None:
    """Insert many rows through the driver's executemany, converting each distinct value once.

    SQLAlchemy's per-row parameter handling costs more than the database's own work at
    this size; the conversions are still SQLAlchemy's own (``bind_processor``), so what is
    stored is exactly what an ordinary insert would store.
    """
    names = list(columns)
    dialect = connection.dialect
    converted = {name: _bind(table.c[name].type, dialect, values) for name, values in columns.items()}
    compiled = table.insert().compile(dialect=dialect, column_keys=names)
    for chunk in _chunks(_driver_rows(compiled, converted), INSERT_CHUNK):
        connection.exec_driver_sql(str(compiled), chunk)


def _driver_rows(compiled, columns: dict[str, list]) -> list:
    """Rows of parameters from columns of them, as the driver takes them: tuples in the
    statement's order, or dictionaries by name."""
    if compiled.positional:
        return list(zip(*(columns[name] for name in compiled.positiontup)))
    return [dict(zip(columns, row)) for row in zip(*columns.values())]


def _bind(column_type, dialect, values: list) -> list:
    processor = column_type.dialect_impl(dialect).bind_processor(dialect)
    if processor is None:
        return values
    converted = {value: processor(value) for value in set(values)}
    return list(map(converted.__getitem__, values))


def _stored_fingerprints(connection, table: sa.Table, keys: list[str]) -> dict[str, tuple[int, str]]:
    """The stored rows' ids and fingerprints, by natural key, for those of ``keys`` that are stored.

    Asked LOOKUP_CHUNK keys at a time through one statement compiled once (the last chunk
    padded with a key asked again): building the SQL for every chunk, as SQLAlchemy does
    for a list of values, cost more than the lookups themselves.
    """
    found: dict[str, tuple[int, str]] = {}
    wanted = set(keys)
    if not wanted or not _may_be_stored(connection, table, min(wanted), max(wanted)):
        return found
    compiled = _lookup_statement(table, connection.dialect)
    sql = str(compiled)
    for chunk in _chunks(sorted(wanted), LOOKUP_CHUNK):
        named = dict(zip(_LOOKUP_NAMES, chunk + chunk[-1:] * (LOOKUP_CHUNK - len(chunk))))
        params = tuple(map(named.__getitem__, compiled.positiontup)) if compiled.positional else named
        for key, record_id, content_hash in connection.exec_driver_sql(sql, params):
            found[key] = (record_id, content_hash)
    return found


def _may_be_stored(connection, table: sa.Table, lowest: str, highest: str) -> bool:
    """False if certainly no key from ``lowest`` to ``highest`` is stored: the table is empty or,
    on SQLite, no stored key falls in that range (natural keys start with a date, so a month's
    file usually shares no range with other months). SQLite compares text as Python sorts it;
    other databases may not, so there only an empty table is taken as certain."""
    query = sa.select(table.c.id).limit(1)
    if connection.dialect.name == "sqlite":
        query = query.where(table.c.natural_key.between(lowest, highest))
    return connection.execute(query).first() is not None


@functools.lru_cache(maxsize=64)
def _lookup_statement(table: sa.Table, dialect) -> sa.engine.Compiled:
    keys = list(map(sa.bindparam, _LOOKUP_NAMES))
    query = sa.select(table.c.natural_key, table.c.id, table.c.content_hash).where(table.c.natural_key.in_(keys))
    return query.compile(dialect=dialect)


def _replace(connection, table: sa.Table, batch: RecordBatch, changed: list[tuple[int, int]],
             import_id: int) -> None:
    """Copy each old row to the history, then overwrite it with the new values."""
    field_keys = list(batch.values)
    old_rows = {}
    for chunk in _chunks([record_id for record_id, _ in changed], LOOKUP_CHUNK):
        for row in connection.execute(sa.select(table).where(table.c.id.in_(chunk))).mappings():
            old_rows[row["id"]] = row
    now = utc_now()
    connection.execute(
        replaced_records.insert(),
        [
            {
                "kind": batch.kind,
                "record_id": record_id,
                "natural_key": batch.keys[position],
                "old_values": {k: _jsonable(old_rows[record_id][k]) for k in field_keys},
                "old_import_id": old_rows[record_id]["import_id"],
                "replaced_by_import_id": import_id,
                "replaced_at": now,
            }
            for record_id, position in changed
        ],
    )
    replaced = ("content_hash", "import_id", "source_row", *field_keys)
    update = (
        table.update()
        .where(table.c.id == sa.bindparam("record_id"))
        .values({name: sa.bindparam(f"new_{name}") for name in replaced})
    )
    connection.execute(
        update,
        [
            {
                "record_id": record_id,
                "new_content_hash": batch.hashes[position],
                "new_import_id": import_id,
                "new_source_row": batch.rows[position],
                **{f"new_{k}": v for k, v in batch.values_row(position).items()},
            }
            for record_id, position in changed
        ],
    )


def _jsonable(value):
    return value.isoformat() if isinstance(value, (dt.date, dt.time)) else value


def _chunks(items: list, size: int) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]

