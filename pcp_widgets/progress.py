"""Progress reporting shared by the command line and the pages.

Long jobs (the importer, the demo) report through one plain callable,
``progress(done, total, message)``, and never ask where they run. This module turns
those calls into a tqdm bar on a terminal or into an ipywidgets progress bar on a page.

On the command line the bar is drawn on stderr only when someone is watching (stderr is
a terminal) or when ``PCP_PROGRESS=1`` asks for it; otherwise nothing is printed, so that
``--json`` output, pipes and CI logs stay clean. ``PCP_PROGRESS=0`` turns it off always.
"""

from __future__ import annotations

import contextlib
import os
import sys
from typing import Callable, Iterator

Progress = Callable[[int, int, str], None]

#: ``PCP_PROGRESS`` values that force the terminal bar on or off whatever stderr is.
_FORCE_ON = "1"
_FORCE_OFF = "0"


def silent(done: int, total: int, message: str) -> None:
    """A progress callable that shows nothing: for quiet runs and tests."""
    return None


def bar_wanted(enabled: bool, stream) -> bool:
    """Whether to draw a bar on ``stream``: asked for, and someone is watching or it is forced."""
    if not enabled:
        return False
    forced = os.environ.get("PCP_PROGRESS", "").strip()
    if forced in (_FORCE_ON, _FORCE_OFF):
        return forced == _FORCE_ON
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


class _TerminalBar:
    """Adapts ``progress(done, total, message)`` calls to one tqdm bar.

    The importer restarts its count for each file, so a new total or a count that goes
    back starts the bar again instead of showing a nonsense rate.
    """

    def __init__(self, stream):
        from tqdm import tqdm

        self.bar = tqdm(total=None, file=stream, leave=False, dynamic_ncols=True, unit="row")
        self.message = ""

    def __call__(self, done: int, total: int, message: str) -> None:
        if total != self.bar.total or done < self.bar.n:
            self.bar.reset(total=max(total, 0))
        if message == self.message:
            # update() redraws at most every tqdm ``mininterval``, so frequent calls stay cheap.
            self.bar.update(done - self.bar.n)
            return
        # A new step (file, sheet, storing) is drawn at once, so the person sees it start.
        self.message = message
        self.bar.n = done
        self.bar.set_description_str(message, refresh=True)

    def close(self) -> None:
        self.bar.close()


@contextlib.contextmanager
def terminal_progress(enabled: bool = True) -> Iterator[Progress]:
    """Yield a progress callable drawing on stderr when wanted (see the module notes); close it at the end."""
    stream = sys.stderr
    if not bar_wanted(enabled, stream):
        yield silent
        return
    bar = _TerminalBar(stream)
    try:
        yield bar
    finally:
        bar.close()


class WidgetProgress:
    """Adapts ``progress(done, total, message)`` calls to an ipywidgets ``IntProgress`` and ``Label``.

    Widget changes are sent to the browser as they happen, even while the import runs in
    the same kernel call, so the page moves while the work is done.
    """

    def __init__(self, bar, label):
        self.bar = bar
        self.label = label

    def __call__(self, done: int, total: int, message: str) -> None:
        self.bar.max = max(total, 1)
        self.bar.value = max(0, min(done, self.bar.max))
        self.label.value = message

    def reset(self, message: str = "") -> None:
        self.bar.value = 0
        self.bar.max = 1
        self.label.value = message


def widget_progress(bar, label) -> WidgetProgress:
    """A progress callable that moves ``bar`` (IntProgress) and writes the message in ``label``."""
    return WidgetProgress(bar, label)


__all__ = ["Progress", "silent", "bar_wanted", "terminal_progress", "WidgetProgress", "widget_progress"]
