"""What a token may read: exactly what its owner sees in the browser.

- staff: everything; a coordinator: their programmes, with every cohort, enrolment, pair,
  check-in fact, survey result and dashboard figure of them (as on the coordinator pages);
- a participant: the programmes and cohorts they are enrolled in, their own enrolments, their
  own pairs and those pairs' check-ins (as on their home and pair pages);
- anyone else: empty lists, and 404 for any one object.

Each function returns a queryset filtered in the database (a subquery, never a list of ids in
Python), so a list endpoint's query count does not grow with the data.
"""

from __future__ import annotations

from django.db.models import Q

from pairing.models import CheckIn, Pair
from programmes.models import Cohort, Enrolment, Programme


def coordinated_programmes(user):
    return Programme.objects.coordinated_by(user)


def programmes(user):
    coordinated = coordinated_programmes(user).values("pk")
    enrolled = Enrolment.objects.filter(user=user).values("cohort__programme_id")
    return Programme.objects.filter(Q(pk__in=coordinated) | Q(pk__in=enrolled))


def coordinated_cohorts(user):
    return Cohort.objects.filter(programme__in=coordinated_programmes(user).values("pk"))


def cohorts(user):
    coordinated = coordinated_programmes(user).values("pk")
    enrolled = Enrolment.objects.filter(user=user).values("cohort_id")
    return Cohort.objects.filter(Q(programme_id__in=coordinated) | Q(pk__in=enrolled))


def enrolments(user):
    coordinated = coordinated_programmes(user).values("pk")
    return Enrolment.objects.filter(Q(cohort__programme_id__in=coordinated) | Q(user=user))


def pairs(user):
    coordinated = coordinated_programmes(user).values("pk")
    return Pair.objects.filter(
        Q(cohort__programme_id__in=coordinated) | Q(mentor__user=user) | Q(mentee__user=user)
    )


def checkins(user):
    coordinated = coordinated_programmes(user).values("pk")
    own = Pair.objects.filter(Q(mentor__user=user) | Q(mentee__user=user)).values("pk")
    return CheckIn.objects.filter(
        Q(pair__cohort__programme_id__in=coordinated) | Q(pair_id__in=own)
    )


def survey_schedules(user):
    """Survey results are for the programme's coordinators only, as the results pages are."""
    from feedback.models import SurveySchedule

    return SurveySchedule.objects.filter(
        cohort__programme_id__in=coordinated_programmes(user).values("pk")
    )
