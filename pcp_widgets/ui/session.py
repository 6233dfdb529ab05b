"""One person's tool document open in an editor: its changes, saves, conflicts and versions.

Pure logic over the store, no widgets, so every rule is tested without a kernel:

- a document is a register entry's (:mod:`pcp_widgets.store.people`), opened by the person's ref,
  never by a typed name: two people called Zoe are two refs, and a name typed twice is one entry;
- every open, save, restore and look at an earlier version first checks, here in the kernel, that
  the signed-in person's role and services allow it for the person's service
  (:func:`pcp_widgets.access.check`). The browser can send any widget message; this is the control.
  A refusal raises :class:`~pcp_widgets.access.NotAllowed` with the sentence to show and is written
  to the access log as "refused";
- every version is saved under the signed-in name (:class:`~pcp_widgets.access.Identity`, learnt on
  the server side), never under a name anyone typed;
- every save is a new version based on the version the editor last saw;
- a save refused because someone saved elsewhere meanwhile leaves the session *in conflict*,
  holding both versions; the person then keeps theirs or the other, and either way both
  stay in the history, so nothing typed is ever lost;
- restoring an old version is itself a new version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Callable, Union

from pcp_widgets.access import Action, Identity, check_logged, visible_services
from pcp_widgets.errors import ConflictError
from pcp_widgets.store import Person, PersonAdded, clean_service
from pcp_widgets.tools import Document, document_from_dict, get_tool, new_document
from pcp_widgets.tools.model import now_iso

#: Who is signed in, or a function giving who is signed in at the moment it is called.
SignedIn = Union[Identity, Callable[[], Identity]]

@dataclass(frozen=True)
class VersionInfo:
    version: int
    saved_at: dt.datetime
    saved_by: str | None
    note: str | None

    def describe(self) -> str:
        when = self.saved_at.astimezone().strftime("%d/%m/%Y %H:%M") if self.saved_at.tzinfo else \
            self.saved_at.strftime("%d/%m/%Y %H:%M")
        extra = f" ({self.note})" if self.note else ""
        by = f" by {self.saved_by}" if self.saved_by else ""
        return f"Version {self.version}, saved {when}{by}{extra}"


@dataclass(frozen=True)
class Conflict:
    """Both sides of a refused save: what this editor holds and what was saved elsewhere."""

    mine: Document
    theirs: Document
    theirs_version: int


def people(store, identity: Identity | None = None) -> list[Person]:
    """The register entries a person picker offers ``identity`` (the signed-in person when not given):
    only the people of the services they may open, in name order.

    Only register entries are offered, so nothing else the store versions (a practice session's
    answers, a period's Working Together for Change themes) ever appears as a person.
    """
    if identity is None:
        from pcp_widgets.identity import current_identity

        identity = current_identity(store)
    return store.people(services=visible_services(identity))


def checked_person(store, identity: Identity, action: Action, ref: str, tool: str) -> Person:
    """The register entry of ``ref``, once ``identity`` may do ``action`` for the person's service.

    Otherwise :class:`NotAllowed`, logged as "refused" with the sentence shown. Only the register
    entry (ref, name, service) is read before the check: nothing of the person's documents.
    """
    person = store.person(ref)
    check_logged(store, identity, action, tool, person.service, ref=person.ref)
    return person


def add_person(store, identity: Identity, name: str, service: str, tool: str) -> PersonAdded:
    """Add ``name`` to the register at ``service``, if ``identity`` may add people there.

    One transaction under the register's uniqueness rule (:meth:`pcp_widgets.store.Store.add_person`):
    two editors adding "Zoe" to one service at the same moment get one entry. A refusal is logged.
    """
    service = clean_service(service, "Choose the service the person is supported by.")
    check_logged(store, identity, Action.ADD_PERSON, tool, service)
    return store.add_person(name, service, by=identity.name)


class DocumentSession:
    """The document of one tool for one register entry, as one signed-in person's editor sees it."""

    def __init__(self, store, identity: SignedIn, ref: str, document_id: int, version: int, document: Document):
        """``identity``: who is signed in, or a function giving who is signed in *now* (an editor passes
        one, so a role or service an admin takes away while the page is open stops the next save)."""
        self.store = store
        self._identity = identity
        self.ref = ref
        self.document_id = document_id
        self.version = version  # the version this editor's copy is based on
        self.document = document
        self.conflict: Conflict | None = None
        self.dirty = False

    # -- opening ----------------------------------------------------------------------

    @property
    def identity(self) -> Identity:
        return self._identity() if callable(self._identity) else self._identity

    @classmethod
    def open(cls, store, identity: SignedIn, tool: str, ref: str) -> "DocumentSession":
        """The person's latest document of this tool, or a new one saved as version 1; logged as viewed.

        Two editors opening a new person's document at once get one document (the store makes it in
        one transaction under a unique index).
        """
        spec = get_tool(tool)
        now = identity() if callable(identity) else identity
        person = checked_person(store, now, Action.VIEW_PERSON, ref, spec.key)
        blank = new_document(spec.key, person.preferred_name or person.ref)
        saved = store.open_person_document(spec.key, person.ref, user=now.name, new_content=blank.to_dict())
        return cls(store, identity, person.ref, saved.document_id, saved.version, document_from_dict(saved.content))

    def _allowed(self, action: Action) -> str:
        """Check again before each read or write (the person's service read afresh from the register);
        the name to save under."""
        identity = self.identity
        checked_person(self.store, identity, action, self.ref, self.document.tool)
        return identity.name

    # -- editing ----------------------------------------------------------------------

    def update(self, section_key: str, value) -> Document:
        """Put a section's new value in the document (checked, derived sections recomputed)."""
        data = {**self.document.to_dict(), section_key: value}
        document = document_from_dict(data)
        if document.to_dict() != self.document.to_dict():  # nothing changed: no new version to save
            self.document = document
            self.dirty = True
        return self.document

    def save(self) -> bool:
        """Save the document as a new version; False (and :attr:`conflict` set) if it was saved elsewhere."""
        if self.conflict is not None:
            return False
        by = self._allowed(Action.SAVE_PERSON)
        self.document.updated = now_iso()
        try:
            saved = self.store.save_document(self.document_id, self.document.to_dict(), self.version, by)
        except ConflictError as error:
            self._hold_conflict(error.latest_version)
            return False
        self.version = saved.version
        self.dirty = False
        return True

    def keep_mine(self) -> None:
        """Resolve a conflict by saving this editor's copy on top; the other stays in the history."""
        by = self._allowed(Action.SAVE_PERSON)
        conflict = self._take_conflict()
        saved = self.store.save_document(self.document_id, conflict.mine.to_dict(), conflict.theirs_version, by)
        self.version, self.document, self.dirty = saved.version, conflict.mine, False

    def keep_theirs(self) -> None:
        """Resolve a conflict by going on from the other copy; this editor's copy is kept in the history."""
        by = self._allowed(Action.SAVE_PERSON)
        conflict = self._take_conflict()
        set_aside = self.store.save_document(self.document_id, conflict.mine.to_dict(), conflict.theirs_version, by)
        restored = self.store.restore_document(self.document_id, conflict.theirs_version, set_aside.version, by)
        self.version, self.document, self.dirty = restored.version, conflict.theirs, False

    def _hold_conflict(self, latest_version: int) -> None:
        theirs = self.store.get_document(self.document_id, latest_version)
        self.conflict = Conflict(self.document, document_from_dict(theirs.content), theirs.version)

    def _take_conflict(self) -> Conflict:
        if self.conflict is None:
            raise ValueError("there is no conflict to resolve")
        conflict, self.conflict = self.conflict, None
        return conflict

    # -- versions ---------------------------------------------------------------------

    def versions(self) -> list[VersionInfo]:
        """Every saved version, newest first, each with who saved it."""
        return [VersionInfo(v.version, v.saved_at, v.saved_by, v.note)
                for v in self.store.document_history(self.document_id)]

    def version_document(self, version: int) -> Document:
        self._allowed(Action.VIEW_PERSON)
        return document_from_dict(self.store.get_document(self.document_id, version).content)

    def restore(self, version: int) -> bool:
        """Make an old version the newest, as a new version. False if the document moved on elsewhere."""
        by = self._allowed(Action.RESTORE_PERSON)
        try:
            restored = self.store.restore_document(self.document_id, version, self.version, by)
        except ConflictError as error:
            self._hold_conflict(error.latest_version)
            return False
        self.version = restored.version
        self.document = document_from_dict(restored.content)
        self.dirty = False
        return True
