"""Persistence behind one small interface.

``open_store()`` gives a :class:`Store` on the SQLite file in the user's data folder, or
on any SQLAlchemy URL (``--db`` / ``PCP_DB``), upgraded to the current schema. Pages and
commands use only the methods here, never SQL of their own, so the database can change
without them noticing.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Iterator

import sqlalchemy as sa

from pcp_widgets.audit.schema import KINDS, sheet_for
from pcp_widgets.errors import DatabaseError
from pcp_widgets.store import documents as _documents
from pcp_widgets.store import migrate
from pcp_widgets.store.engine import create_engine, default_url, describe_url, sqlite_checkpointer
from pcp_widgets.store.records import Batch, finish_import, start_import, store_batch
from pcp_widgets.store.tables import RECORD_TABLES, documents, imports, replaced_records

if TYPE_CHECKING:  # pandas is imported where it is used: `pcp import` never needs it
    import pandas as pd

__all__ = ["Store", "open_store", "default_url", "Batch"]


class Store:
    def __init__(self, engine: sa.Engine):
        self.engine = engine
        self._checkpointer = sqlite_checkpointer(engine)

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=False)

    def describe(self) -> str:
        return describe_url(self.engine.url)

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sa.Connection]:
        """One all-or-nothing unit of work; database failures become one plain sentence."""
        try:
            with self.engine.begin() as connection:
                yield connection
        except sa.exc.OperationalError as error:
            raise DatabaseError(f"The database could not be written: {_reason(error)}.") from None
        if self._checkpointer is not None:
            self._checkpointer.request()

    # -- audit records --------------------------------------------------------------

    def store_file(self, file_name: str, sha256: str, batches: dict[str, Batch], counts: dict) -> int:
        """Store one file's accepted rows in one transaction and log the import; returns its id.

        ``counts`` maps each kind to the importer's counts (rows, accepted, rejected and the
        duplicates found inside the file); what storing finds (new, updated, duplicates of
        stored rows) is added to them before they are logged, so the log and the report agree.
        """
        with self.transaction() as connection:
            import_id = start_import(connection, file_name, sha256)
            for kind, batch in batches.items():
                stored = store_batch(connection, batch, import_id)
                counts[kind].new += stored.new
                counts[kind].updated += stored.updated
                counts[kind].duplicates += stored.duplicates
            finish_import(connection, import_id, {kind: vars(c).copy() for kind, c in counts.items()})
        return import_id

    def read_records(self, kind: str, *, columns: list[str] | None = None) -> pd.DataFrame:
        import pandas as pd

        sheet = sheet_for(kind)
        table = RECORD_TABLES[kind]
        wanted = columns or list(sheet.keys)
        query = sa.select(*(table.c[name] for name in wanted)).order_by(table.c.id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return pd.DataFrame(rows, columns=wanted)

    def count_records(self, kind: str | None = None) -> int:
        kinds = [kind] if kind else list(KINDS)
        with self.engine.connect() as connection:
            return sum(
                connection.execute(sa.select(sa.func.count()).select_from(RECORD_TABLES[k])).scalar() for k in kinds
            )

    def is_empty(self) -> bool:
        with self.engine.connect() as connection:
            has_documents = connection.execute(sa.select(documents.c.id).limit(1)).first() is not None
        return not has_documents and self.count_records() == 0

    def imports(self) -> list[dict]:
        """The imports log, newest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(imports).order_by(imports.c.id.desc())).mappings().all()
        return [dict(row) for row in rows]

    def latest_import(self) -> int:
        """The number of the newest import (0 when none): a page that loaded the records earlier
        knows by it whether they have changed since."""
        with self.engine.connect() as connection:
            return connection.execute(sa.select(sa.func.max(imports.c.id))).scalar() or 0

    def replaced(self, kind: str) -> list[dict]:
        """The history of replaced rows of one kind, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(replaced_records).where(replaced_records.c.kind == kind).order_by(replaced_records.c.id)
            ).mappings().all()
        return [dict(row) for row in rows]

    # -- tool documents -------------------------------------------------------------

    def create_document(self, tool: str, person: str, content: dict, saved_by: str | None = None):
        with self.transaction() as connection:
            return _documents.create(connection, tool, person, content, saved_by)

    def save_document(self, document_id: int, content: dict, base_version: int, saved_by: str | None = None):
        with self.transaction() as connection:
            return _documents.save(connection, document_id, content, base_version, saved_by)

    def restore_document(self, document_id: int, version: int, base_version: int, saved_by: str | None = None):
        with self.transaction() as connection:
            return _documents.restore(connection, document_id, version, base_version, saved_by)

    def get_document(self, document_id: int, version: int | None = None):
        with self.engine.connect() as connection:
            return _documents.get(connection, document_id, version)

    def document_history(self, document_id: int):
        with self.engine.connect() as connection:
            return _documents.history(connection, document_id)

    def find_documents(self, tool: str | None = None, person: str | None = None):
        with self.engine.connect() as connection:
            return _documents.find(connection, tool, person)

    def dispose(self) -> None:
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.engine.dispose()


def _reason(error: sa.exc.DBAPIError) -> str:
    return str(error.orig).strip().rstrip(".") if error.orig is not None else "unknown database error"


def open_store(url: str | None = None) -> Store:
    """Open (creating and upgrading as needed) the database at ``url``; see :func:`default_url`."""
    engine = create_engine(url or default_url())
    try:
        migrate.upgrade(engine)
    except sa.exc.OperationalError as error:
        engine.dispose()
        raise DatabaseError(f"Cannot open the database ({describe_url(engine.url)}): {_reason(error)}.") from None
    except sa.exc.DatabaseError as error:
        engine.dispose()
        raise DatabaseError(
            f"{describe_url(engine.url)} is not a pcp database or is damaged ({_reason(error)})."
        ) from None
    return Store(engine)

