"""``pcp serve`` as a person runs it: a real server process, real HTTP requests.

The safety checks of issue 16 (hardening of the one-computer server) are here too: the token
every server asks for, in no log line and no command line; Host and Origin; sign-in length and
signing out; idle page kernels stopped and their number capped; file modes; the demo's own database.
"""

import email.utils
import http.client
import http.cookiejar
import logging
import os
import re
import socket
import stat
import subprocess
import time
import urllib.parse
import urllib.request

import nbformat
import pytest

from pcp_widgets import serve as serving_module
from pcp_widgets.errors import ServeError
from pcp_widgets.serve import (
    LoginLimiter, ServerLimits, allowed_hosts, check_address, check_port, is_loopback, pages_folder, public_url,
    request_allowed, scrub, server_secrets, voila_config,
)
from tests.support.serving import free_port, get, no_redirect_opener, pcp_command, start_server

START = "/voila/render/workbooks/start_here.ipynb"
IMPORT = "/voila/render/audits/import_audit_data.ipynb"
FIRST_LINE = re.compile(
    r"^pcp is serving (http://\S+) using the database: (.+) \(press Ctrl-C to stop\)$"
)
KERNEL_ID = re.compile(r'"kernelId": "([0-9a-f-]{36})"')
#: Longest wait for something the server does by itself (stopping an unused kernel); a wait, not a timing.
SETTLE_S = 120
#: Lines of the notebooks' code: none may reach a served page.
NOTEBOOK_SOURCE = ("from pcp_widgets.ui.start import start_page", "page = start_page()",
                   "from pcp_widgets.ui.import_page import import_page")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A server in a new folder, logging every request (PCP_DEBUG=1): the most a log could give away."""
    database = tmp_path_factory.mktemp("serve") / "private" / "pcp.sqlite"
    running = start_server("--db", f"sqlite:///{database}", env={"PCP_DEBUG": "1"})
    running.database = database
    yield running
    code, err = running.stop()
    assert code == 0, err
    assert "Traceback" not in err


def run_pcp(*args, timeout=120):
    return subprocess.run(pcp_command(*args), capture_output=True, text=True, timeout=timeout)


def assert_one_sentence(err: str, starts: str):
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith(starts) and lines[0].endswith("."), err
    assert "Traceback" not in err


# -- a running server ------------------------------------------------------------------------


def test_first_line_says_the_url_with_a_new_random_token_and_the_database(server):
    match = FIRST_LINE.match(server.first_line)
    assert match, server.first_line
    assert match.group(1) == f"http://127.0.0.1:{server.port}/?token={server.token}"
    assert len(server.token) >= 40 and re.fullmatch(r"[A-Za-z0-9_-]+", server.token)
    assert match.group(2) == f"SQLite file {server.database}"


def test_a_token_is_asked_for_even_on_this_computer(server):
    for path in ("/", START, IMPORT):
        status, headers, body = get(server.base + path)
        assert status == 302 and headers["Location"].startswith("/login"), path
        assert "application/vnd.jupyter.widget-view+json" not in body
    assert get(server.base + START + "?token=" + "x" * 43)[0] == 302


def test_the_token_signs_in_and_is_left_out_of_every_page_address(server):
    browser = no_redirect_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    status, headers, _ = get(server.sign_in_url + "&lang=en", opener=browser)
    assert status == 302 and headers["Location"] == START + "?lang=en"
    status, headers, _ = get(f"{server.base}{IMPORT}?token={server.token}&x=1", opener=browser)
    assert status == 302 and headers["Location"] == IMPORT + "?x=1"
    assert get(server.base + IMPORT, opener=browser)[0] == 200  # the cookie carries on


def test_a_sign_in_lasts_twelve_hours_at_most(server):
    status, headers, _ = get(server.sign_in_url, opener=no_redirect_opener())
    assert status == 302
    cookie = next(value for name, value in headers.items() if name.lower() == "set-cookie"
                  and value.startswith("username-"))
    expires = email.utils.parsedate_to_datetime(re.search(r"expires=([^;]+)", cookie).group(1)).timestamp()
    assert time.time() + 11.9 * 3600 < expires <= time.time() + 12 * 3600 + 60, cookie


def test_logout_signs_out(server):
    browser = no_redirect_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    get(server.sign_in_url, opener=browser)
    assert get(server.base + START, opener=browser)[0] == 200
    status, _, body = get(server.base + "/logout", opener=browser)
    assert status == 200 and "<h1>Signed out</h1>" in body
    status, headers, _ = get(server.base + START, opener=browser)
    assert status == 302 and headers["Location"].startswith("/login")


def request(server, path, headers, cookie=True):
    """(status, headers, body) of a GET with exactly these headers (Host among them), signed in if ``cookie``."""
    if cookie:
        headers = {**headers, "Cookie": _cookie_header(server)}
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    try:
        connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers.items():
            connection.putheader(name, value)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.headers, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def _cookie_header(server) -> str:
    jar = next(handler.cookiejar for handler in server.opener.handlers
               if isinstance(handler, urllib.request.HTTPCookieProcessor))
    return "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)


#: The headers of a browser opening a websocket (the page's kernel channels).
WEBSOCKET = {"Connection": "Upgrade", "Upgrade": "websocket", "Sec-WebSocket-Version": "13",
             "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}


def test_a_foreign_host_gets_no_page_and_no_websocket(server):
    """DNS rebinding: a page at evil.example whose name now points at 127.0.0.1 sends Host: evil.example."""
    own = f"127.0.0.1:{server.port}"
    status, _, body = request(server, IMPORT, {"Host": own})
    assert status == 200
    kernel = KERNEL_ID.search(body).group(1)
    channels = f"/api/kernels/{kernel}/channels"
    assert request(server, channels, {"Host": own, **WEBSOCKET})[0] == 101
    for host in ("evil.example", f"evil.example:{server.port}", "127.0.0.1.evil.example"):
        status, _, body = request(server, IMPORT, {"Host": host})
        assert status == 403 and "widget" not in body and "Import audit data" not in body, host
        assert request(server, channels, {"Host": host, **WEBSOCKET})[0] == 403, host
        assert request(server, f"/?token={server.token}", {"Host": host}, cookie=False)[0] == 403, host
    # A page elsewhere cannot use this server from the browser either (the Origin is not ours).
    status, _, _ = request(server, channels, {"Host": own, "Origin": "http://evil.example",
                                              **WEBSOCKET})
    assert status == 403
    assert request(server, IMPORT, {"Host": own, "Origin": "http://evil.example"})[0] == 403
    # Another of this computer's own names is answered (the sign-in cookie is per name: sign in with the token).
    status, headers, _ = request(server, f"/?token={server.token}", {
        "Host": f"localhost:{server.port}", "Origin": f"http://localhost:{server.port}"}, cookie=False)
    assert status == 302 and headers["Location"] == START


def close_code_after_announcing(server, kernel: str, size: int) -> int | None:
    """Open the page's websocket, announce a message of ``size`` bytes (an upload) and send only its first
    bytes; the close code the server answers with (None: it closed without one)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=60) as connection:
        head = [f"GET /api/kernels/{kernel}/channels HTTP/1.1", f"Host: 127.0.0.1:{server.port}",
                f"Cookie: {_cookie_header(server)}", *(f"{name}: {value}" for name, value in WEBSOCKET.items())]
        connection.sendall(("\r\n".join(head) + "\r\n\r\n").encode())
        received = b""
        while b"\r\n\r\n" not in received:
            received += connection.recv(65536)
        assert received.startswith(b"HTTP/1.1 101"), received[:200]
        received = received.split(b"\r\n\r\n", 1)[1]
        frame = bytes([0x82, 0xFF]) + size.to_bytes(8, "big") + bytes(4)  # binary, masked, 64-bit length
        try:
            connection.sendall(frame + bytes(1024 * 1024))
        except OSError:  # refused while still sending
            pass

        def take(count):
            nonlocal received
            while len(received) < count:
                chunk = connection.recv(65536)
                if not chunk:
                    raise EOFError
                received += chunk
            taken, received = received[:count], received[count:]
            return taken

        try:
            while True:  # the server's frames (unmasked) until its close frame
                first, second = take(2)
                length = second & 0x7F
                if length >= 126:
                    length = int.from_bytes(take(2 if length == 126 else 8), "big")
                payload = take(length)
                if first & 0x0F == 0x8:
                    return int.from_bytes(payload[:2], "big")
        except (EOFError, ConnectionResetError):
            return None


