"""The people around a programme: returning mentors and alumni who mentor, the talent pool,
the business priorities served, and breakdowns by organisation and grade (small groups hidden).

Queries: :func:`retention_by_cohort` one, :func:`talent_pool_size` two,
:func:`priorities_covered` one, :func:`breakdown_by_organisation` and
:func:`breakdown_by_grade` one each.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from insights.definitions import SMALL_GROUP, rate
from insights.suppression import suppress
from pairing.models import Pair
from people.models import Grade, User
from programmes.models import (
    BusinessPriority,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    Programme,
    Role,
    TalentPoolEntry,
)

ACCEPTED = EnrolmentStatus.ACCEPTED


def retention_by_cohort(programme: Programme, cohort_ids) -> dict:
    """Returning mentors and alumni-to-mentor per cohort, and distinct people overall.

    - returning mentor: accepted as a mentor in the cohort, and accepted as a mentor in an
      earlier cohort (earlier start date) of the same programme;
    - alumni-to-mentor: accepted as a mentor in the cohort, and accepted as a mentee in an
      earlier cohort of the same programme.
    """
    earlier = Enrolment.objects.filter(
        user=OuterRef("user"),
        cohort__programme=programme,
        status=ACCEPTED,
        cohort__starts_on__lt=OuterRef("cohort__starts_on"),
    )
    rows = list(
        Enrolment.objects.filter(cohort_id__in=cohort_ids, role=Role.MENTOR, status=ACCEPTED)
        .annotate(
            was_mentor=Exists(earlier.filter(role=Role.MENTOR)),
            was_mentee=Exists(earlier.filter(role=Role.MENTEE)),
        )
        .order_by()
        .values_list("cohort_id", "user_id", "was_mentor", "was_mentee")
    )
    per_cohort: dict[int, dict] = defaultdict(lambda: {"mentors": 0, "returning": 0, "alumni": 0})
    returning, alumni, mentors = set(), set(), set()
    for cohort_id, user_id, was_mentor, was_mentee in rows:
        per_cohort[cohort_id]["mentors"] += 1
        mentors.add(user_id)
        if was_mentor:
            per_cohort[cohort_id]["returning"] += 1
            returning.add(user_id)
        if was_mentee:
            per_cohort[cohort_id]["alumni"] += 1
            alumni.add(user_id)
    return {
        "per_cohort": dict(per_cohort),
        "mentors": len(mentors),
        "returning": len(returning),
        "alumni": len(alumni),
        "returning_rate": rate(len(returning), len(mentors)),
        "alumni_rate": rate(len(alumni), len(mentors)),
    }


def talent_pool_size(programme: Programme) -> dict:
    """People the programme could invite: pool entries by source, plus alumni of finished
    cohorts who are not in the pool already (one person counted once, by email)."""
    by_source = dict(
        TalentPoolEntry.objects.filter(programme=programme)
        .values("source")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("source", "n")
    )
    alumni = (
        User.objects.filter(
            enrolments__cohort__programme=programme,
            enrolments__cohort__status=CohortStatus.FINISHED,
            enrolments__status=ACCEPTED,
        )
        .exclude(email__in=TalentPoolEntry.objects.filter(programme=programme).values("email"))
        .distinct()
        .count()
    )
    interest = by_source.get(TalentPoolEntry.Source.INTEREST, 0)
    added = by_source.get(TalentPoolEntry.Source.ADDED, 0) + by_source.get(
        TalentPoolEntry.Source.ALUMNI, 0
    )
    return {
        "interest": interest,
        "added": added,
        "alumni": alumni,
        "total": interest + added + alumni,
    }


def priorities_covered(programme: Programme, cohort_ids) -> list[dict]:
    """Each business priority with the number of accepted mentees' projects that serve it."""
    served = Q(
        projects__enrolment__cohort_id__in=list(cohort_ids),
        projects__enrolment__status=ACCEPTED,
    )
    rows = (
        BusinessPriority.objects.filter(programme=programme)
        .annotate(projects_n=Count("projects", filter=served, distinct=True))
        .order_by("-projects_n", "name")
        .values_list("name", "projects_n")
    )
    return [{"name": name, "projects": n} for name, n in rows]


@dataclass
class BreakdownRow:
    label: str
    people: int
    mentees: int
    mentors: int
    mentee_pairs_ended: int
    mentee_pairs_completed: int
    # Per cell (people, mentees, mentors): None (shown), "primary" (1 to 4) or "secondary"
    # (hidden so that no hidden count can be worked out): insights/suppression.py.
    mask: tuple = (None, None, None)

    @property
    def hidden(self) -> bool:
        return self.mask[0] is not None

    @staticmethod
    def _label(value: int, how):
        if how is None:
            return value
        return "fewer than 5" if how == "primary" else "not shown"

    @property
    def people_shown(self):
        return self._label(self.people, self.mask[0])

    @property
    def mentees_shown(self):
        return self._label(self.mentees, self.mask[1])

    @property
    def mentors_shown(self):
        return self._label(self.mentors, self.mask[2])

    @property
    def completion_rate(self):
        if self.hidden or self.mentee_pairs_ended < SMALL_GROUP:
            return None
        return rate(self.mentee_pairs_completed, self.mentee_pairs_ended)


def _breakdown(cohort_ids, key: str, label) -> list[BreakdownRow]:
    mentee = Q(role=Role.MENTEE)
    pair_ended = mentee & Q(pairs_as_mentee__status=Pair.Status.ENDED)
    rows = (
        Enrolment.objects.filter(cohort_id__in=cohort_ids, status=ACCEPTED)
        .values(key)
        .annotate(
            people=Count("user", distinct=True),
            mentees=Count("user", filter=mentee, distinct=True),
            mentors=Count("user", filter=Q(role=Role.MENTOR), distinct=True),
            ended=Count("pairs_as_mentee", filter=pair_ended, distinct=True),
            completed=Count(
                "pairs_as_mentee",
                filter=pair_ended & Q(pairs_as_mentee__end_reason=Pair.EndReason.COMPLETED),
                distinct=True,
            ),
        )
        .order_by()
    )
    result = [
        BreakdownRow(
            label=label(r[key]),
            people=r["people"],
            mentees=r["mentees"],
            mentors=r["mentors"],
            mentee_pairs_ended=r["ended"],
            mentee_pairs_completed=r["completed"],
        )
        for r in rows
    ]
    # Small groups hidden so that no hidden count follows from the shown ones or the totals.
    masks = suppress([[b.people, b.mentees, b.mentors] for b in result])
    for row, mask in zip(result, masks, strict=True):
        row.mask = tuple(mask)
    # Shown groups first, largest first; hidden groups after, in name order (their size is not
    # revealed by their position).
    return sorted(result, key=lambda b: (b.hidden, -b.people if not b.hidden else 0, b.label))


def breakdown_by_organisation(cohort_ids) -> list[BreakdownRow]:
    return _breakdown(
        cohort_ids, "user__profile__organisation", lambda v: v or "Organisation not given"
    )


def breakdown_by_grade(cohort_ids) -> list[BreakdownRow]:
    labels = dict(Grade.choices)
    rows = _breakdown(
        cohort_ids, "user__profile__grade", lambda v: labels.get(v, "Grade not given")
    )
    order = {label: i for i, label in enumerate(labels.values())}
    return sorted(rows, key=lambda b: (b.hidden, order.get(b.label, 99), b.label))
