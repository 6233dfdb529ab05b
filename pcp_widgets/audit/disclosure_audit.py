"""The attacker audit run inside the commissioner export, before anything is written.

An attacker has every figure in the export and knows the rule
(:mod:`pcp_widgets.audit.disclosure`): a rounded ``r`` is a count in its label's range,
a hidden figure is a count of 0 or more (the audit may hide a 0 to protect a neighbour), a 0 is 0. Every published count takes part in
additive relations: a service's categories add up to its total, the services to the whole
provider, the months to the period; the same figure on another sheet or in a chart's cache
is the same unknown. The tightest range the attacker can derive for one figure is the
minimum and maximum of it over everything those relations allow: a linear programme,
solved with HiGHS through :func:`scipy.optimize.linprog`.

A figure is safe when that range is at least as wide as its label says:

* a rounded figure keeps its whole label range (10 stays 8 to 12);
* a hidden figure (about fewer than ``min_count`` people) can still be
  anything from 1 to ``min_count - 1`` and reaches at least 2 above its true value (it is
  never pinned more closely than a rounded figure);
* a figure hidden by the audit to protect another is held to the same (it reads the same,
  "[c]"), unless it is a 0: a 0 is exact on purpose, and working out that nobody stands
  behind a hidden figure points to no one.

To stay fast the relations are split into independent blocks (connected components), and
each figure's two linear programmes are skipped once a feasible table is known in which
the figure already reaches its required end: the true table is one, and each programme
solved (maximising or minimising the sum of the figures still unproven) gives another.
A feasible table reaching the end proves the attacker cannot rule it out; the figures
left unproven get their own programme, which gives their exact range.

Where a figure is not safe, :func:`secure` hides more (the smallest rounded part of each
relation through it) and audits again; if that cannot make every figure safe, the export
is refused (:class:`DisclosureError`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

from pcp_widgets.audit.disclosure import PRIMARY, ROUNDED, SECONDARY, ZERO, Protected, label_range, rounded
from pcp_widgets.errors import PcpError

#: Solutions are floats; a bound within this of the required end reaches it.
TOLERANCE = 1e-6
#: Rounds of hiding more before the export is refused.
MAX_ROUNDS = 30


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
                f"{self.blocks:,} independent blocks with {self.programmes:,} programmes solved. Result: no hidden "
                "figure can be narrowed below its label, and no rounded figure below its rounding range." + more)


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
        # every hidden figure above 0 reads as "could be a small count"; a 0 hidden beside one promises nothing
        protected = hidden & (counts > 0)
        self.need_lo = np.where(status == ROUNDED, label_lo, np.where(protected, 1.0, np.nan))
        self.need_hi = np.where(status == ROUNDED, label_hi,
                                np.where(protected, np.maximum(minimum - 1, counts + 2), np.nan))

    def locate(self, variable: int) -> tuple[Entry, tuple]:
        number = int(np.searchsorted(self.offsets, variable, side="right") - 1)
        entry = self.entries[number]
        where = tuple(int(i) for i in np.argwhere(self.ids[number] == variable)[0])
        return entry, where


def _solve(objective, matrix, lo, hi):
    result = linprog(objective, A_eq=matrix, b_eq=np.zeros(matrix.shape[0]), bounds=np.column_stack([lo, hi]),
                     method="highs")
    if result.status != 0:
        raise DisclosureError("The attacker check could not be completed, so nothing was written.")
    return result.x


def _audit_block(problem: _Problem, variables: np.ndarray, relations: np.ndarray, result: AuditResult) -> list[int]:
    """The variables of one block whose derivable range is narrower than required."""
    matrix = problem.matrix[relations][:, variables]
    lo, hi, truth = problem.lo[variables], problem.hi[variables], problem.truth[variables]
    need_lo, need_hi = problem.need_lo[variables], problem.need_hi[variables]
    open_lo = ~np.isnan(need_lo) & (truth > need_lo + TOLERANCE)
    open_hi = ~np.isnan(need_hi) & (truth < need_hi - TOLERANCE)

    def learn(x):
        open_lo[x <= need_lo + TOLERANCE] = False
        open_hi[x >= need_hi - TOLERANCE] = False

    for sign, still_open in ((-1.0, lambda: open_hi), (1.0, lambda: open_lo)):
        while still_open().any():
            before = int(open_lo.sum() + open_hi.sum())
            widths = np.maximum(hi - lo, 1.0)
            learn(_solve(sign * still_open() / widths, matrix, lo, hi))
            result.programmes += 1
            if int(open_lo.sum() + open_hi.sum()) == before:
                break
    unsafe = []
    for sign, opened, need in ((-1.0, open_hi, need_hi), (1.0, open_lo, need_lo)):
        for position in np.flatnonzero(opened):
            objective = np.zeros(len(variables))
            objective[position] = sign
            x = _solve(objective, matrix, lo, hi)
            result.programmes += 1
            learn(x)
            if opened[position]:
                unsafe.append(int(variables[position]))
    return unsafe


def audit(entries: list[Entry], changed: set[int] | None = None) -> tuple[AuditResult, _Problem]:
    """The attacker's tightest ranges for every figure, checked against what each label says.

    With ``changed`` (variables hidden since an audit that found everything else safe),
    only the blocks holding them are solved again: nothing in the others changed.
    """
    problem = _Problem(entries)
    result = AuditResult(figures=problem.size, relations=problem.relations)
    n, r = problem.size, problem.relations
    incidence = abs(problem.matrix)
    graph = sp.bmat([[None, incidence.T], [incidence, None]], format="csr") if r else sp.csr_matrix((n, n))
    blocks, labels = connected_components(graph, directed=False)
    variable_blocks, relation_blocks = labels[:n], labels[n:]
    has_relation = np.bincount(relation_blocks, minlength=blocks) > 0 if r else np.zeros(blocks, dtype=bool)
    order = np.argsort(variable_blocks, kind="stable")
    starts = np.searchsorted(variable_blocks[order], np.arange(blocks + 1))
    relation_order = np.argsort(relation_blocks, kind="stable")
    relation_starts = np.searchsorted(relation_blocks[relation_order], np.arange(blocks + 1))
    result.blocks = int(has_relation.sum())
    dirty = None if changed is None else set(variable_blocks[list(changed)].tolist())
    for block in np.flatnonzero(has_relation):
        if dirty is not None and block not in dirty:
            continue
        variables = order[starts[block]:starts[block + 1]]
        relations = relation_order[relation_starts[block]:relation_starts[block + 1]]
        result.unsafe += _audit_block(problem, variables, relations, result)
    # a figure in no relation keeps the range its own label gives it, so it is checked by construction
    result.checked = int((~np.isnan(problem.need_lo)).sum())
    return result, problem


def _partners(problem: _Problem, variable: int) -> list[int]:
    """What to hide so that ``variable`` is no longer pinned: the smallest rounded part of each of its relations."""
    chosen = []
    column = problem.matrix[:, variable].tocoo()
    for relation in column.row:
        row = problem.matrix[relation].tocoo()
        members, coefs = row.col, row.data
        rounded_members = members[(problem.status[members] == ROUNDED) & (members != variable)]
        if not len(rounded_members):  # a shown 0 beside a hidden figure can tell the attacker it is all there is
            rounded_members = members[(problem.status[members] == ZERO) & (members != variable)]
        if not len(rounded_members):
            continue
        parts = [m for m in rounded_members if coefs[list(members).index(m)] > 0]
        pool = np.array(parts) if parts else rounded_members
        chosen.append(int(pool[np.argmin(problem.truth[pool])]))
    if not chosen and problem.status[variable] == ROUNDED:
        chosen.append(variable)
    return chosen


def secure(entries: list[Entry]) -> AuditResult:
    """Audit; while any figure is unsafe, hide more and audit again; refuse if that cannot help."""
    hidden_more, programmes, changed = 0, 0, None
    for _ in range(MAX_ROUNDS):
        result, problem = audit(entries, changed)
        programmes += result.programmes
        if result.safe:
            result.hidden_more, result.programmes = hidden_more, programmes
            return result
        more = {p for variable in result.unsafe for p in _partners(problem, variable)}
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
