"""Audit records, the imports log and the history of replaced rows.

The first schema version. Written out in full (not derived from the live schema) because a
migration is a record of what the database looked like at that point: later versions add to it.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "imports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("updated", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
    )
    op.create_index("ix_imports_sha256", "imports", ["sha256"])
    op.create_table(
        "replaced_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("natural_key", sa.Text(), nullable=False),
        sa.Column("old_values", sa.JSON(), nullable=False),
        sa.Column("old_import_id", sa.Integer(), sa.ForeignKey("imports.id"), nullable=True),
        sa.Column("replaced_by_import_id", sa.Integer(), sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_replaced_records_kind_record", "replaced_records", ["kind", "record_id"])
    op.create_table(
        "file_audit_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("natural_key", sa.Text(), nullable=False, unique=True),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("audit_date", sa.Date(), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("person_ref", sa.Text(), nullable=False),
        sa.Column("auditor", sa.Text(), nullable=False),
        sa.Column("q01_profile_current", sa.Text(), nullable=False),
        sa.Column("q02_persons_voice", sa.Text(), nullable=False),
        sa.Column("q03_important_to", sa.Text(), nullable=False),
        sa.Column("q04_specific_actions", sa.Text(), nullable=False),
        sa.Column("q05_consent_routine", sa.Text(), nullable=False),
        sa.Column("q06_communication", sa.Text(), nullable=False),
        sa.Column("q07_outcomes", sa.Text(), nullable=False),
        sa.Column("q08_actions_owned", sa.Text(), nullable=False),
        sa.Column("q09_review_date", sa.Text(), nullable=False),
        sa.Column("q10_reviewed_on_time", sa.Text(), nullable=False),
        sa.Column("q11_updated_after_event", sa.Text(), nullable=False),
        sa.Column("q12_least_restrictive", sa.Text(), nullable=False),
        sa.Column("q13_progress_evidence", sa.Text(), nullable=False),
        sa.Column("q14_person_involved", sa.Text(), nullable=False),
        sa.Column("best_support_sample", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
    )
    op.create_index("ix_file_audit_service_date", "file_audit_records", ["service", "audit_date"])
    op.create_table(
        "observation_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("natural_key", sa.Text(), nullable=False, unique=True),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("obs_date", sa.Date(), nullable=False),
        sa.Column("obs_time", sa.Time(), nullable=True),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("person_ref", sa.Text(), nullable=False),
        sa.Column("staff_ref", sa.Text(), nullable=False),
        sa.Column("observer", sa.Text(), nullable=False),
        sa.Column("routine", sa.Text(), nullable=False),
        sa.Column("o1_consent_asked", sa.Text(), nullable=False),
        sa.Column("o2_choice_offered", sa.Text(), nullable=False),
        sa.Column("o3_stop_respected", sa.Text(), nullable=False),
        sa.Column("o4_communication_as_plan", sa.Text(), nullable=False),
        sa.Column("o5_routine_as_plan", sa.Text(), nullable=False),
        sa.Column("o6_dignity", sa.Text(), nullable=False),
        sa.Column("o7_knows_person", sa.Text(), nullable=False),
        sa.Column("matches_plan", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=True),
    )
    op.create_index("ix_observation_service_date", "observation_records", ["service", "obs_date"])
    op.create_table(
        "event_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("natural_key", sa.Text(), nullable=False, unique=True),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("event_time", sa.Time(), nullable=True),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("person_ref", sa.Text(), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("routine", sa.Text(), nullable=True),
        sa.Column("trigger", sa.Text(), nullable=True),
        sa.Column("severity", sa.Text(), nullable=True),
        sa.Column("recovery_minutes", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
    )
    op.create_index("ix_event_service_date", "event_records", ["service", "event_date"])
    op.create_table(
        "plan_change_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("natural_key", sa.Text(), nullable=False, unique=True),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("change_date", sa.Date(), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("person_ref", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
    )
    op.create_index("ix_plan_change_service_date", "plan_change_records", ["service", "change_date"])
    op.create_table(
        "outcome_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("natural_key", sa.Text(), nullable=False, unique=True),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("person_ref", sa.Text(), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("status", sa.Text(), nullable=False),
        sa.Column("steps_done", sa.Integer(), nullable=True),
        sa.Column("steps_total", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Integer(), nullable=True),
        sa.Column("cancellations", sa.Integer(), nullable=True),
    )
    op.create_index("ix_outcome_service_date", "outcome_records", ["service", "review_date"])
    op.create_table(
        "review_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("natural_key", sa.Text(), nullable=False, unique=True),
        sa.Column("content_hash", sa.String(32), nullable=False),
        sa.Column("import_id", sa.Integer(), sa.ForeignKey("imports.id"), nullable=False),
        sa.Column("source_row", sa.Integer(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("service", sa.Text(), nullable=False),
        sa.Column("person_ref", sa.Text(), nullable=False),
        sa.Column("working_1", sa.Text(), nullable=False),
        sa.Column("working_2", sa.Text(), nullable=True),
        sa.Column("not_working_1", sa.Text(), nullable=False),
        sa.Column("not_working_2", sa.Text(), nullable=True),
        sa.Column("future_1", sa.Text(), nullable=False),
        sa.Column("future_2", sa.Text(), nullable=True),
    )
    op.create_index("ix_review_service_date", "review_records", ["service", "review_date"])


def downgrade():
    raise RuntimeError("pcp never downgrades a database: restore a backup instead")
