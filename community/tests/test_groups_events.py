"""Stand-up groups, events, .ics invitations, reminders and attendance."""

import datetime as dt

import icalendar
import pytest
from django.core import mail
from django.urls import reverse

from community import services
from community.models import Attendance, Event, GroupMember, StandupGroup
from notifications.models import Email

from .conftest import add_people


def _groups_url(cohort, name="community:groups"):
    return reverse(name, args=[cohort.programme.slug, cohort.pk])


@pytest.fixture
def grouped(running, coordinator, today):
    add_people(running, 18)
    services.groups_generate(cohort=running, by=coordinator, min_size=5, max_size=8)
    return running


def test_coordinator_generates_balanced_draft_groups(client, coordinator, running, today):
    add_people(running, 18)  # 20 people with the mentor and mentee
    client.force_login(coordinator)
    response = client.post(
        _groups_url(running, "community:groups_generate"),
        {"min_size": 5, "max_size": 8, "seed": 0},
    )
    assert response.status_code == 302
    groups = list(running.standup_groups.all())
    sizes = sorted(g.members.count() for g in groups)
    assert sizes == [6, 7, 7]
    assert not any(g.published for g in groups)
    assert GroupMember.objects.filter(group__cohort=running).count() == 20
    page = client.get(_groups_url(running))
    assert page.status_code == 200
    assert "Mix score" in page.content.decode()
    assert "Group 1" in page.content.decode()


def test_generating_is_refused_for_a_cohort_that_is_not_running(client, coordinator, cohort):
    client.force_login(coordinator)
    client.post(_groups_url(cohort, "community:groups_generate"), {"min_size": 5, "max_size": 8})
    assert not StandupGroup.objects.exists()


def test_coordinator_moves_a_person_by_hand(client, coordinator, grouped):
    client.force_login(coordinator)
    member = GroupMember.objects.filter(group__number=1).first()
    target = grouped.standup_groups.get(number=2)
    prefix = f"m{member.enrolment_id}"
    response = client.post(
        _groups_url(grouped, "community:groups_move"),
        {
            "enrolment": member.enrolment_id,
            f"{prefix}-enrolment": member.enrolment_id,
            f"{prefix}-group": target.pk,
        },
    )
    assert response.status_code == 302
    assert GroupMember.objects.get(enrolment_id=member.enrolment_id).group == target


def test_publish_is_idempotent_and_invites_once(
    client, coordinator, grouped, today, django_capture_on_commit_callbacks
):
    services.standups_schedule(
        cohort=grouped,
        by=coordinator,
        first_date=dt.date(2027, 2, 4),
        start_time=dt.time(10, 0),
        video_url="https://meet.example.gov.uk/standup",
    )
    assert Email.objects.filter(kind="event-invitation").count() == 0  # drafts invite no one
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_groups_url(grouped, "community:groups_publish"))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(_groups_url(grouped, "community:groups_publish"))
    assert all(g.published for g in grouped.standup_groups.all())
    assert Email.objects.filter(kind="event-invitation").count() == 20
    assert len(mail.outbox) == 20
    keys = set(Email.objects.values_list("idempotency_key", flat=True))
    member = GroupMember.objects.select_related("group").first()
    event = member.group.events.get()
    assert f"event-invitation:{event.pk}:{member.enrolment.user_id}" in keys


def test_invitation_carries_a_valid_weekly_ics(coordinator, grouped, today):
    services.groups_publish(cohort=grouped, by=coordinator)
    services.standups_schedule(
        cohort=grouped,
        by=coordinator,
        first_date=dt.date(2027, 2, 4),
        start_time=dt.time(10, 0),
        location="Room 1.12, Newport",
    )
    message = Email.objects.filter(kind="event-invitation").first()
    (attachment,) = message.attachments
    assert (attachment["filename"], attachment["mimetype"]) == ("invite.ics", "text/calendar")
    content = attachment["content"]
    calendar = icalendar.Calendar.from_ical(content)
    (vevent,) = calendar.events
    event = Event.objects.get(title=str(vevent["summary"]).split(" – ")[0])
    assert str(vevent["uid"]) == event.uid
    assert vevent.decoded("dtstart") == dt.datetime(2027, 2, 4, 10, 0, tzinfo=event.tz)
    assert vevent.decoded("dtend") - vevent.decoded("dtstart") == dt.timedelta(minutes=30)
    rrule = vevent["rrule"]
    assert rrule["FREQ"] == ["WEEKLY"]
    assert rrule["UNTIL"][0].date() == grouped.ends_on
    assert str(vevent["location"]) == "Room 1.12, Newport"
    assert calendar.walk("VTIMEZONE")
    assert "Every Thursday" in message.subject
    assert "Room 1.12, Newport" in message.body_text
    assert "Room 1.12, Newport" in message.body_html


