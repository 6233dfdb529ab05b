"""Alembic's entry point, run by :func:`pcp_widgets.store.migrate.upgrade`.

The store hands over an open connection (``config.attributes["connection"]``), so
migrations run inside the same connection settings (SQLite pragmas) as everything else.
"""

from alembic import context

from pcp_widgets.store.tables import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
