"""Whose practice answers these are: the sign-in behind JupyterHub, a private key of the browser under ``pcp serve``.

A participant's answers in a practice session belong to who they are, never to the name they type:
typing someone else's name (or sending the widget message that sets it) must not open their answers.

* Behind JupyterHub each person has their own server and their name comes from the Hub's sign-in
  (:mod:`pcp_widgets.identity`): the answers belong to that name.
* Under ``pcp serve`` everyone in the room uses the same operating-system account, so the server
  cannot tell them apart by who runs it. Each browser gets its own key instead: a random value
  (256 bits) in an HttpOnly cookie the server sets on the first page it sends. HttpOnly: no script
  on the page can read it. The server copies it into the request header :data:`HEADER` (replacing any
  such header the browser sent), and Voila passes that one header into the page kernel's environment
  (``VoilaConfiguration.http_header_envs``), as :data:`VARIABLE`. Another participant cannot learn
  the key: it is never shown, logged or stored (the database keeps a hash of it only). Someone who
  sends a made-up key just becomes a new participant of their own.

A kernel cannot read the browser's storage itself, and a key made by script in the page would need a
front-end piece of our own in Voila; a cookie set by the server needs neither.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
from typing import Mapping

from pcp_widgets.errors import SessionError

#: The browser's cookie holding its key.
COOKIE = "pcp_practice_key"
#: The request header our server fills from the cookie, the only header Voila passes to a page kernel.
HEADER = "X-Pcp-Practice-Key"
#: Where a page kernel finds it (Voila names it after the header, as CGI does: RFC 3875 section 4.1.18).
VARIABLE = "HTTP_" + HEADER.upper().replace("-", "_")
#: A key as :func:`new_key` makes it: 43 URL-safe characters. Anything else in the cookie is replaced.
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
#: How long a browser keeps its key: a training day, so the next person at a shared computer on another
#: day starts with a key of their own (and answers are kept per session anyway).
KEY_HOURS = 24
#: Only page requests get the cookie (not each stylesheet or script fetched beside them).
PAGE_PATH_PART = "/voila/render/"


def new_key() -> str:
    return secrets.token_urlsafe(32)


def valid_key(text: str | None) -> bool:
    return bool(text) and KEY_PATTERN.fullmatch(text) is not None


def owner_of(identity, environ: Mapping[str, str] | None = None) -> str:
    """Whose answers a participant gives: ``hub:<sign-in name>`` behind the Hub, else ``key:<hash of the
    browser's key>``; one sentence when this page was not served with a key (so it cannot tell the people
    sharing an account apart, and keeps nobody's answers rather than mixing them)."""
    if identity.source == "hub":
        return f"hub:{identity.name}"
    key = (os.environ if environ is None else environ).get(VARIABLE)
    if not valid_key(key):
        raise SessionError("This page cannot tell you apart from others using this computer account, so it "
                           "cannot keep your answers for a session; open it from the address pcp serve gives.")
    return "key:" + hashlib.sha256(key.encode("ascii")).hexdigest()


def page_key_transform():
    """The tornado output transform that gives each browser its key (made here: the kernel never needs tornado)."""
    import tornado.web

    class PracticeKey(tornado.web.OutputTransform):
        """Reads the browser's key from its cookie (a new one when it has none) and puts it in :data:`HEADER`
        of the request before any handler runs; sends the cookie with a page that made a new key."""

        def __init__(self, request):
            super().__init__(request)
            cookie = request.cookies.get(COOKIE)
            sent = cookie.value if cookie is not None else None
            self.new = None if valid_key(sent) else new_key()
            self.page = PAGE_PATH_PART in request.path
            request.headers[HEADER] = self.new or sent  # replaces whatever the browser put there

        def transform_first_chunk(self, status_code, headers, chunk, finishing):
            if self.new and self.page:
                headers.add("Set-Cookie", f"{COOKIE}={self.new}; Path=/; Max-Age={KEY_HOURS * 3600}; HttpOnly; "
                                          "SameSite=Strict")
            return status_code, headers, chunk

    return PracticeKey


__all__ = ["COOKIE", "HEADER", "VARIABLE", "new_key", "valid_key", "owner_of", "page_key_transform"]
