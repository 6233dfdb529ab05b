"""The disclosure audit's fast paths against the plain method, on small generated tables.

The audit keeps each block's HiGHS model, re-solves it warm with only the objective
changed, carries proofs from one round of hiding more to the next, and hides only the
cheapest figure whose bound holds an unsafe figure's optimum. None of that may change a
verdict: here the same tables are audited figure by figure with
:func:`scipy.optimize.linprog` from scratch (each figure's own minimum and maximum); what
secure keeps must pass that plain check, and wherever the older rule of hiding more (every
relation's smallest part) could make the tables safe, secure must too. Distinct people are
counted against Python sets.
"""

import copy
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import scipy.sparse as sp
from scipy.optimize import linprog

from pcp_widgets.audit.analysis.disclosure import (
    PRIMARY,
    ROUNDED,
    SECONDARY,
    SUPPRESSED,
    Protected,
    distinct_people,
    protect_derived,
    with_totals,
)
from pcp_widgets.audit.analysis.disclosure_audit import (
    MAX_ROUNDS,
    TOLERANCE,
    DisclosureError,
    Entry,
    Shares,
    _partners,
    _Problem,
    _Programme,
    audit,
    secure,
    smallest_denominator,
)


def plain_unsafe(entries: list[Entry]) -> tuple[set[int], _Problem]:
    """Every figure's exact range by two cold linprog calls, and those narrower than their promise."""
    problem = _Problem(entries)
    bounds = np.column_stack([problem.lo, problem.hi])
    equal = problem.matrix[:problem.relations]  # sums; a share's relations after them are "at most 0"
    at_most = problem.matrix[problem.relations:] if problem.matrix.shape[0] > problem.relations else None
    unsafe = set()
    for i in range(problem.size):
        if np.isnan(problem.need_lo[i]):
            continue
        ends = []
        for sign in (1.0, -1.0):
            c = np.zeros(problem.size)
            c[i] = sign
            result = linprog(c, A_eq=equal, b_eq=np.zeros(problem.relations), A_ub=at_most,
                             b_ub=np.zeros(at_most.shape[0]) if at_most is not None else None, bounds=bounds,
                             method="highs")
            assert result.status == 0, result.message
            ends.append(result.x[i])
        if ends[0] > problem.need_lo[i] + TOLERANCE or ends[1] < problem.need_hi[i] - TOLERANCE:
            unsafe.add(i)
    return unsafe, problem


def plain_secure(entries: list[Entry]) -> bool:
    """The older rule's rounds (every relation's smallest part) with the plain check: True when every figure
    ends safe, False when it gives up."""
    for _ in range(MAX_ROUNDS):
        unsafe, problem = plain_unsafe(entries)
        if not unsafe:
            return True
        more = {p for variable in unsafe for p in _partners(problem, variable)}
        if not more:
            return False
        for variable in more:
            entry, where = problem.locate(variable)
            entry.table.hide(where)
    return False


@st.composite
def tables(draw):
    """One to three small tables of counts (two or three ways) with their totals, the people behind each
    cell (often fewer than the threshold), and which cells are published."""
    entries = []
    for number in range(draw(st.integers(1, 3))):
        shape = tuple(draw(st.lists(st.integers(1, 4), min_size=2, max_size=3)))
        total_axes = tuple(sorted(draw(st.sets(st.integers(0, len(shape) - 1), min_size=1))))
        cells = int(np.prod(shape))
        counts = np.array(draw(st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 6, 9, 12, 20]), min_size=cells,
                                        max_size=cells))).reshape(shape)
        people = np.minimum(counts, np.array(draw(st.lists(st.integers(1, 12), min_size=cells,
                                                           max_size=cells))).reshape(shape))
        full = tuple(size + (axis in total_axes) for axis, size in enumerate(shape))
        body = tuple(slice(0, size) for size in shape)
        padded_counts, padded_people = np.zeros(full, dtype=np.int64), np.zeros(full, dtype=np.int64)
        padded_counts[body], padded_people[body] = counts, people
        with_totals(padded_counts, total_axes)
        with_totals(padded_people, total_axes)  # at least as many as any part: an upper bound will do here
        published = np.array(draw(st.lists(st.booleans(), min_size=int(np.prod(full)),
                                           max_size=int(np.prod(full))))).reshape(full)
        if draw(st.booleans()):
            published[:] = True
        entries.append(Entry(f"T{number}", Protected(padded_counts, padded_people, 5), published, total_axes))
    return entries


