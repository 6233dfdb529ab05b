"""The widget messages a browser sends, forged as an attacker would send them over the websocket.

A page's kernel cannot tell these from a real person's clicks and choices: they go through the
widget's own message handler (``_handle_msg``), exactly as a comm message from the browser does,
whether or not the page shows the control or offers the value.
"""

from __future__ import annotations

import ipywidgets as widgets


def every_widget(widget):
    """The widget and every widget inside it."""
    yield widget
    for child in getattr(widget, "children", ()):
        yield from every_widget(child)


def controls(page, kind=widgets.DOMWidget) -> list:
    """Every widget of ``kind`` on the page."""
    return [w for w in every_widget(page.widget) if isinstance(w, kind)]


def click(button: widgets.Button) -> None:
    """The message a browser sends when the button is pressed (shown, hidden or disabled there)."""
    button._handle_msg({"content": {"data": {"method": "custom", "content": {"event": "click"}}}, "buffers": []})


def send_state(widget: widgets.Widget, **state) -> None:
    """The message a browser sends when a control's value changes: ``state`` as the front end would
    give it (a Dropdown's ``index``, a Text's ``value``), whatever the page offered."""
    widget._handle_msg({"content": {"data": {"method": "update", "state": state, "buffer_paths": []}}, "buffers": []})


def send_upload(upload: widgets.FileUpload, files: dict[str, bytes]) -> None:
    """The message a browser sends when files are chosen: each file's bytes as a binary buffer."""
    names = list(files)
    value = [{"name": name, "type": "", "size": len(files[name]), "last_modified": 1_743_379_200_000}
             for name in names]
    upload._handle_msg({"content": {"data": {"method": "update", "state": {"value": value},
                                             "buffer_paths": [["value", i, "content"] for i in range(len(names))]}},
                        "buffers": [memoryview(files[name]) for name in names]})


__all__ = ["every_widget", "controls", "click", "send_state", "send_upload"]
