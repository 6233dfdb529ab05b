"""The XmR run chart as a picture: points, centre line and process limits, special causes marked by
shape and named in words, plan changes as labelled lines.

What the chart shows is worked out in :mod:`pcp_widgets.audit.analysis.spc` (:func:`~.spc.xmr`); this
module only draws it, for the dashboards and the monthly report. Shapes carry the meaning, so the chart
reads in black and white and with any colour vision; no label sits on a point or on another label.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from pcp_widgets.audit.analysis.spc import XmrResult
from pcp_widgets.audit.outputs.charts import month_axis

#: How each rule's points are marked, most telling first (a point several rules flag shows the first).
#: Shapes carry the meaning, so the chart reads in black and white and with any colour vision.
FINDING_MARKERS = {"beyond_limit": ("X", "beyond a limit"), "two_of_three": ("D", "2 of 3 near a limit"),
           "trend": ("^", "trend"), "shift": ("s", "shift")}
#: Okabe-Ito colours, safe for colour-blind readers, used only alongside a shape and a word.
COLOURS = {"concern": "#D55E00", "improvement": "#0072B2", "neither": "#555555"}
#: Above this many plan changes the lines are drawn without a label each.
LABELLED_CHANGES = 6


def draw_xmr(result: XmrResult, *, title: str = "", changes: Sequence[tuple] = (),
             higher_is_better: bool | None = None, figsize=(8.0, 4.0)):
    """An XmR chart as a matplotlib Figure (no pyplot, so it is safe in a server), ready to save as PNG.

    The values are a line with small dots; the mean is a solid line and the process limits
    dashed, stepping where the limits were re-based. Special-cause points are marked by
    shape (see :data:`FINDING_MARKERS`), with a word beside the first of each kind, and coloured too
    (orange a concern, blue an improvement) for those who can see it. ``changes`` are
    (date, label) pairs, drawn as labelled vertical dash-dot lines.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=figsize)
    FigureCanvasAgg(figure)
    # fixed margins: a layout engine would measure every label on each draw, costing more than the drawing
    axes = figure.add_axes((0.09, 0.27, 0.89, 0.64))
    points = result.points
    axes.plot(points["date"], points["value"], color="#222222", linewidth=1.2, marker="o", markersize=3,
              label=result.label, zorder=3)
    _draw_limits(axes, result)
    labelled = 0 < len(changes) <= LABELLED_CHANGES
    _leave_headroom(axes, (len(changes) if labelled else 1) * CHANGE_ROW_POINTS)
    places = _LabelPlaces(axes, points)
    _draw_changes(axes, changes, places)
    _draw_special(axes, result, higher_is_better, places)
    month_axis(axes, points["date"])
    if len(points) and np.all(np.mod(points["value"].dropna(), 1) == 0):
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no half refusals on the axis
    axes.set_ylabel(result.label)
    axes.set_title(title, loc="left", fontsize=11, y=1.0)  # a fixed place: finding one measures every label
    axes.grid(axis="y", color="#dddddd", linewidth=0.6)
    axes.spines[["top", "right"]].set_visible(False)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=4, frameon=False, fontsize=8)
    return figure


def _draw_limits(axes, result: XmrResult) -> None:
    points = result.points
    for number, stage in enumerate(result.stages):
        rows = points[points["date"] >= stage.start].head(stage.points)
        if rows.empty:
            continue
        start, end = rows["date"].iloc[0], rows["date"].iloc[-1]
        first = number == 0
        axes.hlines(stage.mean, start, end, colors="#222222", linewidth=1, linestyles="solid",
                    label="mean" if first else None)
        if np.isfinite(stage.upper):
            axes.hlines([stage.lower, stage.upper], start, end, colors="#222222", linewidth=1,
                        linestyles=(0, (5, 3)), label="process limits" if first else None)


def _draw_special(axes, result: XmrResult, higher_is_better, places: _LabelPlaces) -> None:
    points = result.points
    marked = np.zeros(len(points), dtype=bool)
    shown = {}  # each point is marked by the first rule that flags it
    for rule in FINDING_MARKERS:
        show = points[rule].to_numpy(dtype=bool) & ~marked
        marked |= show
        if show.any():
            shown[rule] = show
    if shown:
        dates, values = points["date"].to_numpy(), points["value"].to_numpy(dtype=float)
        kinds = np.array([_kind(high, higher_is_better) for high in values > points["mean"].to_numpy(dtype=float)])
    for rule, show in shown.items():
        shape, words = FINDING_MARKERS[rule]
        for number, kind in enumerate(dict.fromkeys(kinds[show])):  # a line of markers draws faster than a scatter
            these = show & (kinds == kind)
            axes.plot(dates[these], values[these], linestyle="none", marker=shape, markersize=8,
                      markerfacecolor=COLOURS[kind], markeredgecolor="black", markeredgewidth=0.6, zorder=4,
                      label=f"special cause: {words}" if number == 0 else None)
    _label_findings(axes, result, higher_is_better, places)