@settings(max_examples=40, deadline=None)
@given(tables())
def test_the_warm_started_audit_finds_exactly_the_figures_plain_linprog_finds(entries):
    result, problem = audit(entries)
    assert set(result.unsafe) == plain_unsafe(entries)[0]


@settings(max_examples=60, deadline=None)
@given(tables())
def test_hiding_the_cheapest_binding_figure_leaves_nothing_plain_linprog_can_narrow(entries):
    """Wherever the older rule (every relation's smallest part, checked cold) makes the tables safe, so does secure,
    and whatever secure keeps, figure-by-figure linprog from scratch narrows nothing below its promise."""
    plain = copy.deepcopy(entries)
    older_rule_safe = plain_secure(plain)
    try:
        result = secure(entries)
    except DisclosureError:
        assert not older_rule_safe
        return
    assert plain_unsafe(entries)[0] == set()
    assert result.hidden_more == sum(int((e.table.status == SECONDARY).sum()) for e in entries)
    assert all((e.table.status[p.table.status == PRIMARY] == PRIMARY).all() for e, p in zip(entries, plain))


def test_a_small_figure_pinned_by_its_rounded_neighbours_is_protected_by_hiding_more():
    """1 person beside 6, their total 7: the column says the hidden figure is 7 - 6 = at most 2, not 1 to 4."""
    counts = np.array([[1, 0, 1], [6, 0, 6], [7, 0, 7]])
    table = Protected(counts, counts, 5)
    entries = [Entry("Grid", table, np.ones((3, 3), dtype=bool), (0, 1))]
    assert 0 in audit(copy.deepcopy(entries))[0].unsafe
    result = secure(entries)
    assert result.safe and result.hidden_more >= 1
    assert (table.status == SECONDARY).sum() == result.hidden_more
    assert table.status[0, 0] == PRIMARY and plain_unsafe(entries)[0] == set()


