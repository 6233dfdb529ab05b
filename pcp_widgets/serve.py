"""``pcp serve``: the workbook and audit pages, served by Voila.

We run Voila 0.5 as a library, over the repository folder that holds ``workbooks/`` and
``audits/``, with a small subclass (:class:`PcpVoila`) that

* sends ``/`` (and Voila's file tree) to the start page, keeping the query string, so a
  ``?token=`` link still signs the person in;
* renders only the pages of the registry (:mod:`pcp_widgets.pages`): no other notebook in
  the folder can be run through the server, and no file is served from it;
* strips notebook sources and never shows a traceback (the page says where to look).

Safety rules (docs/architecture.md, "Safety rules"; issue 16): the server listens on this computer only unless told
otherwise, and always asks for a token (a new random one, printed once in the address of the
first line, unless the person gives theirs in a file or the environment) or a password;
never a secret on the command line, never one in a log line. Only requests naming this
server in ``Host`` (and ``Origin``) are answered, so a web page elsewhere cannot reach it
through DNS rebinding. A sign-in lasts 12 hours at most; unused page kernels are stopped and
their number capped; a websocket message (an upload) larger than the import's own file cap
is refused as it arrives; everything the server creates is readable by its owner only. The
port is tried before anything starts, so "already in use" is one sentence, not a log. Page
kernels get ``PCP_DB`` so every page uses the database this command opened.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import os
import re
import secrets
import shutil
import socket
import sys
import threading
import time
import webbrowser
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

import tornado.routing
import tornado.web
from jupyter_server._tz import utcnow
from jupyter_server.services.kernels.kernelmanager import ServerKernelManager
from jupyter_server.utils import url_path_join
from traitlets import default
from traitlets.config import Config

from pcp_widgets.errors import ServeError
from pcp_widgets.secret_input import SECRET_ON_COMMAND_LINE, read_secret
from pcp_widgets.pages import PAGES, START_PAGE, repo_root
from pcp_widgets.practice.browser_key import HEADER as PRACTICE_KEY_HEADER
from pcp_widgets.practice.browser_key import page_key_transform

LOOPBACK_NAMES = ("localhost",)
#: The names a request may give in Host or Origin on any server: this computer's own.
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD_ADDRESSES = ("0.0.0.0", "::", "")
#: Where a person gives a token or a password (never on the command line, where every account sees it).
TOKEN_ENV, TOKEN_FILE_ENV = "PCP_TOKEN", "PCP_TOKEN_FILE"
PASSWORD_ENV, PASSWORD_FILE_ENV = "PCP_PASSWORD", "PCP_PASSWORD_FILE"
#: A token a person chooses must be at least this long (ours: 43 characters, 256 random bits).
SHORTEST_TOKEN = 16
#: A sign-in (the browser's cookie) lasts this long at most, then the token or password is asked again.
SIGN_IN_HOURS = 12
#: Page kernels nobody has used for this long are stopped (a page open in a browser is kept).
IDLE_MINUTES = 20.0
#: The most page kernels at once; a page asked for beyond it gets the "busy" page.
MAX_PAGES = 40
#: Wrong passwords (or tokens) from one address before the sign-in form refuses it for a while.
LOGIN_ATTEMPTS, LOGIN_WINDOW_S = 5, 300.0
#: Room beside an upload's bytes in its websocket message (the widget's JSON around them).
MESSAGE_MARGIN_BYTES = 1024 * 1024
#: Longest wait, after a page's cell has run, for the rest of its output to reach the server (seconds).
PAGE_OUTPUT_WAIT_S = 120
#: Nothing sent to the server over plain HTTP is large (the sign-in form); pages talk over websockets.
MAX_HTTP_BODY_BYTES = 1024 * 1024
#: The demo's own database (``pcp serve --demo`` without --db or $PCP_DB), beside the real one.
DEMO_FILE_NAME = "pcp-demo.sqlite"
#: What a page shows instead of a traceback when one of its cells fails.
CELL_ERROR_TEXT = ("This part of the page could not be shown. The details are in the log of the "
                   "pcp serve command; please tell whoever runs it.")


class StartingKernelManager(ServerKernelManager):
    """A page kernel that counts as used from the moment it is made.

    jupyter_server's culler reads every kernel's ``last_activity`` each round, but sets it only once
    the kernel has started; a kernel still starting then had none, and the read raised (a traceback
    in the server's log each time the culler met one, with the page cap's short intervals often).
    A kernel being started is not idle, so it starts its count when it is made."""

    @default("last_activity")
    def _made_now(self):
        return utcnow()


# -- checks before starting ------------------------------------------------------------------


def is_loopback(ip: str) -> bool:
    """True for addresses only this computer can reach: 127.0.0.0/8, ::1 and 'localhost'."""
    if ip.strip().lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(ip.strip("[]")).is_loopback
    except ValueError:
        return False


def check_address(ip: str, token: str | None, password: str | None) -> None:
    """Refuse to listen where other computers can reach the pages without a token or password."""
    if not ip or not ip.strip():
        raise ServeError("--ip is empty; leave it out to serve this computer only (127.0.0.1).")
    if not is_loopback(ip) and not (token or password):
        raise ServeError(
            f"pcp serve will not listen on {ip}, which other computers can reach, without a token or "
            "password; leave out --ip to serve this computer only."
        )


def check_port(ip: str, port: int) -> None:
    """Try to bind ``ip``:``port`` the way the server will, and say in one sentence why it cannot."""
    if not 0 < port < 65536:
        raise ServeError(f"port {port} is not a port number; use one from 1024 to 65535, such as 8866.")
    host = ip.strip("[]")
    try:
        addresses = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror:
        raise ServeError(f"{ip} is not an address of this computer; use 127.0.0.1 or one of its own addresses.") \
            from None
    for family, kind, proto, _name, address in addresses:
        with socket.socket(family, kind, proto) as probe:
            if family == socket.AF_INET6:
                probe.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
            try:
                probe.bind(address)
                probe.listen(1)
            except OSError as error:
                if _ipv6_off_for_localhost(host, address, error):
                    continue  # tornado skips it too, and listens on 127.0.0.1 only
                raise _port_error(ip, port, error) from None


def _ipv6_off_for_localhost(host: str, address: tuple, error: OSError) -> bool:
    return error.errno == errno.EADDRNOTAVAIL and host.lower() == "localhost" and address[0] == "::1"


def _port_error(ip: str, port: int, error: OSError) -> ServeError:
    if error.errno == errno.EADDRINUSE:
        return ServeError(
            f"port {port} is already in use (perhaps pcp serve is already running); stop that program "
            f"or choose another port with --port."
        )
    if error.errno == errno.EACCES:
        return ServeError(f"this account may not use port {port}; choose a port from 1024 to 65535 with --port.")
    if error.errno == errno.EADDRNOTAVAIL:
        return ServeError(f"{ip} is not an address of this computer; use 127.0.0.1 or one of its own addresses.")
    return ServeError(f"cannot listen on {ip} port {port}: {error.strerror}.")


# -- secrets: from a file or the environment, never the command line, never in a log ---------


@dataclass(frozen=True)
class Secrets:
    """What a person must show to use the pages: a token, or a password (then no token)."""

    token: str | None
    password: str | None
    token_generated: bool = False

    def hidden(self) -> tuple[str, ...]:
        return tuple(secret for secret in (self.token, self.password) if secret)


def refuse_secrets_on_command_line(token: str | None, password: str | None) -> None:
    """``--token X`` / ``--password X``: a sentence saying where to put it instead."""
    if token is not None:
        raise ServeError(SECRET_ON_COMMAND_LINE.format(command="serve", what="token",
                                                       env=f"${TOKEN_ENV} or ${TOKEN_FILE_ENV}"))
    if password is not None:
        raise ServeError(SECRET_ON_COMMAND_LINE.format(command="serve", what="password",
                                                       env=f"${PASSWORD_ENV} or ${PASSWORD_FILE_ENV}"))


def server_secrets(token_file: str | None = None, password_file: str | None = None,
                   environ=os.environ) -> Secrets:
    """The token or password to ask for: the person's own (a file, or the environment), else a new random token.

    The variables holding a secret are taken out of ``environ``, so page kernels (which
    inherit this process's environment) never hold it.
    """
    token = read_secret("token", token_file, TOKEN_ENV, TOKEN_FILE_ENV, environ, ServeError)
    password = read_secret("password", password_file, PASSWORD_ENV, PASSWORD_FILE_ENV, environ, ServeError)
    for name in (TOKEN_ENV, PASSWORD_ENV):
        environ.pop(name, None)
    if token is not None and len(token) < SHORTEST_TOKEN:
        raise ServeError(f"the token must be at least {SHORTEST_TOKEN} characters long (it has {len(token)}); "
                         "leave it out and pcp serve makes a random one.")
    if token is None and password is None:
        return Secrets(secrets.token_urlsafe(32), None, token_generated=True)
    return Secrets(token, password)


#: ``token=...`` in a URL or a query string, as logged by tornado, Jupyter Server or Voila.
TOKEN_IN_URL = re.compile(r"(?i)(token(?:%3D|=))[^&\s\"'#]+")


def scrub(text: str, hidden: tuple[str, ...] = ()) -> str:
    """``text`` without any token in a URL and without the secrets themselves (also URL-encoded)."""
    text = TOKEN_IN_URL.sub(r"\1[hidden]", text)
    for secret in hidden:
        for form in {secret, quote(secret, safe="")}:
            text = text.replace(form, "[hidden]")
    return text


def scrub_every_log_record(hidden: tuple[str, ...]) -> None:
    """Make every log record of this process, whichever library writes it, pass through :func:`scrub`."""
    make_record = logging.getLogRecordFactory()

    def scrubbed_record(*args, **kwargs):
        record = make_record(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # a library's own formatting mistake: leave it to the logging module to report
            return record
        cleaned = scrub(message, hidden)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return record

    logging.setLogRecordFactory(scrubbed_record)


# -- Host and Origin: this server's own names only (no DNS rebinding) -------------------------


def allowed_hosts(ip: str, extra: tuple[str, ...] | list[str] = ()) -> frozenset[str]:
    """The host names a request may give: loopback, the address listened on (for all addresses:
    this computer's names and addresses), and the names the person added with --allow-host."""
    names = set(LOOPBACK_HOSTS)
    bare = ip.strip().strip("[]").lower()
    if bare in WILDCARD_ADDRESSES:
        names |= _own_names()
    else:
        names.add(bare)
    names |= {name.strip().strip("[]").lower().rstrip(".") for name in extra if name.strip()}
    return frozenset(names)


def _own_names() -> set[str]:
    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    with contextlib.suppress(OSError):
        for *_rest, address in socket.getaddrinfo(socket.gethostname(), None):
            names.add(address[0].lower())
    return names


def host_name(value: str | None) -> str | None:
    """The host name of a Host header (``[::1]:8866`` -> ``::1``) or of an Origin (``http://x:1`` -> ``x``)."""
    if not value:
        return None
    try:
        parts = urlsplit(value if "//" in value else f"//{value}")
        return parts.hostname.rstrip(".") if parts.hostname else None
    except ValueError:
        return None


def request_allowed(headers, allowed: frozenset[str]) -> bool:
    """True when ``Host`` names this server and ``Origin``, if sent, does too."""
    if host_name(headers.get("Host")) not in allowed:
        return False
    origin = headers.get("Origin")
    return origin is None or host_name(origin) in allowed


class ForeignRequest(tornado.routing.Matcher):
    """Matches every request whose Host or Origin is not one of this server's names."""

    def __init__(self, allowed: frozenset[str]):
        self.allowed = allowed

    def match(self, request):
        return None if request_allowed(request.headers, self.allowed) else {}


class RefusedHostHandler(tornado.web.RequestHandler):
    """The whole answer to a request for another host: no page, no websocket, no redirect."""

    def prepare(self):
        self.set_status(403)
        self.set_header("Content-Type", "text/plain; charset=UTF-8")
        self.finish("This server answers only at the addresses it was started for.\n")


def refuse_foreign_requests(app: tornado.web.Application, allowed: frozenset[str]) -> None:
    """Put the Host and Origin check in front of every handler of ``app``, websockets included."""
    app.default_router.rules.insert(0, tornado.routing.Rule(ForeignRequest(allowed), RefusedHostHandler))


# -- sign-in -----------------------------------------------------------------------------------


class LoginLimiter:
    """At most ``attempts`` wrong sign-ins from one address in ``window`` seconds; then it must wait."""

    def __init__(self, attempts: int = LOGIN_ATTEMPTS, window: float = LOGIN_WINDOW_S, clock=time.monotonic):
        self.attempts, self.window, self.clock = attempts, window, clock
        self._failures: dict[str, list[float]] = {}

    def wait(self, address: str) -> float:
        """Seconds ``address`` must wait before trying again (0: it may try now)."""
        now = self.clock()
        recent = [when for when in self._failures.get(address, []) if now - when < self.window]
        if recent:
            self._failures[address] = recent
        else:
            self._failures.pop(address, None)
        return self.window - (now - recent[0]) if len(recent) >= self.attempts else 0.0

    def failed(self, address: str) -> None:
        self._failures.setdefault(address, []).append(self.clock())

    def succeeded(self, address: str) -> None:
        self._failures.pop(address, None)


def plain_page(title: str, *paragraphs: str) -> str:
    """A small page of our own (busy, signed out, too many tries); the texts are ours, escaped all the same."""
    from html import escape

    body = "".join(f"<p>{escape(text)}</p>" for text in paragraphs)
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            f'content="width=device-width, initial-scale=1"><title>{escape(title)}</title></head>'
            f'<body style="font-family: sans-serif; max-width: 40em; margin: 2em auto; padding: 0 1em; '
            f'line-height: 1.5"><h1>{escape(title)}</h1>{body}</body></html>')


def _identity_classes():
    from jupyter_server.auth.decorator import allow_unauthenticated
    from jupyter_server.auth.identity import PasswordIdentityProvider
    from jupyter_server.auth.logout import LogoutHandler
    from voila.voila_identity_provider import VoilaLoginHandler

    class PcpLoginHandler(VoilaLoginHandler):
        """Voila's sign-in form, refusing an address after too many wrong passwords or tokens."""

        limiter = LoginLimiter()

        @allow_unauthenticated
        def post(self):
            address = self.request.remote_ip or ""
            wait = self.limiter.wait(address)
            if wait:
                minutes = max(1, round(wait / 60))
                self.set_status(429)
                self.set_header("Retry-After", str(int(wait) + 1))
                self.finish(plain_page("Too many tries", "The password was wrong too many times from this "
                                       f"computer. Try again in {minutes} minute{'s' if minutes > 1 else ''}."))
                return
            super().post()
            if self.get_status() == 401:
                self.limiter.failed(address)
            elif self.current_user:
                self.limiter.succeeded(address)

    class PcpLogoutHandler(LogoutHandler):
        """Signs out (forgets the browser's cookie) and says so on a page of our own."""

        @allow_unauthenticated
        def get(self):
            self.identity_provider.clear_login_cookie(self)
            self.finish(plain_page("Signed out", "You are signed out of pcp on this browser.",
                                   "To sign in again, open the address pcp serve printed when it started."))

    class PcpIdentityProvider(PasswordIdentityProvider):
        """Jupyter's token and password sign-in, with the two handlers above."""

        def __init__(self, **kwargs):
            kwargs["login_handler_class"] = PcpLoginHandler  # Voila passes its own; ours adds the limit
            kwargs["logout_handler_class"] = PcpLogoutHandler
            super().__init__(**kwargs)

    return PcpIdentityProvider


def pages_folder():
    """The folder holding ``workbooks/`` and ``audits/``, with every registered page in it."""
    root = repo_root()
    missing = [page.path for page in PAGES if not (root / page.path).is_file()]
    if missing:
        raise ServeError(
            f"the pages are missing from {root} (no {missing[0]}); pcp serve runs from a copy of the "
            "pcp-workbook repository installed with pip install -e ."
        )
    return root


def public_url(ip: str, port: int, token: str | None) -> str:
    """The address to open: the host people use, the port, and the token if there is one."""
    if ip in ("0.0.0.0", "::", ""):
        host = socket.gethostname()
    elif ":" in ip and not ip.startswith("["):
        host = f"[{ip}]"
    else:
        host = ip
    url = f"http://{host}:{port}/"
    return f"{url}?token={quote(token, safe='')}" if token else url


def _own_address(ip: str) -> str:
    """How a page kernel on this computer reaches the server (for Voila's pre-heated kernels)."""
    if ip in ("0.0.0.0", "", "localhost"):
        return "127.0.0.1"
    if ip == "::":
        return "[::1]"
    return f"[{ip}]" if ":" in ip and not ip.startswith("[") else ip


# -- Voila -----------------------------------------------------------------------------------


def without_token(path: str, query: str) -> str:
    """``path`` with ``query`` less its token: where a person goes once signed in (the cookie does the rest),
    so the token is never in a page's address, its history entry, or the request info a page kernel sees."""
    kept = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True) if name != "token"]
    return path + (f"?{urlencode(kept)}" if kept else "")


