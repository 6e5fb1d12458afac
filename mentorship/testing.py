"""Test personas and helpers any test may import (like healthchecks' ``hc/test.py``).

The root ``conftest.py`` only wraps these as fixtures; a test, a hypothesis state machine or a
script that needs the same people calls them directly:

- ``coordinator`` coordinates ``programme``; ``mentor`` and ``mentee`` are enrolled (accepted) in
  its ``cohort``; ``outsider`` has an account and nothing else; ``staff`` is a superuser;
- ``past_cohort`` is a finished cohort of ``programme`` (its accepted people are alumni);
- ``other_programme`` (with ``other_cohort``) belongs to another coordinator entirely.

The emails and names are fixed, so each persona can be built once per test.

This module lives on the roof (it builds rows of several apps); no app imports it from its
product code (mentorship/tests/test_layering.py).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from urllib.parse import urlparse

from django.utils import timezone

from people.models import User
from people.tests.factories import UserFactory
from programmes.models import Cohort, CohortStatus, Programme
from programmes.tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory


def make_coordinator() -> User:
    return UserFactory(email="coordinator@example.gov.uk", full_name="Cora Coordinator")


def make_programme(coordinator: User) -> Programme:
    return ProgrammeFactory(name="Data Science Accelerator", coordinators=[coordinator])


def make_cohort(programme: Programme) -> Cohort:
    return CohortFactory(programme=programme, name="Spring 2027")


def make_past_cohort(programme: Programme) -> Cohort:
    """A finished cohort of ``programme`` (Spring 2026): its accepted people are alumni."""
    past = CohortFactory(
        programme=programme,
        name="Spring 2026",
        applications_open=None,
        applications_close=None,
        starts_on=dt.date(2026, 1, 12),
        ends_on=dt.date(2026, 4, 3),
    )
    Cohort.objects.filter(pk=past.pk).update(status=CohortStatus.FINISHED)
    past.refresh_from_db()
    return past


def make_mentor(cohort: Cohort) -> User:
    user = UserFactory(email="mentor@example.gov.uk", full_name="Morgan Mentor")
    EnrolmentFactory(user=user, cohort=cohort, role="mentor", capacity=2)
    return user


def make_mentee(cohort: Cohort) -> User:
    user = UserFactory(email="mentee@example.gov.uk", full_name="Mina Mentee")
    EnrolmentFactory(user=user, cohort=cohort, role="mentee")
    return user


def make_outsider() -> User:
    return UserFactory(email="outsider@example.gov.uk", full_name="Otto Outsider")


def make_staff() -> User:
    return UserFactory(email="admin@example.gov.uk", is_staff=True, is_superuser=True)


def make_other_programme() -> Programme:
    other = UserFactory(email="other.coordinator@example.gov.uk")
    return ProgrammeFactory(name="Policy Profession Mentoring", coordinators=[other])


def make_other_cohort(other_programme: Programme) -> Cohort:
    return CohortFactory(programme=other_programme, name="Other cohort")


def answered_response(*, user, cohort, text: str, number: int = 4, anonymous: bool = False):
    """A submitted survey in ``cohort`` with a 1-5 score and a free-text answer.

    Anonymous responses carry no user, as the survey form saves them.
    """
    from feedback.models import (
        Answer,
        Question,
        QuestionType,
        Response,
        SurveySchedule,
        SurveyTemplate,
        SurveyVersion,
        Trigger,
    )

    template = SurveyTemplate.objects.create(
        programme=cohort.programme,
        name=f"Mid-point {'anonymous ' if anonymous else ''}{SurveyTemplate.objects.count()}",
        anonymous=anonymous,
    )
    version = SurveyVersion.objects.create(template=template, number=1, published=True)
    score = Question.objects.create(
        version=version, order=1, type=QuestionType.SCALE_1_5, text="Q1"
    )
    free = Question.objects.create(version=version, order=2, type=QuestionType.FREE_TEXT, text="Q2")
    schedule = SurveySchedule.objects.create(
        cohort=cohort, template=template, trigger=Trigger.COHORT_START, close_after_days=14
    )
    response = Response.objects.create(
        schedule=schedule,
        version=version,
        user=None if anonymous else user,
        role="" if anonymous else "mentee",
        submitted_at=None if anonymous else timezone.now(),
    )
    Answer.objects.create(response=response, question=score, number=number)
    Answer.objects.create(response=response, question=free, text=text)
    return response


def service_reachable(url: str, default_port: int) -> bool:
    """Whether something listens at the host and port of ``url`` (one second to answer)."""
    parsed = urlparse(url)
    try:
        with socket.create_connection(
            (parsed.hostname or "127.0.0.1", parsed.port or default_port), 1
        ):
            return True
    except OSError:
        return False


def skip_or_fail(reason: str):
    """Skip a test whose service is missing, or fail it when CI requires every service."""
    import pytest

    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1)")
    pytest.skip(reason)
