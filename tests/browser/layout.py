"""What a person can see of a page's controls, measured in the browser.

Each check is a piece of JavaScript run in the page; each returns plain findings (a sentence per
problem, naming the control by its label or words) so a failing test says what is wrong where.

- ``clipped``: a select, input, textarea or button that is not wholly inside the visible area of
  every ancestor that clips (overflow other than visible), or of the page's width.
- ``overlapping``: two controls drawn over each other.
- ``cut_words``: a button whose words do not fit it.
- ``focus_ring``: the outline a control shows when reached by Tab, its width and contrast.
"""

from __future__ import annotations

#: The controls a person operates.
CONTROLS = "select, input:not([type=hidden]), textarea, button"

_NAME = """
function nameOf(el) {
  const label = (el.labels && el.labels[0]) ||
    el.closest('.widget-inline-hbox, .widget-box, .jupyter-widgets')?.querySelector('label');
  const words = (el.getAttribute('aria-label') || el.innerText || el.value || el.title || '').trim();
  const text = (label && label.innerText.trim()) || words || el.tagName.toLowerCase();
  return el.tagName.toLowerCase() + ' "' + text.slice(0, 60) + '"';
}
const OUTSIDE = '.jp-OutputArea-output, .jp-OutputArea, .jp-Cell, body, html';
function shown(el) {
  const style = getComputedStyle(el);
  if (style.display === 'none' || style.visibility === 'hidden') return false;
  for (let a = el; a; a = a.parentElement) {
    const s = getComputedStyle(a);
    if (s.display === 'none') return false;
    if (a.tagName === 'DETAILS' && !a.open && a !== el && !el.closest('summary')) return false;
  }
  return el.getClientRects().length > 0;
}
"""

CLIPPED_JS = """() => {
""" + _NAME + """
  const problems = [];
  const pageWidth = document.documentElement.clientWidth;
  for (const el of document.querySelectorAll('%s')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) { problems.push(nameOf(el) + ' has no size (' + r.width + 'x' + r.height + ')'); continue; }
    if (r.left < -0.5 || r.right > pageWidth + 0.5) {
      problems.push(nameOf(el) + ' runs off the page (' + Math.round(r.left) + ' to ' + Math.round(r.right) + ' of ' + pageWidth + ' px)');
    }
    // Inside the page's own widgets every clipping box counts; the scrolling panels Voila puts the
    // whole page in are left out (what is below the fold is reached by scrolling the page).
    for (let a = el.parentElement; a && !a.matches(OUTSIDE); a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'visible' && s.overflowY === 'visible') continue;
      const b = a.getBoundingClientRect();
      const top = b.top + a.clientTop, left = b.left + a.clientLeft;
      const bottom = top + a.clientHeight, right = left + a.clientWidth;
      const clipY = s.overflowY !== 'visible', clipX = s.overflowX !== 'visible';
      if ((clipY && (r.top < top - 0.5 || r.bottom > bottom + 0.5)) ||
          (clipX && (r.left < left - 0.5 || r.right > right + 0.5))) {
        problems.push(nameOf(el) + ' is cut off by its container (' + a.className.toString().slice(0, 60) + ')');
        break;
      }
    }
  }
  return problems;
}
""" % CONTROLS

OVERLAP_JS = """() => {
""" + _NAME + """
  const boxes = [];
  for (const el of document.querySelectorAll('%s')) {
    if (!shown(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;
    boxes.push([el, r]);
  }
  const problems = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const [a, ra] = boxes[i], [b, rb] = boxes[j];
      if (a.contains(b) || b.contains(a)) continue;
      const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
      const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
      if (w > 1 && h > 1) problems.push(nameOf(a) + ' and ' + nameOf(b) + ' overlap');
    }
  }
  return problems;
}
""" % CONTROLS

CUT_WORDS_JS = """() => {
""" + _NAME + """
  const problems = [];
  for (const el of document.querySelectorAll('button, label')) {
    if (!shown(el)) continue;
    const inner = el.tagName === 'BUTTON' ? (el.querySelector('.widget-label-basic, span') || el) : el;
    for (const part of new Set([el, inner])) {
      if (part.scrollWidth > part.clientWidth + 1 && getComputedStyle(part).overflowX !== 'visible') {
        problems.push(nameOf(el) + ' does not show all its words');
        break;
      }
    }
  }
  return problems;
}
"""

#: The focused control's outline, and the colour behind it, for a contrast ratio.
FOCUS_JS = """() => {
""" + _NAME + """
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const s = getComputedStyle(el);
  let bg = 'rgb(255, 255, 255)';
  for (let a = el.parentElement; a; a = a.parentElement) {
    const c = getComputedStyle(a).backgroundColor;
    if (c && c !== 'rgba(0, 0, 0, 0)' && c !== 'transparent') { bg = c; break; }
  }
  return {name: nameOf(el), tag: el.tagName.toLowerCase(), style: s.outlineStyle,
          width: parseFloat(s.outlineWidth) || 0, colour: s.outlineColor, background: bg,
          shadow: s.boxShadow};
}
"""


def _channels(css_colour: str) -> tuple[float, float, float]:
    inside = css_colour[css_colour.index("(") + 1:css_colour.index(")")].replace("/", " ")
    parts = [p for p in inside.replace(",", " ").split() if p]
    return tuple(float(p) for p in parts[:3])


def luminance(css_colour: str) -> float:
    """WCAG 2.2's relative luminance of an ``rgb(...)`` colour."""
    def linear(channel: float) -> float:
        c = channel / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in _channels(css_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(one: str, other: str) -> float:
    """WCAG 2.2's contrast ratio of two ``rgb(...)`` colours, 1 to 21."""
    a, b = sorted((luminance(one), luminance(other)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def layout_problems(page) -> list[str]:
    """Every clipped, overlapping or cut control on the page as it is drawn now."""
    return page.evaluate(CLIPPED_JS) + page.evaluate(OVERLAP_JS) + page.evaluate(CUT_WORDS_JS)


#: How many things Tab can reach on the page (each link and control once).
TABBABLE_JS = """() => document.querySelectorAll('a[href], %s').length""" % CONTROLS
#: The most Tab presses a page is given: enough for every page we serve.
MOST_PRESSES = 250


def focus_problems(page) -> list[str]:
    """Press Tab through the page; each control reached must show a ring of 2 px at 3:1 or better."""
    problems, seen = [], set()
    presses = min(MOST_PRESSES, page.evaluate(TABBABLE_JS) + 3)
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); window.scrollTo(0, 0); }")
    for _ in range(presses):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUS_JS)
        if focused is None or focused["name"] in seen:
            continue
        seen.add(focused["name"])
        if focused["style"] == "none" or focused["width"] < 2:
            problems.append(f"{focused['name']} shows no focus ring of 2 px (outline {focused['style']} "
                            f"{focused['width']} px)")
        elif contrast(focused["colour"], focused["background"]) < 3:
            problems.append(f"{focused['name']}'s focus ring {focused['colour']} has contrast "
                            f"{contrast(focused['colour'], focused['background']):.1f}:1 on {focused['background']}")
    return problems
