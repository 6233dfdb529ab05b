"""The database tables, derived from the audit schema.

One table per audit sheet kind, with a column per declared field, plus the
bookkeeping every record needs (its natural key, a fingerprint of its content and the
import it came from). The migrations in ``migrations/versions`` create the same
tables step by step; a test in ``tests/store/test_store.py``
(test_migrations_build_exactly_the_tables_the_schema_declares) proves the two agree, so a new
question in the schema without a migration fails the tests rather than a user's import.
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from pcp_widgets.audit.schema.sheets import SHEETS, Sheet

metadata = sa.MetaData()

#: What each value type is stored as (``ValueType.storage``).
STORAGE_TYPES = {
    "text": sa.Text,
    "date": sa.Date,
    "time": sa.Time,
    "int": sa.Integer,
}

imports = sa.Table(
    "imports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),
    sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("rows", sa.Integer, nullable=False),
    sa.Column("accepted", sa.Integer, nullable=False),
    sa.Column("rejected", sa.Integer, nullable=False),
    sa.Column("new", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("duplicates", sa.Integer, nullable=False),
    sa.Column("counts", sa.JSON, nullable=False),
    #: Who imported the file (the signed-in person, or the account running ``pcp import``); None
    #: for imports made before migration 0005 recorded it.
    sa.Column("imported_by", sa.Text, nullable=True),
)

#: The lock that lets one import run at a time on a server: one row per lock while it is held
#: (see :mod:`pcp_widgets.store.import_lock`).
import_locks = sa.Table(
    "import_locks",
    metadata,
    sa.Column("name", sa.String(40), primary_key=True),
    sa.Column("held_by", sa.Text, nullable=False),
    sa.Column("host", sa.Text, nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("since", sa.DateTime(timezone=True), nullable=False),
    sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
)

replaced_records = sa.Table(
    "replaced_records",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("record_id", sa.Integer, nullable=False),
    sa.Column("natural_key", sa.Text, nullable=False),
    sa.Column("old_values", sa.JSON, nullable=False),
    sa.Column("old_import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=True),
    sa.Column("replaced_by_import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
    sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
    sa.Index("ix_replaced_records_kind_record", "kind", "record_id"),
)


def _record_table(sheet: Sheet) -> sa.Table:
    columns = [
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("natural_key", sa.Text, nullable=False, unique=True),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("import_id", sa.Integer, sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("source_row", sa.Integer, nullable=False),
    ]
    columns += [
        sa.Column(f.key, STORAGE_TYPES[f.type.storage], nullable=not f.required) for f in sheet.fields
    ]
    indexes = [sa.Index(f"ix_{sheet.kind}_service_date", "service", sheet.date_field)]
    return sa.Table(f"{sheet.kind}_records", metadata, *columns, *indexes)


RECORD_TABLES: dict[str, sa.Table] = {sheet.kind: _record_table(sheet) for sheet in SHEETS}

documents = sa.Table(
    "documents",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("tool", sa.String(40), nullable=False),
    sa.Column("person", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("latest_version", sa.Integer, nullable=False),
    #: The register entry the document is about (None for documents about no one, such as a practice
    #: session, and for documents written before the register until they are linked to it). One document
    #: per tool and register entry: two editors opening a new person's profile at once get the same one.
    sa.Column("person_ref", sa.String(40), nullable=True),
    sa.Index("ix_documents_tool_person", "tool", "person"),
    sa.Index("uq_documents_tool_person_ref", "tool", "person_ref", unique=True),
)

document_versions = sa.Table(
    "document_versions",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("document_id", sa.Integer, sa.ForeignKey("documents.id"), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("content", sa.JSON, nullable=False),
    sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("saved_by", sa.Text, nullable=True),
    sa.Column("note", sa.Text, nullable=True),
    sa.UniqueConstraint("document_id", "version", name="uq_document_versions_document_version"),
)

#: Every commissioner export written: its period, threshold, who and when, and fingerprints of the
#: file and of its figures (so an overlapping or differing export of the same period can be refused).
commissioner_exports = sa.Table(
    "commissioner_exports",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("first_month", sa.String(7), nullable=False),
    sa.Column("last_month", sa.String(7), nullable=False),
    sa.Column("min_count", sa.Integer, nullable=False),
    sa.Column("file_format", sa.String(8), nullable=False),
    sa.Column("file_name", sa.Text, nullable=False),
    sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("made_by", sa.Text, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("figures_sha256", sa.String(64), nullable=False),
)

#: A named person's sign-off of a period's theme names and I statements for commissioners.
free_text_signoffs = sa.Table(
    "free_text_signoffs",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("first_month", sa.String(7), nullable=False),
    sa.Column("last_month", sa.String(7), nullable=False),
    sa.Column("signed_by", sa.Text, nullable=False),
    sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("texts", sa.JSON, nullable=False),
    sa.Column("texts_sha256", sa.String(64), nullable=False),
)

#: The people who sign in to pcp: their sign-in name (as the Hub gives it, in lower case), their role
#: (see pcp_widgets.access.ROLES) and, through user_services, the services they work in.
users = sa.Table(
    "users",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(120), nullable=False, unique=True),
    sa.Column("role", sa.String(30), nullable=False),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
)

user_services = sa.Table(
    "user_services",
    metadata,
    sa.Column("user_id", sa.Integer, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("service", sa.String(200), primary_key=True),
)

#: The register of the people supported: a pseudonymous ref (the key audit rows and tool documents
#: use), the name they like to be called, their service, and the day they left. ``name_key`` (the
#: preferred name folded for comparison) is unique within a service, so two editors adding "Zoe" to
#: Oak House at the same moment get one record; NULL for a ref met only in audit rows.
people = sa.Table(
    "people",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("ref", sa.String(40), nullable=False, unique=True),
    sa.Column("preferred_name", sa.Text, nullable=True),
    sa.Column("name_key", sa.Text, nullable=True),
    sa.Column("service", sa.String(200), nullable=False),
    sa.Column("left_on", sa.Date, nullable=True),
    sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("added_by", sa.Text, nullable=False),
    sa.UniqueConstraint("service", "name_key", name="uq_people_service_name"),
)

#: Who did what to whose record, and when: append-only (the migration adds triggers that refuse
#: UPDATE and DELETE, and the Store has no method for either).
access_log = sa.Table(
    "access_log",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("user_name", sa.String(120), nullable=False),
    sa.Column("action", sa.String(30), nullable=False),
    sa.Column("person_ref", sa.String(40), nullable=True),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Index("ix_access_log_person_at", "person_ref", "at"),
    sa.Index("ix_access_log_user_at", "user_name", "at"),
    sa.Index("ix_access_log_at", "at"),
)


def utc_now() -> dt.datetime:
    """Timestamps are stored in UTC and shown in local time."""
    return dt.datetime.now(dt.timezone.utc)
