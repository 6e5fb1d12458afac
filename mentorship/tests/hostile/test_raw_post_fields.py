"""Hostile input on the few actions that read a posted field without a form class: the skill
suggestions review, hand pairing, attendance, moving a survey question, pausing an email kind,
the line manager's decision. The same rule: never a 500, nothing partial."""

import datetime as dt

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from community.models import Attendance, Event
from feedback.models import Question
from feedback.tests.conftest import ALL_TYPES, make_template
from pairing.models import Pair
from people.models import Skill
from people.tests.factories import UserFactory

from .support import (
    SHORT,
    assert_all_or_nothing,
    cohort_at,
    cohort_url,
    field,
    hostile,
    pair_of,
    sending,
    submit,
)

pytestmark = pytest.mark.django_db


@SHORT
@given(approve=st.lists(st.sampled_from(["MINE"]) | hostile()), reject=field("x"))
def test_skill_suggestions_review_with_hostile_ids(client, coordinator, programme, approve, reject):
    suggested = Skill.objects.get_or_create(
        name="Kedro", defaults={"approved": False, "suggested_by": UserFactory()}
    )[0]
    approve = [str(suggested.pk) if a == "MINE" else a for a in approve]
    body = {"approve": approve, "reject": reject}
    attempt = submit(client, reverse("people:skill_suggestions"), body, persona=coordinator)
    assert_all_or_nothing(attempt, effect={"people.skill", "people.profileskill"})


@pytest.fixture
def running_pair(cohort, mentor, mentee, time_machine):
    cohort_at(cohort, "running", time_machine, dt.datetime(2027, 2, 1, 12, tzinfo=dt.UTC))
    return pair_of(
        cohort,
        mentor,
        mentee,
        started_on=dt.date(2027, 1, 11),
        status=Pair.Status.ENDED,
        ended_on=dt.date(2027, 1, 25),
    )


@SHORT
@given(mentor_pk=hostile())
def test_hand_pairing_with_hostile_mentor(client, coordinator, running_pair, mentor_pk):
    url = cohort_url("pairing:repair", running_pair.cohort, running_pair.mentee_id)
    attempt = submit(client, url, {"mentor": mentor_pk}, persona=coordinator)
    assert attempt.response.status_code in (200, 302, 404)
    assert not attempt.changed - {"people.auditevent"}


@SHORT
@given(occurrence=field("2027-01-20"), present=st.lists(hostile()), attended=field("yes"))
def test_attendance_with_hostile_values(
    client, coordinator, mentee, running_pair, occurrence, present, attended
):
    cohort = running_pair.cohort
    event = Event.objects.get_or_create(
        cohort=cohort,
        title="Hub day",
        defaults={"first_date": dt.date(2027, 1, 20), "start_time": dt.time(10)},
    )[0]
    for user, name, data in [
        (coordinator, "community:event_attendance", {"present": present}),
        (mentee, "community:event_attended", {"attended": attended}),
    ]:
        url, body = reverse(name, args=[event.pk]), {**data, "occurrence": occurrence}
        with sending(client, url, body, persona=user) as attempt:
            rows = list(Attendance.objects.values_list("occurrence", flat=True))
        assert_all_or_nothing(attempt, effect={"community.attendance"})
        assert all(row == dt.date(2027, 1, 20) for row in rows)


@SHORT
@given(direction=field("up"))
def test_moving_a_question_with_hostile_direction(client, coordinator, programme, direction):
    template = make_template(programme, name="Order", questions=ALL_TYPES[:2], publish=False)
    question = Question.objects.filter(version__template=template).order_by("order").last()
    url = reverse("feedback:question_move", args=[programme.slug, template.pk, question.pk])
    attempt = submit(client, url, {"direction": direction}, persona=coordinator)
    assert_all_or_nothing(attempt, effect={"feedback.question"})
    template.delete()


@SHORT
@given(kind=field("checkin-reminder"), action=field("pause"))
def test_pausing_an_email_kind_with_hostile_values(client, coordinator, cohort, kind, action):
    url = cohort_url("rhythm:cohort_schedule", cohort)
    attempt = submit(client, url, {"kind": kind, "action": action}, persona=coordinator)
    assert_all_or_nothing(attempt, effect={"rhythm.pausedkind"})


@pytest.mark.parametrize("cursor", ["²", "١٢x", "9" * 30, "-1", ""])
def test_an_api_cursor_that_is_not_a_plain_number_is_a_400_not_a_500(cursor):
    from api.http import BadRequest, _decode

    with pytest.raises(BadRequest):
        _decode(cursor)
