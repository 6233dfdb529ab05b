"""The attacker audit run inside the commissioner export, before anything is written.

An attacker has every figure in the export and knows the rule
(:mod:`pcp_widgets.audit.disclosure`): a rounded ``r`` is a count in its label's range,
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

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from pcp_widgets.audit.disclosure import PRIMARY, ROUNDED, SECONDARY, ZERO, Protected, label_range, rounded
from pcp_widgets.errors import PcpError

#: Solutions are floats; a bound within this of the required end reaches it.
TOLERANCE = 1e-6
#: Rounds of hiding more before the export is refused.
MAX_ROUNDS = 30
#: HiGHS's simplex_strategy option: the dual and the primal simplex method.
DUAL, PRIMAL = 1, 4


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
class AuditResult:
    figures: int = 0
    checked: int = 0
    relations: int = 0
    blocks: int = 0
    programmes: int = 0
    hidden_more: int = 0
    #: audits run: the first, and one after each round of hiding more
    rounds: int = 0
    unsafe: list = field(default_factory=list)

    @property
    def safe(self) -> bool:
        return not self.unsafe

    def sentence(self) -> str:
        """What the Contents sheet says about the check."""
        more = (f" To make it so, {self.hidden_more} more figure{'s were' if self.hidden_more != 1 else ' was'} "
                "hidden." if self.hidden_more else "")
        return (f"Checked before this file was written: {self.checked:,} figures were tested against "
                f"{self.relations:,} additive relations (rows, columns, service and provider totals, all months, "
                f"the same figure on another sheet and in the charts) by linear programming (HiGHS), in "
                f"{self.blocks:,} independent blocks with {self.programmes:,} programmes solved. Result: no figure "
                "about fewer than the threshold of people can be narrowed below 1 to the threshold less one, and no "
                "other figure, shown or hidden, below its rounding range." + more)


class _Problem:
    """Every published count as one unknown, and every additive relation among them."""

    def __init__(self, entries: list[Entry]):
        self.entries = entries
        self.offsets, ids, total = [], [], 0
        for entry in entries:
            index = np.full(entry.table.counts.shape, -1, dtype=np.int64)
            count = int(entry.published.sum())
            index[entry.published] = np.arange(total, total + count)
            ids.append(index)
            self.offsets.append(total)
            total += count
        self.ids, self.size = ids, total
        rows, cols, coefs, relation = [], [], [], 0
        for entry, index in zip(entries, ids):
            for axis in entry.total_axes:
                lines = np.moveaxis(index, axis, -1).reshape(-1, index.shape[axis])
                lines = lines[(lines >= 0).all(axis=1)]
                if not len(lines):
                    continue
                numbers = np.arange(relation, relation + len(lines))
                rows.append(np.repeat(numbers, lines.shape[1]))
                cols.append(lines.ravel())
                coefs.append(np.tile(np.r_[np.ones(lines.shape[1] - 1), -1.0], len(lines)))
                relation += len(lines)
        self.relations = relation
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
        cap = 10.0 * (counts.sum() + 1000.0)
        # a hidden figure may stand for a 0 hidden to protect a neighbour, so it is known only to be 0 or more
        self.lo = np.where(status == ZERO, 0.0, np.where(hidden, 0.0, label_lo))
        self.hi = np.where(status == ZERO, 0.0, np.where(hidden, cap, label_hi))
        self.truth, self.status = counts, status
        # a figure about fewer than min_count people must still be able to be 1 to min_count - 1 (and 2
        # above its truth); one hidden to protect it, or rounded, keeps at least its rounding range; a 0
        # hidden beside one promises nothing (nobody is no one's secret)
        small = status == PRIMARY
        kept = (status == ROUNDED) | ((status == SECONDARY) & (counts > 0))
        self.need_lo = np.where(kept, label_lo, np.where(small, 1.0, np.nan))
        self.need_hi = np.where(kept, label_hi, np.where(small, np.maximum(minimum - 1, counts + 2), np.nan))

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

    def __init__(self, matrix: sp.csr_matrix, lo: np.ndarray, hi: np.ndarray):
        import highspy

        n, m = matrix.shape[1], matrix.shape[0]
        columns = sp.csc_matrix(matrix)
        lp = highspy.HighsLp()
        lp.num_col_, lp.num_row_ = n, m
        lp.col_cost_, lp.col_lower_, lp.col_upper_ = np.zeros(n), lo, hi
        lp.row_lower_, lp.row_upper_ = np.zeros(m), np.zeros(m)
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
        n, r = problem.size, problem.relations
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

    def run(self, changed: set[int] | None = None) -> AuditResult:
        """Audit every block; ``changed``: the figures hidden since the last run (their bounds are widened)."""
        problem = self.problem
        problem.refresh()
        changed_array = np.array(sorted(changed or ()), dtype=np.int64)
        self.proven_lo[changed_array] = self.proven_hi[changed_array] = False  # their promise changed
        result = AuditResult(figures=problem.size, relations=problem.relations, blocks=len(self.blocks))
        before = self.solved
        for block, (variables, relations) in self.blocks.items():
            if block in self.programmes and len(changed_array):
                positions = np.flatnonzero(np.isin(variables, changed_array))
                self.programmes[block].widen(positions, problem.lo[variables[positions]],
                                             problem.hi[variables[positions]])
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
                                                problem.hi[variables])
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
    for relation in column.row:
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
    keeps the pattern small; where no bound that holds it can be widened any more, the
    older rule (:func:`_partners`) is tried.
    """
    problem = auditor.problem
    blockers = auditor.blockers.get(variable, np.zeros(0, dtype=np.int64))
    blockers = blockers[blockers != variable]
    for status in (ROUNDED, ZERO):  # a shown 0 only when no rounded figure holds it: "nobody" is worth keeping
        candidates = blockers[problem.status[blockers] == status]
        if len(candidates):
            return [int(candidates[np.argmin(problem.truth[candidates])])]
    return _partners(problem, variable)


def secure(entries: list[Entry]) -> AuditResult:
    """Audit; while any figure is unsafe, hide more and audit again; refuse if that cannot help."""
    auditor = _Auditor(entries)
    problem = auditor.problem
    hidden_more, programmes, changed = 0, 0, None
    for rounds in range(1, MAX_ROUNDS + 1):
        result = auditor.run(changed)
        programmes += result.programmes
        if result.safe:
            result.hidden_more, result.programmes, result.rounds = hidden_more, programmes, rounds
            return result
        more = {p for variable in result.unsafe for p in _complement(auditor, variable)}
        if not more:
            break
        for variable in more:
            entry, where = problem.locate(variable)
            entry.table.hide(where)
        hidden_more += len(more)
        changed = more
    entry, where = problem.locate(result.unsafe[0])
    raise DisclosureError(f"Nothing was written: a figure on the {entry.name} sheet could still be worked out from "
                          "the others however many more were hidden; export a longer period or use fewer services.")


__all__ = ["AuditResult", "DisclosureError", "Entry", "SECONDARY", "audit", "secure"]
