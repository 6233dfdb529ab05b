"""The relationship circle as a picture: the person in the centre, four rings, four quarters.

Names are placed, never overlapping, by measuring each one with the figure's own renderer
and putting it at the free spot nearest its ideal place: inside its group's quarter and
its ring, spread evenly by angle. Each name's box is checked against the ring's edges,
the quarter's dividing lines, the ring numbers and every name already placed, so no
overlap is possible by construction (the tests measure the drawn picture again).

When a ring of a quarter is too crowded even at the smallest name size, the names that
do not fit are replaced there by "+N more" and listed beside the picture, so nobody is
left out and nothing is drawn on top of anything else. Everything is black, white and
greys: readable on any printer.
"""

from __future__ import annotations

import contextlib
import io
import math
import textwrap
import warnings
from dataclasses import dataclass, field

import matplotlib
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from pcp_widgets.render.circle_counts import RINGS, CircleCounts, circle_counts, group_label, groups
from pcp_widgets.render.fonts import FAMILY
from pcp_widgets.render.text import printable

#: A4 landscape, in inches: the picture prints on one sheet.
FIGURE_SIZE = (11.69, 8.27)
LAYOUT_DPI = 100
PNG_DPI = 110
#: Name sizes tried, largest first; 7 pt is the smallest still easy to read on paper.
NAME_SIZES = (10.0, 9.0, 8.0, 7.0)
#: Radii of the centre disc and of each ring's outer edge, in data units. The inner rings
#: are wider than the outer ones, so each ring of a quarter has room for a similar number
#: of names although its arc is shorter.
RING_EDGES = (0.9, 2.3, 3.25, 4.15, 5.0)
CENTRE_RADIUS, OUTER_RADIUS = RING_EDGES[0], RING_EDGES[-1]
#: Quarters clockwise from the upper left, in the order the groups are declared.
QUARTER_SIGNS = ((-1, 1), (1, 1), (1, -1), (-1, -1))
#: Gaps, in points: between names side by side (wide, so two names never read as one),
#: between names one above another, from a ring's edge, from a dividing line.
NAME_GAP_X, NAME_GAP_Y, RING_GAP, LINE_GAP = 7.0, 1.5, 2.0, 3.0
RING_FILLS = ("#dedede", "#efefef", "#dedede", "#efefef")


# -- placing names --------------------------------------------------------------------------


@dataclass
class _Cell:
    """One ring of one quarter, in display pixels relative to the centre of the circle."""

    signs: tuple[int, int]
    inner: float
    outer: float
    names: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Placed:
    text: str
    x: float  # centre, pixels from the circle's centre
    y: float
    size: float


@dataclass(frozen=True)
class Placement:
    placed: tuple[Placed, ...]
    left_out: tuple[tuple[str, int, str], ...]  # (group, ring, name) listed beside the picture
    size: float


class _Measure:
    """Text sizes in pixels, measured once each with the figure's renderer."""

    def __init__(self, figure: Figure):
        self.figure = figure
        self.renderer = FigureCanvasAgg(figure).get_renderer()
        self.cache: dict[tuple[str, float, str], tuple[float, float]] = {}

    def __call__(self, text: str, size: float, weight: str = "normal") -> tuple[float, float]:
        key = (text, size, weight)
        if key not in self.cache:
            artist = self.figure.text(0, 0, text, fontsize=size, family=FAMILY, weight=weight,
                                      ha="center", va="center", parse_math=False, linespacing=1.1)
            box = artist.get_window_extent(self.renderer)
            artist.remove()
            self.cache[key] = (box.width, box.height)
        return self.cache[key]


def name_forms(name: str) -> list[str]:
    """The ways a name may be drawn, preferred first: on one line, or on two (or more, for a
    long name) lines, which fits better where a ring is thin."""
    name = " ".join(printable(name).split())
    words = name.split(" ")
    balanced = ""
    if len(words) > 1:
        cut = min(range(1, len(words)), key=lambda n: abs(len(" ".join(words[:n])) - len(name) / 2))
        balanced = " ".join(words[:cut]) + "\n" + " ".join(words[cut:])
    wrapped = "\n".join(textwrap.wrap(name, 16, break_long_words=False, break_on_hyphens=False))
    forms = [name, balanced, wrapped] if len(name) <= 18 else [wrapped, balanced, name]
    return list(dict.fromkeys(form for form in forms if form))


#: How names are tried in a crowded ring: spread evenly by angle (the look we want), then
#: swept along the arc from one end, keeping to the outer or the inner edge.
STRATEGIES = ("spread", "sweep_outer", "sweep_inner")


