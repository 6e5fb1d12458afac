"""The cohort's schedule page shows every automated email the cohort will get -- the rhythm's,
survey invitations, event invitations and reminders -- and any kind can be paused there; a
pause cancels what is already held, with the reason on the page. Event emails keep to send
windows, and a reminder is not sent once its event has started."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from community import services as community_services
from community.models import Event
from feedback import services as feedback_services
from notifications.models import Email
from notifications.services import email_deliver
from pairing.tests.factories import PairFactory
from programmes.models import Cohort
from programmes.tests.factories import CohortFactory
from rhythm.models import PausedKind

pytestmark = pytest.mark.django_db

FRIDAY_EVENING = dt.datetime(2026, 11, 6, 19, tzinfo=dt.UTC)  # after work in London
MONDAY_9 = dt.datetime(2026, 11, 9, 9, tzinfo=dt.UTC)


@pytest.fixture
def running(programme):
    cohort = CohortFactory(
        programme=programme,
        name="Autumn 2026",
        starts_on=dt.date(2026, 10, 5),
        ends_on=dt.date(2026, 12, 25),
    )
    Cohort.objects.filter(pk=cohort.pk).update(status="running")
    cohort.refresh_from_db()
    PairFactory(cohort=cohort, started_on=dt.date(2026, 10, 5))
    feedback_services.survey_defaults_ensure(programme=programme, cohort=cohort)
    return cohort


def _url(cohort):
    return reverse("rhythm:cohort_schedule", args=[cohort.programme.slug, cohort.pk])


def _hub_day(cohort, coordinator, **kw):
    data = {
        "kind": "hub-day",
        "title": "Hub day",
        "first_date": dt.date(2026, 11, 12),
        "start_time": dt.time(10),
        "weekly": False,
        **kw,
    }
    return community_services.event_create(cohort=cohort, by=coordinator, data=data)


def test_the_page_lists_survey_invitations_and_event_emails_and_pauses_any_kind(
    client, coordinator, running, django_capture_on_commit_callbacks
):
    client.force_login(coordinator)
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        _hub_day(running, coordinator)  # invitations written now, held for Monday 09:00
        html = client.get(_url(running)).content.decode()
    assert "Survey invitation (Mid-point survey)" in html  # due 14 November: foreseen
    assert "Event invitation, with calendar file" in html  # held in the outbox
    assert "Waiting in the outbox" in html
    assert "Event reminder, the day before (Hub day, Thu 12 Nov)" in html
    for kind in ("survey-invitation", "event-invitation", "event-reminder", "checkin-reminder"):
        assert f'name="kind" value="{kind}"' in html

    # Pausing event invitations cancels the held ones at once, with the reason shown.
    with (
        time_machine.travel(FRIDAY_EVENING, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(_url(running), {"kind": "event-invitation", "action": "pause"})
    assert response.status_code == 302
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        html = client.get(_url(running)).content.decode()
    held = Email.objects.filter(kind="event-invitation")
    assert held.exists() and set(held.values_list("status", flat=True)) == {"cancelled"}
    assert "the coordinator paused &#x27;Stand-up and event invitations&#x27; for Autumn 2026." in (
        html
    )
    # Pausing event reminders marks the foreseen ones paused; the reminder task's rows written
    # while paused are cancelled when claimed.
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        client.post(_url(running), {"kind": "event-reminder", "action": "pause"})
        html = client.get(_url(running)).content.decode()
    assert "Paused: will not be sent" in html
    assert PausedKind.objects.filter(cohort=running).count() == 2
    with time_machine.travel(dt.datetime(2026, 11, 11, 9, tzinfo=dt.UTC), tick=False):
        assert community_services.event_reminders_send() > 0
        row = Email.objects.filter(kind="event-reminder").first()
        assert email_deliver(email_id=row.pk) == "cancelled"


def test_event_emails_wait_for_the_send_window_and_a_late_reminder_is_dropped(coordinator, running):
    with time_machine.travel(FRIDAY_EVENING, tick=False):
        event = _hub_day(
            running, coordinator, first_date=dt.date(2026, 11, 9), start_time=dt.time(9, 30)
        )
    invitations = Email.objects.filter(kind="event-invitation")
    assert invitations.exists()
    assert set(invitations.values_list("next_attempt_at", flat=True)) == {MONDAY_9}
    assert set(invitations.values_list("time_zone", flat=True)) == {"Europe/London"}
    # The reminder of Monday's 09:30 hub day is written on Sunday and held until Monday 09:00;
    # claimed after the event started (a late worker), it is not sent.
    with time_machine.travel(dt.datetime(2026, 11, 8, 10, tzinfo=dt.UTC), tick=False):
        assert community_services.event_reminders_send() > 0
    reminder = Email.objects.filter(kind="event-reminder").first()
    assert reminder.next_attempt_at == MONDAY_9
    with time_machine.travel(dt.datetime(2026, 11, 9, 9, 45, tzinfo=dt.UTC), tick=False):
        assert email_deliver(email_id=reminder.pk) == "cancelled"
    reminder.refresh_from_db()
    assert reminder.last_error.startswith("Not sent: the event had already started")
    # A deleted event's held emails are not sent either.
    Event.objects.filter(pk=event.pk).delete()
    with time_machine.travel(MONDAY_9, tick=False):
        assert email_deliver(email_id=invitations.first().pk) == "cancelled"
