"""Schema versions: a database made by an older version is upgraded in place, never dropped.

Alembic keeps the version in the ``alembic_version`` table; opening a store runs any
migrations the database has not had yet, inside one transaction where the database allows
it. A database written by a *newer* pcp is refused rather than guessed at.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from pcp_widgets.errors import DatabaseError

MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest schema version, the one the newest file in ``migrations/versions`` declares. A
#: database already at it needs no migration, so opening it does not load alembic, which takes
#: a third of a second of every page's opening (a test checks this is alembic's own head).
HEAD_REVISION = "0005"


def _config(connection: sa.Connection | None = None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head()


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {script.revision for script in ScriptDirectory.from_config(_config()).walk_revisions()}


def current_revision(connection: sa.Connection) -> str | None:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Bring the database to ``revision`` (the newest by default), refusing unknown versions."""
    if revision == "head" and stored_revisions(engine) == [HEAD_REVISION]:
        return  # the usual case: up to date
    from alembic import command

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


def stored_revisions(engine: sa.Engine) -> list[str]:
    """The schema versions the database records (none for a new one), read without alembic."""
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return []
        return [row[0] for row in connection.execute(sa.text("SELECT version_num FROM alembic_version"))]
