"""Plain charts for the dashboards and the monthly report, readable in black and white.

Meaning is never carried by colour alone: bars carry hatching and value labels, lines carry
distinct marker shapes and line styles, and every chart has a title and axis labels in
words. The palette (Okabe and Ito's) is safe for the common kinds of colour-blindness.
Functions take tidy DataFrames and return matplotlib Figures (Agg backend, no display).
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

#: Okabe and Ito's colour-blind-safe palette, in an order whose neighbours differ in lightness too.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HATCHES = ("", "//", "..", "xx", "\\\\", "oo", "--", "++")
MARKERS = ("o", "s", "^", "D", "v", "P", "X", "*")
LINESTYLES = ("-", "--", "-.", ":")
#: Wide enough to read on a projector, small enough to paste into a board paper.
SIZE = (8.0, 4.2)


def new_figure(title: str, size: tuple[float, float] = SIZE, *, left: float = 0.8,
               bottom: float = 0.6) -> tuple[Figure, plt.Axes]:
    """A figure with fixed margins in inches (``left`` and ``bottom`` for the labels; room for the
    title above): a layout engine measures every label on each draw, costing more than the drawing."""
    figure = Figure(figsize=size, dpi=100)
    width, height = size
    top, right = 0.45, 0.25
    axes = figure.add_axes((left / width, bottom / height, 1 - (left + right) / width,
                            max(0.1, 1 - (bottom + top) / height)))
    axes.set_title(title, loc="left", fontsize=12, fontweight="bold")
    axes.spines[["top", "right"]].set_visible(False)
    return figure, axes


def empty_figure(title: str, message: str = "No records match the filters.") -> Figure:
    figure, axes = new_figure(title)
    axes.axis("off")
    axes.text(0.5, 0.5, message, ha="center", va="center", fontsize=12, transform=axes.transAxes)
    return figure


def bar_chart(frame: pd.DataFrame, label: str, value: str, title: str, value_label: str, *,
              percent: bool = False, limit: int = 20) -> Figure:
    """Horizontal bars, one per row, labelled with their values (first row at the top).

    Only the first ``limit`` rows are drawn, and then the title says so: a chart of the lowest 20
    of 300 services must not pass for the whole picture (the table under it has every row).
    """
    if frame.empty:
        return empty_figure(title)
    if len(frame) > limit:
        title = f"{title} (the first {limit} of {len(frame):,})"
    shown = frame.head(limit)
    height = max(2.5, 0.35 * len(shown) + 1.2)
    labels = [_short(str(text)) for text in shown[label]]
    figure, axes = new_figure(title, (SIZE[0], height), left=_label_inches(labels), bottom=0.6)
    values = shown[value].astype(float)
    bars = axes.barh(range(len(shown)), values, color=PALETTE[0], edgecolor="black", linewidth=0.6)
    axes.set_yticks(range(len(shown)), labels)
    axes.invert_yaxis()
    axes.set_xlabel(value_label)
    axes.bar_label(bars, labels=[_format(v, percent) for v in values], padding=3, fontsize=9)
    if percent:
        axes.set_xlim(0, 105)
    elif values.dropna().apply(float.is_integer).all():
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: no half reviews on the axis
    return figure


def grouped_bars(frame: pd.DataFrame, index: str, columns: list[str], title: str, value_label: str, *,
                 labels: dict[str, str] | None = None, percent: bool = False) -> Figure:
    """Bars side by side for several measures per row, each measure with its own hatching."""
    if frame.empty:
        return empty_figure(title)
    figure, axes = new_figure(title, bottom=1.1)
    positions = range(len(frame))
    width = 0.8 / max(1, len(columns))
    for n, column in enumerate(columns):
        offsets = [p + (n - (len(columns) - 1) / 2) * width for p in positions]
        axes.bar(offsets, frame[column].astype(float), width, label=(labels or {}).get(column, column),
                 color=PALETTE[n % len(PALETTE)], hatch=HATCHES[n % len(HATCHES)], edgecolor="black", linewidth=0.6)
    axes.set_xticks(list(positions), [_short(str(v), 18) for v in frame[index]], rotation=30, ha="right")
    axes.set_ylabel(value_label)
    if percent:
        axes.set_ylim(0, 105)
    # along the foot of the picture, under the labels: never over a bar (and "best" would try every place)
    axes.legend(frameon=False, fontsize=9, ncols=min(4, len(columns)), loc="lower center",
                bbox_to_anchor=(0.5, 0.0), bbox_transform=figure.transFigure)
    return figure


def stacked_shares(frame: pd.DataFrame, label: str, parts: list[str], title: str, *,
                   part_labels: dict[str, str] | None = None, colours: tuple[str, ...] = PALETTE) -> Figure:
    """Horizontal 100% bars (for example Yes / Partly / No per question), hatched per part, each
    part's share written in it where it is wide enough. Labels wrap onto a second line rather
    than being cut, so a question is read whole."""
    if frame.empty:
        return empty_figure(title)
    names = [_wrapped(str(text)) for text in frame[label]]
    lines = max(name.count("\n") + 1 for name in names)
    row = 0.22 + 0.16 * lines
    height = max(2.5, row * len(frame) + 1.8)
    figure, axes = new_figure(title, (SIZE[0] + 1.5, height), left=_label_inches(names), bottom=1.0)
    left = pd.Series(0.0, index=frame.index)
    for n, part in enumerate(parts):
        values = frame[part].astype(float)
        bars = axes.barh(range(len(frame)), values, left=left, label=(part_labels or {}).get(part, part),
                         color=colours[n % len(colours)], hatch=HATCHES[n % len(HATCHES)], edgecolor="black",
                         linewidth=0.6)
        axes.bar_label(bars, labels=[_format(v, True) if v >= SHARE_LABEL_FROM else "" for v in values],
                       label_type="center", fontsize=8, bbox=VALUE_LABEL_BOX)
        left = left + values
    axes.set_yticks(range(len(frame)), names, fontsize=9)
    axes.invert_yaxis()
    axes.set_xlim(0, 100)
    axes.set_xlabel("Share of answers (%)")
    below_axis = 0.55 / (height - 1.0 - 0.45)  # under the axis label, in the axes' own units
    axes.legend(frameon=False, fontsize=9, ncols=len(parts), loc="upper left", bbox_to_anchor=(0, -below_axis))
    return figure


#: A part of a 100% bar narrower than this (in %) is not labelled: its words would not fit in it.
SHARE_LABEL_FROM = 7
#: Value labels drawn over a hatched bar sit on a small white ground, so they stay readable.
VALUE_LABEL_BOX = {"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"}


def line_chart(frame: pd.DataFrame, x: str, series: str | None, value: str, title: str, value_label: str, *,
               percent: bool = False, limit: int = 8) -> Figure:
    """One line per series (for example one per service), each with its own marker and line style."""
    if frame.empty:
        return empty_figure(title)
    figure, axes = new_figure(title, bottom=0.9)
    groups = [(None, frame)] if series is None else list(frame.groupby(series, observed=True, sort=True))[:limit]
    for n, (name, part) in enumerate(groups):
        part = part.sort_values(x)
        axes.plot(part[x], part[value].astype(float), label=None if name is None else _short(str(name), 30),
                  color=PALETTE[n % len(PALETTE)], marker=MARKERS[n % len(MARKERS)],
                  linestyle=LINESTYLES[n % len(LINESTYLES)], linewidth=1.6, markersize=5)
    axes.set_ylabel(value_label)
    if percent:
        axes.set_ylim(0, 105)
    if series is not None:
        axes.legend(frameon=False, fontsize=8, ncols=2, loc="lower left")  # a fixed place: "best" tries every one
    if pd.api.types.is_datetime64_any_dtype(frame[x]):
        month_axis(axes, frame[x].unique())
    return figure


#: Points at least this many days apart are a monthly series: its ticks are months, never days.
MONTHLY_DAYS = 28


def month_axis(axes, dates=None) -> None:
    """Dates along the bottom as the run charts show them ("Jul", the year under its first month).

    A monthly series (``dates`` at least a month apart) is ticked by month however short it is:
    left to itself matplotlib ticks three months by the day ("Oct 08 15 22 Nov").
    """
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, MonthLocator

    days = pd.Series(pd.to_datetime(pd.Series(dates, dtype="object"))).dropna().sort_values().diff().dt.days \
        if dates is not None else pd.Series(dtype=float)
    if len(days.dropna()) and days.dropna().min() >= MONTHLY_DAYS:
        locator = MonthLocator(interval=max(1, (len(days) + 11) // 12))
    else:
        locator = AutoDateLocator()
    axes.xaxis.set_major_locator(locator)
    # the year or month beside the axis in UK words ("Dec 2026", not "2026-Dec")
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, offset_formats=UK_DATE_OFFSETS))


#: What :class:`matplotlib.dates.ConciseDateFormatter` writes beside the axis, UK style, for ticks in
#: years, months, days, hours, minutes and seconds.
UK_DATE_OFFSETS = ["", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y", "%d %b %Y %H:%M"]


#: Room added above a chart for the line saying what it shows (service, dates, person), in inches.
SUBTITLE_INCHES = 0.24
#: Where the title and that line start, in inches from the figure's left edge.
TITLE_LEFT = 0.12


def with_subtitle(figure: Figure, words: str) -> Figure:
    """The chart with ``words`` (the filters it shows) on a line under its title, so a chart pasted
    into a paper still says which service, dates and person it is about.

    The figure grows at the top by :data:`SUBTITLE_INCHES`; every axes keeps its size and place
    in inches. The title and the line are drawn at fixed places from the figure's left edge, so
    neither is measured (a layout engine would measure every label again).
    """
    axes = figure.axes[0]
    title = next((axes.get_title(loc) for loc in ("left", "center") if axes.get_title(loc)), "")
    for loc in ("left", "center"):
        axes.set_title("", loc=loc)
    width, height = figure.get_size_inches()
    grown = height + SUBTITLE_INCHES
    for each in figure.axes:
        x0, y0, w, h = each.get_position().bounds
        each.set_position((x0, y0 * height / grown, w, h * height / grown))
    figure.set_size_inches(width, grown)
    top = axes.get_position().y1 * grown + 0.08  # inches from the bottom, just above the axes
    figure.text(TITLE_LEFT / width, top / grown, words, fontsize=9.5, color="#333333", va="bottom")
    figure.text(TITLE_LEFT / width, (top + SUBTITLE_INCHES) / grown, title, fontsize=12, fontweight="bold",
                va="bottom")
    return figure


def png_bytes(figure: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG, for the page and for download."""
    buffer = io.BytesIO()
    # zlib's fastest level: as small a file as the default within a few per cent, in half the time
    figure.savefig(buffer, format="png", dpi=dpi, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def _label_inches(labels: list[str]) -> float:
    """Room for the longest line of the labels on the left, estimated from its length (9 pt text)."""
    longest = max((len(line) for text in labels for line in text.split("\n")), default=0)
    return min(4.5, 0.3 + 0.08 * longest)


#: The longest line of a wrapped label, in characters (it fits the room :func:`_label_inches` allows).
WRAP_AT = 46


def _wrapped(text: str, width: int = WRAP_AT, lines: int = 2) -> str:
    """``text`` on at most ``lines`` lines of ``width`` characters, broken between words (cut with
    "…" only past the last line)."""
    import textwrap

    wrapped = textwrap.wrap(text, width)
    if len(wrapped) > lines:
        wrapped = wrapped[:lines - 1] + [_short(" ".join(wrapped[lines - 1:]), width)]
    return "\n".join(wrapped)


def _format(value: float, percent: bool) -> str:
    if pd.isna(value):
        return ""
    return f"{value:.0f}%" if percent else (f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}")


def _short(text: str, most: int = 40) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"
