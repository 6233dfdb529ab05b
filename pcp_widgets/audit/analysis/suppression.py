"""Small-number suppression for figures that leave the provider (docs/domain.md).

A count from 1 to ``min_count - 1`` could point to one person, so it is shown as
``"<N"`` (N = ``min_count``); a 0 is shown as 0, because "nobody" identifies no one.
That alone is not enough: when a row of counts is published with its total, one hidden
count is the total minus the others. So every line of a table that is published with
its total (a row with its row total, a column with the column total, and in a table of
more dimensions every line along every dimension) must hide either none of its figures
or at least two. Where a line hides exactly one, the smallest other count in it is
hidden too (the total itself only when no count can be), and this repeats until no
line changes. The extra cells are shown as :data:`SECONDARY` rather than ``"<N"``,
because they are not small: ``"<5"`` on a count of 40 would be false.

Shares, means and medians give no count back, but one worked out from fewer than
``min_count`` records says too much about each of them, so it is hidden (as
:data:`SECONDARY`) when its denominator is below ``min_count`` (:func:`suppress_derived`).

Everything here is pure: arrays in, arrays out. Tables are numpy arrays of whole
numbers whose *last* index along each axis named in ``total_axes`` holds the total of
the others along that axis (see :func:`with_totals`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

import numpy as np

#: The usual threshold: counts from 1 to 4 are hidden.
MIN_COUNT = 5
#: How a count hidden only to protect another one is shown.
SECONDARY = "[c]"
#: Picking a line's total as its second hidden figure costs more than picking any count.
_TOTAL_COST = float(2 ** 62)


def small_label(min_count: int) -> str:
    """How a hidden small count is shown: ``"<5"`` for the usual threshold."""
    return f"<{min_count}"


def with_totals(counts: np.ndarray, axes: Sequence[int] | None = None) -> np.ndarray:
    """``counts`` with a total appended as the last index of each axis in ``axes`` (default all).

    Totals of totals come out right because each axis is totalled over the array that
    already holds the earlier axes' totals.
    """
    out = np.asarray(counts)
    for axis in range(out.ndim) if axes is None else axes:
        out = np.concatenate([out, out.sum(axis=axis, keepdims=True)], axis=axis)
    return out


def primary_mask(counts: np.ndarray, min_count: int = MIN_COUNT) -> np.ndarray:
    """True where a count is small enough to point to someone: 1 to ``min_count - 1``."""
    counts = np.asarray(counts)
    return (counts >= 1) & (counts < min_count)


def secondary_mask(counts: np.ndarray, hidden: np.ndarray, total_axes: Sequence[int]) -> np.ndarray:
    """The cells to hide as well as ``hidden`` so that no hidden count can be worked out.

    A line along an axis in ``total_axes`` is its counts and, at its last index, their
    total. A line hiding exactly one figure gets a second: the smallest count above 0
    still shown in it, or its total when every count shown is 0. (Hiding a 0 would
    protect nothing: the other hidden figure would still be the total minus the rest.)
    Lines along one axis do not overlap, so each axis is handled for all its lines at
    once; the axes are revisited until a whole pass hides nothing new.
    """
    counts = np.asarray(counts)
    mask = np.asarray(hidden, dtype=bool).copy()
    changed = True
    while changed:
        changed = False
        for axis in total_axes:
            changed |= _protect_lines(counts, mask, axis)
    return mask & ~np.asarray(hidden, dtype=bool)


def _protect_lines(counts: np.ndarray, mask: np.ndarray, axis: int) -> bool:
    """One pass along ``axis``, changing ``mask`` in place; True if anything was hidden."""
    lines = np.moveaxis(mask, axis, -1)  # a view: writing to it writes to ``mask``
    values = np.moveaxis(counts, axis, -1).reshape(-1, counts.shape[axis])
    flags = lines.reshape(-1, counts.shape[axis])
    exposed = np.flatnonzero(flags.sum(axis=1) == 1)
    if not len(exposed):
        return False
    line_values, line_flags = values[exposed], flags[exposed]
    # Shown counts above 0 cost their value; the total costs more than any count; the rest cannot be picked.
    cost = np.where(~line_flags & (line_values > 0), line_values.astype(float), np.inf)
    cost[:, -1] = np.where(np.isfinite(cost[:, -1]), _TOTAL_COST, np.inf)
    pick = cost.argmin(axis=1)
    possible = np.isfinite(cost[np.arange(len(exposed)), pick])
    if not possible.any():
        return False
    flags[exposed[possible], pick[possible]] = True
    lines[...] = flags.reshape(lines.shape)
    return True


@dataclass(frozen=True)
class Suppressed:
    """A table of counts with what it may show: the counts, and which are hidden and why."""

    counts: np.ndarray
    primary: np.ndarray
    secondary: np.ndarray
    min_count: int

    @cached_property
    def mask(self) -> np.ndarray:
        """True for every hidden cell, for writers to mark them."""
        return self.primary | self.secondary

    @cached_property
    def shown(self) -> np.ndarray:
        """The table as published: whole numbers, ``"<N"`` and :data:`SECONDARY` (an object array)."""
        out = self.counts.astype(object)
        out[self.primary] = small_label(self.min_count)
        out[self.secondary] = SECONDARY
        return out


def suppress_counts(counts: np.ndarray, min_count: int = MIN_COUNT,
                    total_axes: Sequence[int] | None = None) -> Suppressed:
    """Primary then secondary suppression of a table whose ``total_axes`` end in totals (default all)."""
    counts = np.asarray(counts).astype(np.int64)
    axes = tuple(range(counts.ndim)) if total_axes is None else tuple(total_axes)
    primary = primary_mask(counts, min_count)
    return Suppressed(counts, primary, secondary_mask(counts, primary, axes), min_count)


def suppress_derived(values: np.ndarray, denominators: np.ndarray, min_count: int = MIN_COUNT,
                     decimals: int | None = 1) -> tuple[np.ndarray, np.ndarray]:
    """Shares, means or medians as published (an object array), and the mask of those hidden.

    Hidden (shown as :data:`SECONDARY`: ``"<5"`` beside a percentage would read as "under
    5 per cent") when worked out from 1 to ``min_count - 1`` records. A figure from no
    records at all is blank (``None``), not hidden: there is nothing to protect. Shown
    values are rounded to ``decimals``.
    """
    values = np.asarray(values, dtype=float)
    denominators = np.asarray(denominators)
    hidden = primary_mask(denominators, min_count)
    shown = np.round(values, decimals) if decimals is not None else values
    out = shown.astype(object)
    out[np.isnan(shown)] = None
    out[hidden] = SECONDARY
    return out, hidden
