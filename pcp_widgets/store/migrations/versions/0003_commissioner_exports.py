"""The commissioner export log and free-text sign-offs.

Every commissioner export is logged (period, threshold, who, when, sha256 of the file and
of its figures) so that one overlapping an earlier export can be refused; theme names and
I statements leave only with a named person's sign-off, kept here.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "commissioner_exports",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("first_month", sa.String(7), nullable=False),
        sa.Column("last_month", sa.String(7), nullable=False),
        sa.Column("min_count", sa.Integer(), nullable=False),
        sa.Column("file_format", sa.String(8), nullable=False),
        sa.Column("file_name", sa.Text(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("made_by", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("figures_sha256", sa.String(64), nullable=False),
    )
    op.create_table(
        "free_text_signoffs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("first_month", sa.String(7), nullable=False),
        sa.Column("last_month", sa.String(7), nullable=False),
        sa.Column("signed_by", sa.Text(), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("texts", sa.JSON(), nullable=False),
        sa.Column("texts_sha256", sa.String(64), nullable=False),
    )


def downgrade():
    raise RuntimeError("pcp never downgrades a database: restore a backup instead")
