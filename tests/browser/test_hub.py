"""The team server: a real JupyterHub (``pcp team init`` + ``pcp team serve``, configurable-http-proxy from npm)
with three people of different roles, each signing up and in through NativeAuthenticator in Chromium.

One Hub for the module (a Hub, its proxy and three people's servers take a minute to start). What a
person relies on: each reaches the pages as themselves and is logged under their own name; nothing the
browser sends (a header, a cookie, a query string) changes who pcp thinks they are; nobody reaches another
person's server, a Hub admin included; there is no JupyterLab, kernel API or terminal to reach; staff
are refused the import page.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser.conftest import WAIT_MS
from tests.support.serving import free_port, pcp_command

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PROXY = Path(__file__).parent / "node_modules" / ".bin" / "configurable-http-proxy"
PASSWORD = "a-long-practice-passphrase-41"
#: name -> (role, services); ada is the first admin, made by pcp team init.
PEOPLE = {"ada": ("admin", ()), "quinn": ("quality-lead", ()), "sam": ("staff", ("Riverside House",))}
HUB_START_S = 180
START_TITLE = "Person-centred planning workbook"
IMPORT_PAGE = "voila/render/audits/import_audit_data.ipynb"
STAFF_REFUSED = "Staff cannot import audit workbooks"


def signed_in_as(name: str) -> str:
    """What the start page says when ``name`` is signed in through the Hub (its own sentence)."""
    from pcp_widgets.access import Identity
    from pcp_widgets.ui.start import signed_in_sentence

    role, services = PEOPLE[name]
    return signed_in_sentence(Identity(name, role, frozenset(services), "hub"))


def _fail_or_skip(reason: str):
    if os.environ.get("PCP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason}; PCP_REQUIRE_BROWSER=1 requires the team server tests to run", pytrace=False)
    pytest.skip(reason)


def _up(url: str) -> bool:
    with contextlib.suppress(OSError):
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    return False


class Hub:
    """A running ``pcp team serve``: its address, its pcp database, and its log so far."""

    def __init__(self, process: subprocess.Popen, base: str, database: str, log):
        self.process, self.base, self.database, self.log = process, base, database, log

    def errors(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def access_log(self, **query):
        from pcp_widgets.store import open_store

        store = open_store(self.database)
        try:
            return store.access_log(**query)
        finally:
            store.dispose()

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # the Hub stops its proxy and every person's server
        try:
            return self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait()


@pytest.fixture(scope="module")
def hub(browser, tmp_path_factory):
    if not PROXY.exists():
        _fail_or_skip(f"configurable-http-proxy is not installed at {PROXY} (npm ci --prefix tests/browser)")
    folder = tmp_path_factory.mktemp("team")
    database = f"sqlite:///{folder / 'pcp.sqlite'}"
    port = free_port()
    init = subprocess.run(pcp_command("team", "init", "--db", database, "--admin", "Ada", "--out", str(folder / "hub"),
                                      "--port", str(port), "--hub-port", str(free_port()), "--proxy-api-port",
                                      str(free_port()), "--proxy", str(PROXY)), capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    from pcp_widgets.store import open_store

    store = open_store(database)
    try:
        for name, (role, services) in PEOPLE.items():
            if name != "ada":
                store.add_user(name, role, services, by="ada")
    finally:
        store.dispose()
    log = tempfile.TemporaryFile(mode="w+", encoding="utf-8")
    process = subprocess.Popen(pcp_command("team", "serve", "--config", str(folder / "hub")), stdout=log, stderr=log,
                               text=True)
    running = Hub(process, f"http://127.0.0.1:{port}", database, log)
    deadline = time.monotonic() + HUB_START_S
    while not _up(running.base + "/hub/health"):
        if process.poll() is not None or time.monotonic() > deadline:
            running.stop()
            pytest.fail(f"the Hub did not start: {running.errors()[-3000:]}", pytrace=False)
        time.sleep(0.5)
    yield running
    code = running.stop()
    log_text = running.errors()
    assert code == 0, log_text[-3000:]


def _context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    return context


def _sign_up(browser, hub, name: str) -> None:
    context = _context(browser)
    page = context.new_page()
    page.goto(hub.base + "/hub/signup")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.fill("#password_confirmation_input", PASSWORD)
    page.click("#signup_submit")
    page.wait_for_selector("text=/signup was successful|sent to the admin/i")
    context.close()


def _sign_in(browser, hub, name: str):
    """A browser context signed in as ``name``, on the start page of their own pcp server."""
    context = _context(browser)
    page = context.new_page()
    page.goto(hub.base + "/hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.wait_for_url(f"**/user/{name}/voila/render/workbooks/start_here.ipynb", timeout=HUB_START_S * 1000)
    page.get_by_role("heading", name=START_TITLE).wait_for()
    page.get_by_text(signed_in_as(name)).wait_for()
    return context, page


@pytest.fixture(scope="module")
def people(browser, hub):
    """Everyone signed up (the admin approving the others on NativeAuthenticator's page) and signed in."""
    for name in PEOPLE:
        _sign_up(browser, hub, name)
    admin, page = _sign_in(browser, hub, "ada")
    page.goto(hub.base + "/hub/authorize")
    for name in PEOPLE:
        if name != "ada":
            page.locator("tr", has_text=name).get_by_role("button", name="Authorize", exact=True).click()
            page.locator("tr", has_text=name).get_by_role("button", name="Unauthorize").wait_for()
    signed_in = {"ada": admin}
    for name in PEOPLE:
        if name != "ada":
            signed_in[name] = _sign_in(browser, hub, name)[0]
    yield signed_in
    for context in signed_in.values():
        context.close()


def _open_import_page(context, hub, name: str, query: str = ""):
    page = context.new_page()
    page.goto(f"{hub.base}/user/{name}/{IMPORT_PAGE}{query}")
    page.get_by_role("heading", name="Import audit data").wait_for()
    return page


def test_each_person_reaches_their_own_pages_and_is_logged_as_themselves(hub, people):
    for name, context in people.items():
        page = _open_import_page(context, hub, name)
        if PEOPLE[name][0] == "staff":
            page.get_by_text(STAFF_REFUSED).wait_for()
        else:
            page.get_by_role("button", name="Import").first.wait_for()
        page.close()
        entries = hub.access_log(user=name)
        signed_in = [entry for entry in entries if entry.action == "signed in"]
        assert signed_in, entries
        assert all(f"{PEOPLE[name][0]}, via hub" == entry.detail for entry in signed_in), signed_in


def test_staff_are_refused_the_import_page_and_the_refusal_is_logged_under_their_name(hub, people):
    page = _open_import_page(people["sam"], hub, "sam")
    page.get_by_text(STAFF_REFUSED).wait_for()
    assert page.get_by_role("button", name="Import").count() == 0
    refused = [entry for entry in hub.access_log(user="sam") if entry.action == "refused"]
    assert any("import_audit_data" in entry.detail for entry in refused), refused


def test_a_forged_header_cookie_or_query_string_does_not_change_who_is_signed_in(hub, people):
    context = people["sam"]
    context.set_extra_http_headers({"X-Forwarded-User": "ada", "X-Remote-User": "ada", "Remote-User": "ada",
                                    "JUPYTERHUB_USER": "ada", "X-JupyterHub-User": "ada",
                                    "Authorization": "token forged-by-sam"})
    context.add_cookies([{"name": name, "value": "ada", "url": hub.base}
                         for name in ("JUPYTERHUB_USER", "jupyterhub-user", "user")])
    before = len(hub.access_log())
    forged = "?user=admin&JUPYTERHUB_USER=ada&role=admin"
    try:
        page = _open_import_page(context, hub, "sam", forged)
        page.get_by_text(STAFF_REFUSED).wait_for()
        page.goto(f"{hub.base}/user/sam/voila/render/workbooks/start_here.ipynb{forged}")
        page.get_by_text(signed_in_as("sam")).wait_for()
        page.close()
    finally:
        context.set_extra_http_headers({})
    new = hub.access_log()[before:]
    assert new and {entry.user for entry in new} == {"sam"}, new


def test_nobody_reaches_another_persons_server_not_even_a_hub_admin(hub, people):
    staff = people["sam"].request.get(f"{hub.base}/user/ada/{IMPORT_PAGE}")
    assert staff.status == 403, (staff.status, staff.url)
    assert "Import audit data" not in staff.text()
    # The Hub lets its admins through to anyone's server after a page asking them to confirm; sam's server
    # refuses them, as its pages would act, and be logged, as sam.
    page = people["ada"].new_page()
    page.goto(f"{hub.base}/user/sam/{IMPORT_PAGE}")
    page.locator("form [type=submit]").click()
    page.get_by_text("These pages are sam's").wait_for()
    page.close()
    admin = people["ada"].request.get(f"{hub.base}/user/sam/{IMPORT_PAGE}", max_redirects=0)
    assert admin.status == 403, (admin.status, admin.url)
    assert "Import audit data" not in admin.text()


@pytest.mark.parametrize("path", ["lab", "lab/tree", "tree", "api/kernels", "api/contents", "api/terminals",
                                  "terminals/1", "voila/api/contents", "voila/files/README.md", "files/README.md"])
def test_there_is_no_jupyterlab_kernel_api_terminal_or_file_to_reach(hub, people, path):
    response = people["quinn"].request.get(f"{hub.base}/user/quinn/{path}", max_redirects=0)
    assert response.status in (403, 404), (path, response.status)
    started = people["quinn"].request.post(f"{hub.base}/user/quinn/api/kernels", data="{}", max_redirects=0)
    assert started.status in (403, 404, 405), started.status


def test_page_kernels_hold_their_owners_name_and_the_database_but_not_the_hubs_token(hub, people):
    import psutil

    page = _open_import_page(people["quinn"], hub, "quinn")  # held open: its kernel is running
    try:
        kernels = []
        for process in psutil.process_iter(["cmdline", "environ"]):
            environ = process.info["environ"] or {}
            if "ipykernel_launcher" in " ".join(process.info["cmdline"] or ()) and \
                    environ.get("PCP_DB") == hub.database:
                kernels.append(environ)
    finally:
        page.close()
    assert any(environ.get("JUPYTERHUB_USER") == "quinn" for environ in kernels), kernels
    assert all(environ.get("JUPYTERHUB_USER") in PEOPLE for environ in kernels)
    leaked = [(environ["JUPYTERHUB_USER"], name) for environ in kernels for name in environ
              if name in ("JUPYTERHUB_API_TOKEN", "JPY_API_TOKEN")]
    assert not leaked, leaked  # names only: the failure message must not hold the token
