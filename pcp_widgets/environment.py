"""Numbers an administrator sets in the environment of ``pcp`` and the pages, read one way.

Light on purpose: the import caps are read by the importer's helper processes, which must
start without loading pandas.
"""

from __future__ import annotations

import os

from pcp_widgets.errors import UsageError

#: The name of this user's data and cache folders (platformdirs).
APP_NAME = "pcp-workbook"


def env_number(name: str, kind):
    """The environment variable ``name`` as a ``kind`` (int or float), or None when it is unset or blank."""
    text = os.environ.get(name, "").strip()
    if not text:
        return None
    try:
        return kind(text)
    except ValueError:
        raise UsageError(f"The environment variable {name} must be a number, not {text!r}.") from None
