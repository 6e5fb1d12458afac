"""The talent pool's rules, checked against a plain reading of them over random programmes.

The pool is filtered, ordered and cut into pages by the database (recruitment.selectors,
``_pool_halves``). This test writes the rules again the simplest way, in Python over the
models, and compares every row, every filter and the order on random data: entries in mixed
case, people with and without profiles, enrolments of every status in finished and running
cohorts, and the same people in another programme (which must never show).
"""

import datetime as dt
import random

import pytest

from people.models import ProfileSkill
from people.tests.factories import SkillFactory, UserFactory
from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus
from programmes.tests.factories import CohortFactory, EnrolmentFactory
from recruitment import selectors
from recruitment.models import TalentPoolEntry
from recruitment.selectors import (
    MENTEE_ALUMNI,
    NEVER,
    RETURNING_MENTOR,
    talent_pool,
    talent_pool_counts,
    talent_pool_rows,
)

pytestmark = pytest.mark.django_db

NAMES = ["alex Brown", "Alex brown", "Bea Chan", "", "zoe Adams", "Zoë Adams", "bea chan"]
ORGS = ["", "HM Revenue and Customs", "Cabinet Office", "Department for Education"]


def _cohort(programme, rng, status, n):
    cohort = CohortFactory(
        programme=programme,
        name=f"{programme.slug} {n}",
        applications_open=None,
        applications_close=None,
        starts_on=dt.date(2025, 1, 6) + dt.timedelta(days=rng.choice([0, 70, 140])),
        ends_on=dt.date(2026, 12, 1),
    )
    Cohort.objects.filter(pk=cohort.pk).update(status=status)
    cohort.refresh_from_db()
    return cohort


def _build(rng, programme, other_programme, skills):
    cohorts = [
        _cohort(programme, rng, status, n)
        for n, status in enumerate([CohortStatus.FINISHED, CohortStatus.FINISHED, "running"])
    ]
    other = _cohort(other_programme, rng, CohortStatus.FINISHED, 9)
    users = []
    for i in range(28):
        user = UserFactory(email=f"p{i}@example.gov.uk", full_name=rng.choice(NAMES))
        if rng.random() < 0.2:
            user.profile.delete()
        else:
            user.profile.organisation = rng.choice(ORGS)
            user.profile.save()
            for skill in rng.sample(skills, rng.randint(0, 2)):
                ProfileSkill.objects.create(
                    profile=user.profile, skill=skill, direction=rng.choice(["teach", "learn"])
                )
        users.append(user)
        for cohort in rng.sample([*cohorts, other], rng.randint(0, 3)):
            EnrolmentFactory(
                user=user,
                cohort=cohort,
                role=rng.choice(["mentor", "mentee"]),
                status=rng.choice([EnrolmentStatus.ACCEPTED] * 5 + EnrolmentStatus.values),
            )
    addresses = [u.email for u in users] + [f"new{i}@example.gov.uk" for i in range(6)]
    for address in rng.sample(addresses, 20):
        for where in (programme, other_programme):
            if rng.random() < 0.7:
                TalentPoolEntry.objects.create(
                    programme=where,
                    email=address.upper() if rng.random() < 0.3 else address,
                    full_name=rng.choice(NAMES),
                    organisation=rng.choice(ORGS),
                    role=rng.choice(TalentPoolEntry.RoleInterest.values),
                    source=rng.choice(["interest", "added"]),
                    note=rng.choice(["", "keen"]),
                )
    return cohorts


def _expected(programme) -> list[dict]:
    """The rules of docs/recruitment.md, read the plainest way."""
    enrolments = list(
        Enrolment.objects.filter(cohort__programme=programme).select_related("cohort", "user")
    )
    shared = {e.user.email: e.user for e in enrolments if e.status != EnrolmentStatus.INVITED}
    accepted = sorted(
        (e for e in enrolments if e.status == EnrolmentStatus.ACCEPTED),
        key=lambda e: (e.cohort.starts_on, e.pk),
    )
    last = {e.user.email: e.cohort.pk for e in accepted}
    alumni = {}
    for e in accepted:
        if e.cohort.status == CohortStatus.FINISHED:
            label = RETURNING_MENTOR if e.role == "mentor" else MENTEE_ALUMNI
            alumni.setdefault(e.user.email, set()).add(label)
    entries = {e.email.lower(): e for e in TalentPoolEntry.objects.filter(programme=programme)}
    rows = []
    for email in set(entries) | set(alumni):
        entry, user = entries.get(email), shared.get(email)
        profile = getattr(user, "profile", None) if user else None
        skills = (
            sorted(profile.profile_skills.select_related("skill"), key=lambda s: s.skill.name)
            if profile
            else []
        )
        rows.append(
            {
                "email": email,
                "name": (entry.full_name if entry else "") or (user.full_name if user else ""),
                "organisation": (entry.organisation if entry else "")
                or (profile.organisation if profile else ""),
                "role": entry.role if entry else "mentor",
                "sources": ([entry.get_source_display()] if entry else [])
                + sorted(alumni.get(email, ())),
                "note": entry.note if entry else "",
                "user_id": user.pk if user else None,
                "last_cohort": last.get(email),
                "is_alumni": email in alumni,
                "teach": [s.skill.name for s in skills if s.direction == "teach"],
                "learn": [s.skill.name for s in skills if s.direction == "learn"],
                "skill_ids": {(s.skill_id, s.direction) for s in skills},
                "has_entry": entry is not None,
            }
        )
    rows.sort(key=lambda r: ((r["name"] or r["email"]).lower(), r["email"]))
    return rows


