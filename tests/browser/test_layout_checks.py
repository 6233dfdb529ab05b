"""The layout checks themselves, on pages made to fail them: each check must see what it is for.

Without these, a check that silently found nothing (a selector that matches no control, a
measurement that is always zero) would let every page pass.
"""

import pytest

from tests.browser.layout import contrast, focus_problems, layout_problems

pytestmark = pytest.mark.browser

BROKEN = """
<html><body style="margin: 0; background: #ffffff">
<div style="height: 28px; overflow: auto; width: 300px">
  <label for="clipped">Statement 1: important to or for Arthur?</label><br><select id="clipped"><option>Choose</option></select>
</div>
<div style="position: relative; height: 60px">
  <input aria-label="First box" style="position: absolute; left: 0; top: 0; width: 200px">
  <input aria-label="Second box" style="position: absolute; left: 100px; top: 5px; width: 200px">
</div>
<button style="width: 60px; overflow: hidden; white-space: nowrap; text-overflow: ellipsis">Select the suggested statements</button>
<button style="margin-left: 2000px">Off the page</button>
<button style="outline: none" onfocus="this.style.outline='none'">No ring</button>
<button style="outline: 1px solid #64B5F6">Faint ring</button>
</body></html>
"""

WHOLE = """
<html><body style="margin: 0; padding: 8px; background: #ffffff">
<style>:focus-visible { outline: 3px solid #0b4fa8; outline-offset: 2px; }</style>
<label for="fine">Service</label><br><select id="fine"><option>All services</option></select>
<p><button>Show this period</button> <input aria-label="Name"></p>
</body></html>
"""


@pytest.fixture
def blank(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    yield context.new_page()
    context.close()


def test_the_checks_find_clipped_overlapping_cut_and_off_page_controls(blank):
    blank.set_content(BROKEN)
    problems = "\n".join(layout_problems(blank))
    assert 'Statement 1: important to or for Arthur?" is cut off' in problems
    assert 'First box" and input "Second box" overlap' in problems
    assert 'Select the suggested statements" does not show all its words' in problems
    assert 'Off the page" runs off the page' in problems


def test_the_focus_check_finds_a_missing_or_faint_ring(blank):
    blank.set_content(BROKEN)
    problems = "\n".join(focus_problems(blank))
    assert 'No ring" shows no focus ring' in problems
    assert 'Faint ring" shows no focus ring of 2 px' in problems


def test_a_page_drawn_well_passes_every_check(blank):
    blank.set_content(WHOLE)
    assert layout_problems(blank) == []
    assert focus_problems(blank) == []


def test_contrast_is_wcag_s_ratio():
    assert round(contrast("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(contrast("rgb(100, 181, 246)", "rgb(255, 255, 255)"), 1) == 2.2  # the old focus ring, #64B5F6
    assert round(contrast("rgb(189, 189, 189)", "rgb(255, 255, 255)"), 1) == 1.9  # the old borders, #BDBDBD
