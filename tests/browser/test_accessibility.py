"""axe-core on every served page: no serious or critical violations.

Runs after each page's widgets are drawn, since Voila builds the page from the kernel's output.
"""

import pytest

from pcp_widgets.pages import PAGES, START_PAGE
from pcp_widgets.ui.start import TITLE as START_TITLE

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("registered", PAGES, ids=[p.path for p in PAGES])
def test_no_serious_or_critical_accessibility_violations(page, served, axe, registered):
    page.goto(f"{served.base}/voila/render/{registered.path}")
    title = START_TITLE if registered == START_PAGE else registered.title
    page.get_by_role("heading", name=title, level=1).wait_for()
    if registered.path.startswith("workbooks/") and registered != START_PAGE:
        page.get_by_role("button", name="Open").wait_for()
    assert axe(page) == []
