"""Browser tests: Debian's Chromium (never a downloaded browser), driven by Playwright, against ``pcp serve``.

Without /usr/bin/chromium or Playwright these tests are skipped with the reason shown in the
summary, unless ``PCP_REQUIRE_BROWSER=1`` (CI sets it), which turns the skip into a failure.
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from tests.support.serving import sign_in_every_context, start_server

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
DEMO_SIZE = {"services": 3, "months": 3, "seed": 1}
#: Longest wait for something to appear on a page (kernels start, imports run); not a sleep.
WAIT_MS = 120_000


def missing_browser() -> str | None:
    """Why the browser tests cannot run here, or None."""
    if not CHROMIUM.exists():
        return f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def browser():
    reason = missing_browser()
    if reason:
        if os.environ.get("PCP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; PCP_REQUIRE_BROWSER=1 requires the browser tests to run", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def served(browser, tmp_path_factory):
    """``pcp serve`` on a free port, on a database holding a small demo."""
    from pcp_widgets.audit.demo import run_demo
    from pcp_widgets.store import open_store

    database = tmp_path_factory.mktemp("browser") / "pcp.sqlite"
    store = open_store(f"sqlite:///{database}")
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            run_demo(store, out_dir=None, quiet=True, **DEMO_SIZE)
    finally:
        store.dispose()
    # The suite opens a few hundred pages one after another, each leaving its kernel until it has been
    # unused for the idle time: three minutes here (long enough for a kernel to start on a busy machine),
    # and room for as many pages at once as the suite opens in that time, so no test meets the busy page
    # that a server at its cap shows (the cap itself is tested in test_serve.py).
    server = start_server("--db", f"sqlite:///{database}", "--idle-minutes", "3", "--max-pages", "150")
    server.database = database
    sign_in_every_context(browser, server)  # pcp serve always asks for its token
    yield server
    code, err = server.stop()
    assert code == 0, err
    assert "Traceback" not in err, err


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1280, "height": 900}, locale="en-GB")
    context.set_default_timeout(WAIT_MS)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory) -> Path:
    """Where page pictures go: $PCP_SCREENSHOTS if set (to look at them), else a temporary folder."""
    folder = Path(os.environ["PCP_SCREENSHOTS"]) if os.environ.get("PCP_SCREENSHOTS") else \
        tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


AXE_SCRIPT = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
#: axe-core's impacts that fail a page; moderate and minor ones are reported, not failed.
FAILING_IMPACTS = ("serious", "critical")
#: The rules run: WCAG 2.0, 2.1 and 2.2 at levels A and AA (2.2's target size among them, which axe
#: leaves off unless asked), and axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@pytest.fixture(scope="session")
def axe(browser):
    """A function running axe-core (npm, installed by ``make test``) on a page; its serious and critical violations."""
    if not AXE_SCRIPT.exists():
        reason = f"axe-core is not installed at {AXE_SCRIPT} (make test installs it with npm)"
        if os.environ.get("PCP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"{reason}; PCP_REQUIRE_BROWSER=1 requires the accessibility checks to run", pytrace=False)
        pytest.skip(reason)

    def run(page) -> list[dict]:
        page.add_script_tag(path=str(AXE_SCRIPT))
        result = page.evaluate("async (tags) => await axe.run(document, {resultTypes: ['violations'], "
                               "runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
        return [
            {"id": v["id"], "impact": v["impact"], "help": v["help"],
             "nodes": [node["target"] for node in v["nodes"]][:5]}
            for v in result["violations"] if v["impact"] in FAILING_IMPACTS
        ]

    return run
