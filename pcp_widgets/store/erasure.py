"""Erasing a person, and redacting one version of a document: the right to erasure and to rectification.

An erasure removes what identifies a person and keeps what the service's figures need:

* their tool documents and every version are deleted;
* their ref in the audit rows (and in the history of replaced rows) becomes one anonymous code,
  ``ERASED-`` and a random part kept nowhere beside the ref, so counts, distinct-people counts and
  charts add up as before; the rows' natural keys and fingerprints are worked out again from it;
* their name or ref in the rows' free text becomes the code or "[name erased]";
* their register entry goes;
* the access log's entries about them name the code instead: the log is append-only, so its
  UPDATE trigger is lifted for that one statement, inside the erasure's transaction, and put back
  before it commits (SQLite and PostgreSQL both undo DDL with the transaction, so a failed erasure
  leaves the trigger in place);
* the erasure itself is logged: who, when, why and how many rows, never what they held.

Then no byte of the name or ref may remain in the files (:func:`scrub_files`): SQLite's
``secure_delete`` overwrites what the transaction freed, a TRUNCATE checkpoint empties the WAL, and
VACUUM rebuilds the file without its free pages. On PostgreSQL, VACUUM FULL rewrites the tables and their
indexes, and the planner's statistics are gathered again and their catalog rewritten; the WAL, its archive
and any backups still hold the old rows until they age out (see the README).
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa

from pcp_widgets.audit.schema.sheets import sheet_for
from pcp_widgets.errors import DatabaseError, NotFound, PcpError
from pcp_widgets.store import access_log as _access_log
from pcp_widgets.store import people as _people
from pcp_widgets.store.tables import (RECORD_TABLES, access_log, document_versions, documents, people,
                                      replaced_records, utc_now)

ERASED_PREFIX = "ERASED-"
NAME_ERASED = "[name erased]"
#: How often a TRUNCATE checkpoint is tried while a reader elsewhere still holds the old WAL, and the pause
#: between tries: the Store's own background checkpoint (a PASSIVE one, after every write) makes a TRUNCATE
#: busy while it runs, so tries in a tight loop all met the one that followed the erasure's commit.
CHECKPOINT_ATTEMPTS = 50
CHECKPOINT_PAUSE_S = 0.1


@dataclass(frozen=True)
class Erasure:
    code: str
    documents: int
    versions: int
    audit_rows: int
    log_entries: int

    def describe(self) -> str:
        return (f"{self.documents} document(s) with {self.versions} version(s) deleted; {self.audit_rows} audit "
                f"row(s) and {self.log_entries} access-log entr{'y' if self.log_entries == 1 else 'ies'} "
                f"now say {self.code}")


def anonymous_code() -> str:
    """A fresh code: random, so nothing kept anywhere leads back from it to the ref."""
    return ERASED_PREFIX + secrets.token_hex(5).upper()


def typed_refs(connection, column, ref: str) -> list[str]:
    """Every stored spelling of ``ref`` in ``column`` ("p-0042", "P-0042 "), so rows match as the register does."""
    values = connection.execute(sa.select(column).distinct().where(column.is_not(None))).scalars()
    return [value for value in values if _people.fold_ref(value) == ref]


def check_reason(reason, person: _people.Person) -> str:
    """The reason on one line, refused if it names the person: the log of an erasure must not undo it."""
    text = _people.one_line(reason, _access_log.MAX_DETAIL - 200, "The reason",
                            "Say why, with --reason (for example: the person asked, under Article 17).")
    if person.ref.casefold() in text.casefold() or (person.preferred_name and _name_pattern(person).search(text)):
        raise PcpError("The reason must not name the person or give their ref: the log keeps it after they are "
                       "erased; say why without them (for example: the person asked, under Article 17).")
    return text


def _name_pattern(person: _people.Person) -> re.Pattern:
    return re.compile(rf"(?<!\w){re.escape(person.preferred_name)}(?!\w)", re.IGNORECASE)


class _Scrubber:
    """Replaces the ref with the code and the name with "[name erased]" in text and in JSON values."""

    def __init__(self, person: _people.Person, code: str):
        self.code = code
        self.ref = re.compile(rf"(?<![A-Za-z0-9]){re.escape(person.ref)}(?![A-Za-z0-9])", re.IGNORECASE)
        self.name = _name_pattern(person) if person.preferred_name else None
        self.needles = [person.ref] + ([person.preferred_name] if person.preferred_name else [])

    def text(self, value):
        if isinstance(value, str):
            value = self.ref.sub(self.code, value)
            return self.name.sub(NAME_ERASED, value) if self.name else value
        if isinstance(value, dict):
            return {key: self.text(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.text(item) for item in value]
        return value

    def mentions(self, column) -> sa.ColumnElement:
        """Rows whose ``column`` holds the ref or the name (case-insensitive, a first sieve)."""
        return sa.or_(*(sa.cast(column, sa.Text).ilike(f"%{needle}%") for needle in self.needles))


def erase(connection, ref: str, *, by: str, reason: str, code: str | None = None) -> Erasure:
    """Erase the person ``ref`` in the caller's transaction (see the module's docstring); returns what was done."""
    person = _people.get(connection, ref)
    reason = check_reason(reason, person)
    code = code or anonymous_code()
    scrub = _Scrubber(person, code)
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete = ON")  # freed bytes are overwritten with zeros

    ids = connection.execute(sa.select(documents.c.id).where(documents.c.person_ref == person.ref)).scalars().all()
    versions = connection.execute(
        document_versions.delete().where(document_versions.c.document_id.in_(ids))).rowcount if ids else 0
    if ids:
        connection.execute(documents.delete().where(documents.c.id.in_(ids)))

    audit_rows = sum(_erase_audit_rows(connection, kind, table, person, scrub) for kind, table in RECORD_TABLES.items())
    connection.execute(people.delete().where(people.c.ref == person.ref))
    log_entries = _rewrite_access_log(connection, person, scrub)
    done = Erasure(code, len(ids), versions, audit_rows, log_entries)
    _access_log.append(connection, by, "erased", code, f"{done.describe()}. Reason: {reason}")
    return done


def _erase_audit_rows(connection, kind: str, table: sa.Table, person, scrub: _Scrubber) -> int:
    """The person's rows get the code for their ref (and their natural key and fingerprint again);
    any row whose free text mentions them gets it scrubbed."""
    sheet = sheet_for(kind)
    spellings = typed_refs(connection, table.c.person_ref, person.ref)
    texts = [table.c[f.key] for f in sheet.fields if isinstance(table.c[f.key].type, sa.Text)]
    found = connection.execute(sa.select(table).where(sa.or_(
        table.c.person_ref.in_(spellings), *(scrub.mentions(column) for column in texts)))).mappings().all()
    theirs = 0
    for row in found:
        values = {key: row[key] for key in sheet.keys}
        if row["person_ref"] in spellings:
            values["person_ref"] = scrub.code
            theirs += 1
        values = {key: scrub.text(value) for key, value in values.items()}
        connection.execute(table.update().where(table.c.id == row["id"]).values(
            natural_key=sheet.key_of(values), content_hash=sheet.content_hash(values), **values))
    history = connection.execute(sa.select(replaced_records).where(
        replaced_records.c.kind == kind,
        sa.or_(replaced_records.c.record_id.in_([row["id"] for row in found]),
               scrub.mentions(replaced_records.c.natural_key), scrub.mentions(replaced_records.c.old_values)))
    ).mappings().all()
    for old in history:
        connection.execute(replaced_records.update().where(replaced_records.c.id == old["id"]).values(
            natural_key=scrub.text(old["natural_key"]), old_values=scrub.text(old["old_values"])))
    return theirs


def _rewrite_access_log(connection, person, scrub: _Scrubber) -> int:
    """Entries about the person name the code; details that mention them are scrubbed. The append-only
    trigger is lifted for this statement only, in this transaction, and restored before anything else."""
    spellings = typed_refs(connection, access_log.c.person_ref, person.ref)
    rows = connection.execute(sa.select(access_log.c.id, access_log.c.person_ref, access_log.c.detail).where(
        sa.or_(access_log.c.person_ref.in_(spellings), scrub.mentions(access_log.c.detail)))).all()
    if not rows:
        return 0
    with _append_only_lifted(connection):
        for row_id, ref, detail in rows:
            connection.execute(access_log.update().where(access_log.c.id == row_id).values(
                person_ref=scrub.code if ref in spellings else ref, detail=scrub.text(detail)))
    return sum(1 for _, ref, _ in rows if ref in spellings)


class _append_only_lifted:
    """Drop (SQLite) or disable (PostgreSQL) the access log's UPDATE refusal, then put it back as it was."""

    def __init__(self, connection):
        self.connection = connection
        self.saved: list[tuple[str, str]] = []

    def __enter__(self):
        dialect = self.connection.dialect.name
        if dialect == "sqlite":
            self.saved = self.connection.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'access_log' "
                "AND upper(sql) LIKE '%BEFORE UPDATE%'").all()
            for name, _ in self.saved:
                self.connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        elif dialect == "postgresql":
            self.connection.exec_driver_sql("ALTER TABLE access_log DISABLE TRIGGER access_log_append_only")
        return self

    def __exit__(self, *exc):
        dialect = self.connection.dialect.name
        if dialect == "sqlite":
            for _, sql in self.saved:
                self.connection.exec_driver_sql(sql)
        elif dialect == "postgresql":
            self.connection.exec_driver_sql("ALTER TABLE access_log ENABLE TRIGGER access_log_append_only")
        return False


