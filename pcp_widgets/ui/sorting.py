"""Sorting statements into columns by keyboard: working / not working, important to / for.

A person types a statement (and for working / not working, whose view it is), then places
it in a column with a button. Each column is a list box: arrow keys select a statement, and
buttons move it to another column or remove it. No dragging is needed, so it works with a
keyboard, a switch or a screen reader.

After Add, "Whose view" goes back to the person and "Who, if someone else" is emptied, so the
next statement is not credited to whoever spoke last. What follows from the sort (what to keep
and what to change) is shown right under the columns, as it changes. Remove can be undone: the
statement goes back where it was.

The moves are pure functions from the document's sections to new section values
(:class:`Sorting`), so they are tested without widgets.
"""

from __future__ import annotations

import html
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Callable

import ipywidgets as widgets

from pcp_widgets.tools.catalogue import PERSPECTIVES, SIDES
from pcp_widgets.ui.fields import row_of, stacked
from pcp_widgets.ui.frame import html_block

_PERSPECTIVE_LABELS = dict(PERSPECTIVES)


@dataclass(frozen=True)
class Removed:
    """A statement taken out of a column, with where it was, so it can be put back in its place."""

    section: str
    position: int
    item: Any
    shown: str  # the statement as its column showed it


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
    def take(self, sections: dict, column: str, index: int) -> tuple[dict, Removed]:
        """The sections changed by removing a statement, and what was removed (for :meth:`put_back`)."""

    def remove(self, sections: dict, column: str, index: int) -> dict:
        """The sections changed by removing the ``index``-th statement of ``column``."""
        return self.take(sections, column, index)[0]

    def put_back(self, sections: dict, removed: Removed) -> dict:
        """The sections with a removed statement back in its place (undoing :meth:`take`)."""
        items = list(sections.get(removed.section) or [])
        items.insert(min(removed.position, len(items)), removed.item)
        return {removed.section: items}


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

    def take(self, sections, column, index):
        source = list(sections.get(column) or [])
        item = source.pop(index)
        return {column: source}, Removed(column, index, item, item)


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

    def take(self, sections, column, index):
        statements = list(sections.get(self.section) or [])
        position = self._indexes(sections, column)[index]
        statement = statements.pop(position)
        return {self.section: statements}, Removed(self.section, position, statement,
                                                   describe_statement(statement))


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


def follows_html(follows: tuple[tuple[str, str], ...], sections: dict) -> str:
    """What follows from the sort (a working / not working's keep and change), each as a short list.

    Shown beside the columns, so a person sees what each placing means as they place it.
    """
    if not follows:
        return ""
    parts = []
    for key, label in follows:
        items = sections.get(key) or []
        listed = "".join(f"<li>{html.escape(item)}</li>" for item in items) if items else "<li>Nothing yet.</li>"
        parts.append(f"<div><h4>{html.escape(label)}</h4><ul>{listed}</ul></div>")
    return html_block(f"<div class='pcp-side-by-side' aria-live='polite'>{''.join(parts)}</div>")


