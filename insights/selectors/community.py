"""The people around a programme: returning mentors and alumni who mentor, the talent pool,
the business priorities served, and breakdowns by organisation and grade (small groups hidden).

Queries: :func:`retention_by_cohort` one, :func:`talent_pool_size` two,
:func:`priorities_covered` one, :func:`breakdowns` (by organisation and by grade) one.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from insights.definitions import SMALL_GROUP, rate
from insights.suppression import suppress
from pairing.models import Pair
from people.models import Grade
from programmes.models import Enrolment, EnrolmentStatus, Programme, Role
from recruitment.models import BusinessPriority
from recruitment.selectors import talent_pool_counts

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
    """People the programme could invite, by where they came from: the talent pool's own count
    (recruitment.selectors.talent_pool_counts, two queries), so the dashboard and the pool's page
    agree on who is in it."""
    return talent_pool_counts(programme=programme)


def priorities_covered(programme: Programme, cohort_ids) -> list[dict]:
    """Each business priority with the number of accepted mentees' projects that serve it."""
    served = Q(
        projects__enrolment__cohort_id__in=list(cohort_ids),
        projects__enrolment__status=ACCEPTED,
    )
    rows = (
        BusinessPriority.objects.filter(programme=programme)
        # a project serves a priority once (the link is unique), so no DISTINCT: hashed, not sorted
        .annotate(projects_n=Count("projects", filter=served))
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
    def counts(self) -> tuple[int | None, int | None, int | None]:
        """(people, mentees, mentors) as numbers, None where hidden (for the API and CSV)."""
        return tuple(
            None if how is not None else value
            for value, how in zip((self.people, self.mentees, self.mentors), self.mask, strict=True)
        )

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


def _rows(counts: dict[str, list[int]]) -> list[BreakdownRow]:
    result = [
        BreakdownRow(
            label=label,
            people=people,
            mentees=mentees,
            mentors=mentors,
            mentee_pairs_ended=ended,
            mentee_pairs_completed=completed,
        )
        for label, (people, mentees, mentors, ended, completed) in counts.items()
    ]
    # Small groups hidden so that no hidden count follows from the shown ones or the totals.
    masks = suppress([[b.people, b.mentees, b.mentors] for b in result])
    for row, mask in zip(result, masks, strict=True):
        row.mask = tuple(mask)
    # Shown groups first, largest first; hidden groups after, in name order (their size is not
    # revealed by their position).
    return sorted(result, key=lambda b: (b.hidden, -b.people if not b.hidden else 0, b.label))


def breakdowns(cohort_ids) -> tuple[list[BreakdownRow], list[BreakdownRow]]:
    """People, mentees and mentors of the cohorts (accepted, each person counted once), and
    their mentees' ended and completed pairs, by organisation and by grade: one query.

    The query counts by (organisation, grade) together and the two breakdowns are sums of its
    rows. Summing distinct counts is exact because each person has one organisation and one
    grade (their profile), so the (organisation, grade) groups never share a person; each pair
    has one mentee enrolment, so the join counts it once. A missing and an empty organisation
    are the same row, "Organisation not given"."""
    mentee = Q(role=Role.MENTEE)
    pair_ended = mentee & Q(pairs_as_mentee__status=Pair.Status.ENDED)
    rows = (
        Enrolment.objects.filter(cohort_id__in=cohort_ids, status=ACCEPTED)
        .values_list("user__profile__organisation", "user__profile__grade")
        .annotate(
            people=Count("user", distinct=True),
            mentees=Count("user", filter=mentee, distinct=True),
            mentors=Count("user", filter=Q(role=Role.MENTOR), distinct=True),
            ended=Count("pairs_as_mentee", filter=pair_ended),
            completed=Count(
                "pairs_as_mentee",
                filter=pair_ended & Q(pairs_as_mentee__end_reason=Pair.EndReason.COMPLETED),
            ),
        )
        .order_by()
    )
    grade_labels = dict(Grade.choices)
    by_org: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    by_grade: dict[str, list[int]] = defaultdict(lambda: [0] * 5)
    for organisation, grade, *counts in rows:
        for into in (
            by_org[organisation or "Organisation not given"],
            by_grade[grade_labels.get(grade, "Grade not given")],
        ):
            for i, n in enumerate(counts):
                into[i] += n
    order = {label: i for i, label in enumerate(grade_labels.values())}
    return _rows(by_org), sorted(
        _rows(by_grade), key=lambda b: (b.hidden, order.get(b.label, 99), b.label)
    )
