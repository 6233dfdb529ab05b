"""The Hub's spawner for ``pcp team``: each person's pcp server as a process of the Hub's own account.

JupyterHub's usual :class:`~jupyterhub.spawner.LocalProcessSpawner` runs each person's server as
their own operating-system account, so every member of staff would need an account on the server.
JupyterHub calls :class:`~jupyterhub.spawner.SimpleLocalProcessSpawner` (one account for all)
unsafe, and for JupyterLab it is: there, each person can run any code, and code run as the shared
account can read every other person's files and servers. Here it is safe enough, because nobody
can run code of their own: the command is :mod:`pcp_widgets.team.singleuser`, which serves the
registered pages only (no JupyterLab, terminal, file browser, contents or kernels API), and the pages
check each person's role and services before reading or writing. A person reaches their own server
only, through the proxy and the Hub's sign-in (the server refuses anyone else, admins included).
What they can do there is what the pages let them do, the same as under ``pcp serve``.

Each server gets ``PCP_DB`` (the team's database, read by the Hub from an owner-only file) and
works in a folder of its own under the team folder, readable by the Hub's account only.
"""

from __future__ import annotations

import os
import sys
from urllib.parse import quote

from jupyterhub.spawner import SimpleLocalProcessSpawner
from traitlets import Unicode, default

#: ``pcp serve``'s sign-in secrets: never passed on (the Hub signs people in), whatever the Hub's environment holds.
NOT_SHARED = ("PCP_TOKEN", "PCP_TOKEN_FILE", "PCP_PASSWORD", "PCP_PASSWORD_FILE", "PCP_DB")


def shared_settings(environ) -> dict[str, str]:
    """The pcp settings (``PCP_MAX_FILE_MB``, thresholds, ...) in the Hub's environment that every person's server
    shares, so the team's limits are set once where the Hub is started."""
    return {name: value for name, value in environ.items() if name.startswith("PCP_") and name not in NOT_SHARED}


def folder_name(user_name: str) -> str:
    """A user's folder name: their name with anything but letters, digits, ``@``, ``_`` and ``-`` escaped,
    so no name (``..``, ``a/b``) can point outside the folder of users' folders."""
    return quote(user_name, safe="@_-").replace(".", "%2E")


class PcpSpawner(SimpleLocalProcessSpawner):
    """Starts ``python -m pcp_widgets.team.singleuser`` for each signed-in person, with the team's database."""

    pcp_db = Unicode("", config=True, help="The pcp database URL every person's server uses (PCP_DB).")
    users_dir = Unicode("", config=True, help="The folder holding one working folder per person (owner only).")

    @default("cmd")
    def _pcp_command(self):
        return [sys.executable, "-m", "pcp_widgets.team.singleuser"]

    @default("home_dir")
    def _own_folder(self):
        return os.path.join(self.users_dir, folder_name(self.user.name))

    def make_preexec_fn(self, name):
        home = self.home_dir

        def preexec():
            os.umask(0o077)
            os.makedirs(home, 0o700, exist_ok=True)
            os.chdir(home)

        return preexec

    def get_env(self):
        env = super().get_env()
        env.update(shared_settings(os.environ))
        env["PCP_DB"] = self.pcp_db
        return env
