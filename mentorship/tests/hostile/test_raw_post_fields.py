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
from programmes.models import Cohort, Enrolment

from .support import SHORT, Attempt, assert_all_or_nothing, field, hostile, post

pytestmark = pytest.mark.django_db


@SHORT
@given(approve=st.lists(st.sampled_from(["MINE"]) | hostile()), reject=field("x"))
def test_skill_suggestions_review_with_hostile_ids(client, coordinator, programme, approve, reject):
    client.force_login(coordinator)
    suggested = Skill.objects.get_or_create(
        name="Kedro", defaults={"approved": False, "suggested_by": UserFactory()}
    )[0]
    approve = [str(suggested.pk) if a == "MINE" else a for a in approve]
    with Attempt() as attempt:
        attempt.response = post(
            client, reverse("people:skill_suggestions"), {"approve": approve, "reject": reject}
        )
    assert_all_or_nothing(attempt, effect={"people.skill", "people.profileskill"})


@pytest.fixture
def running_pair(cohort, mentor, mentee, time_machine):
    time_machine.move_to(dt.datetime(2027, 2, 1, 12, tzinfo=dt.UTC))
    Cohort.objects.filter(pk=cohort.pk).update(status="running")
    cohort.refresh_from_db()
    return Pair.objects.create(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
        started_on=dt.date(2027, 1, 11),
        status=Pair.Status.ENDED,
        ended_on=dt.date(2027, 1, 25),
    )


@SHORT
@given(mentor_pk=hostile())
def test_hand_pairing_with_hostile_mentor(client, coordinator, running_pair, mentor_pk):
    client.force_login(coordinator)
    cohort = running_pair.cohort
    url = reverse("pairing:repair", args=[cohort.programme.slug, cohort.pk, running_pair.mentee_id])
    with Attempt() as attempt:
        attempt.response = post(client, url, {"mentor": mentor_pk})
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
        client.force_login(user)
        with Attempt() as attempt:
            attempt.response = post(
                client,
                reverse(name, args=[event.pk]),
                {**data, "occurrence": occurrence},
            )
            rows = list(Attendance.objects.values_list("occurrence", flat=True))
        assert_all_or_nothing(attempt, effect={"community.attendance"})
        assert all(row == dt.date(2027, 1, 20) for row in rows)


@SHORT
@given(direction=field("up"))
def test_moving_a_question_with_hostile_direction(client, coordinator, programme, direction):
    client.force_login(coordinator)
    template = make_template(programme, name="Order", questions=ALL_TYPES[:2], publish=False)
    question = Question.objects.filter(version__template=template).order_by("order").last()
    url = reverse("feedback:question_move", args=[programme.slug, template.pk, question.pk])
    with Attempt() as attempt:
        attempt.response = post(client, url, {"direction": direction})
    assert_all_or_nothing(attempt, effect={"feedback.question"})
    template.delete()


@SHORT
@given(kind=field("checkin-reminder"), action=field("pause"))
def test_pausing_an_email_kind_with_hostile_values(client, coordinator, cohort, kind, action):
    client.force_login(coordinator)
    url = reverse("rhythm:cohort_schedule", args=[cohort.programme.slug, cohort.pk])
    with Attempt() as attempt:
        attempt.response = post(client, url, {"kind": kind, "action": action})
    assert_all_or_nothing(attempt, effect={"rhythm.pausedkind"})


@pytest.mark.parametrize("cursor", ["²", "١٢x", "9" * 30, "-1", ""])
def test_an_api_cursor_that_is_not_a_plain_number_is_a_400_not_a_500(cursor):
    from api.http import BadRequest, _decode

    with pytest.raises(BadRequest):
        _decode(cursor)