class _Placer:
    """Greedy placement on a fine polar grid of candidate centres, vectorised with numpy."""

    def __init__(self, measure: _Measure, obstacles: list[tuple[float, float, float, float]]):
        self.measure = measure
        self.obstacles = obstacles
        self.grids: dict[tuple[float, float], tuple[np.ndarray, np.ndarray]] = {}

    def _grid(self, cell: _Cell) -> tuple[np.ndarray, np.ndarray]:
        """Candidate centres in the quarter's own frame (x, y > 0), about every 1.5 points."""
        key = (cell.inner, cell.outer)
        if key not in self.grids:
            step = 1.5 * LAYOUT_DPI / 72
            xs, ys = [], []
            for r in np.arange(cell.inner, cell.outer, step):
                angles = np.linspace(0, math.pi / 2, max(8, int(r * math.pi / 2 / step)))
                xs.append(r * np.cos(angles))
                ys.append(r * np.sin(angles))
            self.grids[key] = (np.concatenate(xs), np.concatenate(ys))
        return self.grids[key]

    def all_fit(self, cells: list[_Cell], size: float) -> bool:
        """Whether every name of every cell fits at ``size`` (stops at the first that does not)."""
        return all(len(self._try(cell, cell.names, size)) == len(cell.names) for cell in cells)

    def place_cell(self, cell: _Cell, size: float) -> tuple[list[Placed], list[str]]:
        """Place the cell's names; if some do not fit, as many as fit plus '+N more'."""
        placed = self._try(cell, cell.names, size)
        if len(placed) == len(cell.names):
            return placed, []
        for keep in range(len(placed), -1, -1):
            wanted = cell.names[:keep] + [f"+{len(cell.names) - keep} more"]
            attempt = self._try(cell, wanted, size)
            if len(attempt) == len(wanted):
                return attempt, cell.names[keep:]
        return [], list(cell.names)

    def _try(self, cell: _Cell, names: list[str], size: float) -> list[Placed]:
        """The first strategy that places every name, else the one that places the most."""
        best: list[Placed] = []
        for strategy in STRATEGIES:
            placed = self._try_once(cell, names, size, strategy)
            if len(placed) == len(names):
                return placed
            best = max(best, placed, key=len)
        return best

    def _try_once(self, cell: _Cell, names: list[str], size: float, strategy: str) -> list[Placed]:
        """Place ``names`` in order; stop at the first that has no free spot."""
        boxes: list = []
        placed = []
        for index, name in enumerate(names):
            spot = self._spot(cell, name, size, index, len(names), boxes, strategy)
            if spot is None:
                break
            text, x, y, box = spot
            boxes.append(box)
            placed.append(Placed(text, x, y, size))
        return placed

    def _spot(self, cell: _Cell, name: str, size: float, index: int, count: int, boxes: list, strategy: str):
        """The best free spot for the first form of ``name`` that has one, or None."""
        for form in name_forms(name):
            w, h = self.measure(form, size)
            fits, x, y = self._free(cell, w, h, boxes)
            if fits.any():
                best = int(np.argmin(np.where(fits, self._cost(cell, x, y, index, count, strategy), np.inf)))
                sx, sy = cell.signs
                cx, cy = sx * x[best], sy * y[best]
                return form, cx, cy, (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        return None

    def _free(self, cell: _Cell, w: float, h: float, boxes: list):
        """Which candidate centres hold a w x h box inside the cell, clear of every other box."""
        pt = LAYOUT_DPI / 72  # pixels per point
        gap_x, gap_y, ring_gap, line_gap = NAME_GAP_X * pt, NAME_GAP_Y * pt, RING_GAP * pt, LINE_GAP * pt
        x, y = self._grid(cell)
        x0, y0, x1, y1 = x - w / 2, y - h / 2, x + w / 2, y + h / 2
        fits = (x0 >= line_gap) & (y0 >= line_gap)
        fits &= np.hypot(x0, y0) >= cell.inner + ring_gap  # the box corner nearest the centre
        fits &= np.hypot(x1, y1) <= cell.outer - ring_gap  # and the one farthest from it
        sx, sy = cell.signs
        cx, cy = sx * x, sy * y
        for bx0, by0, bx1, by1 in boxes + self.obstacles:
            fits &= ((cx + w / 2 + gap_x <= bx0) | (cx - w / 2 - gap_x >= bx1)
                     | (cy + h / 2 + gap_y <= by0) | (cy - h / 2 - gap_y >= by1))
        return fits, x, y

    @staticmethod
    def _cost(cell: _Cell, x, y, index: int, count: int, strategy: str):
        sx, sy = cell.signs
        angle = np.arctan2(y, x)
        if sx * sy < 0:  # keep reading order clockwise in every quarter
            angle = math.pi / 2 - angle
        radius = np.hypot(x, y)
        if strategy == "spread":
            ideal = (index + 0.5) / count * math.pi / 2
            middle = (cell.inner + cell.outer) / 2
            return np.hypot(radius * np.cos(angle) - middle * math.cos(ideal),
                            radius * np.sin(angle) - middle * math.sin(ideal))
        edge = cell.outer - radius if strategy == "sweep_outer" else radius - cell.inner
        return np.floor(angle / math.radians(1.5)) * 1e6 + edge


def place_names(people, measure: _Measure, scale: float, obstacles: list) -> Placement:
    """Every person's name placed in their quarter and ring, at the largest size that fits all."""
    cells = {}
    for group, signs in zip(groups(), QUARTER_SIGNS):
        for ring in range(1, RINGS + 1):
            cells[(group, ring)] = _Cell(signs, RING_EDGES[ring - 1] * scale, RING_EDGES[ring] * scale)
    for person in people:
        cells[(person["group"], int(person["ring"]))].names.append(" ".join(printable(person["name"]).split()))
    placer = _Placer(measure, obstacles)
    crowded_first = sorted(cells.values(), key=lambda cell: -len(cell.names))
    size = next((size for size in NAME_SIZES[:-1] if placer.all_fit(crowded_first, size)), NAME_SIZES[-1])
    placed, left_out = [], []
    for (group, ring), cell in cells.items():
        shown, missing = placer.place_cell(cell, size)
        placed += shown
        left_out += [(group, ring, name) for name in missing]
    return Placement(tuple(placed), tuple(left_out), size)


# -- the figure -------------------------------------------------------------------------------


@contextlib.contextmanager
def _missing_glyphs_quiet():
    """A character DejaVu Sans lacks (Chinese, emoji) is drawn as a box; say nothing about it
    on the terminal each time, since the words of the document list the name as typed."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Glyph .* missing from font")
        yield


def circle_figure(person: str, people, heading: str = "") -> Figure:
    """The whole picture on an A4 landscape figure: title, circle, and the counts beside it."""
    with _missing_glyphs_quiet():
        return _circle_figure(person, people, heading)


def _circle_figure(person: str, people, heading: str) -> Figure:
    figure = Figure(figsize=FIGURE_SIZE, dpi=LAYOUT_DPI)
    measure = _Measure(figure)
    person = " ".join(printable(person).split())
    figure.text(0.03, 0.955, printable(heading) or f"{person}'s relationship circle", fontsize=16,
                weight="bold", family=FAMILY, va="center", parse_math=False)
    axes = figure.add_axes((0.02, 0.02, 0.68, 0.88))
    limit = OUTER_RADIUS * 1.04
    axes.set_xlim(-limit, limit)
    axes.set_ylim(-limit, limit)
    axes.set_aspect("equal")
    axes.set_axis_off()
    axes.apply_aspect()
    _draw_rings_and_quarters(axes)
    origin = axes.transData.transform((0, 0))
    scale = axes.transData.transform((1, 0))[0] - origin[0]  # pixels per data unit
    obstacles = _draw_ring_numbers(axes, measure, scale)
    _draw_centre(axes, person, measure, scale)
    placement = place_names(people, measure, scale, obstacles)
    to_data = axes.transData.inverted()
    for n, spot in enumerate(placement.placed):
        x, y = to_data.transform((origin[0] + spot.x, origin[1] + spot.y))
        axes.text(x, y, spot.text, fontsize=spot.size, family=FAMILY, ha="center", va="center",
                  parse_math=False, linespacing=1.1, gid=f"name-{n}")
    _draw_side_panel(figure, person, circle_counts(people), placement)
    return figure


def _draw_rings_and_quarters(axes) -> None:
    for ring in range(RINGS, 0, -1):
        axes.add_patch(Circle((0, 0), RING_EDGES[ring], facecolor=RING_FILLS[ring - 1],
                              edgecolor="black", linewidth=0.8))
    axes.add_patch(Circle((0, 0), CENTRE_RADIUS, facecolor="white", edgecolor="black", linewidth=1.4))
    for x, y in ((1, 0), (0, 1), (-1, 0), (0, -1)):  # the dividing lines stop at the centre disc
        axes.plot([x * CENTRE_RADIUS, x * OUTER_RADIUS], [y * CENTRE_RADIUS, y * OUTER_RADIUS], color="black",
                  linewidth=1.2)
    for group, (sx, sy) in zip(groups(), QUARTER_SIGNS):
        label = "\n".join(textwrap.wrap(group_label(group), 16))
        axes.text(sx * OUTER_RADIUS * 1.03, sy * OUTER_RADIUS * 1.03, label, fontsize=13, weight="bold",
                  family=FAMILY, ha="left" if sx < 0 else "right", va="top" if sy > 0 else "bottom",
                  parse_math=False, gid=f"quarter-{group}")


def _draw_ring_numbers(axes, measure: _Measure, scale: float) -> list[tuple[float, float, float, float]]:
    """Ring numbers on the upper dividing line; returns their boxes, which names must avoid."""
    boxes = []
    for ring in range(1, RINGS + 1):
        middle = (RING_EDGES[ring - 1] + RING_EDGES[ring]) / 2
        axes.text(0, middle, str(ring), fontsize=9, weight="bold", family=FAMILY, ha="center", va="center",
                  bbox={"boxstyle": "circle,pad=0.25", "facecolor": "white", "edgecolor": "black",
                        "linewidth": 0.8})
        w, h = measure(str(ring), 9, "bold")
        side = max(w, h) * 1.9  # the circle drawn around the number
        boxes.append((-side / 2, middle * scale - side / 2, side / 2, middle * scale + side / 2))
    return boxes


def _draw_centre(axes, person: str, measure: _Measure, scale: float) -> None:
    """The person's name in the centre disc, wrapped and shrunk to fit; 'Me' if it never does."""
    room = CENTRE_RADIUS * scale * 0.95
    for size in (14, 12, 10, 9, 8, 7):
        for width in (12, 9, 7):
            text = "\n".join(textwrap.wrap(person, width, break_long_words=False, break_on_hyphens=False))
            w, h = measure(text, size, "bold")
            if text and math.hypot(w, h) / 2 <= room:
                axes.text(0, 0, text, fontsize=size, weight="bold", family=FAMILY, ha="center", va="center",
                          parse_math=False, linespacing=1.1, gid="centre")
                return
    axes.text(0, 0, "Me", fontsize=14, weight="bold", family=FAMILY, ha="center", va="center", gid="centre")


def _draw_side_panel(figure: Figure, person: str, counts: CircleCounts, placement: Placement) -> None:
    """Counts by group, paid and unpaid, by ring, and any names listed here for lack of room."""
    lines: list[tuple[str, str, str]] = []
    for heading, rows in counts.sections():
        if len(rows) > 1:
            lines.append((heading, "", "bold"))
        lines += [(label, str(number), "bold" if len(rows) == 1 else "normal") for label, number in rows]
        lines.append(("", "", "normal"))
    y = 0.86
    for label, number, weight in lines:
        wrapped = textwrap.wrap(label, 30) or [""]
        figure.text(0.72, y, "\n".join(wrapped), fontsize=10.5, weight=weight, family=FAMILY, va="top",
                    parse_math=False, linespacing=1.15)
        figure.text(0.97, y, number, fontsize=10.5, weight=weight, family=FAMILY, va="top", ha="right")
        y -= 0.028 * len(wrapped) + 0.004
    if placement.left_out:
        _draw_left_out(figure, placement.left_out, y - 0.02)


def _draw_left_out(figure: Figure, left_out, top: float) -> None:
    """Names with no room in their ring, grouped by quarter and ring, as many lines as the
    panel holds; past that the page's list of people has them all."""
    figure.text(0.72, top, "Also in the circle (no room in\nthe picture; shown as \"+N more\")",
                fontsize=10, weight="bold", family=FAMILY, va="top", linespacing=1.15)
    by_cell: dict[tuple[str, int], list[str]] = {}
    for group, ring, name in left_out:
        by_cell.setdefault((group, ring), []).append(" ".join(name.split()))
    lines = []
    for (group, ring), names in by_cell.items():
        lines += textwrap.wrap(f"{group_label(group)}, ring {ring}: {', '.join(names)}", 44, subsequent_indent="  ")
    top -= 0.055
    room = int((top - 0.02) / (8 * 1.2 / 72 / FIGURE_SIZE[1]))
    if len(lines) > room:
        lines = lines[: room - 1] + ["... and more: see the list of people"]
    figure.text(0.72, top, "\n".join(lines), fontsize=8, family=FAMILY, va="top", parse_math=False,
                linespacing=1.2)


# -- files -------------------------------------------------------------------------------------


def circle_bytes(person: str, people, fmt: str, heading: str = "") -> bytes:
    """The picture as PNG (for the page), SVG with text kept as text, or PDF (text embedded)."""
    figure = circle_figure(person, people, heading)
    buffer = io.BytesIO()
    metadata = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {})
    with _missing_glyphs_quiet(), matplotlib.rc_context({"svg.fonttype": "none", "pdf.fonttype": 42,
                                                         "svg.hashsalt": "pcp"}):
        figure.savefig(buffer, format=fmt, dpi=PNG_DPI, metadata=metadata, facecolor="white")
    return buffer.getvalue()
