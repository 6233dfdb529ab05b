"""Who made each import, and the lock that lets one import run at a time.

``imports.imported_by`` names the signed-in person (or the account running ``pcp import``) whose
import stored the file; imports made before this version have none. ``import_locks`` holds at most
one row per lock (the import lock is named "import"): whoever inserted it is importing, and every
other page or process that tries finds the row, so it can say who is importing and since when. A
row left by a process that died is recognised by its host and process id, or by not having been
renewed for a while (see ``pcp_widgets.store.import_lock``).

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("imports") as batch:
        batch.add_column(sa.Column("imported_by", sa.Text(), nullable=True))
    op.create_table(
        "import_locks",
        sa.Column("name", sa.String(40), primary_key=True),
        sa.Column("held_by", sa.Text(), nullable=False),
        sa.Column("host", sa.Text(), nullable=False),
        sa.Column("pid", sa.Integer(), nullable=False),
        sa.Column("since", sa.DateTime(timezone=True), nullable=False),
        sa.Column("renewed_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade():
    raise RuntimeError("pcp never downgrades a database: restore a backup instead")
