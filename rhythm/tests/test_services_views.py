"""Queueing, pausing, preview, the schedule page's access rules and the alumni link."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from notifications.models import Email
from pairing.tests.factories import PairFactory
from people.tests.factories import UserFactory
from programmes.models import Cohort, Enrolment
from programmes.tests.factories import CohortFactory
from recruitment.models import TalentPoolEntry
from rhythm import services
from rhythm.emails import mentor_next_time_token
from rhythm.models import PausedKind

pytestmark = pytest.mark.django_db

FRIDAY = dt.datetime(2026, 10, 16, 10, tzinfo=dt.UTC)  # check-ins due Monday 19 October


@pytest.fixture
def running(programme):
    cohort = CohortFactory(
        programme=programme, starts_on=dt.date(2026, 10, 5), ends_on=dt.date(2026, 12, 25)
    )
    Cohort.objects.filter(pk=cohort.pk).update(status="running")
    cohort.refresh_from_db()
    return cohort


def _pairs(cohort, n):
    return [PairFactory(cohort=cohort, started_on=dt.date(2026, 10, 5)) for _ in range(n)]


def test_a_run_queues_once_and_a_second_run_nothing(running):
    _pairs(running, 2)
    with time_machine.travel(FRIDAY):
        first = services.rhythm_run(rule_names=["checkin-due"])
        second = services.rhythm_run(rule_names=["checkin-due"])
    assert first["created"] == 4 and second["created"] == 0
    assert Email.objects.filter(kind="checkin-reminder").count() == 4


def test_a_paused_kind_sends_nothing_and_the_preview_says_so(running):
    _pairs(running, 1)
    services.kind_pause(cohort=running, kind="checkin-reminder")
    with time_machine.travel(FRIDAY):
        assert services.rhythm_run(rule_names=["checkin-due"])["created"] == 0
        preview = services.rhythm_preview(cohort=running)
    assert not Email.objects.filter(kind="checkin-reminder").exists()
    statuses = {p.status for p in preview if p.message.kind == "checkin-reminder"}
    assert statuses == {"paused"}
    services.kind_resume(cohort=running, kind="checkin-reminder")
    with time_machine.travel(FRIDAY):
        assert services.rhythm_run(rule_names=["checkin-due"])["created"] == 2


def test_outside_the_window_the_row_waits_for_the_next_window(running):
    _pairs(running, 1)
    with time_machine.travel(dt.datetime(2026, 10, 16, 20, tzinfo=dt.UTC)):  # Friday 21:00 BST
        services.rhythm_run(rule_names=["checkin-due"])
    times = set(Email.objects.values_list("next_attempt_at", flat=True))
    assert times == {dt.datetime(2026, 10, 19, 8, tzinfo=dt.UTC)}  # Monday 09:00 BST


def test_queries_do_not_grow_with_the_number_of_pairs(running):
    def count():
        Email.objects.all().delete()
        with time_machine.travel(FRIDAY), CaptureQueriesContext(connection) as ctx:
            services.rhythm_run()
        return len(ctx)

    _pairs(running, 3)
    small = count()
    _pairs(running, 30)
    # The same queries; SQLite only splits the one bulk INSERT by its limit on variables.
    assert count() <= small + (1 if connection.vendor == "sqlite" else 0)


def _run_queries(**kw) -> int:
    Email.objects.all().delete()
    with time_machine.travel(FRIDAY), CaptureQueriesContext(connection) as ctx:
        services.rhythm_run(**kw)
    return len(ctx)


# Per batch of pairs: the pairs, their check-ins, their people (two batches of enrolments), and
# one write of their emails: keys already queued (read before rendering), then in the write
# transaction undeliverable addresses, preferences and the insert (which returns its ids on both
# databases). The write joins the test's transaction: no savepoint. On PostgreSQL one more: the
# people's preference locks, before their preferences are read (notifications.services).
QUERIES_PER_BATCH = {"postgresql": 9, "sqlite": 8}


def test_the_same_queries_for_2_and_for_6_pairs_in_a_batch(running):
    _pairs(running, 2)
    two = _run_queries()
    _pairs(running, 4)
    assert _run_queries() == two


def test_queries_per_batch_of_pairs_are_constant(running, monkeypatch):
    """Batches of two pairs: every batch adds the same queries, whatever it holds (here the
    emails of each batch differ: some people are in New York, some pairs have met)."""
    from pairing.tests.factories import CheckInFactory
    from rhythm import collect

    monkeypatch.setattr(collect, "BATCH", 2)
    pairs = _pairs(running, 2)
    one = _run_queries()
    pairs += _pairs(running, 2)
    CheckInFactory(pair=pairs[-1], met_on=dt.date(2026, 10, 9))  # another due date
    two = _run_queries()
    pairs += _pairs(running, 2)
    three = _run_queries()
    assert two - one == three - two == QUERIES_PER_BATCH[connection.vendor]


def test_the_preview_lists_the_next_two_weeks_without_queueing(running):
    _pairs(running, 1)
    with time_machine.travel(FRIDAY):
        preview = services.rhythm_preview(cohort=running)
    assert not Email.objects.exists()
    rules = [p.message.rule for p in preview]
    assert rules.count("checkin-due") == 2 and "digest" in rules


# --- The schedule page ----------------------------------------------------------------------------


def _schedule_url(cohort):
    return reverse("rhythm:cohort_schedule", args=[cohort.programme.slug, cohort.pk])


def test_coordinator_and_staff_see_the_schedule(client, coordinator, staff, running):
    _pairs(running, 1)
    for user in (coordinator, staff):
        client.force_login(user)
        with time_machine.travel(FRIDAY):
            response = client.get(_schedule_url(running))
        assert response.status_code == 200
        assert b"Check-in due, with calendar invitation" in response.content


@pytest.mark.parametrize("who", ["mentor", "mentee", "outsider", "other"])
def test_everyone_else_gets_404(client, request, cohort, other_programme, who):
    user = other_programme.coordinators.get() if who == "other" else request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(_schedule_url(cohort)).status_code == 404
    assert client.post(_schedule_url(cohort), {"kind": "checkin-reminder"}).status_code == 404


def test_pausing_from_the_page(client, coordinator, running):
    client.force_login(coordinator)
    response = client.post(_schedule_url(running), {"kind": "survey-reminder", "action": "pause"})
    assert response.status_code == 302
    assert PausedKind.objects.filter(cohort=running, kind="survey-reminder").exists()
    assert b"Paused" in client.get(_schedule_url(running)).content
    client.post(_schedule_url(running), {"kind": "survey-reminder", "action": "resume"})
    assert not PausedKind.objects.exists()
    assert client.post(_schedule_url(running), {"kind": "account"}).status_code == 404


# --- "Would you mentor next time?" ----------------------------------------------------------------


def test_the_alumni_link_adds_the_person_to_the_talent_pool(client, programme, mentee, outsider):
    url = reverse(
        "rhythm:mentor_next_time",
        args=[mentor_next_time_token(programme_id=programme.pk, user_id=mentee.pk)],
    )
    client.force_login(mentee)
    assert client.get(url).status_code == 200
    assert not TalentPoolEntry.objects.exists()  # a GET (a mail scanner) changes nothing
    client.post(url)
    client.post(url)
    entry = TalentPoolEntry.objects.get()
    assert (entry.user, entry.source, entry.role) == (mentee, "alumni", "mentor")
    client.force_login(outsider)
    assert client.post(url).status_code == 404
    assert client.get(url[:-3] + "xx/").status_code == 404


def test_an_alumni_link_emailed_before_links_carried_a_timestamp_still_works(
    client, programme, mentee
):
    from django.core import signing

    old = signing.Signer(salt="rhythm.mentor-next-time").sign_object(
        {"p": programme.pk, "u": mentee.pk}, compress=False
    )
    client.force_login(mentee)
    client.post(reverse("rhythm:mentor_next_time", args=[old]))
    assert TalentPoolEntry.objects.get().user == mentee


def test_essential_milestones_ignore_opt_out_attempts(running):
    user = UserFactory()
    Enrolment.objects.create(user=user, cohort=running, role="mentee", status="accepted")
    with pytest.raises(ValueError):
        from notifications.services import email_preference_set

        email_preference_set(user=user, kind="cohort-milestone", enabled=False)
    with time_machine.travel(dt.datetime(2026, 10, 5, 10, tzinfo=dt.UTC)):
        services.rhythm_run(rule_names=["milestones"])
    assert Email.objects.get(to=user.email).status == "pending"


def test_the_schedule_shows_each_email_at_the_recipients_own_clock(client, coordinator, running):
    (pair,) = _pairs(running, 1)
    profile = pair.mentor.user.profile
    profile.time_zone = "America/New_York"
    profile.save()
    client.force_login(coordinator)
    with time_machine.travel(FRIDAY):
        response = client.get(_schedule_url(running))
    html = response.content.decode()
    new_york = ZoneInfo("America/New_York")
    theirs = [p for p in response.context["planned"] if p.message.time_zone == "America/New_York"]
    assert theirs
    for p in theirs:
        local = p.send_at.astimezone(new_york)
        assert 9 <= local.hour < 17  # inside their send window, on their clock
        shown = f"{local:%a} {local.day} {local:%b, %H:%M}"
        assert f'{shown} <span class="text-body-secondary small">America/New_York' in html
        # Not the same wall-clock time in London (five hours later in October).
        london = p.send_at.astimezone(ZoneInfo("Europe/London"))
        wrong = f"{london:%a} {london.day} {london:%b, %H:%M}"
        assert f'{wrong} <span class="text-body-secondary small">America/New_York' not in html