def _label_findings(axes, result: XmrResult, higher_is_better, places: _LabelPlaces) -> None:
    """A word beside the first point of each kind of finding; findings starting together share one label.

    Each label goes beside its point, towards the middle of the chart so it stays inside, and
    is moved further up or down, or to the point's other side, when it would lie over a data
    point, the line between two points or a label already placed; a label moved away from its
    point is joined to it by a thin line.
    """
    dates, values = result.points["date"].to_numpy(), result.points["value"].to_numpy(dtype=float)
    seen: set[tuple[str, str]] = set()
    labels: dict[pd.Timestamp, list[str]] = {}
    for finding in result.findings:
        if (finding.rule, finding.direction) in seen:
            continue
        seen.add((finding.rule, finding.direction))
        kind = _kind(finding.direction == "high", higher_is_better)
        words = FINDING_MARKERS[finding.rule][1] + ("" if kind == "neither" else f" ({kind})")
        labels.setdefault(finding.start, []).append(words)
    if not labels:
        return
    from matplotlib.dates import date2num

    for day, words in labels.items():
        at = np.flatnonzero(dates == pd.Timestamp(day).to_datetime64())[0]
        text = "; ".join(words)
        (dx, dy), left, above = places.place(date2num(dates[at]), values[at], text)
        far = abs(dy) > 9 + LABEL_POINTS * 1.25
        axes.annotate(text, (dates[at], values[at]), xytext=(dx, dy), textcoords="offset points",
                      fontsize=LABEL_POINTS, va="bottom" if above else "top", ha="left" if left else "right",
                      bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
                      arrowprops={"arrowstyle": "-", "color": "#555555", "linewidth": 0.6} if far else None)


#: The size of the words beside special causes, in points.
LABEL_POINTS = 8
#: A character's width as a share of the font size: the chart's sans-serif font stays under it.
CHARACTER_EMS = 0.56


class _LabelPlaces:
    """Where each finding's words go, in points from the axes' corner, keeping them apart.

    Text is not measured (matplotlib would lay it out once more for that): a label is taken
    to be :data:`CHARACTER_EMS` of its font size wide per character.
    """

    def __init__(self, axes, points: pd.DataFrame | None = None):
        """``points`` (date, value) are the chart's data: no label is put over one, or over the line between two."""
        from matplotlib.dates import date2num

        scale = 72 / axes.figure.dpi
        self.width, self.height = axes.bbox.width * scale, axes.bbox.height * scale
        self.xlim, self.ylim = axes.get_xlim(), axes.get_ylim()
        self.taken: list[tuple[float, float, float, float]] = []
        self.line = np.empty((0, 2))
        if points is not None and len(points):
            x = date2num(points["date"].to_numpy())
            line = np.column_stack(self.to_points(np.asarray(x, dtype=float), points["value"].to_numpy(dtype=float)))
            self.line = line[np.isfinite(line).all(axis=1)]

    def to_points(self, x, y):
        """Data coordinates to points from the axes' lower left corner."""
        return ((x - self.xlim[0]) / ((self.xlim[1] - self.xlim[0]) or 1) * self.width,
                (y - self.ylim[0]) / ((self.ylim[1] - self.ylim[0]) or 1) * self.height)

    def free(self, box: tuple[float, float, float, float], *, segments: bool = True) -> bool:
        """Whether ``box`` lies inside the axes, clear of the labels placed and of the data (its points,
        and with ``segments`` the lines between them too)."""
        inside = box[0] >= 0 and box[2] <= self.width and box[1] >= 0 and box[3] <= self.height
        return inside and not any(_overlap(box, other) for other in self.taken) \
            and not _crosses(box, self.line, segments=segments)

    def take(self, box: tuple[float, float, float, float]) -> None:
        self.taken.append(box)

    def place(self, x: float, y: float, text: str) -> tuple[tuple[float, float], bool, bool]:
        """((dx, dy) offset in points, to the right?, above?) for words beside the point (x, y)."""
        px, py = self.to_points(x, y)
        wide, high = len(text) * LABEL_POINTS * CHARACTER_EMS, LABEL_POINTS * 1.25
        left, above = px <= self.width / 2, py < self.height / 2  # towards the middle of the chart
        candidates = [(9 + step * high, up, side) for step in range(12) for side in (left, not left)
                      for up in (above, not above)]
        chosen = candidates[0]
        # Where a busy line leaves no place clear of every segment, the words may cross a line, but never
        # sit on a point (where they would hide a value).
        for segments in (True, False):
            for rise, up, side in candidates:
                bottom = py + rise if up else py - rise - high
                right_edge = px + 4 + wide if side else px - 4
                box = (right_edge - wide, bottom, right_edge, bottom + high)
                if self.free(box, segments=segments):
                    chosen = (rise, up, side)
                    self.take(box)
                    break
            else:
                continue
            break
        rise, up, side = chosen
        return (4 if side else -4, rise if up else -rise), side, up


