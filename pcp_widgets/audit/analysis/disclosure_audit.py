"""The attacker audit run inside the commissioner export, before anything is written.

An attacker has every figure in the export and knows the rule
(:mod:`pcp_widgets.audit.analysis.disclosure`): a rounded ``r`` is a count in its label's range,
a hidden figure is a count of 0 or more (the audit may hide a 0 to protect a neighbour), a 0 is 0. Every published count takes part in
additive relations: a service's categories add up to its total, the services to the whole
provider, the months to the period; the same figure on another sheet or in a chart's cache
is the same unknown. The tightest range the attacker can derive for one figure is the
minimum and maximum of it over everything those relations allow: a linear programme,
solved with HiGHS (``highspy``, the solver's own Python interface).

A figure is safe when that range is at least as wide as its label says:

* a rounded figure keeps its whole label range (10 stays 8 to 12);
* a hidden figure about fewer than ``min_count`` people (a primary "[c]") can still be
  anything from 1 to ``min_count - 1`` and reaches at least 2 above its true value (it is
  never pinned more closely than a rounded figure);
* a figure hidden by the audit to protect another (a complementary "[c]") is about
  ``min_count`` or more people, so it is not sensitive itself (as in tau-Argus, where only
  the primary cells carry protection intervals); it keeps at least the range its rounded
  figure would have had, so hiding it never tells more than showing it would. An attacker
  may work out that such a "[c]" is large, which says nothing about anyone; a 0 hidden
  beside a primary promises nothing (nobody is no one's secret).

Holding a complementary figure to the primary's "1 to 4" could not be met at national
scale: a hidden service total of 57 events pinned within a few by its rounded neighbours
needed its whole row hidden, then the rows of those, and a calendar quarter was refused.

To stay fast the relations are split into independent blocks (connected components), and
each figure's two linear programmes are skipped once a feasible table is known in which
the figure already reaches its required end: the true table is one, and each programme
solved (maximising or minimising the sum of the figures still unproven) gives another.
A feasible table reaching the end proves the attacker cannot rule it out; the figures
left unproven get their own programme, which gives their exact range. Each block's
programme is built once and kept (:class:`_Programme`): only its objective changes from
one solve to the next, so HiGHS starts from its last optimal basis, and a proof found in
one round of hiding more holds in every later one (:class:`_Auditor`).

Where a figure is not safe, :func:`secure` hides more and audits again, like tau-Argus's
optimal method (an iteration of "audit, add the cheapest complementary cell, audit again"):
for each unsafe figure, the one figure with the smallest count among those whose bounds
hold the attacker's optimum (their reduced cost in HiGHS's solution is not 0; hiding any
other would not widen the failing range). If that cannot make every figure safe, the
export is refused (:class:`DisclosureError`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from pcp_widgets.audit.analysis.disclosure import (
    NOT_APPLICABLE,
    PRIMARY,
    ROUNDED,
    SECONDARY,
    SUPPRESSED,
    ZERO,
    Protected,
    label_range,
    rounded,
)
from pcp_widgets.errors import PcpError

#: Solutions are floats; a bound within this of the required end reaches it.
TOLERANCE = 1e-6
#: Rounds of hiding more before the export is refused.
MAX_ROUNDS = 30
#: HiGHS's simplex_strategy option: the dual and the primal simplex method.
DUAL, PRIMAL = 1, 4
#: The status of an unknown the attacker reasons with that is not a published count (a share's
#: numerator or denominator): never hidden, never checked.
AUXILIARY = 9


class DisclosureError(PcpError):
    """The export would let a protected figure be worked out, and hiding more could not prevent it."""


@dataclass
class Entry:
    """One table of counts in the export: which of its cells are published, and which axes end in totals."""

    name: str
    table: Protected
    published: np.ndarray
    total_axes: tuple[int, ...]


@dataclass
class Shares:
    """Shares (or means) published beside a table of counts, which an attacker can use as well.

    Each published cell shows ``numerators / denominators x scale`` to ``decimals``
    (:func:`~pcp_widgets.audit.analysis.disclosure.protect_derived`), the same cells as ``counts``
    publishes, with any further axes after the grid's (one per question). The attacker knows:
    numerators and denominators add up along ``total_axes`` as the counts do; a numerator is
    at most ``most`` times its denominator (a Yes count at most the answers, a sum of scores
    at most 100 per file); a denominator is at most the count in the same cell (files
    answering a question, at most the files audited); a shown share ``v`` says
    ``v - h <= scale x numerator / denominator <= v + h`` (``h`` half its last decimal) and
    that its denominator is about ``min_count`` or more people, and, when numerators are
    whole, at least the smallest whole number that can give ``v`` (:func:`smallest_denominator`:
    57.1% needs 7); "[c]" says 1 or more; "[z]" says none at all. All of it is linear, so the
    audit adds it to the same programme.

    ``shown`` holds the published values and hidden mask of each share (one pair per index
    of the further axis, or one pair), as :func:`~pcp_widgets.audit.analysis.disclosure.protect_derived`
    made them: :meth:`guard` hides a share in them, in place, where its smallest possible
    denominator would lift its count above the low end of the count's rounding range (57.1%
    beside a rounded 5, which says 5 to 7, would say 7).
    """

    name: str
    numerators: np.ndarray
    denominators: np.ndarray
    shown: list
    counts: Entry
    scale: float = 100.0
    most: float = 1.0
    decimals: int = 1
    whole: bool = True

    @property
    def total_axes(self) -> tuple[int, ...]:
        return self.counts.total_axes

    def displayed(self) -> np.ndarray:
        """The published values, shaped like :attr:`denominators`."""
        if self.denominators.ndim == self.counts.published.ndim:
            return self.shown[0][0]
        return np.stack([display for display, _ in self.shown], axis=-1)

    def guard(self) -> int:
        """Hide every share whose smallest possible denominator is above its count's rounding range's low end;
        how many were hidden."""
        table = self.counts.table
        low, _ = label_range(rounded(table.counts), table.min_count)
        hid = 0
        for display, hidden in self.shown:
            values = np.array([v if isinstance(v, float) else np.nan for v in display.ravel()]).reshape(display.shape)
            shown = ~np.isnan(values)
            if not shown.any():
                continue
            least = np.zeros(display.shape, dtype=np.int64)
            least[shown] = smallest_denominator(values[shown], self.scale, self.decimals) if self.whole else 0
            over = shown & (least > low) & self.counts.published  # cells not published need no hiding
            display[over], hidden[over] = SUPPRESSED, True
            hid += int(over.sum())
        return hid

    @property
    def published(self) -> np.ndarray:
        grid = self.counts.published
        return np.broadcast_to(grid.reshape(grid.shape + (1,) * (self.denominators.ndim - grid.ndim)),
                               self.denominators.shape)


def smallest_denominator(shown: np.ndarray, scale: float = 100.0, decimals: int = 1) -> np.ndarray:
    """For each shown share, the smallest whole denominator n with a whole k (0 to n) such that
    ``k / n x scale`` rounds to it: 57.1 (%) needs 7 (4 / 7), 50.0 needs 2, 0.0 and 100.0 need 1."""
    table = _smallest_denominators(float(scale), int(decimals))
    steps = np.rint(np.asarray(shown, dtype=float) * 10 ** decimals).astype(np.int64)
    return table[np.clip(steps, 0, len(table) - 1)]


@functools.lru_cache(maxsize=8)
def _smallest_denominators(scale: float, decimals: int) -> np.ndarray:
    """Every value a share can show (0 to ``scale`` in steps of the last decimal), with its smallest denominator:
    the values k / n x ``scale`` rounds to, tried for n = 1, 2, ... until each value has been reached."""
    steps = int(round(scale * 10 ** decimals))
    table = np.zeros(steps + 1, dtype=np.int64)
    n = 0
    while not table.all():
        n += 1
        reached = np.rint(np.round(np.arange(n + 1) / n * scale, decimals) * 10 ** decimals).astype(np.int64)
        reached = reached[table[reached] == 0]
        table[reached] = n
    return table


@dataclass
class AuditResult:
    figures: int = 0
    checked: int = 0
    relations: int = 0
    blocks: int = 0
    programmes: int = 0
    hidden_more: int = 0
    #: audits run: the first, and one after each round of hiding more
    rounds: int = 0
    #: shares (percentages, means) hidden because they would have told a count more closely than its label
    shares_hidden: int = 0
    unsafe: list = field(default_factory=list)

    @property
    def safe(self) -> bool:
        return not self.unsafe

    def sentence(self) -> str:
        """What the Contents sheet says about the check."""
        more = (f" To make it so, {self.hidden_more} more figure{'s were' if self.hidden_more != 1 else ' was'} "
                "hidden." if self.hidden_more else "")
        if self.shares_hidden:
            more += (f" {self.shares_hidden} percentage{'s or means were' if self.shares_hidden != 1 else ' or mean was'}"
                     " hidden because the few counts that could give them would have said more than a rounded count.")
        return (f"Checked before this file was written: {self.checked:,} figures were tested against "
                f"{self.relations:,} additive relations (rows, columns, service and provider totals, all months, "
                f"the same figure on another sheet and in the charts) and the percentages and means beside them by linear programming (HiGHS), in "
                f"{self.blocks:,} independent blocks with {self.programmes:,} programmes solved. Result: no figure "
                "about fewer than the threshold of people can be narrowed below 1 to the threshold less one, and no "
                "other figure, shown or hidden, below its rounding range." + more)


class _Problem:
    """Every published count as one unknown, and every additive relation among them."""

    def __init__(self, entries: list):
        self.entries = [e for e in entries if isinstance(e, Entry)]
        self.shares = [e for e in entries if isinstance(e, Shares)]
        # first, no share may give its count's low end away
        self.shares_hidden = sum(shares.guard() for shares in self.shares)
        self.offsets, ids, total = [], [], 0

        def number(published):
            nonlocal total
            index = np.full(published.shape, -1, dtype=np.int64)
            count = int(published.sum())
            index[published] = np.arange(total, total + count)
            total += count
            return index

        for entry in self.entries:
            self.offsets.append(total)
            ids.append(number(entry.published))
        self.counted = total  # the published counts come first; the shares' unknowns after them
        share_ids = [(number(shares.published), number(shares.published)) for shares in self.shares]
        self.ids, self.size = ids, total
        rows, cols, coefs = [], [], []
        relation = 0

        def add(numbers, columns, values):
            rows.append(numbers), cols.append(columns), coefs.append(values)

        additive = [(index, entry.total_axes) for entry, index in zip(self.entries, ids)]
        additive += [(index, shares.total_axes) for shares, pair in zip(self.shares, share_ids) for index in pair]
        for index, total_axes in additive:
            for axis in total_axes:
                lines = np.moveaxis(index, axis, -1).reshape(-1, index.shape[axis])
                lines = lines[(lines >= 0).all(axis=1)]
                if not len(lines):
                    continue
                numbers = np.arange(relation, relation + len(lines))
                add(np.repeat(numbers, lines.shape[1]), lines.ravel(),
                    np.tile(np.r_[np.ones(lines.shape[1] - 1), -1.0], len(lines)))
                relation += len(lines)
        self.relations = relation  # equalities (sums); the shares' inequalities follow (row <= 0)
        self.aux_lo, self.aux_hi, aux_truth = [], [], []
        # each shown share: where it is shown, its count, its denominator and its two rows (to hide it later)
        self.shown_shares, shown_ids = [], []
        for shares, (denominator, numerator) in zip(self.shares, share_ids):
            where = shares.published
            d, y = denominator[where], numerator[where]
            count_ids = self.ids[self.entries.index(shares.counts)]
            c = np.broadcast_to(count_ids.reshape(count_ids.shape + (1,) * (where.ndim - count_ids.ndim)),
                                where.shape)[where]
            shown = shares.displayed()[where]
            value = np.array([v if isinstance(v, float) else np.nan for v in shown], dtype=float)
            known = ~np.isnan(value)
            half = 0.5 * 10.0 ** -shares.decimals + 1e-9
            k = len(d)
            pairs = [(d, c, np.ones(k), -np.ones(k), np.ones(k, dtype=bool)),           # denominator <= count
                     (y, d, np.ones(k), -np.full(k, shares.most), np.ones(k, dtype=bool)),  # numerator <= most x it
                     (y, d, np.full(k, shares.scale), -(value + half), known),       # scale x y <= (v + h) d
                     (d, y, value - half, -np.full(k, shares.scale), known)]         # (v - h) d <= scale x y
            bounds_rows = []
            for first, second, a, b, chosen in pairs:
                n = int(chosen.sum())
                numbers = np.arange(relation, relation + n)
                add(np.r_[numbers, numbers], np.r_[first[chosen], second[chosen]], np.r_[a[chosen], b[chosen]])
                relation += n
                bounds_rows.append(numbers)
            grid = shares.counts.published.ndim
            upper, lower = np.full(k, -1), np.full(k, -1)
            upper[known], lower[known] = bounds_rows[2], bounds_rows[3]
            kinds = np.where(known, 0, np.where([v == SUPPRESSED for v in shown], 1, 2))
            for at, *ids in zip(np.argwhere(where), c, d, y, upper, lower, kinds):
                self.shown_shares.append((shares, int(at[grid]) if len(at) > grid else 0, tuple(at[:grid])))
                shown_ids.append(ids)
            least = np.zeros(k)
            least[known] = max(shares.counts.table.min_count, 1)
            if shares.whole and known.any():
                least[known] = np.maximum(least[known], smallest_denominator(value[known], shares.scale,
                                                                             shares.decimals))
            least[np.array([v == SUPPRESSED for v in shown], dtype=bool)] = 1.0
            none = np.array([v == NOT_APPLICABLE for v in shown], dtype=bool)
            self.aux_lo += [least, np.zeros(k)]
            self.aux_hi += [np.where(none, 0.0, np.inf), np.where(none, 0.0, np.inf)]
            aux_truth += [shares.denominators[where].astype(float), shares.numerators[where].astype(float)]
        self.row_lo = np.r_[np.zeros(self.relations), np.full(relation - self.relations, -np.inf)]
        self.row_hi = np.zeros(relation)
        self.aux_truth = np.concatenate(aux_truth) if aux_truth else np.zeros(0)
        self.aux_lo = np.concatenate(self.aux_lo) if aux_truth else np.zeros(0)
        self.aux_hi = np.concatenate(self.aux_hi) if aux_truth else np.zeros(0)
        #: per share: its count, denominator, numerator, two rows (-1: none) and 0 shown, 1 "[c]", 2 "[z]"
        self.share_ids = np.array(shown_ids, dtype=np.int64).reshape(-1, 6)
        self.share_open = np.ones(len(shown_ids), dtype=bool)
        empty = np.zeros(0)
        self.matrix = sp.csr_matrix((np.concatenate(coefs or [empty]),
                                     (np.concatenate(rows or [empty]).astype(np.int64),
                                      np.concatenate(cols or [empty]).astype(np.int64))),
                                    shape=(relation, total))
        self.refresh()

    def refresh(self) -> None:
        """The attacker's bounds, the truth and the required ranges from each table's current status."""
        def flat(attribute):
            return np.concatenate([getattr(e.table, attribute)[e.published] for e in self.entries] or [np.zeros(0)])

        counts, status = flat("counts").astype(float), flat("status").astype(np.int8)
        minimum = np.concatenate([np.full(int(e.published.sum()), e.table.min_count) for e in self.entries]
                                 or [np.zeros(0)])
        shown = rounded(counts.astype(np.int64))
        label_lo, label_hi = label_range(shown, minimum)
        hidden = status >= PRIMARY
        # a hidden figure's upper end is unbounded; a cap far above anything in the export keeps
        # the programmes bounded, and can only make the audit stricter
        cap = 10.0 * (counts.sum() + self.aux_truth.sum() + 1000.0)
        # a hidden figure may stand for a 0 hidden to protect a neighbour, so it is known only to be 0 or more
        aux = len(self.aux_truth)
        self.lo = np.r_[np.where(status == ZERO, 0.0, np.where(hidden, 0.0, label_lo)), self.aux_lo]
        self.hi = np.r_[np.where(status == ZERO, 0.0, np.where(hidden, cap, label_hi)), np.minimum(self.aux_hi, cap)]
        self.truth = np.r_[counts, self.aux_truth]
        self.status = np.r_[status, np.full(aux, AUXILIARY, dtype=np.int8)]
        # a figure about fewer than min_count people must still be able to be 1 to min_count - 1 (and 2
        # above its truth); one hidden to protect it, or rounded, keeps at least its rounding range; a 0
        # hidden beside one promises nothing (nobody is no one's secret)
        small = status == PRIMARY
        kept = (status == ROUNDED) | ((status == SECONDARY) & (counts > 0))
        self.need_lo = np.r_[np.where(kept, label_lo, np.where(small, 1.0, np.nan)), np.full(aux, np.nan)]
        self.need_hi = np.r_[np.where(kept, label_hi, np.where(small, np.maximum(minimum - 1, counts + 2), np.nan)),
                             np.full(aux, np.nan)]

    def hide_shares_near(self, variable: int) -> tuple[np.ndarray, np.ndarray]:
        """Hide the shares beside ``variable`` or beside a figure in one of its sums, where hiding counts cannot
        help; the unknowns whose bounds widen and the rows no longer holding.

        Shown shares first; where none is left, the "[c]" and "[z]" shares there all become "[c]",
        each then standing for a share of anyone or of nobody (as a hidden count may be 0),
        so none of them says any more that its denominator is 1 or more.
        """
        column = self.matrix[:, variable].tocoo()
        near = np.isin(self.share_ids[:, 0], [variable, *self.matrix[column.row[column.row < self.relations]].indices])
        chosen = near & self.share_open & (self.share_ids[:, 5] == 0)
        if not chosen.any():
            chosen = near & self.share_open
        for number in np.flatnonzero(chosen):
            shares, pair, where = self.shown_shares[number]
            display, hidden = shares.shown[pair]
            display[where], hidden[where] = SUPPRESSED, True
        self.share_open[chosen] = False
        self.shares_hidden += int((chosen & (self.share_ids[:, 5] != 1)).sum())
        denominators, numerators = self.share_ids[chosen, 1], self.share_ids[chosen, 2]
        shown = self.share_ids[chosen, 5] == 0
        # a share hidden from view still says its denominator is 1 or more; one of many "[c]" there, nothing
        self.aux_lo[denominators - self.counted] = np.where(shown, 1.0, 0.0)
        self.aux_hi[denominators - self.counted] = self.aux_hi[numerators - self.counted] = np.inf
        rows = np.r_[self.share_ids[chosen, 3], self.share_ids[chosen, 4]]
        rows = rows[rows >= 0]
        self.row_lo[rows], self.row_hi[rows] = -np.inf, np.inf
        return np.r_[denominators, numerators], rows

    def locate(self, variable: int) -> tuple[Entry, tuple]:
        number = int(np.searchsorted(self.offsets, variable, side="right") - 1)
        entry = self.entries[number]
        where = tuple(int(i) for i in np.argwhere(self.ids[number] == variable)[0])
        return entry, where


class _Programme:
    """One block's linear programme, built once and re-solved with only its objective (or a few bounds) changed.

    :func:`scipy.optimize.linprog` builds and solves every programme from scratch. HiGHS
    itself (through ``highspy``) keeps the model and its last optimal basis: after an
    objective change that basis is still feasible, so the next optimum is a fraction of a
    cold solve away (the national demo year's 202 programmes: 0.5 s warm, 2.6 s cold), and
    widening a bound (a figure hidden by the audit) keeps it feasible too. ``highspy._Highs`` is the solver without the Python wrapper's callback
    machinery, which also prints a banner on stdout the first time it is made.
    """

    def __init__(self, matrix: sp.csr_matrix, lo: np.ndarray, hi: np.ndarray, row_lo: np.ndarray | None = None,
                 row_hi: np.ndarray | None = None):
        import highspy

        n, m = matrix.shape[1], matrix.shape[0]
        columns = sp.csc_matrix(matrix)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.zeros(n), lo, hi
        lp.row_lower_ = np.zeros(m) if row_lo is None else np.asarray(row_lo, dtype=float)
        lp.row_upper_ = np.zeros(m) if row_hi is None else np.asarray(row_hi, dtype=float)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = n, m
        lp.a_matrix_.start_, lp.a_matrix_.index_, lp.a_matrix_.value_ = (
            columns.indptr.astype(np.int32), columns.indices.astype(np.int32), columns.data.astype(float))
        self.highs = highspy._Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.passModel(lp)
        self.cost, self.optimal = np.zeros(n), highspy.HighsModelStatus.kOptimal

    def solve(self, objective: np.ndarray, primal: bool = False) -> np.ndarray:
        """A feasible table minimising ``objective``, from the last optimal basis.

        ``primal``: by the primal simplex method, which starts from the last optimum as a
        feasible table and walks towards the new one; for one figure's own objective it
        takes half the time of the dual method, while for a sum of many figures the dual
        method's optimum proves more of them at once (measured on the national demo year).
        """
        changed = np.flatnonzero(objective != self.cost)
        if len(changed):
            self.highs.changeColsCost(len(changed), changed.astype(np.int32), objective[changed].astype(float))
            self.cost = objective.astype(float)
        self.highs.setOptionValue("simplex_strategy", PRIMAL if primal else DUAL)
        self.highs.run()
        if self.highs.getModelStatus() != self.optimal:  # numerical trouble from the old basis: once from scratch
            self.highs.clearSolver()
            self.highs.run()
        if self.highs.getModelStatus() != self.optimal:
            raise DisclosureError("The attacker check could not be completed, so nothing was written.")
        return np.asarray(self.highs.getSolution().col_value)

    def binding(self) -> np.ndarray:
        """The figures whose bounds hold the last optimum where it is (their reduced cost is not 0).

        Together they are the reason a figure could not reach the end of its range: widening
        none of them leaves that optimum where it was, so one of them must be hidden.
        """
        return np.flatnonzero(np.abs(np.asarray(self.highs.getSolution().col_dual)) > TOLERANCE)

    def relax(self, positions: np.ndarray) -> None:
        """Rows that no longer hold (a share hidden): only ever a wider set of tables, as :meth:`widen`."""
        if len(positions):
            inf = np.full(len(positions), np.inf)
            self.highs.changeRowsBounds(len(positions), positions.astype(np.int32), -inf, inf)

    def widen(self, positions: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> None:
        """New bounds for some figures: only ever wider (a figure hidden), so every earlier table stays feasible."""
        if len(positions):
            self.highs.changeColsBounds(len(positions), positions.astype(np.int32), lo.astype(float),
                                        hi.astype(float))


class _Auditor:
    """The audit of one export, kept across :func:`secure`'s rounds of hiding more.

    Hiding a figure only widens its bounds (a rounded 10 becomes 0 or more, a 0 becomes 0
    or more), so every table feasible before stays feasible: a figure proven to reach the
    end of its range stays proven, and each later round checks only the figures not yet
    proven and those just hidden (whose promise changed), in the blocks they belong to,
    re-using each block's programme.
    """

    def __init__(self, entries: list[Entry]):
        self.problem = problem = _Problem(entries)
        n, r = problem.size, problem.matrix.shape[0]
        incidence = abs(problem.matrix)
        graph = sp.bmat([[None, incidence.T], [incidence, None]], format="csr") if r else sp.csr_matrix((n, n))
        count, labels = connected_components(graph, directed=False)
        self.variable_blocks, relation_blocks = labels[:n], labels[n:]
        has_relation = np.bincount(relation_blocks, minlength=count) > 0 if r else np.zeros(count, dtype=bool)
        order = np.argsort(self.variable_blocks, kind="stable")
        starts = np.searchsorted(self.variable_blocks[order], np.arange(count + 1))
        relation_order = np.argsort(relation_blocks, kind="stable")
        relation_starts = np.searchsorted(relation_blocks[relation_order], np.arange(count + 1))
        self.blocks = {int(b): (order[starts[b]:starts[b + 1]], relation_order[relation_starts[b]:relation_starts[b + 1]])
                       for b in np.flatnonzero(has_relation)}
        self.programmes: dict[int, _Programme] = {}
        self.proven_lo, self.proven_hi = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        self.solved = 0
        #: for each figure found unsafe, the figures whose bounds pinned it (see :meth:`_Programme.binding`)
        self.blockers: dict[int, np.ndarray] = {}

    def run(self, changed: set[int] | None = None, relaxed: np.ndarray | None = None) -> AuditResult:
        """Audit every block; ``changed``: the figures hidden since the last run (their bounds are widened);
        ``relaxed``: the rows of shares hidden since then."""
        problem = self.problem
        problem.refresh()
        changed_array = np.array(sorted(changed or ()), dtype=np.int64)
        relaxed = np.zeros(0, dtype=np.int64) if relaxed is None else np.asarray(relaxed, dtype=np.int64)
        self.proven_lo[changed_array] = self.proven_hi[changed_array] = False  # their promise changed
        result = AuditResult(figures=problem.size, relations=problem.relations, blocks=len(self.blocks))
        before = self.solved
        for block, (variables, relations) in self.blocks.items():
            if block in self.programmes and len(changed_array):
                positions = np.flatnonzero(np.isin(variables, changed_array))
                self.programmes[block].widen(positions, problem.lo[variables[positions]],
                                             problem.hi[variables[positions]])
            if block in self.programmes and len(relaxed):
                self.programmes[block].relax(np.flatnonzero(np.isin(relations, relaxed)))
            # a block with nothing left to prove costs nothing
            result.unsafe += self._block(block, variables, relations)
        result.programmes = self.solved - before
        # a figure in no relation keeps the range its own label gives it, so it is checked by construction
        result.checked = int((~np.isnan(problem.need_lo)).sum())
        return result

    def _block(self, block: int, variables: np.ndarray, relations: np.ndarray) -> list[int]:
        """The variables of one block whose derivable range is narrower than required."""
        problem = self.problem
        truth = problem.truth[variables]
        need_lo, need_hi = problem.need_lo[variables], problem.need_hi[variables]
        open_lo = ~np.isnan(need_lo) & (truth > need_lo + TOLERANCE) & ~self.proven_lo[variables]
        open_hi = ~np.isnan(need_hi) & (truth < need_hi - TOLERANCE) & ~self.proven_hi[variables]
        if not open_lo.any() and not open_hi.any():
            return []
        if block not in self.programmes:
            self.programmes[block] = _Programme(problem.matrix[relations][:, variables], problem.lo[variables],
                                                problem.hi[variables], problem.row_lo[relations],
                                                problem.row_hi[relations])
        programme = self.programmes[block]
        widths = np.maximum(problem.hi[variables] - problem.lo[variables], 1.0)

        def learn(x):
            self.solved += 1
            open_lo[x <= need_lo + TOLERANCE] = False
            open_hi[x >= need_hi - TOLERANCE] = False

        # many figures at once: every one reaching its end in the optimum of their sum is proven
        for sign, opened in ((-1.0, open_hi), (1.0, open_lo)):
            while opened.any():
                before = int(open_lo.sum() + open_hi.sum())
                learn(programme.solve(sign * opened / widths))
                if int(open_lo.sum() + open_hi.sum()) == before:
                    break
        unsafe = []
        for sign, opened in ((-1.0, open_hi), (1.0, open_lo)):
            for position in np.flatnonzero(opened):
                if not opened[position]:  # proven meanwhile by another figure's optimum
                    continue
                objective = np.zeros(len(variables))
                objective[position] = sign
                learn(programme.solve(objective, primal=True))
                if opened[position]:
                    unsafe.append(int(variables[position]))
                    self.blockers[int(variables[position])] = variables[programme.binding()]
        self.proven_lo[variables] |= ~open_lo
        self.proven_hi[variables] |= ~open_hi
        # the unsafe stay unproven: each is hidden-around and checked again
        return unsafe


def audit(entries: list[Entry]) -> tuple[AuditResult, _Problem]:
    """The attacker's tightest ranges for every figure, checked against what each label says."""
    auditor = _Auditor(entries)
    return auditor.run(), auditor.problem


def _partners(problem: _Problem, variable: int) -> list[int]:
    """What to hide so that ``variable`` is no longer pinned: the smallest rounded part of each of its relations."""
    chosen = []
    column = problem.matrix[:, variable].tocoo()
    for relation in column.row[column.row < problem.relations]:  # the sums, not the shares' inequalities
        row = problem.matrix[relation].tocoo()
        members, coefs = row.col, row.data
        candidates = (problem.status[members] == ROUNDED) & (members != variable)
        if not candidates.any():  # a shown 0 beside a hidden figure can tell the attacker it is all there is
            candidates = (problem.status[members] == ZERO) & (members != variable)
        if not candidates.any():
            continue
        parts = candidates & (coefs > 0)  # a part rather than the total, where there is one
        pool = members[parts] if parts.any() else members[candidates]
        chosen.append(int(pool[np.argmin(problem.truth[pool])]))
    if not chosen and problem.status[variable] == ROUNDED:
        chosen.append(variable)
    return chosen


def _complement(auditor: _Auditor, variable: int) -> list[int]:
    """The one figure to hide next for an unsafe ``variable``: the cheapest that widens its range.

    As tau-Argus's optimal method does, the cost of hiding a figure is its own count
    (a small service's figure before the whole provider's) and only a figure whose bound
    holds the attacker's optimum is a candidate: hiding any other would not move it
    (:meth:`_Programme.binding`). Hiding one figure per unsafe figure and auditing again
    keeps the pattern small. Empty where no count's bound holds it: then :func:`secure` hides
    the shares beside it (:meth:`_Problem.hide_shares_near`), or else tries the older rule
    (:func:`_partners`).
    """
    problem = auditor.problem
    blockers = auditor.blockers.get(variable, np.zeros(0, dtype=np.int64))
    blockers = blockers[blockers != variable]
    for status in (ROUNDED, ZERO):  # a shown 0 only when no rounded figure holds it: "nobody" is worth keeping
        candidates = blockers[problem.status[blockers] == status]
        if len(candidates):
            return [int(candidates[np.argmin(problem.truth[candidates])])]
    return []


def secure(entries: list[Entry]) -> AuditResult:
    """Audit; while any figure is unsafe, hide more and audit again; refuse if that cannot help."""
    auditor = _Auditor(entries)
    problem = auditor.problem
    hidden_more, programmes, changed, relaxed = 0, 0, None, None
    for rounds in range(1, MAX_ROUNDS + 1):
        result = auditor.run(changed, relaxed)
        programmes += result.programmes
        if result.safe:
            result.hidden_more, result.programmes, result.rounds = hidden_more, programmes, rounds
            result.shares_hidden = problem.shares_hidden
            return result
        more, widened, relaxed = set(), [], []
        for variable in result.unsafe:
            chosen = _complement(auditor, variable)
            if not chosen:  # no count holds it: a share beside it does
                variables, rows = problem.hide_shares_near(variable)
                widened.append(variables), relaxed.append(rows)
                if len(variables):
                    continue
                chosen = _partners(problem, variable)
            more.update(chosen)
        widened = np.concatenate(widened) if widened else np.zeros(0, dtype=np.int64)
        if not more and not len(widened):
            break
        for variable in more:
            entry, where = problem.locate(variable)
            entry.table.hide(where)
        hidden_more += len(more)
        changed = more | set(widened.tolist())
        relaxed = np.concatenate(relaxed) if relaxed else None
    entry, where = problem.locate(result.unsafe[0])
    raise DisclosureError(f"Nothing was written: a figure on the {entry.name} sheet could still be worked out from "
                          "the others however many more were hidden; export a longer period or use fewer services.")


__all__ = ["AuditResult", "DisclosureError", "Entry", "SECONDARY", "Shares", "audit", "secure"]
