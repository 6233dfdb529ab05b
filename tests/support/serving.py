"""Running ``pcp serve`` as a real process for the server and browser tests."""

from __future__ import annotations

import http.cookiejar
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import tempfile
import typing
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field

#: Generous: the server starts kernels and may load demo data before its first line.
START_TIMEOUT_S = 180
STOP_TIMEOUT_S = 60


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def pcp_command(*args: str) -> list[str]:
    """``pcp ARGS`` with this interpreter, so the tests use the package under test."""
    return [sys.executable, "-m", "pcp_widgets.cli", *args]


#: The address in ``pcp serve``'s first line, with its token if it has one.
FIRST_LINE_URL = re.compile(r"^pcp is serving (http://\S+) using the database")


@dataclass
class Server:
    """A running ``pcp serve``. ``token`` is the one its first line gives (None with a password);
    ``sign_in_url`` signs a browser in (it then keeps a cookie); ``opener`` is a urllib opener
    already signed in (redirects not followed), for plain HTTP requests as a signed-in person."""

    process: subprocess.Popen
    port: int
    first_line: str
    stderr: typing.IO
    base: str = field(init=False)
    token: str | None = field(init=False)
    sign_in_url: str = field(init=False)
    opener: urllib.request.OpenerDirector = field(init=False)

    def __post_init__(self):
        self.base = f"http://127.0.0.1:{self.port}"
        match = FIRST_LINE_URL.match(self.first_line)
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(match.group(1)).query) if match else {}
        self.token = query.get("token", [None])[0]
        self.sign_in_url = self.base + "/?" + urllib.parse.urlencode({"token": self.token}) if self.token \
            else self.base + "/"
        self.opener = no_redirect_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        if self.token and self.process.poll() is None:
            get(self.sign_in_url, opener=self.opener)

    def sign_in(self, context) -> None:
        """Sign a Playwright browser context in, as a person opening the first line's address does."""
        if self.token:
            context.request.get(self.sign_in_url, max_redirects=0)

    def stop(self) -> tuple[int, str]:
        """Ctrl-C, as a person would; returns the exit code and everything written on stderr."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        try:
            self.process.communicate(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.communicate()
        return self.process.returncode, self.errors()

    def errors(self) -> str:
        """What the server has written on stderr so far."""
        self.stderr.seek(0)
        return self.stderr.read()


def start_server(*args: str, env: dict | None = None) -> Server:
    """Start ``pcp serve ARGS --port <free>`` and wait for its first line on stdout."""
    port = free_port()
    # stderr goes to a file: a pipe nobody reads would stop the server once full.
    stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    process = subprocess.Popen(
        pcp_command("serve", "--port", str(port), *args),
        stdout=subprocess.PIPE,
        stderr=stderr,
        text=True,
        env={**os.environ, **(env or {})},
    )
    line = _first_line(process)
    server = Server(process, port, line.rstrip("\n"), stderr)
    if not line:
        code, err = server.stop()
        raise AssertionError(f"pcp serve printed no first line (exit {code}): {err[-3000:]}")
    return server


def _first_line(process: subprocess.Popen) -> str:
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        if not selector.select(timeout=START_TIMEOUT_S):
            return ""
    return process.stdout.readline()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def get(url: str, *, follow: bool = False, data: bytes | None = None, opener=None):
    """(status, headers, body text) of a GET (or POST with ``data``); redirects not followed unless asked."""
    if opener is None:
        opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(url, data=data, timeout=120) as response:
            return response.status, response.headers, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read().decode("utf-8", "replace")


def no_redirect_opener(*handlers):
    return urllib.request.build_opener(_NoRedirect, *handlers)


def sign_in_every_context(browser, server: Server) -> None:
    """Every context ``browser`` makes from now on starts signed in to ``server`` (its own cookie), so
    tests open pages by their plain addresses as a person who followed the first line's link does."""
    new_context = browser.new_context

    def signed_in_context(*args, **kwargs):
        context = new_context(*args, **kwargs)
        server.sign_in(context)
        return context

    browser.new_context = signed_in_context
