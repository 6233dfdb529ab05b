"""Reading a secret a person gives a command: a token, a password or a backup's passphrase.

From a file only its owner can read, or from the environment; never from the command line, where
every account on the computer can read it in the process list. ``pcp serve`` and ``pcp backup`` /
``pcp restore`` share this, so they say the same sentences. Kept apart from :mod:`pcp_widgets.serve`
so a backup does not load the web server's libraries to read its passphrase.
"""

from __future__ import annotations

import os
from typing import Mapping

from pcp_widgets.errors import PcpError

#: The sentence for a secret given on the command line (``--token X``, ``--passphrase X``).
SECRET_ON_COMMAND_LINE = (
    "pcp {command} takes no {what} on the command line, where every account on this computer can read it; "
    "put it in a file readable only by you and give --{what}-file FILE, or set {env}."
)


def read_secret(what: str, file_option: str | None, value_env: str, file_env: str, environ: Mapping[str, str],
                error: type[PcpError] = PcpError) -> str | None:
    """The secret in the file ``file_option`` names, else in the file ``$file_env`` names, else in
    ``$value_env``; None when none is given. An unreadable, non-text or empty file is ``error`` with
    one sentence."""
    path = file_option or environ.get(file_env, "").strip() or None
    if path is None:
        return environ.get(value_env, "").strip() or None
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as file:
            value = file.read().strip()
    except OSError as problem:
        raise error(f"cannot read the {what} file {path}: {problem.strerror}.") from None
    except UnicodeDecodeError:
        raise error(f"the {what} file {path} is not text; put the {what} on its first line.") from None
    if not value:
        raise error(f"the {what} file {path} is empty; put the {what} on its first line.")
    return value


__all__ = ["SECRET_ON_COMMAND_LINE", "read_secret"]