def _shown(rows) -> list[dict]:
    return [
        {
            "email": r.email,
            "name": r.name,
            "organisation": r.organisation,
            "role": r.role,
            "sources": r.sources,
            "note": r.note,
            "user_id": r.user_id,
            "last_cohort": r.last_cohort.pk if r.last_cohort else None,
            "is_alumni": r.is_alumni,
            "teach": r.teach,
            "learn": r.learn,
        }
        for r in rows
    ]


def _without_skills(rows):
    """The expected rows as the pool shows them (without what only the test reads)."""
    return [{k: v for k, v in r.items() if k not in ("skill_ids", "has_entry")} for r in rows]


@pytest.mark.parametrize("seed", range(4))
def test_the_pool_follows_its_rules_on_random_programmes(
    programme, other_programme, seed, monkeypatch
):
    rng = random.Random(seed)
    skills = [SkillFactory(name=name) for name in ("Python", "SQL", "R")]
    cohorts = _build(rng, programme, other_programme, skills)
    expected = _expected(programme)
    # the data has every kind of row the rules tell apart
    assert any(r["is_alumni"] and r["has_entry"] for r in expected)  # an alumnus with an entry
    assert any(r["user_id"] and not r["is_alumni"] for r in expected)  # shared, not alumni
    assert any(not r["has_entry"] for r in expected)  # alumni only
    assert _shown(talent_pool_rows(programme=programme)) == _without_skills(expected)

    def check(rule, **filters):
        want = _without_skills([r for r in expected if rule(r)])
        assert _shown(talent_pool_rows(programme=programme, **filters)) == want, filters

    check(lambda r: r["role"] in ("mentor", "either"), role="mentor")
    check(lambda r: r["role"] in ("mentee", "either"), role="mentee")
    check(lambda r: "revenue" in r["organisation"].lower(), organisation="REVENUE")
    check(lambda r: r["last_cohort"] is None, last_cohort=NEVER)
    for cohort in cohorts:
        check(lambda r, c=cohort.pk: r["last_cohort"] == c, last_cohort=str(cohort.pk))
    python = skills[0]
    check(lambda r: {(python.pk, "teach"), (python.pk, "learn")} & r["skill_ids"], skill=python)
    check(lambda r: (python.pk, "teach") in r["skill_ids"], skill=python, skill_direction="teach")
    check(
        lambda r: r["role"] in ("mentee", "either") and (python.pk, "learn") in r["skill_ids"],
        role="mentee",
        skill=python,
        skill_direction="learn",
    )
    # Pages cut in the same order, and the count is the whole pool's.
    pool = talent_pool(programme=programme)
    assert len(pool) == len(expected)
    # the programme dashboard's count of the pool is the pool's
    counts = talent_pool_counts(programme=programme)
    assert counts["total"] == len(expected)
    assert counts["alumni"] == sum(1 for r in expected if not r["has_entry"])
    pages = [row.email for start in range(0, len(pool), 7) for row in pool[start : start + 7]]
    assert pages == [r["email"] for r in expected]
    # The export reads it whole, a batch at a time: across batch boundaries too.
    monkeypatch.setattr(selectors, "POOL_BATCH", 4)
    assert _shown(talent_pool(programme=programme)) == _without_skills(expected)
    # An invitation reads the ticked people only, and only those in the pool.
    ticked = [expected[0]["email"], "stranger@example.gov.uk", expected[-1]["email"]]
    assert [r.email for r in talent_pool(programme=programme, emails=ticked)] == [
        expected[0]["email"],
        expected[-1]["email"],
    ]
