"""``pcp serve`` as a person runs it: a real server process, real HTTP requests."""

import http.cookiejar
import re
import socket
import subprocess
import urllib.parse
import urllib.request

import pytest

from pcp_widgets import serve as serving_module
from pcp_widgets.errors import ServeError
from pcp_widgets.serve import check_address, check_port, is_loopback, pages_folder, public_url
from tests.serving import free_port, get, no_redirect_opener, pcp_command, start_server

START = "/voila/render/workbooks/start_here.ipynb"
IMPORT = "/voila/render/audits/import_audit_data.ipynb"
FIRST_LINE = re.compile(
    r"^pcp is serving (http://\S+) using the database: (.+) \(press Ctrl-C to stop\)$"
)
#: Lines of the notebooks' code: none may reach a served page.
NOTEBOOK_SOURCE = ("from pcp_widgets.ui.start import start_page", "page = start_page()",
                   "from pcp_widgets.ui.import_page import ImportPage", "page = ImportPage()")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    database = tmp_path_factory.mktemp("serve") / "pcp.sqlite"
    running = start_server("--db", f"sqlite:///{database}")
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


def test_first_line_says_the_url_and_the_database(server):
    match = FIRST_LINE.match(server.first_line)
    assert match, server.first_line
    assert match.group(1) == f"http://127.0.0.1:{server.port}/"
    assert match.group(2) == f"SQLite file {server.database}"


def test_root_redirects_to_the_start_page_keeping_the_query(server):
    status, headers, _ = get(server.base + "/")
    assert status == 302 and headers["Location"] == START
    status, headers, _ = get(server.base + "/?lang=en&x=1")
    assert status == 302 and headers["Location"] == START + "?lang=en&x=1"


@pytest.mark.parametrize("path, title", [(START, "Start here"), (IMPORT, "Import audit data")])
def test_pages_are_served_without_source_or_traceback(server, path, title):
    status, _, body = get(server.base + path)
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
    assert get(server.base + "/voila/render/tests/anything.ipynb")[0] == 404
    assert get(server.base + "/voila/render/.venv/lib/some.ipynb")[0] == 404
    assert get(server.base + "/voila/api/contents")[0] == 404
    assert get(server.base + "/voila/files/pyproject.toml")[0] == 403
    status, headers, _ = get(server.base + "/voila/tree")
    assert status == 302 and headers["Location"] == START


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


def test_non_loopback_address_without_token_or_password_is_refused(tmp_path):
    result = run_pcp("serve", "--ip", "0.0.0.0", "--port", str(free_port()), "--db", f"sqlite:///{tmp_path}/x.sqlite")
    assert result.returncode == 2
    assert_one_sentence(result.stderr, "pcp: pcp serve will not listen on 0.0.0.0")
    assert "--token or --password" in result.stderr
    assert not (tmp_path / "x.sqlite").exists(), "refused before the database was touched"


def test_loopback_addresses():
    for ip in ("127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost", "LOCALHOST"):
        assert is_loopback(ip), ip
    for ip in ("0.0.0.0", "::", "192.168.1.10", "example.org", ""):
        assert not is_loopback(ip), ip
    check_address("127.0.0.1", None, None)
    check_address("0.0.0.0", "a-token", None)
    check_address("0.0.0.0", None, "a-password")
    with pytest.raises(ServeError, match="without a --token or --password"):
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


def test_public_url():
    assert public_url("127.0.0.1", 8866, None) == "http://127.0.0.1:8866/"
    assert public_url("::1", 8866, "a b") == "http://[::1]:8866/?token=a%20b"
    assert public_url("0.0.0.0", 9000, "t").startswith(f"http://{socket.gethostname()}:9000/?token=t")


def test_missing_pages_are_one_sentence(tmp_path, monkeypatch):
    monkeypatch.setattr(serving_module, "repo_root", lambda: tmp_path)
    with pytest.raises(ServeError, match="the pages are missing from"):
        pages_folder()


# -- token and password ------------------------------------------------------------------------


def test_token_on_all_addresses_is_accepted_and_required(tmp_path):
    running = start_server("--ip", "0.0.0.0", "--token", "s3cret-token", "--db", f"sqlite:///{tmp_path}/t.sqlite")
    try:
        match = FIRST_LINE.match(running.first_line)
        assert match and match.group(1).endswith(f":{running.port}/?token=s3cret-token"), running.first_line
        status, headers, _ = get(running.base + START)
        assert status == 302 and headers["Location"].startswith("/login")
        assert get(running.base + START + "?token=wrong")[0] == 302
        jar = http.cookiejar.CookieJar()
        browser = no_redirect_opener(urllib.request.HTTPCookieProcessor(jar))
        status, headers, _ = get(running.base + "/?token=s3cret-token", opener=browser)
        assert status == 302 and headers["Location"] == START + "?token=s3cret-token"
        assert get(running.base + START + "?token=s3cret-token", opener=browser)[0] == 200
        # signed in: the links between pages work without the token
        assert get(running.base + IMPORT, opener=browser)[0] == 200
    finally:
        code, err = running.stop()
    assert code == 0 and "Traceback" not in err


def test_password_is_asked_for_and_works(tmp_path):
    running = start_server("--ip", "0.0.0.0", "--password", "correct horse", "--db", f"sqlite:///{tmp_path}/p.sqlite")
    try:
        assert "token" not in running.first_line
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
    finally:
        code, err = running.stop()
    assert code == 0 and "Traceback" not in err


# -- demo data -------------------------------------------------------------------------------------


def test_demo_is_loaded_into_an_empty_database_and_the_first_line_is_still_the_url(tmp_path):
    from pcp_widgets.store import open_store

    database = tmp_path / "demo.sqlite"
    running = start_server("--demo", "--db", f"sqlite:///{database}")
    try:
        assert FIRST_LINE.match(running.first_line), running.first_line
        assert "the demo data is loaded first" in running.errors()
    finally:
        code, err = running.stop()
    assert code == 0
    store = open_store(f"sqlite:///{database}")
    try:
        assert store.count_records("file_audit") > 0 and store.count_records("event") > 0
    finally:
        store.dispose()


def test_demo_never_touches_a_database_that_holds_anything(store, tmp_path):
    from pcp_widgets.audit.importer import import_files
    from pcp_widgets.serve import load_demo_if_empty
    from tests.workbook_files import full_workbook

    import_files([full_workbook(tmp_path / "march.xlsx")], store)
    load_demo_if_empty(store)
    assert store.count_records() == 6
