"""People who sign in (roles and services), the register of people supported, the access log.

Also links tool documents to the register: ``documents.person_ref``, unique per tool, so two
editors opening a new person's profile at once get one document. Documents written before
this version keep their typed name and no ref until ``Store.link_documents_to_register`` gives
each of their people a register entry.

The access log is append-only in the database itself: triggers refuse UPDATE and DELETE on
it, so no page, command or stray script can rewrite who looked at whose record.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

APPEND_ONLY = "the access log is append-only: its entries cannot be changed or removed"


def upgrade():
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(120), nullable=False, unique=True),
        sa.Column("role", sa.String(30), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=False),
    )
    op.create_table(
        "user_services",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("service", sa.String(200), primary_key=True),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("ref", sa.String(40), nullable=False, unique=True),
        sa.Column("preferred_name", sa.Text(), nullable=True),
        sa.Column("name_key", sa.Text(), nullable=True),
        sa.Column("service", sa.String(200), nullable=False),
        sa.Column("left_on", sa.Date(), nullable=True),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("added_by", sa.Text(), nullable=False),
        sa.UniqueConstraint("service", "name_key", name="uq_people_service_name"),
    )
    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_name", sa.String(120), nullable=False),
        sa.Column("action", sa.String(30), nullable=False),
        sa.Column("person_ref", sa.String(40), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
    )
    op.create_index("ix_access_log_person_at", "access_log", ["person_ref", "at"])
    op.create_index("ix_access_log_user_at", "access_log", ["user_name", "at"])
    op.create_index("ix_access_log_at", "access_log", ["at"])
    with op.batch_alter_table("documents") as batch:
        batch.add_column(sa.Column("person_ref", sa.String(40), nullable=True))
    op.create_index("uq_documents_tool_person_ref", "documents", ["tool", "person_ref"], unique=True)
    _refuse_changes_to_the_access_log()


def _refuse_changes_to_the_access_log():
    if op.get_context().dialect.name == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER access_log_no_{event.lower()} BEFORE {event} ON access_log "
                       f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END")
    elif op.get_context().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION access_log_append_only() RETURNS trigger LANGUAGE plpgsql AS "
                   f"$$ BEGIN RAISE EXCEPTION '{APPEND_ONLY}'; END $$")
        op.execute("CREATE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE OR TRUNCATE ON access_log "
                   "FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()")


def downgrade():
    raise RuntimeError("pcp never downgrades a database: restore a backup instead")