def test_an_upload_larger_than_the_import_accepts_is_refused_as_it_arrives(server):
    status, _, body = get(server.base + IMPORT, opener=server.opener)
    assert status == 200
    kernel = KERNEL_ID.search(body).group(1)
    # 150 MB announced, 1 MB sent: refused (1009, message too big) without waiting for the rest.
    assert close_code_after_announcing(server, kernel, 150_000_000) == 1009


@pytest.mark.parametrize("path, title", [(START, "Start here"), (IMPORT, "Import audit data")])
def test_pages_are_served_without_source_or_traceback(server, path, title):
    status, _, body = get(server.base + path, opener=server.opener)
    assert status == 200
    assert f"<title>{title}" in body
    assert "application/vnd.jupyter.widget-view+json" in body  # the page's widget was displayed
    for line in NOTEBOOK_SOURCE:
        assert line not in body
    assert "Traceback" not in body and "could not be shown" not in body
    assert '<html lang="en">' in body
    # Nothing is fetched from outside this server (nbconvert's mermaid loader only runs for diagrams).
    assert 'href="https://' not in body and 'src="https://' not in body


def test_only_registered_pages_and_no_files_or_listings_are_served(server):
    signed_in = server.opener
    assert get(server.base + "/voila/render/tests/anything.ipynb", opener=signed_in)[0] == 404
    assert get(server.base + "/voila/render/.venv/lib/some.ipynb", opener=signed_in)[0] == 404
    assert get(server.base + "/voila/api/contents", opener=signed_in)[0] == 404
    assert get(server.base + "/voila/files/pyproject.toml", opener=signed_in)[0] == 403
    status, headers, _ = get(server.base + "/voila/tree", opener=signed_in)
    assert status == 302 and headers["Location"] == START


