"""Synthetic, realistic-looking cohorts for benchmarks and tests."""

from __future__ import annotations

import numpy as np

from pairing.engine.scoring import Person

__all__ = ["make_cohort", "skill_names", "interest_names"]

_DOMAINS = [
    "Python",
    "SQL",
    "Geospatial",
    "Statistics",
    "Machine learning",
    "Cloud",
    "Security",
    "Frontend",
    "Data engineering",
    "Product",
    "Leadership",
    "Finance",
    "Policy",
    "Design",
    "Communication",
]


def skill_names(n_skills: int = 150) -> dict[int, str]:
    return {k: f"{_DOMAINS[k % len(_DOMAINS)]} {k // len(_DOMAINS) + 1}" for k in range(n_skills)}


def interest_names(n_interests: int = 60) -> dict[int, str]:
    return {k: f"interest-{k}" for k in range(n_interests)}


def make_cohort(
    n_mentees: int,
    n_mentors: int,
    *,
    seed: int = 0,
    n_skills: int = 150,
    n_interests: int = 60,
    n_teams: int | None = None,
    n_orgs: int = 12,
) -> tuple[list[Person], list[Person]]:
    """Mentees and mentors with 3-10 skills from a clustered taxonomy, grades, teams,
    organisations, line managers, timezones, locations and capacities 1-3."""
    rng = np.random.default_rng(seed)
    n_teams = n_teams or max(4, (n_mentees + n_mentors) // 25)
    n_clusters = len(_DOMAINS)
    locations = ["London", "Leeds", "Edinburgh", "Cardiff", "New York", "Sydney", "Remote"]
    loc_tz = {
        "London": 0,
        "Leeds": 0,
        "Edinburgh": 0,
        "Cardiff": 0,
        "New York": -5,
        "Sydney": 10,
        "Remote": 0,
    }
    skill_pop = rng.dirichlet(np.full(n_skills, 0.7))
    int_pop = rng.dirichlet(np.full(n_interests, 0.8))

    def pick(pop, cluster, size):
        # prefer skills of the person's cluster, with popularity skew
        w = pop.copy()
        w[np.arange(len(pop)) % n_clusters == cluster] *= 8
        w /= w.sum()
        return rng.choice(len(pop), size=size, replace=False, p=w)

    def person(pid, is_mentor):
        cluster = int(rng.integers(n_clusters))
        grade = int(np.clip(rng.normal(6 if is_mentor else 3.5, 1.5), 1, 9))
        teaches = {
            int(k): int(np.clip(rng.integers(1, 5) + (1 if is_mentor else -1), 1, 4))
            for k in pick(skill_pop, cluster, int(rng.integers(3, 11)))
        }
        wants = {
            int(k): (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
            for k in pick(skill_pop, cluster, int(rng.integers(3, 8 if is_mentor else 11)))
            if int(k) not in teaches
        }
        loc = locations[int(rng.choice(len(locations), p=[0.35, 0.15, 0.1, 0.1, 0.1, 0.1, 0.1]))]
        team = int(rng.integers(n_teams))
        return Person(
            id=pid,
            email=f"p{pid}@example.org",
            teaches=teaches,
            wants=wants,
            interests={
                int(x)
                for x in rng.choice(
                    n_interests, size=int(rng.integers(2, 8)), replace=False, p=int_pop
                )
            },
            project_skills=(
                {int(x) for x in pick(skill_pop, cluster, int(rng.integers(0, 4)))}
                if not is_mentor
                else set()
            ),
            grade=grade,
            team=team,
            organisation=team % n_orgs,
            line_manager_email=None,
            utc_offset=float(loc_tz[loc] + (rng.integers(-1, 2) if loc == "Remote" else 0)),
            work_start=float(rng.choice([7, 8, 9, 10])),
            work_end=0.0,
            location=loc,
            wants_in_person=bool(rng.random() < 0.2),
            capacity=int(rng.integers(1, 4)) if is_mentor else 0,
        )

    mentors = [person(100_000_000 + j, True) for j in range(n_mentors)]
    mentees = [person(i, False) for i in range(n_mentees)]
    for p in mentors + mentees:
        p.work_end = p.work_start + 8
    # ~2% of mentees have their line manager among the mentors
    for p in mentees:
        if n_mentors and rng.random() < 0.02:
            p.line_manager_email = mentors[int(rng.integers(n_mentors))].email
    return mentees, mentors
