import datetime as dt

import pytest
import time_machine

from people.models import Profile
from people.tests.factories import InterestFactory, SkillFactory, UserFactory
from programmes.models import CohortStatus
from programmes.tests.factories import EnrolmentFactory

from .factories import DirectoryListingFactory, EventFactory

ORGS = ["ONS", "HMRC", "DWP", "Met Office", "DfE"]


@pytest.fixture
def today():
    """A Tuesday in the middle of the cohort (11 Jan - 2 Apr 2027)."""
    with time_machine.travel(dt.datetime(2027, 2, 2, 12, 0), tick=False):
        yield dt.date(2027, 2, 2)


@pytest.fixture
def running(cohort, mentor, mentee):
    cohort.status = CohortStatus.RUNNING
    cohort.save(update_fields=["status"])
    return cohort


@pytest.fixture
def hub_day(running, coordinator):
    """A cohort-wide session on Thursday 14 January 2027, 10:00."""
    return EventFactory(cohort=running, title="Hub day", location="Hub", created_by=coordinator)


@pytest.fixture
def listed(running, mentee):
    """The mentee is listed in the running cohort's directory (address hidden)."""
    return DirectoryListingFactory(enrolment=running.enrolments.get(user=mentee))


def add_people(cohort, n: int, *, start: int = 0):
    """n accepted participants with varied organisations, grades and interests."""
    interests = [InterestFactory(name=f"Topic {i}") for i in range(6)]
    skills = [SkillFactory(name=f"Skill {i}") for i in range(4)]
    users = []
    for i in range(start, start + n):
        user = UserFactory(email=f"p{i}@example.gov.uk", full_name=f"Person {i:03d}")
        Profile.objects.filter(user=user).update(organisation=ORGS[i % len(ORGS)], grade=3 + i % 5)
        user.profile.refresh_from_db()
        user.profile.interests.set([interests[i % 6], interests[(i + 1) % 6]])
        user.profile.profile_skills.create(skill=skills[i % 4], direction="teach", level=3)
        EnrolmentFactory(user=user, cohort=cohort, role="mentee" if i % 3 else "mentor")
        users.append(user)
    return users


# A new event as the coordinator's form posts it (prefix "event"): a hub day in London.
HUB_DAY = {
    "event-kind": "hub-day",
    "event-title": "Hub day",
    "event-first_date": "2027-03-30",
    "event-start_time": "14:00",
    "event-duration_minutes": 90,
    "event-time_zone": "Europe/London",
    "event-location": "Drummond Gate, London",
}