def test_the_token_is_in_no_log_line_and_no_command_line(server):
    psutil = pytest.importorskip("psutil")
    # Requests that carry the token where a log would show it: refused, wrong, missing pages, redirects.
    for path in (f"/?token={server.token}", f"/voila/render/nothing.ipynb?token={server.token}",
                 f"/voila/files/x?token={server.token}", f"/login?next=%2F%3Ftoken%3D{server.token}"):
        get(server.base + path)
    request(server, f"/?token={server.token}", {"Host": "evil.example"}, cookie=False)
    log = server.errors()
    assert "GET /" in log, "the server logs requests (PCP_DEBUG=1), so this test can see them"
    assert server.token not in log
    assert urllib.parse.quote(server.token) not in log
    assert not re.search(r"token(=|%3D)(?!\[hidden\])", log), log[-2000:]
    processes = [psutil.Process(server.process.pid)]
    processes += processes[0].children(recursive=True)
    assert len(processes) > 1, "the warm page kernels are running"
    for process in processes:
        assert server.token not in " ".join(process.cmdline()), process
    for kernel in processes[1:]:  # and no page kernel is given it
        assert server.token not in repr(kernel.environ()), kernel


def test_the_database_and_its_folder_are_the_owners_only(server):
    assert stat.S_IMODE(server.database.stat().st_mode) == 0o600
    assert stat.S_IMODE(server.database.parent.stat().st_mode) == 0o700
    for companion in ("-wal", "-shm"):
        path = server.database.with_name(server.database.name + companion)
        if path.exists():
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    # What the server and its page kernels write later (exports, downloads) is the owner's only too.
    psutil = pytest.importorskip("psutil")
    for process in [psutil.Process(server.process.pid), *psutil.Process(server.process.pid).children(recursive=True)]:
        with open(f"/proc/{process.pid}/status", encoding="ascii") as status:
            umask = next(line.split()[1] for line in status if line.startswith("Umask:"))
        assert umask == "0077", process


