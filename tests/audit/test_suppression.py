"""Small-number suppression: "<5" for 1 to 4, and no hidden count recoverable from a total."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from pcp_widgets.audit.analysis.suppression import (
    SECONDARY,
    primary_mask,
    small_label,
    suppress_counts,
    suppress_derived,
    with_totals,
)


def recoverable(display: np.ndarray, total_axes) -> list[tuple]:
    """Hidden cells a reader could work out: the only hidden figure in a line that has its total.

    With one figure hidden, the line's equation (counts add up to the total) gives it back.
    """
    hidden = np.vectorize(lambda v: isinstance(v, str), otypes=[bool])(display)
    found = []
    for axis in total_axes:
        moved = np.moveaxis(hidden, axis, -1)
        for index in np.ndindex(moved.shape[:-1]):
            if moved[index].sum() == 1:
                position = list(index)
                position.insert(axis, int(np.flatnonzero(moved[index])[0]))
                found.append(tuple(position))
    return found


def test_primary_hides_one_to_four_and_shows_zero():
    counts = np.array([0, 1, 2, 3, 4, 5, 6, 40])
    assert primary_mask(counts).tolist() == [False, True, True, True, True, False, False, False]
    shown = suppress_counts(counts, total_axes=()).shown
    assert shown.tolist() == [0, "<5", "<5", "<5", "<5", 5, 6, 40]


def test_the_label_follows_the_threshold():
    shown = suppress_counts(np.array([0, 1, 9, 10]), min_count=10, total_axes=()).shown
    assert shown.tolist() == [0, "<10", "<10", 10]
    assert small_label(3) == "<3"


def test_with_totals_adds_rows_columns_and_the_grand_total():
    table = with_totals(np.array([[1, 2], [3, 4]]))
    assert table.tolist() == [[1, 2, 3], [3, 4, 7], [4, 6, 10]]


def test_one_small_count_in_a_row_hides_the_next_smallest_too():
    table = with_totals(np.array([[3, 10, 20], [30, 40, 50], [60, 70, 80]]))
    result = suppress_counts(table)
    assert result.shown[0].tolist() == ["<5", SECONDARY, 20, 33]
    assert not recoverable(result.shown, (0, 1))
    assert result.mask.sum() == result.primary.sum() + result.secondary.sum()


def test_the_worked_example_cannot_be_subtracted_back():
    table = with_totals(np.array([[3, 10, 20], [7, 8, 9], [6, 6, 6]]))
    shown = suppress_counts(table).shown
    assert shown.tolist() == [["<5", SECONDARY, 20, 33], [7, 8, 9, 24], [SECONDARY, SECONDARY, 6, 18],
                              [16, 24, 35, 75]]
    assert not recoverable(shown, (0, 1))


def test_a_total_is_hidden_when_the_line_has_no_other_count():
    """A row of one service in one month: its only count small, its total then small too."""
    table = with_totals(np.array([[2, 0, 0], [10, 20, 30]]))
    shown = suppress_counts(table).shown
    assert shown[0].tolist() == ["<5", 0, 0, "<5"]
    assert not recoverable(shown, (0, 1))


def test_zeros_are_never_hidden_to_protect_a_count():
    table = with_totals(np.array([[4, 0, 9], [0, 0, 12]]))
    result = suppress_counts(table)
    assert not (result.mask & (result.counts == 0)).any()
    assert not recoverable(result.shown, (0, 1))


def test_only_axes_with_totals_are_protected():
    """Along an axis with no total there is no equation to solve, so nothing more is hidden."""
    table = with_totals(np.array([[3, 10, 20], [30, 40, 50]]), axes=(1,))
    result = suppress_counts(table, total_axes=(1,))
    assert result.shown.tolist() == [["<5", SECONDARY, 20, 33], [30, 40, 50, 120]]


counts_2d = arrays(np.int64, st.tuples(st.integers(1, 6), st.integers(1, 6)), elements=st.integers(0, 12))
counts_3d = arrays(np.int64, st.tuples(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4)),
                   elements=st.sampled_from([0, 0, 1, 2, 3, 4, 5, 7, 20]))


@settings(max_examples=300, deadline=None)
@given(counts_2d, st.integers(2, 8))
def test_no_hidden_count_can_be_worked_out_in_two_dimensions(counts, min_count):
    table = with_totals(counts)
    result = suppress_counts(table, min_count)
    assert not recoverable(result.shown, (0, 1))
    assert (result.primary == ((table >= 1) & (table < min_count))).all()
    shown = ~result.mask
    assert (result.shown[shown] == table[shown]).all()  # what is shown is true


@settings(max_examples=200, deadline=None)
@given(counts_3d)
def test_no_hidden_count_can_be_worked_out_in_three_dimensions(counts):
    result = suppress_counts(with_totals(counts))
    assert not recoverable(result.shown, (0, 1, 2))


def test_derived_figures_from_few_records_are_hidden_and_none_is_blank():
    shown, hidden = suppress_derived(np.array([12.345, np.nan, 50.0, 80.0]), np.array([4, 0, 10, 5]))
    assert shown.tolist() == [SECONDARY, None, 50.0, 80.0]
    assert hidden.tolist() == [True, False, False, False]


@pytest.mark.parametrize("min_count, expected", [(2, [33.3]), (4, [SECONDARY])])
def test_derived_threshold_follows_min_count(min_count, expected):
    shown, _ = suppress_derived(np.array([100 / 3]), np.array([3]), min_count)
    assert shown.tolist() == expected