class SortingView:
    """The widgets: a statement box, buttons to place it, one list box per column, and what follows.

    ``follows`` names the sections worked out from the sort ((key, label) pairs), shown under
    the columns.
    """

    def __init__(self, sorting: Sorting, get_sections: Callable[[], dict], apply: Callable[[dict], None],
                 follows: tuple[tuple[str, str], ...] = ()):
        self.sorting = sorting
        self.get_sections = get_sections
        self.apply = apply
        self.follows = follows
        self.removed: Removed | None = None
        self.statement = stacked(widgets.Text(description="New statement", layout=widgets.Layout(width="100%"),
                                              continuous_update=True))
        self.perspective = stacked(widgets.Dropdown(options=[(label, key) for key, label in PERSPECTIVES],
                                                    value="person", description="Whose view"))
        self.other = stacked(widgets.Text(description="Who, if someone else", continuous_update=True))
        self.message = widgets.HTML()
        self.undo_button = widgets.Button(description="Undo", icon="undo",
                                          layout=widgets.Layout(display="none"))
        self.undo_button.on_click(lambda _b: self.undo())
        self.add_buttons: dict[str, widgets.Button] = {}
        for key, label in sorting.columns:
            button = widgets.Button(description=f"Add to {label}", icon="plus")
            button.on_click(lambda _b, column=key: self._add(column))
            self.add_buttons[key] = button
        who = [self.perspective, self.other] if sorting.with_perspective else []
        self.lists: dict[str, widgets.Select] = {}
        self.move_buttons: dict[tuple[str, str], widgets.Button] = {}
        self.remove_buttons: dict[str, widgets.Button] = {}
        columns = [self._column(key, label) for key, label in sorting.columns]
        self.follows_view = widgets.HTML()
        self.widget = widgets.VBox([
            self.statement,
            row_of(who + list(self.add_buttons.values())),
            row_of([self.message, self.undo_button]),
            widgets.HBox(columns, layout=widgets.Layout(flex_flow="row wrap")),
            self.follows_view,
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
                self.move_buttons[key, other_key] = move
                buttons.append(move)
        remove = widgets.Button(description=f"Remove from {label}", icon="trash")
        remove.on_click(lambda _b, source=key: self._remove(source))
        self.remove_buttons[key] = remove
        return widgets.VBox([box, widgets.HBox(buttons + [remove], layout=widgets.Layout(flex_flow="row wrap"))],
                            layout=widgets.Layout(flex="1 1 20rem", padding="0 1rem 0 0"))

    def refresh(self) -> None:
        """Show the document's statements in the columns (after any change, restore or conflict)."""
        sections = self.get_sections()
        for key, items in self.sorting.items(sections).items():
            self.lists[key].options = [(text, n) for n, text in enumerate(items)]
        self.follows_view.value = follows_html(self.follows, sections)

    def _selected(self, column: str) -> int | None:
        return self.lists[column].value

    def _say(self, text: str) -> None:
        self.message.value = f'<p role="status">{html.escape(text)}</p>' if text else ""

    def forget_undo(self) -> None:
        """Nothing to undo any more (another change came after the removal, or the document was replaced)."""
        self.removed = None
        self.undo_button.layout.display = "none"

    def _add(self, column: str) -> None:
        text = self.statement.value.strip()
        if not text:
            self._say("Type a statement first, then choose where it goes.")
            return
        self.forget_undo()
        self.apply(self.sorting.add(self.get_sections(), column, text, self.perspective.value,
                                    self.other.value.strip()))
        # The next statement is someone's own: never credit it to whoever spoke last by accident.
        self.statement.value = ""
        self.perspective.value = "person"
        self.other.value = ""
        self._say("")
        self.refresh()
        self.statement.focus()

    def _move(self, column: str, to_column: str) -> None:
        index = self._selected(column)
        if index is None:
            self._say("Select a statement in the list first (arrow keys), then move it.")
            return
        self.forget_undo()
        self.apply(self.sorting.move(self.get_sections(), column, index, to_column))
        self._say("")
        self.refresh()

    def _remove(self, column: str) -> None:
        index = self._selected(column)
        if index is None:
            self._say("Select a statement in the list first (arrow keys), then remove it.")
            return
        changed, self.removed = self.sorting.take(self.get_sections(), column, index)
        self.apply(changed)
        self._say(f"Removed “{self.removed.shown}”. Press Undo to put it back.")
        self.undo_button.layout.display = None
        self.refresh()
        self.undo_button.focus()

    def undo(self) -> None:
        """Put the statement removed last back where it was."""
        if self.removed is None:
            return
        removed = self.removed
        self.forget_undo()
        self.apply(self.sorting.put_back(self.get_sections(), removed))
        self._say(f"Put back “{removed.shown}”.")
        self.refresh()