def test_a_second_server_on_the_same_port_is_one_sentence_and_exit_2(server):
    result = run_pcp("serve", "--port", str(server.port), "--db", f"sqlite:///{server.database}")
    assert result.returncode == 2
    assert_one_sentence(result.stderr, f"pcp: port {server.port} is already in use")
    assert result.stdout == ""


# -- refusals before starting ---------------------------------------------------------------------


def test_port_in_use_by_another_program(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen(1)
        port = other.getsockname()[1]
        result = run_pcp("serve", "--port", str(port), "--db", f"sqlite:///{tmp_path}/x.sqlite")
    assert result.returncode == 2
    assert_one_sentence(result.stderr, f"pcp: port {port} is already in use")


@pytest.mark.parametrize("option, env", [("--token", "$PCP_TOKEN"), ("--password", "$PCP_PASSWORD")])
def test_a_secret_on_the_command_line_is_refused_with_where_to_put_it(tmp_path, option, env):
    for given in ([option, "correct-horse-battery"], [f"{option}=correct-horse-battery"], [option]):
        result = run_pcp("serve", *given, "--port", str(free_port()), "--db", f"sqlite:///{tmp_path}/x.sqlite")
        assert result.returncode == 2
        assert_one_sentence(result.stderr, f"pcp: pcp serve takes no {option[2:]} on the command line")
        assert f"{option}-file FILE" in result.stderr and env in result.stderr
        assert not (tmp_path / "x.sqlite").exists(), "refused before the database was touched"


@pytest.mark.parametrize("args, starts", [
    (["--port", "eighty"], "pcp: argument --port: invalid int value"),
    (["--idle-minutes", "0"], "pcp: --idle-minutes must be a number of minutes more than 0"),
    (["--max-pages", "0"], "pcp: --max-pages must be 1 or more"),
    (["--token-file", "/nonexistent/token"], "pcp: cannot read the token file /nonexistent/token"),
])
def test_a_bad_option_is_one_sentence(tmp_path, args, starts):
    result = run_pcp("serve", *args, "--db", f"sqlite:///{tmp_path}/x.sqlite")
    assert result.returncode == 2
    assert_one_sentence(result.stderr, starts)


def test_loopback_addresses():
    for ip in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(ip), ip
    for ip in ("0.0.0.0", "::", "192.168.1.10", "example.org", ""):
        assert not is_loopback(ip), ip
    check_address("127.0.0.1", None, None)
    check_address("0.0.0.0", "a-token", None)
    check_address("0.0.0.0", None, "a-password")
    with pytest.raises(ServeError, match="without a token or password"):
        check_address("192.168.1.10", None, None)


def test_an_address_this_computer_does_not_have_is_refused():
    with pytest.raises(ServeError, match="is not an address of this computer"):
        check_port("192.0.2.77", free_port())  # TEST-NET-1: never a local address


def test_localhost_port_check_binds_like_the_server():
    port = free_port()
    check_port("localhost", port)
    with socket.socket() as other:
        other.bind(("127.0.0.1", port))
        other.listen(1)
        with pytest.raises(ServeError, match=f"port {port} is already in use"):
            check_port("localhost", port)


def test_a_port_out_of_range_is_refused():
    with pytest.raises(ServeError, match="is not a port number"):
        check_port("127.0.0.1", 70000)


def test_secrets_come_from_a_file_or_the_environment_and_leave_it(tmp_path):
    generated = server_secrets(environ={})
    assert generated.token_generated and len(generated.token) >= 40 and generated.password is None
    assert server_secrets(environ={}).token != generated.token
    environ = {"PCP_TOKEN": "from-the-environment-1", "PCP_PASSWORD": "pw"}
    given = server_secrets(environ=environ)
    assert (given.token, given.password, given.token_generated) == ("from-the-environment-1", "pw", False)
    assert environ == {}, "page kernels inherit the environment: the secrets are taken out of it"
    (tmp_path / "token").write_text("from-a-file-of-mine-1\n")
    assert server_secrets(token_file=str(tmp_path / "token"), environ={}).token == "from-a-file-of-mine-1"
    assert server_secrets(environ={"PCP_TOKEN_FILE": str(tmp_path / "token")}).token == "from-a-file-of-mine-1"
    password_only = server_secrets(environ={"PCP_PASSWORD": "correct horse"})
    assert password_only.token is None and password_only.password == "correct horse"
    with pytest.raises(ServeError, match="at least 16 characters"):
        server_secrets(environ={"PCP_TOKEN": "short"})
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ServeError, match="is empty"):
        server_secrets(password_file=str(tmp_path / "empty"), environ={})


