"""Wait for a pause in typing or clicking before saving, so a burst of changes is one version.

In a kernel the delay runs on the kernel's event loop (the same loop that delivers widget
messages, so a save never runs in the middle of handling one). Outside an event loop (tests,
scripts) the action runs at once.
"""

from __future__ import annotations

import asyncio
from typing import Callable

#: Seconds of quiet after the last change before the save.
DEFAULT_DELAY = 0.6


class Debouncer:
    def __init__(self, action: Callable[[], None], delay: float = DEFAULT_DELAY):
        self.action = action
        self.delay = delay
        self._pending: asyncio.TimerHandle | None = None

    def __call__(self) -> None:
        """Ask for the action; it runs ``delay`` seconds after the last request."""
        self.cancel()
        loop = _running_loop()
        if loop is None:
            self.action()
        else:
            self._pending = loop.call_later(self.delay, self._run)

    def flush(self) -> None:
        """Run a pending action now (before a restore, a download or leaving)."""
        if self._pending is not None:
            self.cancel()
            self.action()

    @property
    def pending(self) -> bool:
        return self._pending is not None

    def cancel(self) -> None:
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None

    def _run(self) -> None:
        self._pending = None
        self.action()


def _running_loop() -> asyncio.AbstractEventLoop | None:
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
