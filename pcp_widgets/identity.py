"""Who is signed in, learnt on the server side only.

* Behind JupyterHub, each person's own server is started by the Hub's spawner after the Hub has
  signed them in, with ``JUPYTERHUB_USER`` set in that server's environment; the pages' kernels
  inherit it. The name therefore comes from the Hub's sign-in, through the operating system,
  and no HTTP request can change it.
* Under a plain one-computer ``pcp serve`` (no Hub), or on the command line, the person is the
  operating-system account running pcp: they own the database file and could open it with any
  tool, so they are its admin.

Never from anything the browser sends: not a header, cookie, query string, form field or widget
message. Those are written by whoever controls the browser (or a page that tricks it), so trusting
them would let anyone claim to be an admin. Hence this module reads only the process environment
and the operating system, and takes no request object.

The role and services come from the ``users`` table (``pcp users``). A Hub user nobody has added
is refused with a sentence saying to ask an admin.
"""

from __future__ import annotations

import getpass
import os
from typing import Mapping

from pcp_widgets.access import Identity, NotAllowed

#: Set by JupyterHub's spawner in every single-user server it starts (and so in its kernels).
HUB_USER_VARIABLE = "JUPYTERHUB_USER"

_signed_in: dict[tuple[str, str], Identity] = {}


def signed_in_name(environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(name, source): the Hub's user ("hub") when behind a Hub, else the OS account ("os")."""
    environ = os.environ if environ is None else environ
    hub_user = (environ.get(HUB_USER_VARIABLE) or "").strip()
    if hub_user:
        return hub_user.lower(), "hub"
    return _os_user(), "os"


def _os_user() -> str:
    try:
        return getpass.getuser().lower()
    except (KeyError, OSError):  # no name for this uid (a container): still one person, the owner
        return f"uid-{os.getuid()}" if hasattr(os, "getuid") else "owner"


def current_identity(store, environ: Mapping[str, str] | None = None) -> Identity:
    """The signed-in person with their role and services, or :class:`NotAllowed` for a Hub user with no role.

    Under a plain ``pcp serve`` or a command the OS account is an admin of every service, whether or
    not ``pcp users`` lists it.
    """
    name, source = signed_in_name(environ)
    user = store.find_user(name)
    if source == "os":
        return Identity(name, "admin", frozenset(user.services) if user else frozenset(), source)
    if user is None:
        raise NotAllowed(f"{name} is signed in but has no role in pcp yet; ask an admin to add you "
                         f"(pcp users add {name} --role ROLE --service SERVICE).")
    return Identity(user.name, user.role, frozenset(user.services), source)


def sign_in(store, environ: Mapping[str, str] | None = None) -> Identity:
    """:func:`current_identity`, logging "signed in" the first time in this process (one kernel, one page)."""
    identity = current_identity(store, environ)
    key = (store.url, identity.name)
    if key not in _signed_in:
        store.log_access(identity.name, "signed in", detail=f"{identity.role}, via {identity.source}")
    _signed_in[key] = identity
    return identity
