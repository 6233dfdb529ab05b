"""The kinds of failure a person can cause, one exception type each.

Every message is a plain sentence that can be shown to a quality lead or a support
worker as it is: the command line prints it and exits non-zero, the pages show it in
a box. Nothing here ever carries a traceback to the user.
"""

from __future__ import annotations


class PcpError(Exception):
    """Base for every error we expect people to meet. ``exit_code`` is what ``pcp`` exits with."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class InvalidValue(PcpError):
    """One cell's value cannot be read as its column's type.

    Raised by the value types of :mod:`pcp_widgets.audit.schema.sheets`; the importer adds the
    row, the column header and the value before it reaches anyone.
    """


class UnreadableFile(PcpError):
    """A file cannot be read safely: not a spreadsheet, empty, encrypted, too large, hostile."""

    exit_code = 2

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class DatabaseError(PcpError):
    """The database cannot be opened or used: bad URL, missing driver, newer schema, locked."""

    exit_code = 2


class ConflictError(PcpError):
    """A tool document was saved elsewhere since this copy was opened.

    Carries both versions' numbers so the editor can show both and lose nothing.
    """

    def __init__(self, document_id: int, base_version: int, latest_version: int):
        super().__init__(
            f"This document was saved elsewhere (now version {latest_version}) since you "
            f"opened version {base_version}; your changes were not saved over it."
        )
        self.document_id = document_id
        self.base_version = base_version
        self.latest_version = latest_version


class NotFound(PcpError):
    """Something asked for by name or number does not exist (a document, a version, a kind)."""


class UsageError(PcpError):
    """A command was given options that do not fit together or a value it cannot use."""

    exit_code = 2


class ServeError(PcpError):
    """The server cannot start: port in use, unsafe address, pages missing."""

    exit_code = 2


class InvalidExercise(PcpError):
    """A practice exercise file cannot be used: unreadable YAML, a missing or wrong field.

    The message names the file and the item, so a trainer who added an exercise can fix it.
    """

    exit_code = 2


class SessionError(PcpError):
    """A practice session cannot be joined or used: a mistyped or unknown code, no name given.

    The message is one sentence a participant can act on (check the code on the screen, type a name).
    """