def test_ics_uid_is_stable(coordinator, grouped, today, client):
    services.groups_publish(cohort=grouped, by=coordinator)
    event = services.standups_schedule(
        cohort=grouped,
        by=coordinator,
        first_date=dt.date(2027, 2, 4),
        start_time=dt.time(10, 0),
        location="Hub",
    )[0]
    client.force_login(coordinator)
    download = client.get(reverse("community:event_ics", args=[event.pk]))
    row = Email.objects.filter(idempotency_key__startswith=f"event-invitation:{event.pk}:").first()
    emailed = icalendar.Calendar.from_ical(row.attachments[0]["content"]).events[0]
    downloaded = icalendar.Calendar.from_ical(download.content).events[0]
    assert str(downloaded["uid"]) == str(emailed["uid"]) == event.uid


def test_cohort_wide_session_invites_every_participant(client, coordinator, running, today):
    add_people(running, 3)
    client.force_login(coordinator)
    response = client.post(
        _groups_url(running, "community:events"),
        {
            "event-kind": "show-and-tell",
            "event-title": "Show-and-tell",
            "event-first_date": "2027-03-30",
            "event-start_time": "14:00",
            "event-duration_minutes": 90,
            "event-time_zone": "Europe/London",
            "event-location": "Drummond Gate, London",
        },
    )
    assert response.status_code == 302, response.content.decode()
    event = Event.objects.get()
    assert event.group is None and not event.weekly
    assert Email.objects.filter(kind="event-invitation").count() == 5
    row = Email.objects.filter(kind="event-invitation").first()
    vevent = icalendar.Calendar.from_ical(row.attachments[0]["content"]).events[0]
    assert "rrule" not in vevent


def test_reminders_are_sent_once_per_person_per_occurrence(
    coordinator, grouped, today, django_capture_on_commit_callbacks
):
    services.groups_publish(cohort=grouped, by=coordinator)
    services.standups_schedule(
        cohort=grouped,
        by=coordinator,
        first_date=dt.date(2027, 1, 14),  # Thursdays
        start_time=dt.time(10, 0),
        location="Hub",
    )
    assert services.event_reminders_send(today=dt.date(2027, 2, 2)) == 0  # Wednesday is free
    with django_capture_on_commit_callbacks(execute=True):
        services.event_reminders_send(today=dt.date(2027, 2, 3))
    with django_capture_on_commit_callbacks(execute=True):
        services.event_reminders_send(today=dt.date(2027, 2, 3))  # beat runs again
    reminders = Email.objects.filter(kind="event-reminder")
    assert reminders.count() == 20
    assert len(mail.outbox) == 20
    assert all(":2027-02-04:" in key for key in reminders.values_list("idempotency_key", flat=True))
    services.event_reminders_send(today=dt.date(2027, 2, 10))  # next week: a new occurrence
    assert reminders.count() == 40
    assert mail.outbox[0].subject.startswith("Tomorrow: Group")


def test_the_beat_task_sends_reminders(coordinator, grouped, today):
    from community.tasks import event_reminders_send

    services.groups_publish(cohort=grouped, by=coordinator)
    services.standups_schedule(
        cohort=grouped, by=coordinator, first_date=today, start_time=dt.time(9), location="Hub"
    )
    assert event_reminders_send() == 0  # tomorrow is Wednesday
    Event.objects.update(first_date=today + dt.timedelta(days=1))
    assert event_reminders_send() == 20
    assert event_reminders_send() == 20
    assert Email.objects.filter(kind="event-reminder").count() == 20


@pytest.fixture
def standup(coordinator, grouped, today):
    services.groups_publish(cohort=grouped, by=coordinator)
    services.standups_schedule(
        cohort=grouped,
        by=coordinator,
        first_date=dt.date(2027, 1, 14),
        start_time=dt.time(10, 0),
        location="Hub",
    )
    return Event.objects.get(group__number=1)


def test_participant_says_they_attended(client, standup):
    user = GroupMember.objects.filter(group=standup.group).first().enrolment.user
    client.force_login(user)
    url = reverse("community:event_attended", args=[standup.pk])
    client.post(url, {"occurrence": "2027-01-28"})
    client.post(url, {"occurrence": "2027-01-28"})
    row = Attendance.objects.get()
    assert (row.user, row.occurrence, row.source) == (user, dt.date(2027, 1, 28), "self")
    page = client.get(standup.get_absolute_url() + "?date=2027-01-28")
    assert "You attended" in page.content.decode()
    # A date that is not an occurrence, or in the future, is refused.
    client.post(url, {"occurrence": "2027-01-29"})
    client.post(url, {"occurrence": "2027-02-11"})
    assert Attendance.objects.count() == 1


