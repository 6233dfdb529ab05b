"""What a person-centred thinking tool is made of: the declarations every tool is built from.

A :class:`Tool` is pure data: its sections, their prompts from the guidance, and for
table sections the columns with their kinds and allowed values. Everything else (the
editor, the renderers, validation, the JSON the store keeps) is derived from it, so a new
tool or a new question is one edit in :mod:`pcp_widgets.tools.catalogue`, which declares
the tools from these; a filled-in document is :mod:`pcp_widgets.tools.model`.
"""


from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Callable

from pcp_widgets.errors import PcpError

#: The longest text one item may hold; a profile or plan entry is a sentence or two.
MAX_TEXT = 2000
#: The most items one list or table may hold; far beyond any real tool, but bounded.
MAX_ITEMS = 500

SECTION_KINDS = ("list", "table", "text")
COLUMN_KINDS = ("text", "date", "choice", "number")
#: The keys every document has besides its sections.
DOCUMENT_KEYS = ("tool", "person", "title", "created", "updated", "contributors")


class UnknownTool(PcpError):
    """A tool key that is not one of the fifteen tools."""

    exit_code = 2


class InvalidDocument(PcpError):
    """A tool document that does not fit its tool's declaration; the message names the field."""

    exit_code = 2

    def __init__(self, where: str, problem: str):
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


@dataclass(frozen=True)
class Column:
    """One field of a table row: a communication chart's 'we think it means', an action's 'by when'."""

    key: str
    label: str
    kind: str = "text"
    choices: tuple[tuple[str, str], ...] = ()  # (stored value, label people read)
    minimum: int | None = None
    maximum: int | None = None
    required: bool = False
    hint: str = ""

    def __post_init__(self):
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"column {self.key}: kind must be one of {COLUMN_KINDS}")
        if (self.kind == "choice") != bool(self.choices):
            raise ValueError(f"column {self.key}: choices go with kind 'choice' only")

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(value for value, _ in self.choices)

    def label_for(self, value: Any) -> str:
        """The words a person reads for a stored value ('not_working' -> 'Not working')."""
        return dict(self.choices).get(value, "" if value is None else str(value))

    def empty(self) -> Any:
        return None if self.kind == "number" else ""

    def clean(self, value: Any, where: str) -> Any:
        """The stored form of ``value``, or InvalidDocument saying what is wrong with it."""
        if value is None or (isinstance(value, str) and not value.strip()):
            if self.required:
                raise InvalidDocument(where, f"{self.label} is needed.")
            return self.empty()
        return _CLEANERS[self.kind](self, value, where)


def _clean_text(column: Column, value: Any, where: str) -> str:
    return clean_text(value, where)


def _clean_date(column: Column, value: Any, where: str) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    try:
        return dt.date.fromisoformat(str(value).strip()[:10]).isoformat()
    except ValueError:
        raise InvalidDocument(where, f"{value!r} is not a date; write it as YYYY-MM-DD.") from None


def _clean_choice(column: Column, value: Any, where: str) -> str:
    wanted = str(value).strip().casefold()
    for stored, label in column.choices:
        if wanted in (stored.casefold(), label.casefold()):
            return stored
    allowed = ", ".join(label for _, label in column.choices)
    raise InvalidDocument(where, f"{value!r} is not one of: {allowed}.")


def _clean_number(column: Column, value: Any, where: str) -> int:
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else None
    except ValueError:
        number = None
    if number is None:
        raise InvalidDocument(where, f"{value!r} is not a whole number.")
    if column.minimum is not None and number < column.minimum:
        raise InvalidDocument(where, f"{number} is below the lowest allowed, {column.minimum}.")
    if column.maximum is not None and number > column.maximum:
        raise InvalidDocument(where, f"{number} is above the highest allowed, {column.maximum}.")
    return number


_CLEANERS: dict[str, Callable[[Column, Any, str], Any]] = {
    "text": _clean_text,
    "date": _clean_date,
    "choice": _clean_choice,
    "number": _clean_number,
}


def clean_text(value: Any, where: str) -> str:
    if not isinstance(value, (str, int, float)) or isinstance(value, bool):
        raise InvalidDocument(where, "should be text.")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise InvalidDocument(where, f"is {len(text)} characters long; the most is {MAX_TEXT}.")
    return text


