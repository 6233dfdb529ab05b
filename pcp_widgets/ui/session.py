"""One person's tool document open in an editor: its changes, saves, conflicts and versions.

Pure logic over the store, no widgets, so every rule is tested without a kernel:

- every save is a new version based on the version the editor last saw;
- a save refused because someone saved elsewhere meanwhile leaves the session *in conflict*,
  holding both versions; the person then keeps theirs or the other, and either way both
  stay in the history, so nothing typed is ever lost;
- restoring an old version is itself a new version.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pcp_widgets.errors import ConflictError
from pcp_widgets.tools import Document, document_from_dict, get_tool, new_document
from pcp_widgets.tools.model import clean_person, now_iso


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


def people(store, tool: str | None = None) -> list[str]:
    """Everyone with a tool document (of ``tool``, if given), for the person picker, in name order.

    The store keeps other versioned documents too (a period's Working Together for Change
    themes); only the tools' documents are about a person.
    """
    from pcp_widgets.tools import TOOLS

    return sorted({summary.person for summary in store.find_documents(tool=tool) if summary.tool in TOOLS},
                  key=str.casefold)


class DocumentSession:
    """The document of one tool for one person, as one editor sees it."""

    def __init__(self, store, document_id: int, version: int, document: Document):
        self.store = store
        self.document_id = document_id
        self.version = version  # the version this editor's copy is based on
        self.document = document
        self.conflict: Conflict | None = None
        self.dirty = False

    # -- opening ----------------------------------------------------------------------

    @classmethod
    def open(cls, store, tool: str, person: str) -> "DocumentSession":
        """The person's latest document of this tool, or a new one saved as version 1."""
        spec = get_tool(tool)
        person = clean_person(person)
        existing = store.find_documents(tool=spec.key, person=person)
        if existing:
            latest = max(existing, key=lambda summary: summary.document_id)
            return cls.load(store, latest.document_id)
        document = new_document(spec.key, person)
        saved = store.create_document(spec.key, person, document.to_dict())
        return cls(store, saved.document_id, saved.version, document)

    @classmethod
    def load(cls, store, document_id: int) -> "DocumentSession":
        saved = store.get_document(document_id)
        return cls(store, document_id, saved.version, document_from_dict(saved.content))

    # -- editing ----------------------------------------------------------------------

    def update(self, section_key: str, value) -> Document:
        """Put a section's new value in the document (checked, derived sections recomputed)."""
        data = {**self.document.to_dict(), section_key: value}
        document = document_from_dict(data)
        if document.to_dict() != self.document.to_dict():  # nothing changed: no new version to save
            self.document = document
            self.dirty = True
        return self.document

    def save(self, saved_by: str | None = None) -> bool:
        """Save the document as a new version; False (and :attr:`conflict` set) if it was saved elsewhere."""
        if self.conflict is not None:
            return False
        self.document.updated = now_iso()
        try:
            saved = self.store.save_document(self.document_id, self.document.to_dict(), self.version, saved_by)
        except ConflictError as error:
            theirs = self.store.get_document(self.document_id, error.latest_version)
            self.conflict = Conflict(self.document, document_from_dict(theirs.content), theirs.version)
            return False
        self.version = saved.version
        self.dirty = False
        return True

    def keep_mine(self, saved_by: str | None = None) -> None:
        """Resolve a conflict by saving this editor's copy on top; the other stays in the history."""
        conflict = self._take_conflict()
        saved = self.store.save_document(self.document_id, conflict.mine.to_dict(), conflict.theirs_version,
                                         saved_by)
        self.version, self.document, self.dirty = saved.version, conflict.mine, False

    def keep_theirs(self, saved_by: str | None = None) -> None:
        """Resolve a conflict by going on from the other copy; this editor's copy is kept in the history."""
        conflict = self._take_conflict()
        set_aside = self.store.save_document(self.document_id, conflict.mine.to_dict(), conflict.theirs_version,
                                             saved_by)
        restored = self.store.restore_document(self.document_id, conflict.theirs_version, set_aside.version,
                                               saved_by)
        self.version, self.document, self.dirty = restored.version, conflict.theirs, False

    def _take_conflict(self) -> Conflict:
        if self.conflict is None:
            raise ValueError("there is no conflict to resolve")
        conflict, self.conflict = self.conflict, None
        return conflict

    # -- versions ---------------------------------------------------------------------

    def versions(self) -> list[VersionInfo]:
        """Every saved version, newest first."""
        return [VersionInfo(v.version, v.saved_at, v.saved_by, v.note)
                for v in self.store.document_history(self.document_id)]

    def version_document(self, version: int) -> Document:
        return document_from_dict(self.store.get_document(self.document_id, version).content)

    def restore(self, version: int, saved_by: str | None = None) -> bool:
        """Make an old version the newest, as a new version. False if the document moved on elsewhere."""
        try:
            restored = self.store.restore_document(self.document_id, version, self.version, saved_by)
        except ConflictError as error:
            theirs = self.store.get_document(self.document_id, error.latest_version)
            self.conflict = Conflict(self.document, document_from_dict(theirs.content), theirs.version)
            return False
        self.version = restored.version
        self.document = document_from_dict(restored.content)
        self.dirty = False
        return True