def test_scrub_hides_tokens_in_urls_and_the_secrets_themselves():
    line = 'GET /voila/render/a.ipynb?x=1&token=abc123&y=2 (127.0.0.1) next=%2F%3Ftoken%3Dabc123'
    assert scrub(line) == "GET /voila/render/a.ipynb?x=1&token=[hidden]&y=2 (127.0.0.1) next=%2F%3Ftoken%3D[hidden]"
    assert scrub("password was correct horse!", ("correct horse",)) == "password was [hidden]!"
    assert scrub("form: correct%20horse", ("correct horse",)) == "form: [hidden]"
    assert scrub("nothing secret here") == "nothing secret here"


def test_allowed_hosts_and_origins():
    loopback = allowed_hosts("127.0.0.1")
    assert loopback == {"localhost", "127.0.0.1", "::1"}
    assert "192.168.1.10" in allowed_hosts("192.168.1.10")
    everywhere = allowed_hosts("0.0.0.0", ["pcp.example.org."])
    assert {socket.gethostname().lower(), "pcp.example.org", "127.0.0.1"} <= everywhere
    assert request_allowed({"Host": "127.0.0.1:8866"}, loopback)
    assert request_allowed({"Host": "[::1]:8866", "Origin": "http://localhost:8866"}, loopback)
    assert request_allowed({"Host": "LOCALHOST"}, loopback)
    for headers in ({"Host": "evil.example"}, {"Host": "evil.example:8866"}, {}, {"Host": ""},
                    {"Host": "localhost.evil.example"}, {"Host": "127.0.0.1", "Origin": "http://evil.example"},
                    {"Host": "127.0.0.1", "Origin": "null"}, {"Host": "127.0.0.1@evil.example"}):
        assert not request_allowed(headers, loopback), headers


def test_the_login_limiter_refuses_after_five_wrong_tries_for_five_minutes():
    now = [1000.0]
    limiter = LoginLimiter(clock=lambda: now[0])
    for _ in range(4):
        limiter.failed("10.0.0.5")
    assert limiter.wait("10.0.0.5") == 0
    limiter.failed("10.0.0.5")
    assert limiter.wait("10.0.0.5") == pytest.approx(300)
    assert limiter.wait("10.0.0.6") == 0, "another address is not held back"
    now[0] += 299
    assert limiter.wait("10.0.0.5") == pytest.approx(1)
    now[0] += 2
    assert limiter.wait("10.0.0.5") == 0
    limiter.failed("10.0.0.7")
    limiter.succeeded("10.0.0.7")
    assert limiter._failures == {}


def test_the_server_settings_cull_idle_kernels_and_cap_uploads(tmp_path, monkeypatch):
    monkeypatch.delenv("PCP_IDLE_MINUTES", raising=False)
    monkeypatch.delenv("PCP_MAX_PAGES", raising=False)
    monkeypatch.delenv("PCP_MAX_FILE_MB", raising=False)
    limits = ServerLimits.from_options()
    config = voila_config(tmp_path, "127.0.0.1", 8866, server_secrets(environ={}), limits)
    kernels = config.MappingKernelManager
    assert kernels.cull_idle_timeout == 20 * 60 and kernels.cull_connected is False
    assert 0 < kernels.cull_interval <= 60
    settings = config.Voila.tornado_settings
    assert settings["pcp_max_pages"] == 40
    # An upload bigger than the import accepts is refused as it arrives: the import's cap, plus its wrapping.
    assert 100_000_000 < settings["websocket_max_message_size"] <= 102_000_000
    assert config.IdentityProvider.get_secure_cookie_kwargs == {"max_age_days": 0.5}
    monkeypatch.setenv("PCP_MAX_FILE_MB", "10")
    monkeypatch.setenv("PCP_IDLE_MINUTES", "5")
    assert ServerLimits.from_options().max_message_bytes <= 11_100_000
    assert ServerLimits.from_options().idle_seconds == 300
    assert ServerLimits.from_options(idle_minutes=1).idle_seconds == 60


