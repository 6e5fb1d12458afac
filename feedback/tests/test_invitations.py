import datetime as dt
import re

import pytest
import time_machine
from django.core import mail

from feedback import services, tasks
from feedback.models import SurveyInvitation, Trigger
from notifications.models import Email
from pairing.models import CheckIn, Pair

from .conftest import make_schedule

pytestmark = pytest.mark.django_db


def _run(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return tasks.survey_invitations_create()


def test_task_run_twice_creates_each_invitation_once_and_emails_once(
    running_cohort, template, mentor, mentee, django_capture_on_commit_callbacks
):
    schedule = make_schedule(running_cohort, template)
    with time_machine.travel(dt.datetime(2027, 1, 21, 9, 0), tick=False):
        assert _run(django_capture_on_commit_callbacks) == 2
        assert _run(django_capture_on_commit_callbacks) == 0
    invitations = SurveyInvitation.objects.filter(schedule=schedule)
    assert {i.user for i in invitations} == {mentor, mentee}
    keys = set(Email.objects.values_list("idempotency_key", flat=True))
    assert keys == {f"survey-invitation:{i.pk}" for i in invitations}
    assert len(mail.outbox) == 2
    message = next(m for m in mail.outbox if m.to == [mentee.email])
    assert "Check" in message.subject
    # The link in both parts opens this person's invitation (a link carries its signing time, so
    # it is compared by what it opens, not character by character).
    token = re.search(r"/surveys/answer/([^/\s\"]+)/", message.body).group(1)
    assert SurveyInvitation.pk_from_token(token) == invitations.get(user=mentee).pk
    assert f"/surveys/answer/{token}/" in message.alternatives[0][0]
    assert "List-Unsubscribe" in message.extra_headers  # optional kind
    unsubscribe_url = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert f"Unsubscribe from survey invitations: {unsubscribe_url}" in message.body
    assert unsubscribe_url in message.alternatives[0][0]


def test_two_overlapping_runs_do_not_duplicate(running_cohort, template, mentor, mentee):
    schedule = make_schedule(running_cohort, template)
    today = dt.date(2027, 1, 21)
    first = services.survey_invitations_create(today=today, send=False)
    second = services.survey_invitations_create(today=today, schedules=[schedule], send=False)
    assert len(first) == 2 and second == []
    assert SurveyInvitation.objects.count() == 2


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (dt.datetime(2027, 1, 20, 12, 0), 0),  # not yet due
        (dt.datetime(2027, 1, 21, 0, 30), 2),  # due (local time)
        (dt.datetime(2027, 2, 3, 12, 0), 2),  # still open
        (dt.datetime(2027, 2, 4, 12, 0), 0),  # closed: not sent late
    ],
)
def test_cohort_start_schedule_is_due_only_in_its_window(
    running_cohort, template, mentor, mentee, now, expected
):
    make_schedule(running_cohort, template)
    with time_machine.travel(now, tick=False):
        assert len(services.survey_invitations_create(send=False)) == expected


def test_draft_cohorts_paused_schedules_and_unpublished_surveys_invite_no_one(
    cohort, programme, mentor, mentee
):
    from .conftest import make_template

    draft = make_template(programme, name="Draft", publish=False)
    published = make_template(programme, name="Live")
    make_schedule(cohort, published)  # cohort is still a draft
    cohort.status = "running"
    cohort.save()
    make_schedule(cohort, draft)
    make_schedule(cohort, published, active=False)
    assert services.survey_invitations_create(today=dt.date(2027, 1, 21), send=False) != []
    assert set(SurveyInvitation.objects.values_list("schedule__template__name", flat=True)) == {
        "Live"
    }
    assert SurveyInvitation.objects.filter(schedule__active=False).count() == 0


def test_pair_start_schedule_invites_both_sides_of_each_pair(
    running_cohort, template, pair, mentor, mentee
):
    make_schedule(running_cohort, template, trigger=Trigger.PAIR_START, offset_days=30)
    with time_machine.travel(dt.datetime(2027, 2, 9, 12, 0), tick=False):
        assert services.survey_invitations_create(send=False) == []
    with time_machine.travel(dt.datetime(2027, 2, 10, 12, 0), tick=False):
        assert len(services.survey_invitations_create(send=False)) == 2
    assert set(SurveyInvitation.objects.values_list("pair", "role")) == {
        (pair.pk, "mentor"),
        (pair.pk, "mentee"),
    }