def scrub_files(engine: sa.Engine) -> None:
    """Leave no trace of deleted rows in the database's files, after the erasing transaction committed.

    SQLite: empty the WAL into the file (TRUNCATE), VACUUM (a new file without free pages, freed
    cells already zeroed by ``secure_delete``), empty the WAL again; refused with a sentence if another
    program holds the WAL open. PostgreSQL: VACUUM FULL and ANALYZE of the tables an erasure touches, then
    VACUUM FULL of the planner's statistics (which sample column values)."""
    if engine.dialect.name == "postgresql":
        tables = ["documents", "document_versions", "people", "access_log", "replaced_records",
                  *(table.name for table in RECORD_TABLES.values())]
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM (FULL, ANALYZE) {', '.join(tables)}")
            # The planner's statistics held sample values of those tables (names, refs); ANALYZE replaced them,
            # and rewriting the statistics catalog drops the old ones. Only its owner (a superuser) may: for
            # any other role PostgreSQL skips it with a warning, and autovacuum clears them later (README).
            connection.exec_driver_sql("VACUUM FULL pg_catalog.pg_statistic")
        return
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        raw = connection.connection.driver_connection  # outside SQLAlchemy's transaction: VACUUM needs that
        raw.execute("PRAGMA secure_delete = ON")
        _checkpoint(raw)
        raw.execute("VACUUM")
        _checkpoint(raw)


