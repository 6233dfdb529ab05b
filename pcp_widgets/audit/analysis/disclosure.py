"""The commissioner export's disclosure-control method: people-based suppression, then rounding.

The rule, as NHS England and the ONS publish small numbers about health and care:

* a figure about fewer than ``min_count`` (5) **distinct people** is hidden, shown as
  :data:`SUPPRESSED` ("[c]"), however many records are behind it: one person's 12
  refusals are a fact about one person;
* every other count is **rounded to the nearest 5**, each from its own true value
  (totals too, so a total is not the sum of its rounded parts), and never to 0;
* a true 0 is shown as 0: "nobody" points to no one (unless the audit must hide it to
  protect a neighbour, so a "[c]" may stand for any count, 0 included);
* shares, means and medians of fewer than ``min_count`` people are hidden ("[c]"); one
  of nobody at all is :data:`NOT_APPLICABLE` ("[z]").

A published figure therefore *states a range* (its label): a rounded ``r`` says the true
count is within 2 of ``r`` (and, because smaller counts are hidden, at least
``min_count``); "[c]" says nothing but that the count is 0 or more. What the export
promises for each: a "[c]" about fewer than ``min_count`` people can still be anything from
1 to ``min_count - 1``; a rounded figure keeps its rounding range; a "[c]" hidden to protect
another (about more people) keeps at least the range its rounded figure would have had. The
attacker audit (:mod:`pcp_widgets.audit.analysis.disclosure_audit`) proves that nothing else in the
export, shares beside the counts included, narrows those ranges, and hides more
(:meth:`Protected.hide`) where it would.

Pure: arrays in, arrays out.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

#: The usual threshold: figures about 1 to 4 people are hidden.
MIN_COUNT = 5
#: Counts are rounded to the nearest multiple of this.
BASE = 5
#: A hidden figure ("confidential", the ONS symbol).
SUPPRESSED = "[c]"
#: Not applicable: a share, mean or median of nobody.
NOT_APPLICABLE = "[z]"

#: Why a count is shown as it is.
ZERO, ROUNDED, PRIMARY, SECONDARY = 0, 1, 2, 3


def rounded(counts: np.ndarray, base: int = BASE) -> np.ndarray:
    """Each count to the nearest multiple of ``base`` (halves up), a count above 0 never to 0."""
    counts = np.asarray(counts, dtype=np.int64)
    out = (counts + base // 2) // base * base
    return np.where(counts > 0, np.maximum(out, base), 0)


def label_range(shown: np.ndarray, min_count: int, base: int = BASE) -> tuple[np.ndarray, np.ndarray]:
    """What a rounded figure says about its true count: from ``lo`` to ``hi`` inclusive.

    ``r`` covers ``r - 2`` to ``r + 2``; the lowest rounded figure (5) covers everything
    from ``min_count`` up to 7, since a count above 0 is never rounded to 0 and a count
    below ``min_count`` is about fewer people than that, so hidden.
    """
    shown = np.asarray(shown, dtype=np.int64)
    half = base // 2
    lo = np.where(shown <= base, min_count, np.maximum(shown - half, min_count))
    return lo, shown + half


@dataclass
class Protected:
    """A table of counts (with totals) as published: the true counts, the people behind each, and why.

    ``status`` holds :data:`ZERO`, :data:`ROUNDED`, :data:`PRIMARY` (about fewer than
    ``min_count`` people) or :data:`SECONDARY` (hidden by the audit to protect another).
    """

    counts: np.ndarray
    people: np.ndarray
    min_count: int
    status: np.ndarray = field(init=False)

    def __post_init__(self):
        self.counts = np.asarray(self.counts, dtype=np.int64)
        self.people = np.asarray(self.people, dtype=np.int64)
        status = np.full(self.counts.shape, ROUNDED, dtype=np.int8)
        status[self.counts == 0] = ZERO
        status[(self.counts > 0) & (self.people < self.min_count)] = PRIMARY
        self.status = status

    @property
    def mask(self) -> np.ndarray:
        """True for every hidden cell."""
        return self.status >= PRIMARY

    @property
    def shown(self) -> np.ndarray:
        """The table as published: 0, rounded whole numbers and :data:`SUPPRESSED` (an object array)."""
        out = rounded(self.counts).astype(object)
        out[self.mask] = SUPPRESSED
        return out

    def hide(self, where) -> None:
        """Hide more cells (the audit's secondary suppression), a 0 among them when it would give a neighbour away."""
        chosen = np.zeros(self.counts.shape, dtype=bool)
        chosen[where] = True
        self.status[chosen & ((self.status == ROUNDED) | (self.status == ZERO))] = SECONDARY


def protect_derived(values: np.ndarray, people: np.ndarray, min_count: int = MIN_COUNT,
                    decimals: int | None = 1) -> tuple[np.ndarray, np.ndarray]:
    """Shares, means or medians as published (an object array), and the mask of those hidden.

    Hidden (:data:`SUPPRESSED`) when about 1 to ``min_count - 1`` people; :data:`NOT_APPLICABLE`
    when about nobody (nothing to summarise). Shown values are rounded to ``decimals``.
    """
    values = np.asarray(values, dtype=float)
    people = np.asarray(people)
    hidden = (people >= 1) & (people < min_count)
    shown = np.round(values, decimals) if decimals is not None else values
    out = shown.astype(object)
    out[np.isnan(shown) | (people == 0)] = NOT_APPLICABLE
    out[hidden] = SUPPRESSED
    return out, hidden


def distinct_people(cells: np.ndarray, persons: np.ndarray, shape, total_axes=()) -> np.ndarray:
    """How many different people stand behind each cell of a table of ``shape``, its totals included.

    ``cells`` holds each record's own cell as a flat index into ``shape`` (never a total's
    cell), ``persons`` its person as a number. Along each of ``total_axes`` the last index
    is the total of the others, where a person found in several of its cells is one person.

    The distinct (cell, person) pairs are found once, by hashing (:func:`pandas.unique`,
    without the sort :func:`numpy.unique` does); the pairs of each total come from those
    of a table already found with one axis fewer totalled, the smallest such, by moving
    each pair to the total's cell and dropping repeats. Collapsing months or services
    shrinks the pairs at once, so the 2^k tables cost little more than the first.
    """
    shape = tuple(int(size) for size in shape)
    size = int(np.prod(shape))
    cells, persons = np.asarray(cells, dtype=np.int64).ravel(), np.asarray(persons, dtype=np.int64).ravel()
    span = int(persons.max(initial=0)) + 1
    strides = [int(np.prod(shape[axis + 1:])) for axis in range(len(shape))]
    found = {0: pd.unique(cells * span + persons)}
    heads = np.zeros(size, dtype=np.int64)
    for combination in sorted(range(2 ** len(total_axes)), key=lambda c: (bin(c).count("1"), c)):
        if combination:
            bits = [bit for bit in range(len(total_axes)) if combination >> bit & 1]
            bit = min(bits, key=lambda b: len(found[combination & ~(1 << b)]))
            pairs = found[combination & ~(1 << bit)]
            axis = total_axes[bit]
            cell, person = np.divmod(pairs, span)
            cell += (shape[axis] - 1 - cell // strides[axis] % shape[axis]) * strides[axis]
            found[combination] = pd.unique(cell * span + person)
        heads += np.bincount(found[combination] // span, minlength=size)
    return heads.reshape(shape)


def with_totals(counts: np.ndarray, total_axes) -> np.ndarray:
    """``counts`` (last index of each of ``total_axes`` left empty) with those totals filled by summing the rest."""
    for axis in total_axes:
        body = (slice(None),) * axis
        counts[body + (-1,)] = counts[body + (slice(0, -1),)].sum(axis=axis)
    return counts
