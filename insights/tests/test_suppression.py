"""Complementary suppression (issue 15, item 4): no hidden cell of a breakdown can be worked out
from the shown cells of its row, its column or the headline totals."""

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from insights.suppression import SMALL_GROUP, all_hidden, breakdown_lines, suppress


def _row(mentees, mentors):
    return [mentees + mentors, mentees, mentors]


def test_a_row_showing_people_and_mentors_does_not_give_away_the_mentees():
    table = [_row(3, 5), _row(10, 10), _row(8, 9)]
    mask = suppress(table)
    assert mask[0][1] == "primary"
    # People 8 and Mentors 5 would give 3: one of them is hidden too.
    assert mask[0][0] is not None or mask[0][2] is not None


def test_a_single_hidden_row_is_not_the_headline_total_minus_the_rest():
    table = [_row(2, 1), _row(10, 10), _row(8, 9)]
    mask = suppress(table)
    assert mask[0] == ["primary", "primary", "primary"]
    hidden_rows = {r for r, row in enumerate(mask) if row[0] is not None}
    assert len(hidden_rows) >= 2


def test_nothing_is_hidden_when_every_count_is_large():
    table = [_row(6, 7), _row(10, 10)]
    assert suppress(table) == [[None] * 3, [None] * 3]


def _solutions(table, mask):
    """Every table consistent with what is shown, the lines' totals and the suppression rule,
    within a small search range, as the cells' possible values."""
    hidden = [(r, c) for r, row in enumerate(mask) for c, m in enumerate(row) if m]
    lines = breakdown_lines(table)
    ranges = []
    for r, c in hidden:
        column_total = sum(row[c] for row in table)
        ranges.append(
            range(1, SMALL_GROUP)
            if mask[r][c] == "primary"
            else range(SMALL_GROUP, column_total + 1)
        )
    possible = {cell: set() for cell in hidden}
    for values in itertools.product(*ranges):
        guess = [row[:] for row in table]
        for (r, c), v in zip(hidden, values, strict=True):
            guess[r][c] = v
        if all(sum(a * guess[r][c] for r, c, a in line.cells) == line.total for line in lines):
            for cell, v in zip(hidden, values, strict=True):
                possible[cell].add(v)
    return possible


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 9)).filter(lambda t: sum(t) > 0),
        min_size=2,
        max_size=3,
    )
)
def test_no_hidden_cell_has_only_one_possible_value(rows):
    table = [_row(a, b) for a, b in rows]
    mask = suppress(table)
    if all_hidden(mask):  # the breakdown is not shown at all
        return
    hidden = sum(1 for row in mask for m in row if m)
    if hidden == 0 or hidden > 5:  # brute force stays small
        return
    for cell, values in _solutions(table, mask).items():
        assert len(values) != 1, (table, mask, cell, values)