def _start_redirect_handler():
    from jupyter_server.base.handlers import JupyterHandler

    class StartRedirectHandler(JupyterHandler):
        """``/`` and Voila's file tree lead to the start page; a ``?token=`` signs the person in on the way
        (the browser keeps a cookie) and is left behind; the rest of the query string comes along."""

        def initialize(self, target: str):
            self.target = target

        @tornado.web.authenticated
        def get(self, *_args, **_kwargs):
            self.redirect(without_token(self.target, self.request.query))

        head = get

    return StartRedirectHandler


#: Voila's page template links these stylesheets from a public CDN; pages here must not make
#: any request beyond this server, so they are taken out of every page (the icons the pages
#: use are in Voila's own bundled stylesheet).
OUTSIDE_LINKS = re.compile(rb'<link rel="stylesheet" href="https://[^"]*" type="text/css" />')


class WithoutOutsideLinks(tornado.web.OutputTransform):
    """Removes links to outside stylesheets from the HTML pages Voila streams."""

    def transform_first_chunk(self, status_code, headers, chunk, finishing):
        self.html = headers.get("Content-Type", "").startswith("text/html") and "Content-Length" not in headers
        return status_code, headers, self.transform_chunk(chunk, finishing)

    def transform_chunk(self, chunk, finishing):
        return OUTSIDE_LINKS.sub(b"", chunk) if self.html else chunk


