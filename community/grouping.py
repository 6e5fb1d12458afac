"""Stand-up groups for a cohort: balanced, mixed groups of people who share something.

Pure Python, no Django: plain data in, plain data out, so it can be tested and timed alone.

The problem
-----------
Split ``n`` participants into ``k`` groups whose sizes differ by at most one and lie within a
size range the coordinator chooses (e.g. 5-8), so that each group

* mixes **organisations** (people meet colleagues from other departments),
* mixes **seniority** (grades from junior to senior in the same room), and
* **shares interests** (everyone has something in common with someone else in the group).

The objective
-------------
For one group ``g`` of size ``s``:

* ``org(g)`` -- the chance that two different members drawn at random work for different
  organisations: ``1 - sum_o c_o (c_o - 1) / (s (s - 1))``, where ``c_o`` counts members of
  organisation ``o`` (Simpson's diversity). 1 when everyone is from a different organisation,
  0 when all share one. A person with no organisation counts as an organisation of their own.
* ``grade(g)`` -- grade coverage: distinct known grades in the group divided by
  ``min(s, G)``, where ``G`` is the number of distinct known grades in the whole cohort. 1 when
  the group holds as many different grades as it possibly could.
* ``interest(g)`` -- the share of members who have at least one interest in common with another
  member of the group.

``score(g) = s * (W_ORG * org(g) + W_GRADE * grade(g) + W_INTEREST * interest(g))`` with the
weights in :data:`WEIGHTS` (0.4, 0.3, 0.3), and the objective of a grouping is the sum over its
groups divided by ``n``: a number in [0, 1], higher is better. Weighting by size means every
person counts the same, whichever group they are in.

The algorithm
-------------
1. **Group count**: the ``k`` whose balanced sizes (``floor(n/k)`` or ``ceil(n/k)``) all lie in
   the range, with the average size nearest the middle of the range; when no ``k`` fits (9
   people in groups of 5-8) the smallest ``k`` whose groups are not too big; one group when
   ``n`` is at most the largest size.
2. **Greedy seed**: people from the largest organisations first (they are the hardest to
   spread), ties broken at random, each placed in the group with room where the objective rises
   most.
3. **Local search**: passes over the people in random order; for each person, the best
   improving *swap* with someone in another group, or *move* into a smaller group (which keeps
   sizes balanced), is applied. Each evaluation only re-scores the two groups involved, from
   counters. It stops after a pass with no improvement, or after ``max_passes``. For large
   cohorts each person is compared with a random sample of ``candidates`` others, which keeps
   200 people well under a second.

Everything random comes from ``random.Random(seed)``: the same input and seed give the same
groups.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "WEIGHTS",
    "GroupFigures",
    "Grouping",
    "Participant",
    "balanced_sizes",
    "choose_group_count",
    "evaluate",
    "make_groups",
    "random_groups",
]

#: Weight of each part of a group's score; they sum to 1.
WEIGHTS = {"org": 0.4, "grade": 0.3, "interest": 0.3}


@dataclass(frozen=True)
class Participant:
    """A person to place. ``grade`` is an ordinal (higher = more senior) or None if unknown."""

    id: Hashable
    organisation: str = ""
    grade: int | None = None
    interests: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class GroupFigures:
    size: int
    organisations: int
    org_diversity: float
    grades: int
    grade_coverage: float
    interest_share: float
    shared_interests: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class Grouping:
    groups: list[list[Hashable]]
    objective: float
    figures: list[GroupFigures]


def choose_group_count(n: int, min_size: int, max_size: int) -> int:
    if min_size < 1 or max_size < min_size:
        raise ValueError("The size range must be 1 <= min_size <= max_size.")
    if n <= 0:
        return 0
    if n <= max_size:
        return 1
    lo, hi = math.ceil(n / max_size), n // min_size
    if lo > hi:
        return lo
    middle = (min_size + max_size) / 2
    return min(range(lo, hi + 1), key=lambda k: (abs(n / k - middle), k))


def balanced_sizes(n: int, k: int) -> list[int]:
    base, extra = divmod(n, k) if k else (0, 0)
    return [base + 1 if i < extra else base for i in range(k)]


def _org_key(p: Participant) -> str:
    org = " ".join((p.organisation or "").split()).casefold()
    return org or f"\x00{p.id!r}"


class _Group:
    __slots__ = ("grades", "interests", "members", "orgs", "same")

    def __init__(self):
        self.members: list[int] = []
        self.orgs: dict[str, int] = {}
        self.grades: dict[int, int] = {}
        self.interests: dict[str, int] = {}
        self.same = 0  # sum over organisations of c * (c - 1)


class _State:
    """People as indexes, groups as counters, and the score of a group from its counters."""

    def __init__(self, people: Sequence[Participant], k: int):
        self.people = people
        self.org = [_org_key(p) for p in people]
        self.grade = [p.grade for p in people]
        self.ints = [tuple(sorted(set(p.interests))) for p in people]
        self.total_grades = len({g for g in self.grade if g is not None})
        self.groups = [_Group() for _ in range(k)]
        self.where = [-1] * len(people)

    def add(self, gi: int, i: int) -> None:
        g = self.groups[gi]
        g.members.append(i)
        c = g.orgs.get(self.org[i], 0)
        g.same += 2 * c
        g.orgs[self.org[i]] = c + 1
        grade = self.grade[i]
        if grade is not None:
            g.grades[grade] = g.grades.get(grade, 0) + 1
        for x in self.ints[i]:
            g.interests[x] = g.interests.get(x, 0) + 1
        self.where[i] = gi

    def remove(self, gi: int, i: int) -> None:
        g = self.groups[gi]
        g.members.remove(i)
        c = g.orgs[self.org[i]] - 1
        g.same -= 2 * c
        if c:
            g.orgs[self.org[i]] = c
        else:
            del g.orgs[self.org[i]]
        grade = self.grade[i]
        if grade is not None:
            c = g.grades[grade] - 1
            if c:
                g.grades[grade] = c
            else:
                del g.grades[grade]
        for x in self.ints[i]:
            c = g.interests[x] - 1
            if c:
                g.interests[x] = c
            else:
                del g.interests[x]
        self.where[i] = -1

    def parts(self, gi: int, out: int | None = None, inn: int | None = None):
        """(org, grade, interest) of group gi, as if ``out`` left it and ``inn`` joined it.

        Computed from the group's counters without changing them: this is the inner loop.
        """
        g = self.groups[gi]
        members = g.members
        if out is not None:
            members = [m for m in members if m != out]
        if inn is not None:
            members = [*members, inn]
        s = len(members)
        if s == 0:
            return 0.0, 0.0, 0.0
        same = g.same
        org_out = self.org[out] if out is not None else None
        org_in = self.org[inn] if inn is not None else None
        if org_out != org_in:
            if out is not None:
                same -= 2 * (g.orgs[org_out] - 1)
            if inn is not None:
                same += 2 * g.orgs.get(org_in, 0)
        org = 1.0 if s == 1 else 1.0 - same / (s * (s - 1))
        distinct = len(g.grades)
        grade_out = self.grade[out] if out is not None else None
        grade_in = self.grade[inn] if inn is not None else None
        if grade_out != grade_in:
            if grade_out is not None and g.grades[grade_out] == 1:
                distinct -= 1
            if grade_in is not None and grade_in not in g.grades:
                distinct += 1
        cap = min(s, self.total_grades)
        grade = distinct / cap if cap else 1.0
        counts = g.interests
        if out is None and inn is None:
            sharing = sum(1 for m in members if any(counts[x] >= 2 for x in self.ints[m]))
        else:
            delta: dict[str, int] = {}
            if out is not None:
                for x in self.ints[out]:
                    delta[x] = -1
            if inn is not None:
                for x in self.ints[inn]:
                    delta[x] = delta.get(x, 0) + 1
            sharing = 0
            for m in members:
                for x in self.ints[m]:
                    if counts.get(x, 0) + delta.get(x, 0) >= 2:
                        sharing += 1
                        break
        return org, grade, sharing / s

    def score(self, gi: int, out: int | None = None, inn: int | None = None) -> float:
        org, grade, interest = self.parts(gi, out, inn)
        s = len(self.groups[gi].members) - (out is not None) + (inn is not None)
        return s * (
            WEIGHTS["org"] * org + WEIGHTS["grade"] * grade + WEIGHTS["interest"] * interest
        )

    def total(self) -> float:
        n = len(self.people)
        return sum(self.score(gi) for gi in range(len(self.groups))) / n if n else 0.0


def _seed(state: _State, sizes: list[int], rng: random.Random) -> None:
    org_count = Counter(state.org)
    order = list(range(len(state.people)))
    rng.shuffle(order)
    order.sort(key=lambda i: -org_count[state.org[i]])
    for i in order:
        best, best_gain = -1, -math.inf
        for gi, cap in enumerate(sizes):
            if len(state.groups[gi].members) >= cap:
                continue
            gain = state.score(gi, inn=i) - state.score(gi)
            # Prefer emptier groups on a tie, so early people do not all land in group 0.
            gain -= 1e-9 * len(state.groups[gi].members)
            if gain > best_gain:
                best, best_gain = gi, gain
        state.add(best, i)


def _swap_gain(state: _State, a: int, b: int, base: list[float]) -> float:
    ga, gb = state.where[a], state.where[b]
    return state.score(ga, a, b) + state.score(gb, b, a) - base[ga] - base[gb]


def _move_gain(state: _State, a: int, gb: int, base: list[float]) -> float:
    ga = state.where[a]
    return state.score(ga, out=a) + state.score(gb, inn=a) - base[ga] - base[gb]


def _improve(state: _State, rng: random.Random, max_passes: int, candidates: int) -> None:
    n = len(state.people)
    k = len(state.groups)
    if k < 2:
        return
    base = [state.score(gi) for gi in range(k)]
    everyone = list(range(n))
    for _ in range(max_passes):
        improved = False
        order = everyone[:]
        rng.shuffle(order)
        for a in order:
            ga = state.where[a]
            others = everyone if n <= candidates else rng.sample(everyone, candidates)
            best_gain, best = 1e-9, None
            for b in others:
                if state.where[b] == ga:
                    continue
                gain = _swap_gain(state, a, b, base)
                if gain > best_gain:
                    best_gain, best = gain, ("swap", b)
            size_a = len(state.groups[ga].members)
            for gb in range(k):
                if gb != ga and len(state.groups[gb].members) == size_a - 1:
                    gain = _move_gain(state, a, gb, base)
                    if gain > best_gain:
                        best_gain, best = gain, ("move", gb)
            if best is None:
                continue
            kind, target = best
            if kind == "swap":
                gb = state.where[target]
                state.remove(ga, a)
                state.remove(gb, target)
                state.add(ga, target)
                state.add(gb, a)
            else:
                gb = target
                state.remove(ga, a)
                state.add(gb, a)
            base[ga], base[gb] = state.score(ga), state.score(gb)
            improved = True
        if not improved:
            break


def _result(state: _State) -> Grouping:
    groups = [
        [state.people[i].id for i in sorted(g.members, key=lambda i: str(state.people[i].id))]
        for g in state.groups
    ]
    return Grouping(groups=groups, objective=state.total(), figures=_figures(state))


def _figures(state: _State) -> list[GroupFigures]:
    out = []
    for gi, g in enumerate(state.groups):
        org, grade, interest = state.parts(gi)
        shared = tuple(sorted(x for x, c in g.interests.items() if c >= 2))
        out.append(
            GroupFigures(
                size=len(g.members),
                organisations=len(g.orgs),
                org_diversity=round(org, 3),
                grades=len(g.grades),
                grade_coverage=round(grade, 3),
                interest_share=round(interest, 3),
                shared_interests=shared,
                score=round(state.score(gi) / len(g.members), 3) if g.members else 0.0,
            )
        )
    return out


def _check_ids(people: Sequence[Participant]) -> None:
    if len({p.id for p in people}) != len(people):
        raise ValueError("Participant ids must be unique.")


def make_groups(
    people: Iterable[Participant],
    *,
    min_size: int = 5,
    max_size: int = 8,
    seed: int = 0,
    max_passes: int = 8,
    candidates: int = 80,
) -> Grouping:
    """Balanced groups that maximise the objective described in the module docstring."""
    people = list(people)
    _check_ids(people)
    k = choose_group_count(len(people), min_size, max_size)
    if k == 0:
        return Grouping(groups=[], objective=0.0, figures=[])
    rng = random.Random(seed)
    state = _State(people, k)
    _seed(state, balanced_sizes(len(people), k), rng)
    _improve(state, rng, max_passes=max_passes, candidates=candidates)
    return _result(state)


def random_groups(
    people: Iterable[Participant], *, min_size: int = 5, max_size: int = 8, seed: int = 0
) -> Grouping:
    """The baseline: the same balanced sizes, people dealt at random."""
    people = list(people)
    _check_ids(people)
    k = choose_group_count(len(people), min_size, max_size)
    if k == 0:
        return Grouping(groups=[], objective=0.0, figures=[])
    order = list(range(len(people)))
    random.Random(seed).shuffle(order)
    state = _State(people, k)
    gi = 0
    for gi_size, size in enumerate(balanced_sizes(len(people), k)):
        for i in order[gi : gi + size]:
            state.add(gi_size, i)
        gi += size
    return _result(state)


def evaluate(groups: Sequence[Sequence[Participant]]) -> Grouping:
    """The objective and per-group figures of a grouping made elsewhere (e.g. by hand)."""
    people = [p for g in groups for p in g]
    _check_ids(people)
    state = _State(people, len(groups))
    i = 0
    for gi, g in enumerate(groups):
        for _ in g:
            state.add(gi, i)
            i += 1
    return _result(state)
