"""Schema versions: a database made by an older version is upgraded in place, never dropped.

Alembic keeps the version in the ``alembic_version`` table; opening a store runs any
migrations the database has not had yet, inside one transaction where the database allows
it. A database written by a *newer* pcp is refused rather than guessed at.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from alembic import command
from pcp_widgets.errors import DatabaseError

MIGRATIONS = Path(__file__).with_name("migrations")


def _config(connection: sa.Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    return ScriptDirectory.from_config(_config()).get_current_head()


def known_revisions() -> set[str]:
    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(connection: sa.Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default), refusing unknown versions."""
    with engine.connect() as connection:
        current = current_revision(connection)
    if current is not None and current not in known_revisions():
        raise DatabaseError(
            f"This database was made by a newer version of pcp (schema {current}); "
            "update pcp before opening it."
        )
    if current == head_revision() and revision == "head":
        return
    with engine.begin() as connection:
        command.upgrade(_config(connection), revision)