def test_a_page_kernel_still_starting_counts_as_used_so_the_culler_can_read_it(tmp_path):
    """jupyter_server's culler reads last_activity of every kernel each round; one still starting had none,
    and the read raised (a traceback in the server's log)."""
    import datetime as dt

    from jupyter_server.services.kernels.kernelmanager import AsyncMappingKernelManager

    config = voila_config(tmp_path, "127.0.0.1", 8866, server_secrets(environ={}), ServerLimits.from_options())
    manager_class = AsyncMappingKernelManager(config=config).kernel_manager_factory
    kernel = manager_class()  # made, not started
    assert (dt.datetime.now(dt.timezone.utc) - kernel.last_activity).total_seconds() < 60


def test_public_url():
    assert public_url("127.0.0.1", 8866, None) == "http://127.0.0.1:8866/"
    assert public_url("::1", 8866, "a b") == "http://[::1]:8866/?token=a%20b"
    assert public_url("0.0.0.0", 9000, "t").startswith(f"http://{socket.gethostname()}:9000/?token=t")


def test_missing_pages_are_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setattr(serving_module, "repo_root", lambda: tmp_path)
    with pytest.raises(ServeError, match="the pages are missing from"):
        pages_folder()


# -- token and password ------------------------------------------------------------------------


def test_a_token_of_ones_own_from_a_file_on_all_addresses(tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text("s3cret-token-of-mine-2026\n")
    running = start_server("--ip", "0.0.0.0", "--token-file", str(token_file), "--db", f"sqlite:///{tmp_path}/t.sqlite")
    try:
        match = FIRST_LINE.match(running.first_line)
        assert match and match.group(1).endswith(f":{running.port}/?token=s3cret-token-of-mine-2026"), running.first_line
        status, headers, _ = get(running.base + START)
        assert status == 302 and headers["Location"].startswith("/login")
        assert get(running.base + START + "?token=wrong")[0] == 302
        browser = no_redirect_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        status, headers, _ = get(running.base + "/?token=s3cret-token-of-mine-2026", opener=browser)
        assert status == 302 and headers["Location"] == START
        # signed in: the links between pages work without the token
        assert get(running.base + IMPORT, opener=browser)[0] == 200
        signing_in = "/?token=s3cret-token-of-mine-2026"
        status, headers, _ = request(running, signing_in, {"Host": f"{socket.gethostname()}:{running.port}"},
                                     cookie=False)
        assert status == 302 and headers["Location"] == START, "the computer's own name is answered on 0.0.0.0"
        assert request(running, signing_in, {"Host": "evil.example"}, cookie=False)[0] == 403
    finally:
        code, err = running.stop()
    assert code == 0 and "Traceback" not in err
    assert "s3cret-token-of-mine-2026" not in err


def test_a_password_from_the_environment_is_asked_for_works_and_is_rate_limited(tmp_path):
    running = start_server("--ip", "0.0.0.0", "--db", f"sqlite:///{tmp_path}/p.sqlite",
                           env={"PCP_PASSWORD": "correct horse"})
    try:
        assert "token" not in running.first_line and running.token is None
        status, headers, _ = get(running.base + START)
        assert status == 302 and headers["Location"].startswith("/login")
        jar = http.cookiejar.CookieJar()
        browser = no_redirect_opener(urllib.request.HTTPCookieProcessor(jar))
        status, _, form = get(running.base + "/login", opener=browser)
        assert status == 200 and 'type="password"' in form
        xsrf = next(cookie.value for cookie in jar if cookie.name == "_xsrf")

        def log_in(password):
            data = urllib.parse.urlencode({"password": password, "_xsrf": xsrf}).encode()
            return get(running.base + "/login?next=" + urllib.parse.quote(START), data=data, opener=browser)

        assert log_in("wrong horse")[0] == 401
        assert get(running.base + START, opener=browser)[0] == 302
        status, headers, _ = log_in("correct horse")
        assert status == 302 and headers["Location"] == START
        assert get(running.base + START, opener=browser)[0] == 200
        for _ in range(5):  # five wrong in a row: then even the right one waits
            assert log_in("wrong horse")[0] == 401
        status, headers, body = log_in("correct horse")
        assert status == 429 and "Try again in 5 minutes" in body and int(headers["Retry-After"]) > 200
    finally:
        code, err = running.stop()
    assert code == 0 and "Traceback" not in err
    assert "correct horse" not in err and "correct%20horse" not in err and "correct+horse" not in err


# -- page kernels: stopped when unused, and capped ---------------------------------------------------


def test_an_unused_page_kernel_is_stopped_and_a_full_server_says_so(tmp_path):
    """Plain GET requests (no browser keeping the page open) must not leave kernels running."""
    psutil = pytest.importorskip("psutil")
    running = start_server("--idle-minutes", "0.1", "--max-pages", "1", "--db", f"sqlite:///{tmp_path}/k.sqlite")
    try:
        status, _, body = get(running.base + IMPORT, opener=running.opener)
        assert status == 200
        kernel = KERNEL_ID.search(body).group(1)
        assert get(f"{running.base}/api/kernels/{kernel}", opener=running.opener)[0] == 200
        # The one page allowed is open: the next page is the plain "busy" page, and no kernel is started.
        before = len(psutil.Process(running.process.pid).children(recursive=True))
        status, headers, body = get(running.base + START, opener=running.opener)
        assert status == 503 and "<h1>This server is busy</h1>" in body and headers["Retry-After"]
        assert "at most 1 page open at once" in body and "widget" not in body
        assert len(psutil.Process(running.process.pid).children(recursive=True)) <= before
        # Nobody connected to it: after 6 s unused it is stopped (checked every second or so) ...
        deadline = time.monotonic() + SETTLE_S
        while get(f"{running.base}/api/kernels/{kernel}", opener=running.opener)[0] != 404:
            assert time.monotonic() < deadline, "the unused kernel was never stopped"
            time.sleep(1)
        # ... and the server has room again.
        assert get(running.base + START, opener=running.opener)[0] == 200
    finally:
        code, err = running.stop()
    assert code == 0 and "Traceback" not in err
    assert f"Culling 'idle' kernel 'python3' ({kernel})" in err


# -- demo data -------------------------------------------------------------------------------------


def test_demo_has_a_database_of_its_own_and_never_touches_the_default_one(tmp_path):
    from pcp_widgets.store import open_store

    data_home = tmp_path / "data"  # the user's data folder, as platformdirs finds it on Linux
    running = start_server("--demo", env={"XDG_DATA_HOME": str(data_home), "PCP_DB": ""})
    demo = data_home / "pcp-workbook" / "pcp-demo.sqlite"
    try:
        match = FIRST_LINE.match(running.first_line)
        assert match and match.group(2) == f"SQLite file {demo}", running.first_line
        assert "the demo data is loaded first" in running.errors()
    finally:
        code, err = running.stop()
    assert code == 0
    assert not (data_home / "pcp-workbook" / "pcp.sqlite").exists(), "the real default database is untouched"
    assert stat.S_IMODE(demo.stat().st_mode) == 0o600
    assert stat.S_IMODE(demo.parent.stat().st_mode) == 0o700
    store = open_store(f"sqlite:///{demo}")
    try:
        assert store.count_records("file_audit") > 0 and store.count_records("event") > 0
    finally:
        store.dispose()


def test_demo_with_a_database_named_loads_it_there(tmp_path):
    database = tmp_path / "demo.sqlite"
    running = start_server("--demo", "--db", f"sqlite:///{database}")
    try:
        assert FIRST_LINE.match(running.first_line).group(2) == f"SQLite file {database}"
    finally:
        code, _ = running.stop()
    assert code == 0


def test_demo_never_touches_a_database_that_holds_anything(store, tmp_path):
    from pcp_widgets.audit.ingest.importer import import_files
    from pcp_widgets.serve import load_demo_if_empty
    from tests.support.workbook_files import full_workbook

    import_files([full_workbook(tmp_path / "march.xlsx")], store)
    load_demo_if_empty(store)
    assert store.count_records() == 6


def test_a_new_sqlite_database_its_log_and_its_folder_are_the_owners_only(tmp_path):
    from pcp_widgets.store import open_store

    database = tmp_path / "new folder" / "pcp.sqlite"
    previous = os.umask(0o022)  # the usual umask, which would make files readable by every account
    try:
        store = open_store(f"sqlite:///{database}")
        try:
            with store.engine.connect() as connection:  # WAL mode: the -wal and -shm files exist while open
                connection.exec_driver_sql("CREATE TABLE probe (x)")
                connection.commit()
                for path in (database, database.with_name("pcp.sqlite-wal"), database.with_name("pcp.sqlite-shm")):
                    assert path.exists() and stat.S_IMODE(path.stat().st_mode) == 0o600, path
        finally:
            store.dispose()
    finally:
        os.umask(previous)
    assert stat.S_IMODE(database.parent.stat().st_mode) == 0o700
    # A file someone made on purpose keeps the mode they gave it.
    shared = tmp_path / "shared.sqlite"
    shared.touch(mode=0o640)
    shared.chmod(0o640)
    open_store(f"sqlite:///{shared}").dispose()
    assert stat.S_IMODE(shared.stat().st_mode) == 0o640


def test_a_page_connection_is_not_cut_at_its_first_ping(tmp_path):
    """jupyter_server checks for a late pong just before each ping, the first one interval after the page's
    kernel connection opens, when no pong can have come yet. A timeout no longer than the interval cut every
    connection there (every 30 s): a page still loading its controls lost them, and a room's pages stayed
    blank. Driven through jupyter_server's own ping code with this server's settings."""
    import asyncio
    import concurrent.futures
    import types

    from jupyter_server.base.websocket import WebSocketMixin
    from tornado.ioloop import IOLoop

    settings = voila_config(tmp_path, "127.0.0.1", 8866, server_secrets(environ={})).Voila.tornado_settings

    class PageConnection(WebSocketMixin):
        def __init__(self):
            self.settings, self.log = settings, logging.getLogger("test")
            self.ws_connection = types.SimpleNamespace(client_terminated=False)
            self.closed = self.pinged = False

        def close(self):
            self.closed = True

        def ping(self, data):
            self.pinged = True

    async def first_ping() -> PageConnection:
        connection = PageConnection()
        opened = IOLoop.current().time() - connection.ping_interval / 1000 - 0.05
        connection.last_ping = connection.last_pong = opened
        connection.send_ping()
        return connection

    # In a thread of its own: an earlier test in this process may have left an event loop running here.
    with concurrent.futures.ThreadPoolExecutor(1) as thread:
        connection = thread.submit(asyncio.run, first_ping()).result()
    assert connection.pinged and not connection.closed


def test_a_crowded_server_waits_for_a_page_rather_than_dropping_it(tmp_path):
    """nbclient waits 4 s for a cell's output after the kernel says it is done, then drops it silently: with
    ten practice pages opened together, seven came back with no controls at all."""
    from voila.execute import VoilaExecutor

    config = voila_config(tmp_path, "127.0.0.1", 8866, server_secrets(environ={}))
    executor = VoilaExecutor(nbformat.v4.new_notebook(), config=config)
    assert executor.iopub_timeout >= 60
    assert executor.raise_on_iopub_timeout  # if even that passes: the page's error text, not a blank page