def kernels_in_use(manager) -> int:
    """Page kernels serving a page now: every kernel, running or starting, but the warm ones in Voila's pools
    (a pool's place is kept from the moment its kernel is asked for, so the count never runs behind)."""
    kernels = set(manager.list_kernel_ids()) | set(getattr(manager, "_pending_kernels", {}))
    waiting = sum(len(pool) for pool in getattr(manager, "_pools", {}).values())
    return max(0, len(kernels) - waiting)


def busy_page(most: int, idle_minutes: float) -> str:
    return plain_page(
        "This server is busy",
        f"This server keeps at most {most} page{'s' if most != 1 else ''} open at once, and that many are "
        "open now, so this page cannot open yet.",
        "Close a pcp page (a browser tab) you no longer need, then reload this page. Pages no browser holds "
        f"open close by themselves after {idle_minutes:g} minutes unused.",
    )


def _registered_page_handler(base):
    """Voila's page handler, refusing (404) any notebook that is not a registered page and, when the most
    page kernels are running, answering with the busy page instead of starting another."""
    served = {page.path for page in PAGES}

    class RegisteredPageHandler(base):
        @tornado.web.authenticated
        async def get(self, path=None):
            if path not in served:
                raise tornado.web.HTTPError(404, "There is no such page.")
            if "token" in self.request.query_arguments:  # signed in by now: the cookie carries on
                self.redirect(without_token(self.request.path, self.request.query))
                return
            most = self.settings["pcp_max_pages"]
            if kernels_in_use(self.kernel_manager) >= most:
                self.set_status(503)
                self.set_header("Retry-After", "60")
                self.finish(busy_page(most, self.settings["pcp_idle_minutes"]))
                return
            await super().get(path)

    return RegisteredPageHandler