def test_audience_limits_who_is_invited(running_cohort, template, mentor, mentee):
    make_schedule(
        running_cohort, template, trigger=Trigger.COHORT_END, offset_days=0, audience="mentees"
    )
    with time_machine.travel(dt.datetime(2027, 4, 2, 12, 0), tick=False):
        services.survey_invitations_create(send=False)
    assert list(SurveyInvitation.objects.values_list("user", flat=True)) == [mentee.pk]


def test_every_nth_checkin_trigger(running_cohort, template, pair, mentor, mentee):
    make_schedule(running_cohort, template, trigger=Trigger.CHECKINS, every_n_checkins=2)

    def log(n):
        for i in range(n):
            CheckIn.objects.create(
                pair=pair,
                author=mentee,
                met_on=dt.date(2027, 1, 12 + i),
                duration_minutes=60,
                worked_on="Project",
                rating=4,
                wellbeing=4,
                protected_time_kept=True,
            )

    today = dt.date(2027, 1, 25)
    log(1)
    assert services.survey_invitations_create(today=today, send=False) == []
    log(1)
    assert len(services.survey_invitations_create(today=today, send=False)) == 2
    assert services.survey_invitations_create(today=today, send=False) == []
    log(2)
    assert len(services.survey_invitations_create(today=today, send=False)) == 2
    assert sorted(SurveyInvitation.objects.values_list("occurrence", flat=True)) == [1, 1, 2, 2]


def test_ended_pairs_get_no_checkin_surveys(running_cohort, template, pair, mentee):
    make_schedule(running_cohort, template, trigger=Trigger.CHECKINS, every_n_checkins=1)
    CheckIn.objects.create(
        pair=pair,
        author=mentee,
        met_on=dt.date(2027, 1, 12),
        duration_minutes=60,
        worked_on="Project",
        rating=4,
        wellbeing=4,
        protected_time_kept=True,
    )
    Pair.objects.filter(pk=pair.pk).update(status="ended", ended_on=dt.date(2027, 1, 13))
    assert services.survey_invitations_create(today=dt.date(2027, 1, 20), send=False) == []


def test_finding_due_invitations_takes_a_fixed_number_of_queries(
    running_cohort, template, django_assert_max_num_queries
):
    from programmes.tests.factories import EnrolmentFactory

    make_schedule(running_cohort, template)
    make_schedule(running_cohort, template, trigger=Trigger.PAIR_START, offset_days=10)
    for _ in range(30):
        EnrolmentFactory(cohort=running_cohort)
    with django_assert_max_num_queries(12):
        created = services.survey_invitations_create(today=dt.date(2027, 1, 21), send=False)
    assert len(created) == 30


def test_defaults_come_to_running_cohorts_without_schedules(running_cohort, mentor, mentee):
    assert tasks.survey_invitations_create() == 0
    keys = set(running_cohort.survey_schedules.values_list("key", flat=True))
    assert keys == {"relationship-check", "mid-point", "end-of-programme"}


def test_invitations_wait_for_the_persons_working_hours(
    running_cohort, template, mentor, mentee, django_capture_on_commit_callbacks, settings
):
    """Created on a Saturday night, an invitation is held until Monday 09:00 in the person's
    own time zone, like the programme rhythm's emails."""
    settings.RHYTHM_IGNORE_SEND_WINDOWS = False
    mentor.profile.time_zone = "America/New_York"
    mentor.profile.save()
    make_schedule(running_cohort, template)
    with time_machine.travel(dt.datetime(2027, 1, 23, 22, 0, tzinfo=dt.UTC), tick=False):
        assert _run(django_capture_on_commit_callbacks) == 2
    assert len(mail.outbox) == 0  # nothing goes out at the weekend
    held = {e.to: e.next_attempt_at for e in Email.objects.filter(kind="survey-invitation")}
    assert held[mentee.email] == dt.datetime(2027, 1, 25, 9, 0, tzinfo=dt.UTC)  # London
    assert held[mentor.email] == dt.datetime(2027, 1, 25, 14, 0, tzinfo=dt.UTC)  # 09:00 EST
