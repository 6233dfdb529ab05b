"""Standard ipywidgets controls for one section of a tool, generated from its declaration.

A list section is a text box with one item per line (quick to type, easy to reorder with the
keyboard); a text section is a text box; a table section is a row of controls per row, with
buttons to add and remove rows (a choice is a drop-down, a number with few values a drop-down,
a date a day-first :class:`~pcp_widgets.ui.dates.DateField`). Every control has a real label, so
screen readers name it, and text boxes report their value when the person leaves them (or
presses Enter), which is when the editor saves.

A table row being filled in from left to right is not complained about: a row whose only
problem is that required cells after the last one filled are still empty is *held* (kept on
the page, not saved, said calmly under the table) until it is complete or the person goes on
to another row or adds one. A real problem (an earlier required cell skipped, a value that
cannot be stored) is passed on at once, so the editor says it.

The conversions between widget values and document values are plain functions.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from typing import Any, Callable

import ipywidgets as widgets

from pcp_widgets.tools.spec import Column, InvalidDocument, Section
from pcp_widgets.ui.dates import DateField

#: Called with the section's key and its new document value.
OnChange = Callable[[str, Any], None]
#: A number column with at most this many values is offered as a drop-down.
DROPDOWN_NUMBERS = 12
NO_VALUE = "(none)"


def lines_to_items(text: str) -> list[str]:
    """One item per non-blank line, trimmed; bullets people paste in are dropped."""
    items = []
    for line in (text or "").splitlines():
        item = line.strip().lstrip("•*-–").strip()
        if item:
            items.append(item)
    return items


def items_to_lines(items: list[str]) -> str:
    return "\n".join(items)


def stacked(widget: widgets.Widget) -> widgets.Widget:
    """Put a control's label above it, full width (see the page style's ``pcp-stacked``)."""
    widget.add_class("pcp-stacked")
    return widget


def row_of(children: list[widgets.Widget]) -> widgets.HBox:
    """Controls side by side, wrapping on narrow screens, bottoms aligned (see the style's ``pcp-row``)."""
    box = widgets.HBox(children, layout=widgets.Layout(flex_flow="row wrap", align_items="flex-end"))
    box.add_class("pcp-row")
    return box


def column_widget(column: Column, value: Any) -> widgets.Widget:
    """The control for one column of one table row, showing ``value``."""
    if column.kind == "choice":
        options = ([] if column.required else [(NO_VALUE, "")]) + [(label, key) for key, label in column.choices]
        if column.required and value in ("", None):
            options = [("Choose…", "")] + options
        return widgets.Dropdown(options=options, value=value or "", description=column.label)
    if column.kind == "number" and column.maximum is not None and \
            column.maximum - (column.minimum or 0) < DROPDOWN_NUMBERS:
        numbers = [(str(n), n) for n in range(column.minimum or 0, column.maximum + 1)]
        return widgets.Dropdown(options=[(NO_VALUE, None)] + numbers, value=value, description=column.label)
    if column.kind == "number":
        return widgets.Text(value="" if value is None else str(value), description=column.label,
                            continuous_update=False)
    if column.kind == "date":
        return DateField(column.label, value=dt.date.fromisoformat(value) if value else None,
                         said="{date}")
    return widgets.Text(value=value or "", description=column.label, continuous_update=False)


def widget_value(column: Column, widget: widgets.Widget) -> Any:
    """The document value of a column's control (the document checks it)."""
    value = widget.value
    if column.kind == "date":
        return value.isoformat() if value else ""
    return value


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def still_being_filled(section: Section, row: dict) -> list[str]:
    """The labels of the required cells a row still needs, if it is only being filled in from the left.

    That is: something is filled in, every filled cell holds a value that can be stored, and
    every required cell still empty comes after the last filled one. Otherwise (a blank row, a
    complete row, a skipped earlier cell, a bad value) the answer is ``[]``: nothing to hold.
    """
    columns = [column for column in section.columns if column.key != section.row_key]
    filled = [n for n, column in enumerate(columns) if not _is_empty(row.get(column.key))]
    if not filled:
        return []
    missing = [n for n, column in enumerate(columns) if column.required and _is_empty(row.get(column.key))]
    if not missing or min(missing) < max(filled):
        return []
    for n in filled:
        try:
            columns[n].clean(row.get(columns[n].key), columns[n].label)
        except InvalidDocument:
            return []
    return [columns[n].label for n in missing]


def held_note(number: int, needed: list[str]) -> str:
    """What the table says of a held row: calm, and honest that it is not saved yet."""
    names = " and ".join(needed) if len(needed) <= 2 else ", ".join(needed[:-1]) + " and " + needed[-1]
    return f"Row {number} is saved once {names} {'is' if len(needed) == 1 else 'are'} filled in."


class SectionField(ABC):
    """The control(s) for one section; calls ``on_change(section_key, value)`` when the person edits."""

    def __init__(self, section: Section, value: Any, on_change: OnChange):
        self.section = section
        self.on_change = on_change
        self.widget = self._build(value)

    @abstractmethod
    def _build(self, value) -> widgets.Widget:
        """The section's widget, showing ``value``."""

    @abstractmethod
    def show(self, value: Any) -> None:
        """Show a new value (after a restore or a conflict), without reporting it as a change."""


class TextField(SectionField):
    """A list (one item per line) or a single text."""

    def _build(self, value) -> widgets.Widget:
        is_list = self.section.kind == "list"
        text = items_to_lines(value) if is_list else (value or "")
        self.box = widgets.Textarea(
            value=text,
            description=self.section.label + (" (one per line)" if is_list else ""),
            continuous_update=False,
            rows=max(3, text.count("\n") + 2),
            layout=widgets.Layout(width="100%"),
        )
        self.box.observe(self._changed, names="value")
        return stacked(self.box)

    def _document_value(self):
        return lines_to_items(self.box.value) if self.section.kind == "list" else self.box.value

    def _changed(self, _change=None) -> None:
        self.box.rows = max(3, self.box.value.count("\n") + 2)
        self.on_change(self.section.key, self._document_value())

    def show(self, value: Any) -> None:
        text = items_to_lines(value) if self.section.kind == "list" else (value or "")
        if text != self.box.value:
            self.box.unobserve(self._changed, names="value")
            self.box.value = text
            self.box.observe(self._changed, names="value")


class TableField(SectionField):
    """A table: one line of controls per row, with Add and Remove buttons (none for fixed rows).

    ``held`` is the index of the row held back while it is being filled in (see the module's
    docstring), or None.
    """

    def _build(self, value) -> widgets.Widget:
        self.rows_box = widgets.VBox()
        self.add_button = widgets.Button(description=f"Add a row to {self.section.label}", icon="plus")
        self.add_button.on_click(self._add_row)
        self.controls: list[dict[str, widgets.Widget]] = []
        self.held: int | None = None
        self.note = widgets.HTML()
        self.show(value)
        parts = [self.rows_box, self.note] + ([] if self.section.fixed_rows else [self.add_button])
        return widgets.VBox(parts)

    def show(self, value: Any) -> None:
        rows = list(value or [])
        if rows == self._current_rows():
            return
        self._set_held(None)
        self._show_rows(rows)

    def _show_rows(self, rows: list[dict]) -> None:
        self.controls = []
        self.rows_box.children = [self._row_widget(n, row) for n, row in enumerate(rows, 1)]

    def _row_widget(self, number: int, row: dict) -> widgets.Widget:
        controls = {}
        parts = []
        for column in self.section.columns:
            if column.key == self.section.row_key:
                parts.append(widgets.HTML(f"<strong>{_escape(row.get(column.key, ''))}</strong>",
                                          layout=widgets.Layout(width="7rem")))
                continue
            control = column_widget(column, row.get(column.key))
            if not isinstance(control, DateField):  # a date field lays out its own label and words
                stacked(control)
            control.layout = widgets.Layout(flex="1 1 10rem", min_width="min(8rem, 100%)")
            control.observe(self._changed, names="value")
            controls[column.key] = control
            parts.append(control)
        self.controls.append(controls)
        if not self.section.fixed_rows:
            remove = widgets.Button(description=f"Remove row {number}", icon="trash",
                                    layout=widgets.Layout(width="auto", align_self="flex-end"))
            remove.on_click(lambda _b, index=number - 1: self._remove_row(index))
            parts.append(remove)
        box = widgets.HBox(parts, layout=widgets.Layout(flex_flow="row wrap", align_items="flex-end",
                                                        border_bottom="1px solid #767676", padding="0.25rem 0"))
        return box

    def _current_rows(self) -> list[dict]:
        rows = []
        for index, controls in enumerate(self.controls):
            row = {key: widget_value(self.section.column(key), control) for key, control in controls.items()}
            if self.section.row_key:
                row[self.section.row_key] = self.section.fixed_rows[index]
            rows.append(row)
        return rows

    def _row_of(self, widget: widgets.Widget) -> int | None:
        for index, controls in enumerate(self.controls):
            if any(control is widget for control in controls.values()):
                return index
        return None

    def _without_held(self, rows: list[dict]) -> list[dict]:
        """The rows to hand on: the held row left out (an empty fixed row in its place)."""
        if self.held is None:
            return rows
        kept = list(rows)
        if self.section.fixed_rows:
            kept[self.held] = self.section.empty_row(self.section.fixed_rows[self.held])
        else:
            del kept[self.held]
        return kept

    def _set_held(self, index: int | None, needed: list[str] = ()) -> None:
        self.held = index
        self.note.value = "" if index is None else \
            f"<p class='pcp-note' role='status'>{_escape(held_note(index + 1, list(needed)))}</p>"

    def _changed(self, change=None) -> None:
        rows = self._current_rows()
        index = self._row_of(change["owner"]) if change else None
        needed = still_being_filled(self.section, rows[index]) if index is not None else []
        # Held while it is the row being filled in; going on to another row lets it be checked.
        self._set_held(index if needed else None, needed)
        self.on_change(self.section.key, self._without_held(rows))

    def _add_row(self, _button=None) -> None:
        rows = self._current_rows()
        if self.held is not None:  # leaving a row held back: now it is checked (and said) like any other
            self._set_held(None)
            self.on_change(self.section.key, rows)
        self._show_rows(rows + [self.section.empty_row()])
        first = next(iter(self.controls[-1].values()), None)
        if first is not None and hasattr(first, "focus"):
            first.focus()

    def _remove_row(self, index: int) -> None:
        rows = self._current_rows()
        del rows[index]
        held = None if self.held in (None, index) else self.held - (self.held > index)
        self._set_held(held, still_being_filled(self.section, rows[held]) if held is not None else [])
        self._show_rows(rows)
        self.on_change(self.section.key, self._without_held(rows))
        self.add_button.focus()


def _escape(text: str) -> str:
    import html

    return html.escape(str(text))


def field_for(section: Section, value: Any, on_change: OnChange) -> SectionField:
    """The generic control for any section."""
    return TableField(section, value, on_change) if section.kind == "table" else TextField(section, value, on_change)
