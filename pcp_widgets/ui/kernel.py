"""Whether the widgets live in a Jupyter kernel, whose event loop can run work later.

Saving after a pause and drawing a dashboard's later charts after the page is shown both
schedule work on the kernel's event loop. Elsewhere (tests, scripts) there may be an event
loop that nobody runs for us, such as Playwright's in a browser test, so the work is done
at once instead.
"""

from __future__ import annotations

import asyncio


def kernel_loop() -> asyncio.AbstractEventLoop | None:
    """The running event loop of the IPython kernel these widgets belong to, or None outside one."""
    try:
        from ipykernel.kernelapp import IPKernelApp
    except ImportError:
        return None
    if not IPKernelApp.initialized():
        return None
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
