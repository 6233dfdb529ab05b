"""Persistence behind one small interface.

``open_store()`` gives a :class:`Store` on the SQLite file in the user's data folder, or
on any SQLAlchemy URL (``--db`` / ``PCP_DB``), upgraded to the current schema. Pages and
commands use only the methods here, never SQL of their own, so the database can change
without them noticing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
from typing import TYPE_CHECKING, Callable, Iterable, Iterator, Mapping, Sequence

import sqlalchemy as sa

from pcp_widgets.audit.schema.sheets import KINDS, sheet_for
from pcp_widgets.errors import DatabaseError, PcpError
from pcp_widgets.store import access_log as _access_log
from pcp_widgets.store import commissioner_records as _commissioner_records
from pcp_widgets.store import documents as _documents
from pcp_widgets.store import erasure as _erasure
from pcp_widgets.store import held as _held
from pcp_widgets.store import migrate
from pcp_widgets.store import people as _people
from pcp_widgets.store import retention as _retention
from pcp_widgets.store import users as _users
from pcp_widgets.store.engine import create_engine, default_url, describe_url, sqlite_checkpointer
from pcp_widgets.store.backup import PASSPHRASE_ENV as BACKUP_PASSPHRASE_ENV
from pcp_widgets.store.commissioner_records import LoggedExport, SignedTexts
from pcp_widgets.store.backup import PASSPHRASE_FILE_ENV as BACKUP_PASSPHRASE_FILE_ENV
from pcp_widgets.store.backup import backup as backup_database
from pcp_widgets.store.backup import read_backup
from pcp_widgets.store.backup import restore as restore_backup
from pcp_widgets.store.documents import DocumentSummary, DocumentVersion
from pcp_widgets.store.erasure import Erasure
from pcp_widgets.store.records import RecordBatch, finish_import, start_import, store_batch
from pcp_widgets.store.people import Person, PersonAdded, clean_service, fold_ref
from pcp_widgets.store.retention import load_policy as load_retention_policy
from pcp_widgets.store.tables import RECORD_TABLES, documents, imports, replaced_records

if TYPE_CHECKING:  # pandas is imported where it is used: `pcp import` never needs it
    import pandas as pd

__all__ = ["Store", "open_store", "default_url", "describe_database", "RecordBatch", "Person", "PersonAdded", "Erasure",
           "SignedTexts", "LoggedExport",
           "clean_service", "fold_ref", "load_retention_policy",
           # whole-database backups, by URL and without a Store: `pcp backup` copies a database as it is (an
           # older schema included), and `pcp restore` fills an empty one (pcp_widgets.store.backup)
           "backup_database", "read_backup", "restore_backup", "BACKUP_PASSPHRASE_ENV", "BACKUP_PASSPHRASE_FILE_ENV"]



def describe_database(url: str) -> str:
    """The database at ``url`` as a command may print it: a SQLite file's path, or the URL without its password."""
    return describe_url(sa.make_url(url))

