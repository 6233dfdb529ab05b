"""Standard ipywidgets controls for one section of a tool, generated from its declaration.

A list section is a text box with one item per line (quick to type, easy to reorder with the
keyboard); a text section is a text box; a table section is a row of controls per row, with
buttons to add and remove rows (a choice is a drop-down, a number with few values a drop-down,
a date a date picker). Every control has a real label, so screen readers name it, and text
boxes report their value when the person leaves them (or presses Enter), which is when the
editor saves.

The conversions between widget values and document values are plain functions.
"""

from __future__ import annotations

import datetime as dt
from abc import ABC, abstractmethod
from typing import Any, Callable

import ipywidgets as widgets

from pcp_widgets.tools.model import Column, Section

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
        return widgets.DatePicker(value=dt.date.fromisoformat(value) if value else None, description=column.label)
    return widgets.Text(value=value or "", description=column.label, continuous_update=False)


def widget_value(column: Column, widget: widgets.Widget) -> Any:
    """The document value of a column's control (the document checks it)."""
    value = widget.value
    if column.kind == "date":
        return value.isoformat() if value else ""
    return value


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
    """A table: one line of controls per row, with Add and Remove buttons (none for fixed rows)."""

    def _build(self, value) -> widgets.Widget:
        self.rows_box = widgets.VBox()
        self.add_button = widgets.Button(description=f"Add a row to {self.section.label}", icon="plus")
        self.add_button.on_click(self._add_row)
        self.controls: list[dict[str, widgets.Widget]] = []
        self.show(value)
        parts = [self.rows_box] if self.section.fixed_rows else [self.rows_box, self.add_button]
        return widgets.VBox(parts)

    def show(self, value: Any) -> None:
        rows = list(value or [])
        if rows == self._current_rows():
            return
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
            control = stacked(column_widget(column, row.get(column.key)))
            control.layout = widgets.Layout(flex="1 1 10rem", min_width="8rem")
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

    def _changed(self, _change=None) -> None:
        self.on_change(self.section.key, self._current_rows())

    def _add_row(self, _button=None) -> None:
        rows = self._current_rows() + [self.section.empty_row()]
        self.controls = []
        self.rows_box.children = [self._row_widget(n, row) for n, row in enumerate(rows, 1)]
        first = next(iter(self.controls[-1].values()), None)
        if first is not None and hasattr(first, "focus"):
            first.focus()

    def _remove_row(self, index: int) -> None:
        rows = self._current_rows()
        del rows[index]
        self.controls = []
        self.rows_box.children = [self._row_widget(n, row) for n, row in enumerate(rows, 1)]
        self.on_change(self.section.key, rows)
        self.add_button.focus()


def _escape(text: str) -> str:
    import html

    return html.escape(str(text))


def field_for(section: Section, value: Any, on_change: OnChange) -> SectionField:
    """The generic control for any section."""
    return TableField(section, value, on_change) if section.kind == "table" else TextField(section, value, on_change)
