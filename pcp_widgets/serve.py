"""``pcp serve``: the workbook and audit pages, served by Voila.

We run Voila 0.5 as a library, over the repository folder that holds ``workbooks/`` and
``audits/``, with a small subclass (:class:`PcpVoila`) that

* sends ``/`` (and Voila's file tree) to the start page, keeping the query string, so a
  ``?token=`` link still signs the person in;
* renders only the pages of the registry (:mod:`pcp_widgets.pages`): no other notebook in
  the folder can be run through the server, and no file is served from it;
* strips notebook sources and never shows a traceback (the page says where to look).

Safety rules: the server listens on this computer only unless told otherwise, and then
only with a token or a password; the port is tried before anything starts, so "already in
use" is one sentence, not a log. Page kernels get ``PCP_DB`` so every page uses the database
this command opened.
"""

from __future__ import annotations

import contextlib
import errno
import ipaddress
import logging
import os
import re
import shutil
import socket
import sys
import threading
import webbrowser
from urllib.parse import quote

import tornado.web
from jupyter_server.utils import url_path_join
from traitlets.config import Config

from pcp_widgets.errors import ServeError
from pcp_widgets.pages import PAGES, START_PAGE, repo_root

LOOPBACK_NAMES = ("localhost",)
#: Uploads travel to the page kernel in one websocket message; room for a few large workbooks.
WEBSOCKET_MAX_MESSAGE_BYTES = 512 * 1024 * 1024
#: What a page shows instead of a traceback when one of its cells fails.
CELL_ERROR_TEXT = ("This part of the page could not be shown. The details are in the log of the "
                   "pcp serve command; please tell whoever runs it.")


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
            f"pcp serve will not listen on {ip}, which other computers can reach, without a --token or "
            "--password; add one, or leave out --ip to serve this computer only."
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


class StartRedirectHandler(tornado.web.RequestHandler):
    """``/`` and Voila's file tree lead to the start page; the query string (a token) comes along."""

    def initialize(self, target: str):
        self.target = target

    def get(self, *_args, **_kwargs):
        query = self.request.query
        self.redirect(self.target + (f"?{query}" if query else ""))

    head = get


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


def _registered_page_handler(base):
    """Voila's page handler, refusing (404) any notebook that is not a registered page."""
    served = {page.path for page in PAGES}

    class RegisteredPageHandler(base):
        @tornado.web.authenticated
        async def get(self, path=None):
            if path not in served:
                raise tornado.web.HTTPError(404, "There is no such page.")
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

        def init_handlers(self):
            self.app.transforms.append(WithoutOutsideLinks)  # Voila has made the application by now
            start = url_path_join(self.base_url, "voila/render", START_PAGE.path)
            handlers = []
            for handler in super().init_handlers():
                pattern, target = handler[0], handler[1]
                if target is VoilaContentsHandler:
                    continue  # no folder listings
                if target is TornadoVoilaTreeHandler:  # "/" and /voila/tree/...
                    handler = (pattern, StartRedirectHandler, {"target": start})
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
            import tornado.ioloop

            if self.on_listening is not None:
                tornado.ioloop.IOLoop.current().add_callback(self.on_listening)
            super().listen()

    return PcpVoila


def voila_config(root, ip: str, port: int, token: str | None, password: str | None) -> Config:
    """Voila's settings: our pages, no sources, no tracebacks, warm kernels for the busy pages."""
    config = Config()
    config.Voila.root_dir = str(root)
    config.Voila.ip = ip
    config.Voila.port = port
    config.Voila.port_retries = 0
    config.Voila.open_browser = False
    config.Voila.config_file_paths = []  # a stray voila.json must not change these settings
    config.Voila.token = token or ""
    config.Voila.log_level = logging.DEBUG if os.environ.get("PCP_DEBUG") == "1" else logging.WARNING
    config.Voila.tornado_settings = {
        "websocket_max_message_size": WEBSOCKET_MAX_MESSAGE_BYTES,
        # jupyter_server's default pong timeout (3 x the 30 s ping) makes tornado warn on every start.
        "ws_ping_timeout": 30_000,
    }
    if password:
        from jupyter_server.auth import passwd

        config.PasswordIdentityProvider.hashed_password = passwd(password)
        config.PasswordIdentityProvider.allow_password_change = False
    config.VoilaConfiguration.show_tracebacks = False
    config.VoilaConfiguration.strip_sources = True
    config.VoilaConfiguration.file_allowlist = []  # no file of the folder is served as it is
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


def serve(db: str | None = None, port: int = 8866, ip: str = "127.0.0.1", token: str | None = None,
          password: str | None = None, demo: bool = False, open_browser: bool = False) -> int:
    """Serve the pages until stopped (Ctrl-C or SIGTERM); 0 when stopped, a ServeError otherwise."""
    from pcp_widgets.audit.settings import check_settings
    from pcp_widgets.store import open_store

    token = token or None
    password = password or None
    check_settings()  # the pages would each fail on a bad threshold; say so once, before starting
    check_address(ip, token, password)
    root = pages_folder()
    check_port(ip, port)
    store = open_store(db)
    try:
        if demo:
            load_demo_if_empty(store)
        database = store.describe()
        os.environ["PCP_DB"] = store.url
    finally:
        store.dispose()
    os.environ["VOILA_APP_IP"] = _own_address(ip)
    url = public_url(ip, port, token)
    app = _voila_class()(config=voila_config(root, ip, port, token, password))
    app.on_listening = lambda: _announce(url, database, open_browser)
    app.initialize(argv=[])
    app.log.addFilter(_QuietTrust())
    try:
        app.start()
    except KeyboardInterrupt:  # Ctrl-C while stopping: kernels left over exit when they see we have gone
        pass
    except SystemExit as stop:  # Voila exits when it cannot listen after all (a race for the port)
        if stop.code:
            raise ServeError(f"the server could not start on {ip} port {port}; see the messages above.") from None
    return 0


class _QuietTrust(logging.Filter):
    """Drop "Notebook ... is not trusted": our pages are never signed, and Voila renders them all the same."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "is not trusted" not in record.getMessage()


def _announce(url: str, database: str, open_browser: bool) -> None:
    print(f"pcp is serving {url} using the database: {database} (press Ctrl-C to stop)", flush=True)
    if open_browser:
        threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


__all__ = ["serve", "check_address", "check_port", "is_loopback", "public_url", "pages_folder", "voila_config"]