@dataclass(frozen=True)
class Section:
    """One part of a tool: a list of statements, a table of rows, or one text.

    ``prompt`` is the guidance's question shown beside the section; ``hints`` are the
    smaller questions that help people answer it. ``fixed_rows`` (with ``row_key``) make a
    table whose rows are given, such as the seven days of a perfect week.
    """

    key: str
    label: str
    prompt: str
    kind: str = "list"
    hints: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    max_items: int | None = None
    derived: bool = False
    fixed_rows: tuple[str, ...] = ()
    row_key: str = ""
    first_person: bool = False  # written in the person's own voice ("I like...")
    specific_actions: bool = False  # tells staff what to do: the plan-language check applies

    def __post_init__(self):
        if self.kind not in SECTION_KINDS:
            raise ValueError(f"section {self.key}: kind must be one of {SECTION_KINDS}")
        if (self.kind == "table") != bool(self.columns):
            raise ValueError(f"section {self.key}: columns go with kind 'table' only")

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def empty(self) -> Any:
        if self.kind == "text":
            return ""
        if self.fixed_rows:
            return [self.empty_row(label) for label in self.fixed_rows]
        return []

    def empty_row(self, fixed_label: str = "") -> dict:
        row = {column.key: column.empty() for column in self.columns}
        if self.row_key:
            row[self.row_key] = fixed_label
        return row

    def clean(self, value: Any, where: str) -> Any:
        if self.kind == "text":
            return "" if value is None else clean_text(value, where)
        if not isinstance(value, list):
            raise InvalidDocument(where, "should be a list.")
        limit = self.max_items or MAX_ITEMS
        if len(value) > limit:
            raise InvalidDocument(where, f"has {len(value)} items; the most is {limit}.")
        if self.kind == "list":
            items = [clean_text(item, f"{where} item {n}") for n, item in enumerate(value, 1)]
            return [item for item in items if item]
        rows = [self._clean_row(row, f"{where} row {n}") for n, row in enumerate(value, 1)]
        if self.fixed_rows:
            return self._fit_fixed_rows(rows, where)
        return [row for row in rows if not self.row_is_blank(row)]

    def row_is_blank(self, row: dict) -> bool:
        return all(row.get(c.key) in ("", None) for c in self.columns if c.key != self.row_key)

    def _clean_row(self, row: Any, where: str) -> dict:
        if not isinstance(row, dict):
            raise InvalidDocument(where, "should be an object with " + ", ".join(c.key for c in self.columns) + ".")
        unknown = sorted(set(row) - {c.key for c in self.columns})
        if unknown:
            raise InvalidDocument(where, f"has no field {unknown[0]!r}.")
        if all(row.get(c.key) in ("", None) for c in self.columns if c.key != self.row_key):
            return self.empty_row(row.get(self.row_key, ""))
        return {c.key: c.clean(row.get(c.key), f"{where}, {c.label}") for c in self.columns}

    def _fit_fixed_rows(self, rows: list[dict], where: str) -> list[dict]:
        by_label = {str(row.get(self.row_key, "")).strip().casefold(): row for row in rows}
        allowed = {label.casefold() for label in self.fixed_rows}
        for row in rows:
            if str(row.get(self.row_key, "")).strip().casefold() not in allowed:
                raise InvalidDocument(where, f"has a row {row.get(self.row_key)!r} that is not one of "
                                             f"{', '.join(self.fixed_rows)}.")
        fitted = []
        for label in self.fixed_rows:
            row = by_label.get(label.casefold()) or self.empty_row(label)
            fitted.append({**row, self.row_key: label})
        return fitted


@dataclass(frozen=True)
class Tool:
    """One person-centred thinking tool, declared once.

    ``layout`` tells the renderers and the editor which arrangement suits it ("profile",
    "columns", "lists", "table", "grid", "circle", "week", "review", "plan"); ``derive``
    computes the derived sections from the others. ``reflection`` holds the questions a
    trainer asks after people have practised the tool; the teaching page and the handout
    both show them.
    """

    key: str
    title: str
    purpose: str
    when_to_use: str
    sections: tuple[Section, ...]
    layout: str = "lists"
    derive: Callable[[dict], dict] | None = None
    reflection: tuple[str, ...] = ()

    def section(self, key: str) -> Section:
        for section in self.sections:
            if section.key == key:
                return section
        raise KeyError(key)

    @property
    def editable_sections(self) -> tuple[Section, ...]:
        return tuple(section for section in self.sections if not section.derived)

    def empty_sections(self) -> dict:
        return self.with_derived({section.key: section.empty() for section in self.editable_sections})

    def with_derived(self, sections: dict) -> dict:
        if self.derive is None:
            return dict(sections)
        return {**sections, **self.derive(sections)}
