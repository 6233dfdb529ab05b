"""axe-core on every served page, with the WCAG 2.2 AA rules: no serious or critical violations.

Runs after each page's widgets are drawn, since Voila builds the page from the kernel's output.
"""

import pytest

from pcp_widgets.pages import PAGES, START_PAGE, tool_page_path
from pcp_widgets.tools import TOOLS
from pcp_widgets.ui.start import TITLE as START_TITLE
from tests.browser.test_layout import settle

pytestmark = pytest.mark.browser

#: The tool pages, whose editor is drawn last (after its "Open" button).
TOOL_PAGES = {tool_page_path(key) for key in TOOLS}


@pytest.mark.parametrize("registered", PAGES, ids=[p.path for p in PAGES])
def test_no_serious_or_critical_accessibility_violations(page, served, axe, registered):
    page.goto(f"{served.base}/voila/render/{registered.path}")
    title = START_TITLE if registered == START_PAGE else registered.title
    page.get_by_role("heading", name=title, level=1).wait_for()
    if registered.path in TOOL_PAGES:
        page.get_by_role("button", name="Open").wait_for()
    settle(page)
    assert axe(page) == []