def _voila_class():
    from voila.app import Voila
    from voila.tornado.contentshandler import VoilaContentsHandler
    from voila.tornado.handler import TornadoVoilaHandler
    from voila.tornado.treehandler import TornadoVoilaTreeHandler

    page_handler = _registered_page_handler(TornadoVoilaHandler)

    class PcpVoila(Voila):
        """Voila serving the registered pages only, with ``/`` sending people to the start page."""

        on_listening = None  # called once the server accepts connections
        #: None behind JupyterHub: the Hub's sign-in cookie, set for the Hub's own name only, is what a
        #: request needs there, and a page elsewhere (DNS rebinding) cannot send it.
        allowed_hosts: frozenset[str] | None = LOOPBACK_HOSTS

        def init_handlers(self):
            self.app.transforms.append(WithoutOutsideLinks)  # Voila has made the application by now
            self.app.transforms.append(page_key_transform())  # each browser's practice key (browser_key.py)
            if self.allowed_hosts is not None:
                refuse_foreign_requests(self.app, self.allowed_hosts)
            start = url_path_join(self.base_url, "voila/render", START_PAGE.path)
            start_handler = _start_redirect_handler()
            handlers = []
            for handler in super().init_handlers():
                pattern, target = handler[0], handler[1]
                if target is VoilaContentsHandler:
                    continue  # no folder listings
                if target is TornadoVoilaTreeHandler:  # "/" and /voila/tree/...
                    handler = (pattern, start_handler, {"target": start})
                elif target is TornadoVoilaHandler:
                    handler = (pattern, page_handler, *handler[2:])
                handlers.append(handler)
            return handlers

        def stop(self):
            """Stop every page kernel, then remove their connection files (Voila does it the other way round,
            which leaves kernels unreachable over ipc and can fail on a kernel that is still starting)."""
            from jupyter_core.utils import run_sync

            run_sync(self._stop_kernels)()
            shutil.rmtree(self.connection_dir, ignore_errors=True)

        async def _stop_kernels(self):
            from jupyter_core.utils import ensure_async

            manager = self.kernel_manager
            for pool in list(getattr(manager, "_pools", {}).values()):
                for starting in list(pool):
                    try:
                        await starting
                    except (Exception, KeyboardInterrupt):  # failed or was interrupted while starting
                        pass
            for kernel_id in list(manager.list_kernel_ids()):
                try:
                    # Pages keep nothing unsaved in their kernels: an import is one transaction per file.
                    await ensure_async(manager.shutdown_kernel(kernel_id, now=True))
                except Exception as error:  # already gone
                    self.log.debug("kernel %s: %s", kernel_id, error)

        def listen(self):
            import functools

            import tornado.ioloop

            if self.on_listening is not None:
                tornado.ioloop.IOLoop.current().add_callback(self.on_listening)
            # Voila calls app.listen(port, ip); these reach tornado's HTTPServer: a request body (there
            # are none of size here) or a websocket frame beyond them is refused as it arrives, not held.
            message = self.app.settings["websocket_max_message_size"]
            self.app.listen = functools.partial(self.app.listen, max_body_size=MAX_HTTP_BODY_BYTES,
                                                max_buffer_size=message + MESSAGE_MARGIN_BYTES)
            super().listen()

    return PcpVoila