def _overlap(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


#: Room kept around a data point (its marker's radius and a little), in points.
POINT_ROOM = 5.0


def _crosses(box: tuple[float, float, float, float], line: np.ndarray, *, segments: bool = True) -> bool:
    """Whether ``box`` (in points) holds a point of ``line`` (with :data:`POINT_ROOM` around it)
    or, with ``segments``, is crossed by a segment between two (each clipped to the box's rows, all at once)."""
    if not len(line):
        return False
    x0, y0, x1, y1 = box[0] - POINT_ROOM, box[1] - POINT_ROOM, box[2] + POINT_ROOM, box[3] + POINT_ROOM
    x, y = line[:, 0], line[:, 1]
    if np.any((x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)):
        return True
    if not segments:
        return False
    ax, ay, bx, by = x[:-1], y[:-1], x[1:], y[1:]
    # the part of each segment whose x lies within the box, and the y range it covers there
    lo, hi = np.maximum(np.minimum(ax, bx), box[0]), np.minimum(np.maximum(ax, bx), box[2])
    spans = hi >= lo
    dx = np.where(bx != ax, bx - ax, 1.0)
    ya, yb = ay + (lo - ax) / dx * (by - ay), ay + (hi - ax) / dx * (by - ay)
    return bool(np.any(spans & (np.maximum(ya, yb) >= box[1]) & (np.minimum(ya, yb) <= box[3])))


#: A plan change's label is one line of this height (7 pt text), in points.
CHANGE_ROW_POINTS = 10.0


def _leave_headroom(axes, points: float) -> None:
    """Raise the top of the value axis so ``points`` of room lie above everything drawn: plan
    changes are labelled there, and the words beside special causes have somewhere to go."""
    bottom, top = axes.get_ylim()
    height = axes.bbox.height * 72 / axes.figure.dpi
    room = min(points + 4, height / 3)
    axes.set_ylim(bottom, top + (top - bottom) * room / (height - room))


def _kind(high: bool, higher_is_better) -> str:
    if higher_is_better is None:
        return "neither"
    return "improvement" if high == bool(higher_is_better) else "concern"


def _draw_changes(axes, changes: Sequence[tuple], places: _LabelPlaces) -> None:
    """Plan changes as vertical dash-dot lines, each labelled, when few (a person's); when many (a
    service's year), as short marks along the bottom, so they show when changes were made
    without hiding the points. One collection either way, however many.

    The labels are level, along the top in the room kept there, each on the first row where it
    is clear of those before it (``places`` keeps them clear of the other words too)."""
    if not len(changes):
        return
    days = [pd.Timestamp(day) for day, _ in changes]
    if len(changes) > LABELLED_CHANGES:
        axes.vlines(days, 0, CHANGE_MARK_HEIGHT, transform=axes.get_xaxis_transform(), colors="#000000",
                    linewidth=1.2, zorder=2, label=f"plan changes ({len(changes)}, at the foot)")
        return
    axes.vlines(days, 0, 1, transform=axes.get_xaxis_transform(), colors="#000000", linewidth=1,
                linestyles=[(0, (6, 2, 1, 2))], zorder=2, label="plan change")
    from matplotlib.dates import date2num

    for day, (_, text) in zip(days, changes):
        words = f"{day.day} {day:%b %Y}: {text}"[:60]
        px, _ = places.to_points(date2num(day), 0.0)
        wide = len(words) * 7 * CHARACTER_EMS
        right = px + 3 + wide <= places.width  # to the right of its line, unless that runs off the chart
        left_edge = px + 3 if right else px - 3 - wide
        row = 0
        while row < LABELLED_CHANGES and any(
                _overlap((left_edge, places.height - (row + 1) * CHANGE_ROW_POINTS, left_edge + wide,
                          places.height - row * CHANGE_ROW_POINTS), other) for other in places.taken):
            row += 1
        top = places.height - row * CHANGE_ROW_POINTS
        places.take((left_edge, top - CHANGE_ROW_POINTS, left_edge + wide, top))
        axes.annotate(words, (day, 1), xycoords=("data", "axes fraction"), xytext=(3 if right else -3,
                      -row * CHANGE_ROW_POINTS - 1), textcoords="offset points", ha="left" if right else "right",
                      va="top", fontsize=7,
                      bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none", "alpha": 0.8})


#: How high the marks for many plan changes reach, as a share of the chart's height.
CHANGE_MARK_HEIGHT = 0.05