@st.composite
def records(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    total_axes = tuple(sorted(draw(st.sets(st.integers(0, len(shape) - 1)))))
    n = draw(st.integers(0, 40))
    coordinates = [draw(st.lists(st.integers(0, size - 1), min_size=n, max_size=n)) for size in shape]
    persons = draw(st.lists(st.integers(0, 6), min_size=n, max_size=n))
    return shape, total_axes, coordinates, persons


@settings(max_examples=80, deadline=None)
@given(records())
def test_distinct_people_behind_each_cell_and_total_match_counting_by_sets(case):
    shape, total_axes, coordinates, persons = case
    full = tuple(size + (axis in total_axes) for axis, size in enumerate(shape))
    cells = np.ravel_multi_index(coordinates, full) if persons else np.zeros(0, dtype=np.int64)
    heads = distinct_people(cells, persons, full, total_axes)
    for where in itertools.product(*(range(size) for size in full)):
        expected = {person for person, *at in zip(persons, *coordinates)
                    if all(w == size or a == w for a, w, size in zip(at, where, shape))}
        assert heads[where] == len(expected), where


def test_distinct_people_count_one_person_once_in_every_total():
    # one person in all four cells of a 2 x 2 table, another in one cell
    cells = np.ravel_multi_index(([0, 0, 1, 1, 1], [0, 1, 0, 1, 1]), (3, 3))
    heads = distinct_people(cells, [7, 7, 7, 7, 9], (3, 3), (0, 1))
    assert heads.tolist() == [[1, 1, 1], [1, 2, 2], [1, 2, 2]]
    assert with_totals(np.array([[1, 2, 0], [3, 4, 0], [0, 0, 0]]), (0, 1)).tolist() == [[1, 2, 3], [3, 4, 7],
                                                                                          [4, 6, 10]]


def test_rounded_cells_keep_their_status_when_nothing_needs_hiding():
    table = Protected(np.array([[10, 20, 30]]), np.array([[10, 20, 30]]), 5)
    result = secure([Entry("Row", table, np.ones((1, 3), dtype=bool), (1,))])
    assert result.safe and result.hidden_more == 0 and (table.status == ROUNDED).all()


def test_a_programme_that_cannot_be_solved_stops_the_export_with_one_sentence():
    """Relations no table can meet (5 = at most 1) are retried from scratch once, then refused."""
    programme = _Programme(sp.csr_matrix(np.array([[1.0, -1.0]])), np.array([5.0, 0.0]), np.array([5.0, 1.0]))
    with pytest.raises(DisclosureError, match="could not be completed, so nothing was written"):
        programme.solve(np.array([1.0, 0.0]))
    programme.widen(np.array([1]), np.array([0.0]), np.array([9.0]))
    assert programme.solve(np.array([0.0, -1.0])).tolist() == [5.0, 5.0]


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 400), st.data())
def test_the_smallest_denominator_of_a_share_is_the_first_count_that_can_give_it(n, data):
    """Shares worked out as the export works them out (metrics: part / whole x 100, then rounded): in floating
    point 51 / 80 x 100 is 63.7499..., shown as 63.7, where 100 x 51 / 80 is 63.75, shown as 63.8."""
    def share(part: int, whole: int) -> float:
        return float(np.round(part / whole * 100, 1))

    k = data.draw(st.integers(0, n))
    shown = share(k, n)
    least = int(smallest_denominator(np.array([shown]))[0])
    assert least <= n
    assert any(share(j, least) == shown for j in range(least + 1))
    assert not any(share(j, m) == shown for m in range(1, least) for j in range(m + 1))


def test_a_share_of_51_in_80_is_found_as_the_export_shows_it():
    """The example that a test computing 100 x k / n first failed on (1 run in 2 or so)."""
    assert float(np.round(51 / 80 * 100, 1)) == 63.7
    least = int(smallest_denominator(np.array([63.7]))[0])
    assert least <= 80 and any(round(j / least * 100, 1) == 63.7 for j in range(least + 1))


def shares_beside(files: int, yes: int, people: int = 6):
    """One service's files audited (and the whole provider's, the same) in one month, with one question's share
    of Yes beside them: yes of ``files`` answered."""
    counts = np.full((2, 2), files)
    table = Protected(counts, np.full((2, 2), people), 5)
    entry = Entry("File audits", table, np.ones((2, 2), dtype=bool), (0, 1))
    display, hidden = protect_derived(100.0 * yes / counts, np.full((2, 2), people), 5)
    shares = Shares("Questions", np.full((2, 2), yes), counts.copy(), [(display, hidden)], entry)
    return [entry, shares], display


def test_a_share_that_would_tell_its_count_more_closely_than_its_rounding_is_hidden():
    """57.1% of 7 files beside "5" (5 to 7): only 7 answers (or 14, ...) give 57.1%, so the count would be 7."""
    entries, display = shares_beside(7, 4)
    result = secure(entries)
    assert (display == SUPPRESSED).all() and result.shares_hidden == 4
    assert plain_unsafe(entries)[0] == set()
    entries, display = shares_beside(12, 4)  # 33.3% beside "10" (8 to 12): 3, 6, 9, 12 answers all give it
    assert secure(entries).shares_hidden == 0 and (display == 33.3).all()
    assert plain_unsafe(entries)[0] == set()


def test_shares_are_relations_the_attacker_can_use():
    """The shares' rows are in the programme: a share shown beside a hidden count says its denominator is at least
    the few counts that give it, and no more than the count."""
    entries, display = shares_beside(12, 4)
    problem = _Problem(entries)
    assert problem.matrix.shape[0] > problem.relations  # the shares' inequalities follow the sums
    assert problem.lo[problem.counted] == 5  # a shown share: about 5 or more people answered
