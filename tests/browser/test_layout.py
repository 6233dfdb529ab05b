"""Every served page as people see it: nothing clipped, nothing overlapping, no words cut, a focus ring.

Each page is opened in an en-GB and an en-US Chromium and measured at a desktop width (1280 px),
at 640 px (a 1280 px screen at 200% zoom) and at a phone's 390 px. At each width every select,
input, textarea and button must lie wholly inside every box that clips it and inside the page's
width, no two controls may overlap, and no button or label may hide its words
(:mod:`tests.browser.layout` measures these in the page). Then, in en-GB at 1280 px, Tab is
pressed through the page and each control reached must show a focus ring of at least 2 px at 3:1.

A failure names the page, the width and each control by its label, so the picture to look at
is in ``$PCP_SCREENSHOTS`` (or the test's temporary folder).
"""

from __future__ import annotations

import pytest

from pcp_widgets.pages import PAGES, START_PAGE
from pcp_widgets.ui.start import TITLE as START_TITLE
from tests.browser.conftest import WAIT_MS
from tests.browser.layout import focus_problems, layout_problems

pytestmark = pytest.mark.browser

#: Desktop, a desktop at 200% zoom, a phone.
WIDTHS = (1280, 640, 390)
LOCALES = ("en-GB", "en-US")


def settle(page, quiet_checks: int = 3, every_ms: int = 400, most_checks: int = 60) -> None:
    """Wait until the page stops growing: Voila builds it from the kernel's output, and some pages
    draw parts after the first (dashboards' later charts, a tool's editor)."""
    last, quiet = None, 0
    for _ in range(most_checks):
        shape = page.evaluate("() => [document.querySelectorAll('.jupyter-widgets').length,"
                              " document.body.scrollHeight, document.body.innerText.length]")
        quiet = quiet + 1 if shape == last else 0
        if quiet >= quiet_checks:
            return
        last = shape
        page.wait_for_timeout(every_ms)


def open_page(page, base: str, registered) -> None:
    response = page.goto(f"{base}/voila/render/{registered.path}")
    assert response is not None and response.status == 200, \
        f"{registered.path} answered {response.status if response else 'nothing'}: {page.inner_text('body')[:200]}"
    title = START_TITLE if registered == START_PAGE else registered.title
    page.get_by_role("heading", name=title, level=1).first.wait_for(timeout=WAIT_MS)
    settle(page)


@pytest.fixture(params=LOCALES)
def localised(request, browser, served):  # served first: it signs every new context in
    context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900}, locale=request.param,
                                  timezone_id="Europe/London")
    context.set_default_timeout(WAIT_MS)
    yield request.param, context.new_page()
    context.close()


@pytest.mark.parametrize("registered", PAGES, ids=[p.path.split("/")[-1].removesuffix(".ipynb") for p in PAGES])
def test_every_control_is_whole_and_visible_and_shows_its_focus(localised, served, screenshots, registered):
    """One opening of the page per language: the layout at each width, then (in en-GB, at 1280 px) Tab
    through it. Keyboard use does not depend on the language, and a page takes seconds to open."""
    locale, page = localised
    open_page(page, served.base, registered)
    found = []
    name = registered.path.split("/")[-1].removesuffix(".ipynb")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        settle(page, quiet_checks=2, every_ms=250)
        page.screenshot(path=str(screenshots / f"{name}-{locale}-{width}.png"), full_page=True)
        found += [f"at {width} px: {problem}" for problem in layout_problems(page)]
    if locale == LOCALES[0]:
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        settle(page, quiet_checks=2, every_ms=250)
        found += [f"pressing Tab: {problem}" for problem in focus_problems(page)]
    assert found == [], f"{registered.path} ({locale}):\n" + "\n".join(found)