@dataclass(frozen=True)
class ServerLimits:
    """How long an unused page kernel lives, how many run at once, and the largest websocket message."""

    idle_minutes: float = IDLE_MINUTES
    max_pages: int = MAX_PAGES
    max_message_bytes: int = 100_000_000 + MESSAGE_MARGIN_BYTES

    @classmethod
    def from_options(cls, idle_minutes: float | None = None, max_pages: int | None = None) -> "ServerLimits":
        """Options win over ``$PCP_IDLE_MINUTES`` / ``$PCP_MAX_PAGES``, which win over the defaults; uploads
        follow the import's own file cap (``$PCP_MAX_FILE_MB``), as the import page refuses beyond it anyway."""
        import math

        from pcp_widgets.audit.ingest.limits import Limits
        from pcp_widgets.environment import env_number

        idle = idle_minutes if idle_minutes is not None else env_number("PCP_IDLE_MINUTES", float)
        most = max_pages if max_pages is not None else env_number("PCP_MAX_PAGES", int)
        idle = IDLE_MINUTES if idle is None else idle
        most = MAX_PAGES if most is None else most
        if not math.isfinite(idle) or idle <= 0:
            raise ServeError("--idle-minutes must be a number of minutes more than 0, such as 20.")
        if most < 1:
            raise ServeError("--max-pages must be 1 or more, such as 40.")
        return cls(idle, most, Limits.from_options().max_file_bytes + MESSAGE_MARGIN_BYTES)

    @property
    def idle_seconds(self) -> int:
        return max(1, round(self.idle_minutes * 60))

    @property
    def cull_interval_seconds(self) -> int:
        """How often unused kernels are looked for: a quarter of the idle time, at most a minute."""
        return max(1, min(60, self.idle_seconds // 4))


def voila_config(root, ip: str, port: int, secrets_: Secrets, limits: ServerLimits | None = None,
                 hosts: frozenset[str] = LOOPBACK_HOSTS) -> Config:
    """Voila's settings: our pages, no sources, no tracebacks, warm kernels for the busy pages, and the
    safety settings of the module's docstring."""
    limits = limits or ServerLimits()
    config = Config()
    config.Voila.root_dir = str(root)
    config.Voila.ip = ip
    config.Voila.port = port
    config.Voila.port_retries = 0
    config.Voila.open_browser = False
    config.Voila.config_file_paths = []  # a stray voila.json must not change these settings
    config.Voila.token = secrets_.token or ""
    config.Voila.log_level = logging.DEBUG if os.environ.get("PCP_DEBUG") == "1" else logging.WARNING
    config.Voila.tornado_settings = {
        "websocket_max_message_size": limits.max_message_bytes,
        # Keep jupyter_server's own ping settings (a ping every 30 s, closed after 90 s without a pong). A
        # timeout equal to the interval closed every page's kernel connection 30 s after it opened, before
        # its first ping: a page still loading its controls then lost them (issue 16's practice room).
        "pcp_max_pages": limits.max_pages,
        "pcp_idle_minutes": limits.idle_minutes,
    }
    config.Voila.identity_provider_class = _identity_classes()
    if secrets_.password:
        from jupyter_server.auth import passwd

        config.PasswordIdentityProvider.hashed_password = passwd(secrets_.password)
        config.PasswordIdentityProvider.allow_password_change = False
    # A sign-in lasts SIGN_IN_HOURS: the browser forgets the cookie then, and the server refuses an older one.
    config.IdentityProvider.cookie_options = {"expires_days": SIGN_IN_HOURS / 24}
    config.IdentityProvider.get_secure_cookie_kwargs = {"max_age_days": SIGN_IN_HOURS / 24}
    # Kernels of pages nobody uses (a GET that never connected, a closed tab) are stopped; a page open in a
    # browser keeps its kernel, so nobody loses what they are typing. Voila never culls its warm kernels.
    config.MappingKernelManager.cull_idle_timeout = limits.idle_seconds
    config.MappingKernelManager.cull_interval = limits.cull_interval_seconds
    config.MappingKernelManager.cull_connected = False
    config.MappingKernelManager.cull_busy = False
    config.MappingKernelManager.kernel_manager_class = f"{__name__}.{StartingKernelManager.__name__}"
    config.VoilaConfiguration.show_tracebacks = False
    config.VoilaConfiguration.strip_sources = True
    config.VoilaConfiguration.file_allowlist = []  # no file of the folder is served as it is
    # One request header reaches a page kernel's environment: the browser's practice key, which the server
    # itself copies there from its cookie (pcp_widgets.practice.browser_key); no other header does.
    config.VoilaConfiguration.http_header_envs = [PRACTICE_KEY_HEADER]
    # One look, checked for contrast; and ?template=/?theme= cannot make each request start a kernel.
    config.VoilaConfiguration.allow_template_override = "NO"
    config.VoilaConfiguration.allow_theme_override = "NO"
    config.VoilaConfiguration.preheat_kernel = True
    config.VoilaConfiguration.default_pool_size = 0
    config.VoilaKernelManager.kernel_pools_config = {
        "default": {"pool_size": 0},
        **{page.path: {"pool_size": 1} for page in PAGES if page.preheat},
    }
    config.VoilaKernelManager.fill_delay = 0
    config.VoilaExecutor.cell_error_instruction = CELL_ERROR_TEXT
    # A page's last messages (its controls, then the page itself) may reach the server well after the
    # kernel has said the cell is done when a room opens pages at once: nbclient waits only 4 s for them by
    # default and then drops the cell's output without a word, which left 7 of 10 practice pages opened
    # together blank. Wait as long as a crowded server needs; if even that passes, show the cell's error
    # text rather than an empty page.
    config.VoilaExecutor.iopub_timeout = PAGE_OUTPUT_WAIT_S
    config.VoilaExecutor.raise_on_iopub_timeout = True
    # Page kernels talk to the server over files in a private folder, not over local TCP ports.
    config.KernelManager.transport = "ipc"
    return config


# -- the command -------------------------------------------------------------------------------


def load_demo_if_empty(store) -> None:
    """``--demo``: fill an empty database with the demo year; never touch one that holds anything."""
    if not store.is_empty():
        return
    from pcp_widgets.audit.demo import run_demo

    print("pcp: the database is empty, so the demo data is loaded first.", file=sys.stderr, flush=True)
    # The demo's summary goes to stderr: the first line on stdout is the address, for people and scripts.
    with contextlib.redirect_stdout(sys.stderr):
        run_demo(store, out_dir=None, services=6, months=12, seed=1, quiet=True)


def demo_database_url() -> str:
    """Where ``pcp serve --demo`` keeps its invented people unless told otherwise: never the real database."""
    from platformdirs import user_data_path

    from pcp_widgets.environment import APP_NAME

    return f"sqlite:///{user_data_path(APP_NAME) / DEMO_FILE_NAME}"


def serve(db: str | None = None, port: int = 8866, ip: str = "127.0.0.1", token_file: str | None = None,
          password_file: str | None = None, demo: bool = False, open_browser: bool = False,
          idle_minutes: float | None = None, max_pages: int | None = None,
          allow_hosts: tuple[str, ...] | list[str] = ()) -> int:
    """Serve the pages until stopped (Ctrl-C or SIGTERM); 0 when stopped, a ServeError otherwise."""
    from pcp_widgets.audit.schema.settings import check_settings
    from pcp_widgets.store import open_store

    os.umask(0o077)  # the database, exports and backups this server (and its page kernels) write: owner only
    check_settings()  # the pages would each fail on a bad threshold; say so once, before starting
    secrets_ = server_secrets(token_file, password_file)
    scrub_every_log_record(secrets_.hidden())
    limits = ServerLimits.from_options(idle_minutes, max_pages)
    check_address(ip, secrets_.token, secrets_.password)
    root = pages_folder()
    check_port(ip, port)
    if demo and not db and not os.environ.get("PCP_DB", "").strip():
        db = demo_database_url()
    store = open_store(db)
    try:
        if demo:
            load_demo_if_empty(store)
        database = store.describe()
        os.environ["PCP_DB"] = store.url
    finally:
        store.dispose()
    url = public_url(ip, port, secrets_.token)
    run_pages(voila_config(root, ip, port, secrets_, limits), allowed_hosts(ip, allow_hosts),
              lambda: _announce(url, database, open_browser))
    return 0


def run_pages(config: Config, hosts: frozenset[str] | None, on_listening) -> None:
    """Run :class:`PcpVoila` with ``config`` until stopped; ``hosts`` None leaves out the Host check (behind
    JupyterHub, see ``PcpVoila.allowed_hosts``); ``on_listening`` is called once connections are accepted."""
    ip, port = config.Voila.ip, config.Voila.port
    os.environ["VOILA_APP_IP"] = _own_address(ip)
    app_class = _voila_class()
    app_class.allowed_hosts = hosts
    app = app_class(config=config)
    app.on_listening = on_listening
    app.initialize(argv=[])
    app.log.addFilter(_QuietTrust())
    logging.getLogger("tornado.general").addFilter(_QuietPingMisreading())
    try:
        app.start()
    except KeyboardInterrupt:  # Ctrl-C while stopping: kernels left over exit when they see we have gone
        pass
    except SystemExit as stop:  # Voila exits when it cannot listen after all (a race for the port)
        if stop.code:
            raise ServeError(f"the server could not start on {ip} port {port}; see the messages above.") from None


class _QuietTrust(logging.Filter):
    """Drop "Notebook ... is not trusted": our pages are never signed, and Voila renders them all the same."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "is not trusted" not in record.getMessage()


class _QuietPingMisreading(logging.Filter):
    """Drop tornado's "websocket_ping_timeout (90000) cannot be longer than ..." on every server start.

    jupyter_server gives its websockets ping settings in milliseconds under the property names tornado
    reads in seconds, so tornado sees a 90000 s timeout beside a 30000 s interval and warns. Tornado's own
    pinging is then hours apart and harmless; jupyter_server's (every 30 s, in milliseconds) is the one
    that keeps a connection alive. Making the two agree instead cut every connection at 30 s.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return "websocket_ping_timeout" not in record.getMessage()


def _announce(url: str, database: str, open_browser: bool) -> None:
    print(f"pcp is serving {url} using the database: {database} (press Ctrl-C to stop)", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


__all__ = ["serve", "check_address", "check_port", "is_loopback", "public_url", "pages_folder", "voila_config",
           "server_secrets", "refuse_secrets_on_command_line", "scrub", "allowed_hosts", "request_allowed",
           "LoginLimiter", "ServerLimits", "demo_database_url", "run_pages"]
