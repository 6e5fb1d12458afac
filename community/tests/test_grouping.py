"""The stand-up grouping algorithm on synthetic cohorts (no database)."""

import random
import time
from collections import Counter

import pytest

from community.grouping import (
    Participant,
    balanced_sizes,
    choose_group_count,
    evaluate,
    make_groups,
    random_groups,
)

ORGS = [f"Department {i}" for i in range(10)]
ORG_WEIGHTS = [10, 6, 5, 4, 3, 2, 2, 1, 1, 1]  # a few big departments, many small ones
INTERESTS = [f"Interest {i}" for i in range(14)]
GRADES = [3, 4, 4, 5, 5, 6, 7, 8]


def cohort(n: int, seed: int = 1) -> list[Participant]:
    rng = random.Random(seed)
    return [
        Participant(
            id=i,
            organisation=rng.choices(ORGS, ORG_WEIGHTS)[0],
            grade=rng.choice(GRADES),
            interests=frozenset(rng.sample(INTERESTS, rng.randint(1, 4))),
        )
        for i in range(n)
    ]


@pytest.mark.parametrize(
    ("n", "expected"), [(7, [7]), (23, [6, 6, 6, 5]), (60, [7] * 6 + [6] * 3), (9, [5, 4])]
)
def test_group_sizes_are_balanced_and_in_range_where_possible(n, expected):
    assert balanced_sizes(n, choose_group_count(n, 5, 8)) == expected


def test_a_cohort_smaller_than_the_range_is_one_group():
    assert choose_group_count(3, 5, 8) == 1
    assert choose_group_count(0, 5, 8) == 0


def test_bad_size_range_is_refused():
    with pytest.raises(ValueError):
        choose_group_count(10, 6, 5)


@pytest.mark.parametrize("n", [7, 23, 60, 200])
def test_every_person_is_in_exactly_one_balanced_group(n):
    people = cohort(n)
    result = make_groups(people, min_size=5, max_size=8, seed=3)
    placed = [pid for group in result.groups for pid in group]
    assert sorted(placed) == list(range(n))
    sizes = [len(g) for g in result.groups]
    assert max(sizes) - min(sizes) <= 1
    assert all(5 <= s <= 8 for s in sizes)


@pytest.mark.parametrize("n", [23, 60, 200])
def test_objective_beats_random_assignment(n):
    people = cohort(n)
    ours = make_groups(people, min_size=5, max_size=8, seed=0).objective
    randoms = [random_groups(people, min_size=5, max_size=8, seed=s).objective for s in range(20)]
    assert ours > max(randoms)
    assert ours > sum(randoms) / len(randoms) + 0.05


@pytest.mark.parametrize("n", [23, 60, 200])
def test_organisations_are_spread(n):
    people = cohort(n)
    by_id = {p.id: p for p in people}
    result = make_groups(people, min_size=5, max_size=8, seed=0)
    biggest = Counter(p.organisation for p in people).most_common(1)[0][1]
    for group in result.groups:
        orgs = Counter(by_id[pid].organisation for pid in group)
        assert len(orgs) > 1, "no group is all one organisation"
        # No organisation takes more than its fair share of a group, plus one.
        assert max(orgs.values()) <= -(-biggest // len(result.groups)) + 1


def test_no_group_is_all_one_organisation_when_enough_organisations():
    # 6 organisations, 30 people, groups of 5-6: one org per group is possible and is avoided.
    people = [
        Participant(id=i, organisation=f"Org {i // 5}", grade=3 + i % 5, interests=frozenset())
        for i in range(30)
    ]
    result = make_groups(people, min_size=5, max_size=6, seed=0)
    by_id = {p.id: p for p in people}
    for group in result.groups:
        assert len({by_id[pid].organisation for pid in group}) == len(group)


@pytest.mark.parametrize("n", [23, 60, 200])
def test_groups_share_interests_where_possible(n):
    result = make_groups(cohort(n), min_size=5, max_size=8, seed=0)
    for figures in result.figures:
        assert figures.shared_interests
        assert figures.interest_share > 0


def test_seniority_is_mixed():
    result = make_groups(cohort(60), min_size=5, max_size=8, seed=0)
    assert all(f.grades >= 4 for f in result.figures)


def test_same_seed_gives_same_groups():
    people = cohort(60)
    assert make_groups(people, seed=5).groups == make_groups(people, seed=5).groups


def test_reported_objective_matches_an_independent_evaluation():
    people = cohort(60)
    by_id = {p.id: p for p in people}
    result = make_groups(people, seed=1)
    again = evaluate([[by_id[pid] for pid in group] for group in result.groups])
    assert again.objective == pytest.approx(result.objective)


def test_people_without_organisation_or_interests_are_placed():
    people = [Participant(id=f"p{i}") for i in range(12)]
    result = make_groups(people, min_size=5, max_size=8)
    assert sorted(len(g) for g in result.groups) == [6, 6]


def test_duplicate_ids_are_refused():
    with pytest.raises(ValueError):
        make_groups([Participant(id=1), Participant(id=1)])


def test_two_hundred_people_take_under_two_seconds_of_cpu():
    # CPU time, not wall time: a busy machine (other test runs on the same cores) must not fail it.
    people = cohort(200)
    started = time.process_time()
    make_groups(people, min_size=5, max_size=8, seed=0)
    assert time.process_time() - started < 2.0
