"""Small-group suppression that survives subtraction. Pure: integers in, a mask out.

A table of counts (rows: organisations or grades; columns: people, mentees, mentors) is shown
with every count of 1 to 4 hidden ("primary" suppression, SMALL_GROUP in definitions.py). That
alone is not enough: a row showing People 8 and Mentors 5 gives away a hidden mentee count of 3,
and a single hidden row in a column whose total is on the headline is the total minus the rest.
So cells are hidden until no hidden cell can be worked out from the figures that are shown
("secondary", or complementary, suppression): for every line whose total an onlooker can know (a
row, where people = mentees + mentors, and a column, whose total is published), the interval of
values each hidden cell could take, given the shown cells and what is known of the hidden ones
(a primary cell is 1 to 4, a secondary one at least 5), must hold more than one value. While a
cell is pinned down, the smallest shown count of one of its lines is hidden too.

Written once and used wherever a breakdown appears: the dashboards, their CSV, the API.
"""

from __future__ import annotations

from dataclasses import dataclass

from .definitions import SMALL_GROUP

BIG = 10**9
LOOK_AHEAD = 4  # candidate cells tried per round (see suppress)


@dataclass(frozen=True)
class Line:
    """sum(coefficient x cell) == total, for cells given as (row, column, coefficient)."""

    cells: tuple[tuple[int, int, int], ...]
    total: int


def breakdown_lines(table: list[list[int]], *, row_equation: bool = True) -> list[Line]:
    """The lines of a breakdown whose columns are (people, mentees, mentors): each row's
    people = mentees + mentors (when ``row_equation``), and each column's published total."""
    lines = []
    if row_equation:
        for r in range(len(table)):
            lines.append(Line(cells=((r, 0, -1), (r, 1, 1), (r, 2, 1)), total=0))
    for c in range(len(table[0]) if table else 0):
        lines.append(
            Line(cells=tuple((r, c, 1) for r in range(len(table))), total=sum(t[c] for t in table))
        )
    return lines


def _bounds(value: int, hidden: str | None) -> tuple[int, int]:
    if hidden is None:
        return value, value
    if hidden == "primary":
        return 1, SMALL_GROUP - 1
    return SMALL_GROUP, BIG


def _propagate(lines: list[Line], table, mask) -> dict[tuple[int, int], tuple[int, int]]:
    """What an onlooker can know of each hidden cell: its interval after tightening every line
    against every other until nothing changes (so constraints that only bite together, across a
    row and a column, are found too)."""
    bounds = {
        (r, c): _bounds(table[r][c], mask[r][c])
        for r, row in enumerate(table)
        for c in range(len(row))
    }
    changed = True
    while changed:
        changed = False
        for line in lines:
            # The line's sum over every cell once; each cell's "rest" is that minus itself, so a
            # pass costs O(cells) per line, not O(cells²) (columns are as long as the table).
            lo_all = hi_all = 0
            for r, c, a in line.cells:
                lo, hi = bounds[(r, c)]
                lo_all += a * (lo if a > 0 else hi)
                hi_all += a * (hi if a > 0 else lo)
            for r, c, a in line.cells:
                if mask[r][c] is None:
                    continue
                lo, hi = bounds[(r, c)]
                lo_rest = lo_all - a * (lo if a > 0 else hi)
                hi_rest = hi_all - a * (hi if a > 0 else lo)
                # a * x = total - rest, with rest in [lo_rest, hi_rest]
                ends = sorted(((line.total - lo_rest) * a, (line.total - hi_rest) * a))
                new = (max(lo, ends[0]), min(hi, ends[1]))
                if new != (lo, hi) and new[0] <= new[1]:
                    bounds[(r, c)] = new
                    changed = True
                    # Keep the line's sums in step with the tightened cell.
                    lo_all += a * ((new[0] - lo) if a > 0 else (new[1] - hi))
                    hi_all += a * ((new[1] - hi) if a > 0 else (new[0] - lo))
    return bounds


def _pinned(lines: list[Line], table, mask) -> list[tuple[int, int]]:
    """The hidden cells whose value the shown figures give away."""
    bounds = _propagate(lines, table, mask)
    return [
        (r, c)
        for r, row in enumerate(mask)
        for c, m in enumerate(row)
        if m is not None and bounds[(r, c)][0] >= bounds[(r, c)][1]
    ]


def suppress(table: list[list[int]], lines: list[Line] | None = None) -> list[list[str | None]]:
    """For each cell: None (shown), "primary" (1 to 4) or "secondary" (hidden so that no
    hidden cell can be worked out). Zeros are shown and never hidden (so every hidden cell is
    known to be at least 1). When no choice of cells protects the hidden ones, every cell is
    hidden (see :func:`all_hidden`)."""
    lines = breakdown_lines(table) if lines is None else lines
    mask: list[list[str | None]] = [
        ["primary" if 0 < v < SMALL_GROUP else None for v in row] for row in table
    ]
    # A row whose people count is small hides the whole row: its split is about those people.
    for r, row in enumerate(table):
        if row and mask[r][0] == "primary":
            for c in range(1, len(row)):
                if mask[r][c] is None and row[c] > 0:
                    mask[r][c] = "secondary"
    for _ in range(len(table) * (len(table[0]) if table else 0) + 1):
        pinned = _pinned(lines, table, mask)
        if not pinned:
            return mask
        # Candidates: in each line through a pinned cell, its smallest shown count (the
        # least information lost). Hide the one that leaves the fewest cells pinned: a few
        # look-aheads, not one per shown cell, so a table of hundreds of groups stays fast.
        through = set(pinned)
        candidates = set()
        for ln in lines:
            if not any((r, c) in through for r, c, _ in ln.cells):
                continue
            shown_here = [
                (table[r][c], r, c)
                for r, c, _ in ln.cells
                if mask[r][c] is None and table[r][c] > 0
            ]
            if shown_here:
                candidates.add(min(shown_here)[1:])
        if not candidates:
            # Nothing left to hide, and a hidden cell is still pinned down (a tiny table: two
            # groups of one). Hide everything: the caller shows no breakdown at all.
            return [["secondary"] * len(row) for row in table]

        def cost(cell):
            r, c = cell
            mask[r][c] = "secondary"
            left = len(_pinned(lines, table, mask))
            mask[r][c] = None
            return (left, table[r][c], r, c)

        # Look ahead only from the few smallest candidates: enough to find the column that
        # protects a cell, cheap enough for a breakdown of hundreds of groups.
        few = sorted(candidates, key=lambda cell: (table[cell[0]][cell[1]], cell))[:LOOK_AHEAD]
        shown = [min(cost(cell) for cell in few)[1:]]
        _, r, c = min(shown)
        mask[r][c] = "secondary"
    return [["secondary"] * len(row) for row in table]


def all_hidden(mask) -> bool:
    """The breakdown must not be shown at all (not even its labels)."""
    return all(m is not None for row in mask for m in row)