def _checkpoint(raw) -> None:
    for _ in range(CHECKPOINT_ATTEMPTS):
        busy, _, _ = raw.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        if not busy:
            return
        time.sleep(CHECKPOINT_PAUSE_S)
    raise DatabaseError("The erasure is saved, but another program still has the database open, so its old "
                        "pages are still in the write-ahead log; stop pcp serve and run the command again.")


def redact(connection, ref: str, tool: str, version: int, *, by: str, reason: str) -> dict:
    """Replace one version's content with a note of who redacted it, when and why; other versions stay."""
    person = _people.get(connection, ref)
    reason = _people.one_line(reason, _access_log.MAX_DETAIL - 100, "The reason",
                              "Say why, with --reason (for example: it named a third party).")
    document_id = connection.execute(sa.select(documents.c.id).where(
        documents.c.person_ref == person.ref, documents.c.tool == tool)).scalar()
    if document_id is None:
        raise NotFound(f"{person.ref} has no {tool} document.")
    row = connection.execute(sa.select(document_versions.c.id, document_versions.c.content).where(
        document_versions.c.document_id == document_id, document_versions.c.version == version)).first()
    if row is None:
        raise NotFound(f"{person.ref}'s {tool} document has no version {version}.")
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("PRAGMA secure_delete = ON")
    at = utc_now()
    note = f"redacted by {by} on {at:%d/%m/%Y %H:%M} UTC: {reason}"
    content = {"person": (row.content or {}).get("person"), "redacted": {"by": by, "at": at.isoformat(),
                                                                          "reason": reason}}
    connection.execute(document_versions.update().where(document_versions.c.id == row.id)
                       .values(content=content, note=note))
    _access_log.append(connection, by, "redacted", person.ref, f"{tool}: version {version}. Reason: {reason}")
    return content
