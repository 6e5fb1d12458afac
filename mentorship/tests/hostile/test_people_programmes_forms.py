"""Hostile input on the profile's skill rows (the formsets), the cohort's status and its people
filter."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from people.forms import BaseSkillFormSet, ProfileSkillForm
from people.models import ProfileSkill, Skill
from people.tests.factories import UserFactory
from programmes.forms import CohortStatusForm, EnrolmentFilterForm
from programmes.models import Cohort

from .support import (
    PROFILE,
    SHORT,
    Valid,
    assert_all_or_nothing,
    assert_refused_cleanly,
    cohort_url,
    covers,
    field,
    form_data,
    get,
    hostile,
    sending,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def skills(mentee):
    """Approved skills, one the mentee already teaches, another person's pending suggestion
    and another person's skill row (whose id a hostile form may name)."""
    python, sql = Skill.objects.create(name="Python"), Skill.objects.create(name="SQL")
    other = UserFactory(email="someone.else@example.gov.uk")
    pending = Skill.objects.create(name="Secret skill", approved=False, suggested_by=other)
    mine = ProfileSkill.objects.create(
        profile=mentee.profile, skill=python, direction="teach", level=3
    )
    theirs = ProfileSkill.objects.create(
        profile=other.profile, skill=sql, direction="teach", level=2
    )
    return {"python": python, "sql": sql, "pending": pending, "mine": mine, "theirs": theirs}


def _pick(name, skills):
    return str(skills[name].pk) if name in skills else name


NAME = {"full_name": "Mina Mentee", "time_zone": "Europe/London"}  # the profile's own fields


def _sending_profile(client, mentee, data):
    """``sending`` ``data`` to the profile page as the mentee, once the page has been opened (its
    panels make what they need, once)."""
    client.force_login(mentee)
    client.get(reverse("people:profile"))
    return sending(client, reverse("people:profile"), data)


@covers(ProfileSkillForm, BaseSkillFormSet, via="people:profile", persona="mentee")
@SHORT
@given(
    total=field("2"),
    initial=st.sampled_from(["1", "0"]) | field("1"),
    row_id=st.sampled_from(["mine", "theirs", ""]) | hostile(),
    skill_a=st.sampled_from(["python", "sql", "pending"]) | hostile(),
    skill_b=st.sampled_from(["python", "sql", ""]) | hostile(),
    level=field("3"),
    delete=st.sampled_from(["", "on"]),
    learn=form_data(**{"learn-0-skill": "", "learn-0-level": "1", "learn-0-priority": "2"}),
    interests=st.lists(hostile(), max_size=2),
)
def test_skill_rows_with_hostile_values(
    client,
    mentee,
    skills,
    total,
    initial,
    row_id,
    skill_a,
    skill_b,
    level,
    delete,
    learn,
    interests,
):
    data = {
        **NAME,
        "teach-TOTAL_FORMS": total,
        "teach-INITIAL_FORMS": initial,
        "teach-0-id": _pick(row_id, skills),
        "teach-0-skill": _pick(skill_a, skills),
        "teach-0-level": level,
        "teach-0-DELETE": delete,
        "teach-1-skill": _pick(skill_b, skills),
        "teach-1-level": "2",
        "learn-TOTAL_FORMS": "1",
        "learn-INITIAL_FORMS": "0",
        "interests": interests,
        **learn,
    }
    with _sending_profile(client, mentee, data) as attempt:
        rows = list(ProfileSkill.objects.values_list("profile__user", "skill", "direction"))
    assert_all_or_nothing(
        attempt,
        effect={
            "people.profile",
            "people.profileskill",
            "people.user",
            "people.skill",
            "people.profile_interests",
        },
    )
    theirs = skills["theirs"]
    assert (theirs.profile.user_id, theirs.skill_id, "teach") in rows  # never touched
    mine = [(skill, d) for user, skill, d in rows if user == mentee.pk]
    assert len(mine) == len(set(mine))
    assert skills["pending"].pk not in {skill for skill, _ in mine}  # not theirs to use


OPEN = Valid(status="recruiting")


@covers(CohortStatusForm, via="programmes:cohort_status", persona="coordinator")
@PROFILE
@given(data=OPEN.bodies())
def test_cohort_status_form_with_hostile_values(client, coordinator, cohort, data):
    url = cohort_url("programmes:cohort_status", cohort)
    with sending(client, url, data, persona=coordinator) as attempt:
        status = Cohort.objects.get(pk=cohort.pk).status
    assert_all_or_nothing(
        attempt,
        effect={"programmes.cohort", "notifications.email"},
        must_accept=OPEN.all_valid(data),
    )
    assert status in ("draft", "recruiting")


@covers(EnrolmentFilterForm, via="programmes:cohort_detail", persona="coordinator")
@PROFILE
@given(data=form_data(role="mentee", status="accepted"))
def test_cohort_people_filter_with_hostile_values(client, coordinator, mentee, cohort, data):
    url = cohort_url("programmes:cohort_detail", cohort)
    attempt = submit(client, url, data, persona=coordinator, send=get)
    assert attempt.response.status_code == 200
    assert_refused_cleanly(attempt)  # filtering never writes


def test_a_skill_row_posted_again_as_new_is_refused_not_a_500(client, mentee, skills):
    """The page lists the saved row; a crafted post leaves it out and adds the same skill as a
    new row (INITIAL_FORMS=0). The database's uniqueness must not turn that into a 500."""
    data = {
        **NAME,
        "teach-TOTAL_FORMS": "1",
        "teach-INITIAL_FORMS": "0",
        "teach-0-skill": str(skills["python"].pk),
        "teach-0-level": "4",
        "learn-TOTAL_FORMS": "0",
        "learn-INITIAL_FORMS": "0",
    }
    with _sending_profile(client, mentee, data) as attempt:
        rows = ProfileSkill.objects.filter(profile=mentee.profile, skill=skills["python"]).count()
    assert attempt.response.status_code in (200, 302)
    assert rows == 1
