import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from programmes.models import Cohort, CohortStatus
from programmes.services import cohort_change_status

from .factories import CohortFactory, EnrolmentFactory

ALLOWED = [
    ("draft", "recruiting"),
    ("recruiting", "matching"),
    ("recruiting", "draft"),
    ("matching", "running"),
    ("matching", "recruiting"),
    ("running", "finished"),
]
REFUSED = [
    ("draft", "matching"),
    ("draft", "running"),
    ("draft", "finished"),
    ("recruiting", "running"),
    ("matching", "finished"),
    ("running", "matching"),
    ("running", "draft"),
    ("finished", "running"),
    ("finished", "draft"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), ALLOWED)
def test_cohort_moves_along_allowed_transitions(start, end):
    cohort = CohortFactory()
    Cohort.objects.filter(pk=cohort.pk).update(status=start)
    cohort_change_status(cohort=cohort, status=end)
    cohort.refresh_from_db()
    assert cohort.status == end
    assert cohort.status_changed_at is not None


@pytest.mark.django_db
@pytest.mark.parametrize(("start", "end"), REFUSED)
def test_cohort_refuses_other_transitions(start, end):
    cohort = CohortFactory()
    Cohort.objects.filter(pk=cohort.pk).update(status=start)
    with pytest.raises(ValidationError):
        cohort_change_status(cohort=cohort, status=end)
    cohort.refresh_from_db()
    assert cohort.status == start


@pytest.mark.django_db
def test_new_cohort_starts_as_draft():
    assert CohortFactory().status == CohortStatus.DRAFT


@pytest.mark.django_db
def test_cohort_must_end_after_it_starts():
    cohort = CohortFactory.build(
        programme=CohortFactory().programme,
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2026, 12, 1),
    )
    with pytest.raises(ValidationError) as exc:
        cohort.full_clean()
    assert "ends_on" in exc.value.message_dict


@pytest.mark.django_db
def test_a_person_has_one_enrolment_per_cohort():
    enrolment = EnrolmentFactory(role="mentee")
    with pytest.raises(IntegrityError):
        EnrolmentFactory(user=enrolment.user, cohort=enrolment.cohort, role="mentor")


@pytest.mark.django_db
def test_a_mentee_in_one_cohort_can_mentor_in_the_next():
    first = EnrolmentFactory(role="mentee")
    later = CohortFactory(programme=first.cohort.programme, name="Next")
    second = EnrolmentFactory(user=first.user, cohort=later, role="mentor")
    assert {first.role, second.role} == {"mentee", "mentor"}


@pytest.mark.django_db
def test_open_for_applications_only_while_recruiting_and_within_dates(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC))
    cohort = CohortFactory(applications_open=dt.date(2026, 11, 1))
    assert not cohort.is_open_for_applications  # still a draft
    cohort.status = CohortStatus.RECRUITING
    assert cohort.is_open_for_applications
    time_machine.move_to(dt.datetime(2026, 12, 20, 12, tzinfo=dt.UTC))
    assert not cohort.is_open_for_applications  # closed on 15 December