class Store:
    """The one door to the database: every page, command and report reads and writes through these methods.

    Each method opens its own connection or transaction and gives back plain values (DataFrames,
    lists of tuples, small dataclasses), never a connection or a SQLAlchemy row, so the tables
    and the SQL behind them can change (SQLite or PostgreSQL, a new column, a faster query)
    without any caller noticing. Writes that must go together (an imported file's rows and its
    log entry; a saved document and its access-log entry) share one transaction. Make one with
    :func:`open_store`.
    """

    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine
        self._checkpointer = sqlite_checkpointer(engine)

    @property
    def url(self) -> str:
        """The database's URL, password included: to open the same database elsewhere, or tell two apart."""
        return self.engine.url.render_as_string(hide_password=False)

    def describe(self) -> str:
        """The database in words, without a password, for messages such as `pcp serve`'s first line."""
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

    def store_file(self, file_name: str, sha256: str, batches: dict[str, RecordBatch], counts: dict, *,
                   imported_by: str | None = None) -> int:
        """Store one file's accepted rows in one transaction and log the import; returns its id.

        ``counts`` maps each kind to the importer's counts (rows, accepted, rejected and the
        duplicates found inside the file); what storing finds (new, updated, duplicates of
        stored rows) is added to them before they are logged, so the log and the report agree.
        The imports log names ``imported_by``, and the access log says in the same transaction
        that they imported the file and how many rows it stored.
        """
        with self.transaction() as connection:
            import_id = start_import(connection, file_name, sha256, imported_by)
            for kind, batch in batches.items():
                stored = store_batch(connection, batch, import_id)
                counts[kind].new += stored.new
                counts[kind].updated += stored.updated
                counts[kind].duplicates += stored.duplicates
            totals = finish_import(connection, import_id, {kind: vars(c).copy() for kind, c in counts.items()})
            _access_log.append(connection, imported_by or UNNAMED, "imported", None,
                               f"{file_name}: {totals['accepted']:,} of {totals['rows']:,} rows accepted "
                               f"({totals['new']:,} new, {totals['updated']:,} updated), "
                               f"{totals['rejected']:,} rejected")
        return import_id

    def importing(self, by: str) -> contextlib.AbstractContextManager[Callable[[], None]]:
        """Hold the one import lock of this database for ``by`` during the ``with`` block, or say in one
        sentence (:class:`~pcp_widgets.store.import_lock.ImportRunning`) who is importing already; the
        block's ``keep_alive()`` tells other processes the import is still running
        (:mod:`pcp_widgets.store.import_lock`)."""
        from pcp_widgets.store import import_lock

        return import_lock.held(self.engine, by)

    def read_records(self, kind: str, *, columns: list[str] | None = None) -> pd.DataFrame:
        """The stored rows of one audit kind, in the order they were stored (all the sheet's fields unless
        ``columns`` are named); a frame of stored values, not yet typed (see ``audit.analysis.frames.prepare``)."""
        import pandas as pd

        sheet = sheet_for(kind)
        table = RECORD_TABLES[kind]
        wanted = columns or list(sheet.keys)
        query = sa.select(*(table.c[name] for name in wanted)).order_by(table.c.id)
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        return pd.DataFrame(rows, columns=wanted)

    def count_records(self, kind: str | None = None) -> int:
        """How many audit records are stored: of one kind, or of every kind."""
        kinds = [kind] if kind else list(KINDS)
        with self.engine.connect() as connection:
            return sum(
                connection.execute(sa.select(sa.func.count()).select_from(RECORD_TABLES[k])).scalar() for k in kinds
            )

    def is_empty(self) -> bool:
        """True when no audit record and no tool document is stored (`pcp serve --demo` fills such a database)."""
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

    def aggregate_rows(self, kind: str, columns: Sequence[str], *, start: dt.date | None = None,
                       before: dt.date | None = None,
                       coded: Mapping[str, Sequence[str]] | None = None) -> list[tuple]:
        """Rows of one audit kind for figures about many people: ``(month, person_ref, *columns)`` each.

        Only the named ``columns`` are selected (with the record's month and person ref), so a
        caller that must never see free text names what it may read and cannot get more.
        ``month`` is the month number of the record's date (year x 12 + month - 1, as
        ``audit.schema.months`` counts), computed by the database; ``start <= date < before`` narrows the
        rows in the database. A column in ``coded`` arrives as its position among the given
        choices (-1 when blank or not one of them): a small whole number per cell rather than a
        string, which is what a national year's export needs to stay quick.
        """
        sheet = sheet_for(kind)
        table = RECORD_TABLES[kind]
        date = table.c[sheet.date_field]
        coded = coded or {}
        selected = [sa.case({choice: code for code, choice in enumerate(coded[name])}, value=table.c[name],
                            else_=-1).label(name) if name in coded else table.c[name] for name in columns]
        query = sa.select(_month_number(date), table.c.person_ref, *selected)
        if start is not None:
            query = query.where(date >= start)
        if before is not None:
            query = query.where(date < before)
        with self.engine.connect() as connection:
            # the DBAPI cursor's plain tuples: making a SQLAlchemy Row of each costs more than the query
            return connection.execute(query).cursor.fetchall()

    def latest_record_month(self, kinds: Iterable[str] = KINDS) -> int | None:
        """The month number (as :meth:`aggregate_rows` gives it) of the newest record of ``kinds``; None if none."""
        latest = None
        with self.engine.connect() as connection:
            for kind in kinds:
                table = RECORD_TABLES[kind]
                newest = connection.execute(sa.select(sa.func.max(_month_number(table.c[sheet_for(kind).date_field])))
                                            ).scalar()
                if newest is not None:
                    latest = int(newest) if latest is None else max(latest, int(newest))
        return latest

    def replaced(self, kind: str) -> list[dict]:
        """The history of replaced rows of one kind, oldest first."""
        with self.engine.connect() as connection:
            rows = connection.execute(
                sa.select(replaced_records).where(replaced_records.c.kind == kind).order_by(replaced_records.c.id)
            ).mappings().all()
        return [dict(row) for row in rows]

    # -- tool documents -------------------------------------------------------------

    def create_document(self, tool: str, person: str, content: dict, saved_by: str | None = None,
                        person_ref: str | None = None) -> DocumentVersion:
        """A new document, version 1. With ``person_ref`` (a register entry) it is that person's document of
        the tool, logged as saved by ``saved_by``; a second one of the same tool and ref is refused by the
        database (see :meth:`open_person_document`, which answers that race with the first)."""
        with self.transaction() as connection:
            created = _documents.create(connection, tool, person, content, saved_by)
            if person_ref is not None:
                ref = _people.get(connection, person_ref).ref
                connection.execute(documents.update().where(documents.c.id == created.document_id)
                                   .values(person_ref=ref))
                _access_log.append(connection, saved_by or UNNAMED, "saved", ref, f"{tool}: created version 1")
            return created

    def save_document(self, document_id: int, content: dict, base_version: int,
                      saved_by: str | None = None) -> DocumentVersion:
        """Save a new version; one of a registered person's documents is logged under ``saved_by``."""
        with self.transaction() as connection:
            saved = _documents.save(connection, document_id, content, base_version, saved_by)
            self._log_document(connection, saved, "saved")
            return saved

    def restore_document(self, document_id: int, version: int, base_version: int,
                         saved_by: str | None = None) -> DocumentVersion:
        """Make an earlier ``version`` the newest again (as a new version: history is never rewritten)."""
        with self.transaction() as connection:
            restored = _documents.restore(connection, document_id, version, base_version, saved_by)
            self._log_document(connection, restored, "restored")
            return restored

    @staticmethod
    def _log_document(connection: sa.Connection, saved: DocumentVersion, action: str) -> None:
        """The access-log entry of a save or restore, in its transaction: only documents about a
        registered person are records of a person (practice sessions and theme sets are not)."""
        ref = latest_ref(connection, saved.document_id)
        if ref is not None:
            _access_log.append(connection, saved.saved_by or UNNAMED, action, ref,
                               f"{saved.tool}: version {saved.version}" + (f" ({saved.note})" if saved.note else ""))

    def get_document(self, document_id: int, version: int | None = None) -> DocumentVersion:
        """One version of a document (the newest unless ``version`` is given)."""
        with self.engine.connect() as connection:
            return _documents.get(connection, document_id, version)

    def document_history(self, document_id: int) -> list[DocumentVersion]:
        """Every version of a document, oldest first: who saved each and when."""
        with self.engine.connect() as connection:
            return _documents.history(connection, document_id)

    def find_documents(self, tool: str | None = None, person: str | None = None) -> list[DocumentSummary]:
        """Documents by tool and typed person name (also those written before the register had refs)."""
        with self.engine.connect() as connection:
            return _documents.find(connection, tool, person)

    def documents_of(self, ref: str, tool: str | None = None) -> list[DocumentSummary]:
        """The tool documents of a register entry (DocumentSummary, by tool)."""
        with self.engine.connect() as connection:
            ref = _people.get(connection, ref).ref
            query = sa.select(documents).where(documents.c.person_ref == ref).order_by(documents.c.tool)
            if tool is not None:
                query = query.where(documents.c.tool == tool)
            return [_documents.DocumentSummary(row.id, row.tool, row.person, row.created_at, row.latest_version)
                    for row in connection.execute(query)]

    def open_person_document(self, tool: str, ref: str, *, user: str, new_content: dict) -> DocumentVersion:
        """The latest version of the person's ``tool`` document, made from ``new_content`` if they have none.

        Logged as viewed by ``user`` (or saved, when made). Two editors opening a new person's document at
        once get one document: the second insert meets the unique (tool, ref) index and opens the first.
        """
        for _ in range(2):
            found = self.documents_of(ref, tool)
            if found:
                with self.transaction() as connection:
                    latest = _documents.get(connection, found[0].document_id)
                    _access_log.append(connection, user, "viewed", _people.clean_ref(ref),
                                       f"{tool}: version {latest.version}")
                return latest
            person = self.person(ref)
            try:
                return self.create_document(tool, person.preferred_name or person.ref, new_content, user,
                                            person_ref=person.ref)
            except sa.exc.IntegrityError:
                continue  # another editor made it a moment ago: open theirs
        raise DatabaseError(f"The {tool} document of {ref} could not be opened; try again.")

    def link_documents_to_register(self, service: str, *, by: str, tools: Iterable[str]) -> dict:
        """The migration path for documents written before the register: give each one's person a
        register entry and link the document to it.

        Only documents of ``tools`` (keys of pcp_widgets.tools.TOOLS, which the caller passes: the store
        knows no tools) are linked; a practice session or a theme set is about no one.

        A person already registered under the same preferred name in exactly one service is linked to
        that entry; anyone else is added to ``service`` (an admin moves them on later). Where the old
        typed names made two documents of one tool for the same name, the newest is linked and the older
        ones keep no ref (still in the database, found by :meth:`find_documents`). Returns
        ``{"linked": {name: ref}, "added": [refs], "not_linked": [document ids]}``.
        """
        service = _people.clean_service(service)
        result = {"linked": {}, "added": [], "not_linked": []}
        with self.transaction() as connection:
            rows = connection.execute(
                sa.select(documents.c.id, documents.c.tool, documents.c.person)
                .where(documents.c.person_ref.is_(None), documents.c.tool.in_(list(tools)))
                .order_by(documents.c.id.desc())).all()
            taken = _people.registered_refs(connection) | set(_people.audit_refs(connection))
            linked_tools = {(tool, ref) for tool, ref in connection.execute(
                sa.select(documents.c.tool, documents.c.person_ref).where(documents.c.person_ref.is_not(None)))}
            for document_id, tool, typed in rows:
                name = _people.clean_name(typed)
                ref = result["linked"].get(name) or self._register_entry(connection, name, service, by, taken, result)
                if (tool, ref) in linked_tools:
                    result["not_linked"].append(document_id)
                    continue
                connection.execute(documents.update().where(documents.c.id == document_id).values(person_ref=ref))
                linked_tools.add((tool, ref))
                result["linked"][name] = ref
        return result

    @staticmethod
    def _register_entry(connection: sa.Connection, name: str, service: str, by: str, taken: set,
                        result: dict) -> str:
        """The ref of the one register entry named ``name``, or of a new one in ``service``."""
        same = _people.named(connection, name)
        if len(same) == 1:
            return same[0].ref
        match = _people.by_name(connection, service, name)
        if match is not None:
            return match.ref
        ref = _people.next_made_up_ref(taken)
        _people.insert(connection, ref, name, service, by)
        _access_log.append(connection, by, "added a person", ref, f"{service}, from an existing document")
        taken.add(ref)
        result["added"].append(ref)
        return ref

    # -- the register of people supported ----------------------------------------------

    def add_person(self, name: str, service: str, *, by: str, ref: str | None = None) -> PersonAdded:
        """Add a person to the register in one transaction, or give back the entry that is already there.

        The database decides, not a look beforehand: a preferred name already in the service (another
        editor's "Zoe" a moment ago) gives that entry with ``created=False``; a ref already taken by
        someone else is refused with a sentence. Without ``ref`` the next free P-number is given.
        """
        name, service = _people.clean_name(name), _people.clean_service(service)
        wanted = _people.clean_ref(ref) if ref else None
        for _ in range(ADD_ATTEMPTS):
            if wanted is None:
                with self.engine.connect() as connection:
                    taken = _people.registered_refs(connection) | set(_people.audit_refs(connection))
            chosen = wanted or _people.next_made_up_ref(taken)
            try:
                with self.transaction() as connection:
                    _people.insert(connection, chosen, name, service, by)
                    _access_log.append(connection, by, "added a person", chosen, service)
            except sa.exc.IntegrityError:
                with self.engine.connect() as connection:
                    same = _people.by_name(connection, service, name)
                    if same is not None:
                        return PersonAdded(same, created=False)
                    if wanted is not None:
                        holder = _people.get(connection, wanted)
                        raise PcpError(f"{wanted} is already in the register, at {holder.service}; "
                                       "give another ref or leave it blank for a new one.") from None
                continue  # another editor took that P-number a moment ago: count again
            return PersonAdded(self.person(chosen), created=True)
        raise DatabaseError("The person could not be added while so many others were being added; try again.")

    def person(self, ref: str) -> Person:
        """The register entry of ``ref``; NotFound, in a sentence, when there is none."""
        with self.engine.connect() as connection:
            return _people.get(connection, ref)

    def people(self, services: Iterable[str] | None = None, include_left: bool = False) -> list[Person]:
        """The register in name order; ``services`` (a set, or None for all) narrows it, as
        ``pcp_widgets.access.visible_services(identity)`` gives it for the signed-in person."""
        with self.engine.connect() as connection:
            return _people.listing(connection, services, include_left)

    def person_left(self, ref: str, on: dt.date | None, *, by: str) -> Person:
        """Record that a person left on ``on`` (None: they are back). Nothing of theirs is removed."""
        with self.transaction() as connection:
            person = _people.mark_left(connection, ref, on)
            _access_log.append(connection, by, "saved", person.ref,
                               f"left on {on:%d/%m/%Y}" if on else "back in the register")
            return person

    def unregistered_audit_refs(self) -> dict[str, str]:
        """Refs in the imported audit rows with no register entry, each with its latest service."""
        with self.engine.connect() as connection:
            registered = _people.registered_refs(connection)
            return {ref: service for ref, service in _people.audit_refs(connection).items() if ref not in registered}

    def register_audit_refs(self, *, by: str) -> list[Person]:
        """Give every ref of the audit rows a register entry (no name: the workbook holds none), so audit
        rows link to the register by ref. Refs that look like names are left out (the import warned)."""
        added = []
        for ref, service in self.unregistered_audit_refs().items():
            try:
                ref = _people.clean_ref(ref)
            except PcpError:
                continue
            try:
                with self.transaction() as connection:
                    _people.insert(connection, ref, None, service, by)
                    _access_log.append(connection, by, "added a person", ref, f"{service}, from audit records")
            except sa.exc.IntegrityError:
                continue  # registered meanwhile
            added.append(self.person(ref))
        return added

    # -- a person's data from start to end (pcp_widgets.subject_access checks the role first) ----

    def held_about(self, ref: str) -> dict:
        """Everything held about the register entry ``ref``, as plain JSON-ready values: the entry, every
        version of its tool documents, its audit rows (with the import each came from and any replaced
        values), practice answers that name the ref, and the access-log entries about it
        (:mod:`pcp_widgets.store.held`). NotFound, in a sentence, when there is no such entry."""
        with self.engine.connect() as connection:
            return _held.gather(connection, ref)

    def erase_person(self, ref: str, *, by: str, reason: str) -> Erasure:
        """Erase ``ref`` in one transaction, logged under ``by`` with ``reason`` (refused if it names the
        person), then leave no trace of it in the database's files (:mod:`pcp_widgets.store.erasure`)."""
        with self.transaction() as connection:
            done = _erasure.erase(connection, ref, by=by, reason=reason)
        _erasure.scrub_files(self.engine)
        return done

    def redact_version(self, ref: str, tool: str, version: int, *, by: str, reason: str) -> dict:
        """Replace one version of ``ref``'s ``tool`` document with who redacted it, when and why (the content
        now stored, returned), logged under ``by``; then clear the old bytes from the database's files."""
        with self.transaction() as connection:
            content = _erasure.redact(connection, ref, tool, version, by=by, reason=reason)
        _erasure.scrub_files(self.engine)
        return content

    # -- people who sign in ------------------------------------------------------------

    def user(self, name: str) -> _users.User:
        """The person who signs in as ``name``; NotFound when there is none."""
        with self.engine.connect() as connection:
            return _users.get(connection, name)

    def find_user(self, name: str) -> _users.User | None:
        """The person who signs in as ``name``, or None."""
        with self.engine.connect() as connection:
            return _users.find(connection, name)

    def users(self) -> list[_users.User]:
        """Everyone who may sign in, with their roles and services."""
        with self.engine.connect() as connection:
            return _users.list_all(connection)

    def add_user(self, name: str, role: str, services: Iterable[str] = (), *, by: str) -> _users.User:
        """Let ``name`` sign in with ``role`` in ``services``; the change is in the access log under ``by``."""
        with self.transaction() as connection:
            return _users.add(connection, name, role, services, by)

    def set_user_role(self, name: str, role: str, *, by: str) -> _users.User:
        """Change a user's role, logged under ``by``."""
        with self.transaction() as connection:
            return _users.set_role(connection, name, role, by)

    def set_user_services(self, name: str, services: Iterable[str], *, by: str) -> _users.User:
        """Change the services a user works in, logged under ``by``."""
        with self.transaction() as connection:
            return _users.set_services(connection, name, services, by)

    # -- the access log (append-only: no method changes or removes an entry) -------------

    def log_access(self, user: str, action: str, person_ref: str | None = None, detail: str = "") -> None:
        """Append one entry: ``action`` is one of access_log.ACTIONS ("viewed", "imported", "exported", ...)."""
        with self.transaction() as connection:
            _access_log.append(connection, user, action, person_ref, detail)

    def access_log(self, *, person_ref: str | None = None, user: str | None = None,
                   start: dt.datetime | None = None, end: dt.datetime | None = None) -> list:
        """Entries oldest first (AccessEntry), narrowed by ref, user and ``start <= at < end``."""
        with self.engine.connect() as connection:
            return _access_log.query(connection, person_ref=person_ref, user=user, start=start, end=end)

    # -- what went to commissioners (pcp_widgets.audit.outputs.free_text and export_log read these) ------

    def sign_off_texts(self, first: str, last: str, texts: Sequence[Sequence[str]], *, by: str) -> SignedTexts:
        """Record that ``by`` allowed ``texts`` ((kind, name, I statement) each) of the period ``first`` to
        ``last`` (YYYY-MM) to go to commissioners; returns the sign-off as stored. The caller checks the
        texts first (:func:`pcp_widgets.audit.outputs.free_text.sign_off`)."""
        with self.transaction() as connection:
            signed_at = _commissioner_records.add_sign_off(connection, first, last, by, texts)
        return SignedTexts(first, last, by, signed_at, tuple(tuple(text) for text in texts))

    def latest_sign_off(self, first: str, last: str) -> SignedTexts | None:
        """The most recent sign-off of the period ``first`` to ``last`` (YYYY-MM), or None."""
        with self.engine.connect() as connection:
            return _commissioner_records.latest_sign_off(connection, first, last)

    def log_commissioner_export(self, *, first: str, last: str, min_count: int, file_format: str, file_name: str,
                                made_by: str, sha256: str, figures_sha256: str) -> None:
        """Log a commissioner export just written: its period ``first`` to ``last`` (YYYY-MM), threshold,
        format and file name, who made it, and the fingerprints of the file and of its figures."""
        with self.transaction() as connection:
            _commissioner_records.add_export(connection, first=first, last=last, min_count=min_count,
                                             file_format=file_format, file_name=file_name, made_by=made_by,
                                             sha256=sha256, figures_sha256=figures_sha256)

    def commissioner_exports(self) -> list[LoggedExport]:
        """Every logged commissioner export, oldest first (what a new one must not overlap)."""
        with self.engine.connect() as connection:
            return _commissioner_records.exports(connection)

    # -- the retention schedule (pcp_widgets.store.retention) -----------------------------

    def retention_due(self, policy: _retention.Policy, today: dt.date | None = None) -> _retention.Plan:
        """What the retention ``policy`` says is due to go on ``today`` (a retention.Plan; nothing removed)."""
        with self.engine.connect() as connection:
            return _retention.plan(connection, policy, today or dt.date.today())

    def apply_retention(self, policy: _retention.Policy, *, by: str,
                        today: dt.date | None = None) -> _retention.Plan:
        """Remove what is due, in one transaction, and log it under ``by``; returns the retention.Plan removed."""
        with self.transaction() as connection:
            due = _retention.plan(connection, policy, today or dt.date.today())
            _retention.apply(connection, due, by)
        return due

    def dispose(self) -> None:
        """Close the database's connections (and the SQLite checkpointer's thread)."""
        if self._checkpointer is not None:
            self._checkpointer.close()
        self.engine.dispose()


#: Who a save is logged under when the caller named no one (an older page, a script).
UNNAMED = "(not recorded)"
#: How often an add without a ref counts the next free P-number again when others take it first.
ADD_ATTEMPTS = 20


def _month_number(column: sa.ColumnElement) -> sa.ColumnElement:
    """The month number (year x 12 + month - 1) of a date column, computed by SQLite and PostgreSQL alike."""
    def part(name: str) -> sa.ColumnElement:
        return sa.cast(sa.extract(name, column), sa.Integer)
    return (part("year") * 12 + part("month") - 1).label("month")


def latest_ref(connection: sa.Connection, document_id: int) -> str | None:
    return connection.execute(sa.select(documents.c.person_ref).where(documents.c.id == document_id)).scalar()


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