def test_facilitator_takes_attendance_with_a_checklist(client, standup):
    members = list(GroupMember.objects.filter(group=standup.group).select_related("enrolment"))
    facilitator = members[0]
    facilitator.is_facilitator = True
    facilitator.save()
    client.force_login(facilitator.enrolment.user)
    page = client.get(standup.get_absolute_url() + "?date=2027-01-21")
    assert "Who attended on" in page.content.decode()
    present = [m.enrolment.user_id for m in members[:3]]
    url = reverse("community:event_attendance", args=[standup.pk])
    client.post(url, {"occurrence": "2027-01-21", "present": present})
    assert set(Attendance.objects.values_list("user_id", flat=True)) == set(present)
    assert set(Attendance.objects.values_list("source", flat=True)) == {"facilitator"}
    client.post(url, {"occurrence": "2027-01-21", "present": present[:1]})
    assert list(Attendance.objects.values_list("user_id", flat=True)) == present[:1]


def test_a_participant_cannot_take_attendance(client, standup):
    member = GroupMember.objects.filter(group=standup.group, is_facilitator=False).first()
    client.force_login(member.enrolment.user)
    url = reverse("community:event_attendance", args=[standup.pk])
    response = client.post(url, {"occurrence": "2027-01-21", "present": [member.enrolment.user_id]})
    assert response.status_code == 404
    assert not Attendance.objects.exists()


def test_attendance_rate_for_the_dashboard(coordinator, standup, django_assert_num_queries):
    from community.selectors import standup_attendance_rate

    members = list(GroupMember.objects.filter(group=standup.group))
    services.attendance_take(
        event=standup,
        occurrence=dt.date(2027, 1, 14),
        present_user_ids=[m.enrolment.user_id for m in members],
        by=coordinator,
    )
    cohort = standup.cohort
    with django_assert_num_queries(2):
        figures = standup_attendance_rate(cohort)
    # 3 groups x 3 Thursdays so far (14, 21, 28 Jan) x their members = 20 people x 3.
    assert figures["occurrences"] == 9
    assert figures["expected"] == 60
    assert figures["attended"] == len(members)
    assert figures["rate"] == pytest.approx(len(members) / 60)


@pytest.mark.parametrize("size", [10, 40])
def test_groups_page_query_count_does_not_grow(
    client, coordinator, running, today, size, django_assert_max_num_queries
):
    add_people(running, size)
    services.groups_generate(cohort=running, by=coordinator)
    client.force_login(coordinator)
    with django_assert_max_num_queries(14):
        response = client.get(_groups_url(running))
    assert response.status_code == 200


def test_demo_seed_is_idempotent(programme, running, today):
    from community import demo

    add_people(running, 10)
    demo.seed(programme)
    emails = Email.objects.count()
    listed = running.enrolments.filter(directory_listing__opted_in=True).count()
    demo.seed(programme)
    assert running.standup_groups.filter(published=True).count() == 2
    assert Event.objects.filter(kind="standup").count() == 2
    assert Email.objects.filter(kind="event-invitation").count() == 2 * 12  # stand-up + session
    assert Email.objects.count() == emails
    assert running.enrolments.filter(directory_listing__opted_in=True).count() == listed > 0


def test_a_cohort_session_is_seen_by_its_participants_and_listed_for_its_coordinator(
    client, hub_day, mentee, coordinator, outsider
):
    client.force_login(mentee)
    page = client.get(reverse("community:event", args=[hub_day.pk])).content.decode()
    assert "Hub day" in page and "Hub" in page
    client.force_login(coordinator)
    assert "Hub day" in client.get(_groups_url(hub_day.cohort, "community:events")).content.decode()
    client.force_login(outsider)
    assert client.get(reverse("community:event", args=[hub_day.pk])).status_code == 404


def test_attendance_and_directory_of_several_cohorts_take_two_queries_each(
    coordinator, standup, django_assert_num_queries
):
    """The programme dashboard reads every cohort at once: the query count does not grow with
    the number of cohorts."""
    from community.selectors import (
        directory_stats_by_cohort,
        standup_attendance_by_cohort,
        standup_attendance_rate,
    )
    from programmes.tests.factories import CohortFactory

    cohort = standup.cohort
    other = CohortFactory(programme=cohort.programme)
    members = list(GroupMember.objects.filter(group=standup.group))
    services.attendance_take(
        event=standup,
        occurrence=dt.date(2027, 1, 14),
        present_user_ids=[m.enrolment.user_id for m in members],
        by=coordinator,
    )
    with django_assert_num_queries(2):
        standups = standup_attendance_by_cohort([cohort.pk, other.pk])
    with django_assert_num_queries(2):
        directory = directory_stats_by_cohort([cohort.pk, other.pk])
    assert standups[cohort.pk] == standup_attendance_rate(cohort)
    assert standups[other.pk] == {"occurrences": 0, "expected": 0, "attended": 0, "rate": None}
    assert directory[other.pk]["participants"] == 0
    assert directory[cohort.pk]["participants"] > 0
