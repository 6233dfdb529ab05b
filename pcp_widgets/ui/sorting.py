"""Sorting statements into columns by keyboard: working / not working, important to / for.

A person types a statement (and for working / not working, whose view it is), then places
it in a column with a button. Each column is a list box: arrow keys select a statement, and
buttons move it to another column or remove it. No dragging is needed, so it works with a
keyboard, a switch or a screen reader.

The moves are pure functions from the document's sections to new section values
(:class:`Sorting`), so they are tested without widgets.
"""

from __future__ import annotations

import html
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Callable

import ipywidgets as widgets

from pcp_widgets.tools.catalogue import PERSPECTIVES, SIDES
from pcp_widgets.ui.fields import row_of, stacked

_PERSPECTIVE_LABELS = dict(PERSPECTIVES)


@dataclass(frozen=True)
class Sorting(ABC):
    """How one tool's statements sit in columns. ``columns``: (key, label) pairs."""

    columns: tuple[tuple[str, str], ...]
    with_perspective: bool

    # Each function takes the document's sections and returns {section key: new value}.

    @abstractmethod
    def items(self, sections: dict) -> dict[str, list[str]]:
        """The statements shown in each column, as their labels."""

    @abstractmethod
    def add(self, sections: dict, column: str, text: str, perspective: str = "person", other: str = "") -> dict:
        """The sections changed by the move."""

    @abstractmethod
    def move(self, sections: dict, column: str, index: int, to_column: str) -> dict:
        """The sections changed by the move."""

    @abstractmethod
    def remove(self, sections: dict, column: str, index: int) -> dict:
        """The sections changed by the move."""


class ListSorting(Sorting):
    """Columns that are list sections of their own (important to / important for)."""

    def items(self, sections):
        return {key: list(sections.get(key) or []) for key, _ in self.columns}

    def add(self, sections, column, text, perspective="person", other=""):
        return {column: list(sections.get(column) or []) + [text]}

    def move(self, sections, column, index, to_column):
        source = list(sections.get(column) or [])
        item = source.pop(index)
        return {column: source, to_column: list(sections.get(to_column) or []) + [item]}

    def remove(self, sections, column, index):
        source = list(sections.get(column) or [])
        del source[index]
        return {column: source}


class StatementSorting(Sorting):
    """One table of statements, each with a side and a perspective (working / not working)."""

    section = "statements"

    def _indexes(self, sections, column) -> list[int]:
        return [n for n, s in enumerate(sections.get(self.section) or []) if s.get("side") == column]

    def items(self, sections):
        statements = sections.get(self.section) or []
        return {key: [describe_statement(statements[n]) for n in self._indexes(sections, key)]
                for key, _ in self.columns}

    def add(self, sections, column, text, perspective="person", other=""):
        statement = {"text": text, "perspective": perspective, "other_name": other if perspective == "other" else "",
                     "side": column}
        return {self.section: list(sections.get(self.section) or []) + [statement]}

    def move(self, sections, column, index, to_column):
        statements = [dict(s) for s in sections.get(self.section) or []]
        statements[self._indexes(sections, column)[index]]["side"] = to_column
        return {self.section: statements}

    def remove(self, sections, column, index):
        statements = list(sections.get(self.section) or [])
        del statements[self._indexes(sections, column)[index]]
        return {self.section: statements}


def describe_statement(statement: dict) -> str:
    """'Cold dinners (Family)', or '(Someone else: Marie)' for another person's view."""
    who = _PERSPECTIVE_LABELS.get(statement.get("perspective"), "")
    if statement.get("perspective") == "other" and statement.get("other_name"):
        who = f"{who}: {statement['other_name']}"
    return f"{statement.get('text', '')} ({who})" if who else statement.get("text", "")


SORTINGS: dict[str, Sorting] = {
    "working_not_working": StatementSorting(SIDES, with_perspective=True),
    "important_to_for": ListSorting((("important_to", "Important to me"), ("important_for", "Important for me")),
                                    with_perspective=False),
}


class SortingView:
    """The widgets: a statement box, buttons to place it, and one list box per column."""

    def __init__(self, sorting: Sorting, get_sections: Callable[[], dict], apply: Callable[[dict], None]):
        self.sorting = sorting
        self.get_sections = get_sections
        self.apply = apply
        self.statement = stacked(widgets.Text(description="New statement", layout=widgets.Layout(width="100%"),
                                              continuous_update=True))
        self.perspective = stacked(widgets.Dropdown(options=[(label, key) for key, label in PERSPECTIVES],
                                                    value="person", description="Whose view"))
        self.other = stacked(widgets.Text(description="Who, if someone else", continuous_update=True))
        self.message = widgets.HTML()
        add_buttons = []
        for key, label in sorting.columns:
            button = widgets.Button(description=f"Add to {label}", icon="plus")
            button.on_click(lambda _b, column=key: self._add(column))
            add_buttons.append(button)
        who = [self.perspective, self.other] if sorting.with_perspective else []
        self.lists: dict[str, widgets.Select] = {}
        columns = [self._column(key, label) for key, label in sorting.columns]
        self.widget = widgets.VBox([
            self.statement,
            row_of(who + add_buttons),
            self.message,
            widgets.HBox(columns, layout=widgets.Layout(flex_flow="row wrap")),
        ])
        self.refresh()

    def _column(self, key: str, label: str) -> widgets.Widget:
        box = stacked(widgets.Select(options=[], rows=8, description=label, layout=widgets.Layout(width="100%")))
        self.lists[key] = box
        buttons = []
        for other_key, other_label in self.sorting.columns:
            if other_key != key:
                move = widgets.Button(description=f"Move to {other_label}", icon="arrow-right")
                move.on_click(lambda _b, source=key, target=other_key: self._move(source, target))
                buttons.append(move)
        remove = widgets.Button(description=f"Remove from {label}", icon="trash")
        remove.on_click(lambda _b, source=key: self._remove(source))
        return widgets.VBox([box, widgets.HBox(buttons + [remove], layout=widgets.Layout(flex_flow="row wrap"))],
                            layout=widgets.Layout(flex="1 1 20rem", padding="0 1rem 0 0"))

    def refresh(self) -> None:
        """Show the document's statements in the columns (after any change, restore or conflict)."""
        for key, items in self.sorting.items(self.get_sections()).items():
            self.lists[key].options = [(text, n) for n, text in enumerate(items)]

    def _selected(self, column: str) -> int | None:
        return self.lists[column].value

    def _say(self, text: str) -> None:
        self.message.value = f'<p role="status">{html.escape(text)}</p>' if text else ""

    def _add(self, column: str) -> None:
        text = self.statement.value.strip()
        if not text:
            self._say("Type a statement first, then choose where it goes.")
            return
        self.apply(self.sorting.add(self.get_sections(), column, text, self.perspective.value,
                                    self.other.value.strip()))
        self.statement.value = ""
        self._say("")
        self.refresh()
        self.statement.focus()

    def _move(self, column: str, to_column: str) -> None:
        index = self._selected(column)
        if index is None:
            self._say("Select a statement in the list first (arrow keys), then move it.")
            return
        self.apply(self.sorting.move(self.get_sections(), column, index, to_column))
        self._say("")
        self.refresh()

    def _remove(self, column: str) -> None:
        index = self._selected(column)
        if index is None:
            self._say("Select a statement in the list first (arrow keys), then remove it.")
            return
        self.apply(self.sorting.remove(self.get_sections(), column, index))
        self._say("")
        self.refresh()
