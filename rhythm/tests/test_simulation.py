"""The whole simulated 12-week cohort (rhythm/tests/simulation.py): the exact emails each person
receives, in order, at which time (UTC), with beat running the rules twice at every step; and
the exact emails cancelled because they were no longer wanted when their time came, each with
its reason (a check-in logged, a survey answered, a kind paused, an opt-out)."""

import pytest

from notifications.models import Email
from notifications.windows import bank_holidays, in_window
from rhythm.tests import simulation

pytestmark = pytest.mark.django_db

# (sent at, UTC; recipient; subject). Nia is in New York: her emails wait for 09:00 there
# (14:00 UTC in winter, 13:00 before the clocks change). The closing email of Christmas Day waits
# for Tuesday 29 December (Boxing Day's substitute is Monday 28). docs/rhythm.md explains each.
TIMELINE = [
    ("Fri 02 Oct 09:00", "cora", "Data Science Accelerator: week of 28 September"),
    ("Mon 05 Oct 09:00", "ann", "Welcome to Data Science Accelerator, Autumn 2026"),
    ("Mon 05 Oct 09:00", "bea", "Welcome to Data Science Accelerator, Autumn 2026"),
    ("Mon 05 Oct 09:00", "ben", "Welcome to Data Science Accelerator, Autumn 2026"),
    ("Mon 05 Oct 09:00", "cora", "Data Science Accelerator: week of 5 October"),
    ("Mon 05 Oct 15:00", "nia", "Welcome to Data Science Accelerator, Autumn 2026"),
    ("Mon 12 Oct 09:00", "cora", "Data Science Accelerator: week of 12 October"),
    ("Fri 16 Oct 09:00", "ann", "Your next mentoring check-in is due on Monday 19 October"),
    ("Fri 16 Oct 09:00", "ben", "Your next mentoring check-in is due on Monday 19 October"),
    ("Fri 16 Oct 15:00", "nia", "Your next mentoring check-in is due on Monday 19 October"),
    ("Mon 19 Oct 09:00", "cora", "Data Science Accelerator: week of 19 October"),
    ("Mon 26 Oct 09:00", "cora", "Data Science Accelerator: week of 26 October"),
    ("Fri 30 Oct 09:00", "ann", "Your next mentoring check-in is due on Monday 2 November"),
    ("Fri 30 Oct 15:00", "nia", "Your next mentoring check-in is due on Monday 2 November"),
    ("Mon 02 Nov 09:00", "cora", "Data Science Accelerator: week of 2 November"),
    ("Mon 02 Nov 15:00", "nia", "Thank you for telling us how you are"),
    (
        "Wed 04 Nov 09:00",
        "ann",
        "30-day relationship check: please tell us how Data Science Accelerator is going",
    ),
    (
        "Wed 04 Nov 09:00",
        "bea",
        "30-day relationship check: please tell us how Data Science Accelerator is going",
    ),
    (
        "Wed 04 Nov 09:00",
        "ben",
        "30-day relationship check: please tell us how Data Science Accelerator is going",
    ),
    (
        "Wed 04 Nov 15:00",
        "nia",
        "30-day relationship check: please tell us how Data Science Accelerator is going",
    ),
    ("Mon 09 Nov 09:00", "bea", 'Reminder: the "30-day relationship check" closes on 18 November'),
    ("Mon 09 Nov 09:00", "ben", 'Reminder: the "30-day relationship check" closes on 18 November'),
    ("Mon 09 Nov 09:00", "cora", "Data Science Accelerator: week of 9 November, 1 pair to look at"),
    ("Mon 09 Nov 15:00", "nia", 'Reminder: the "30-day relationship check" closes on 18 November'),
    ("Tue 10 Nov 09:00", "ben", "Your next mentoring check-in is due on Friday 13 November"),
    (
        "Wed 11 Nov 09:00",
        "bea",
        'Last reminder: the "30-day relationship check" closes on 18 November',
    ),
    (
        "Wed 11 Nov 09:00",
        "ben",
        'Last reminder: the "30-day relationship check" closes on 18 November',
    ),
    (
        "Wed 11 Nov 15:00",
        "nia",
        'Last reminder: the "30-day relationship check" closes on 18 November',
    ),
    ("Fri 13 Nov 09:00", "ann", "Your next mentoring check-in is due on Monday 16 November"),
    ("Fri 13 Nov 15:00", "nia", "Your next mentoring check-in is due on Monday 16 November"),
    ("Mon 16 Nov 09:00", "ann", "Half way through Autumn 2026"),
    (
        "Mon 16 Nov 09:00",
        "ann",
        "Mid-point survey: please tell us how Data Science Accelerator is going",
    ),
    ("Mon 16 Nov 09:00", "bea", "Half way through Autumn 2026"),
    (
        "Mon 16 Nov 09:00",
        "bea",
        "Mid-point survey: please tell us how Data Science Accelerator is going",
    ),
    ("Mon 16 Nov 09:00", "ben", "Half way through Autumn 2026"),
    (
        "Mon 16 Nov 09:00",
        "ben",
        "Mid-point survey: please tell us how Data Science Accelerator is going",
    ),
    (
        "Mon 16 Nov 09:00",
        "cora",
        "Data Science Accelerator: week of 16 November, 1 pair to look at",
    ),
    ("Mon 16 Nov 15:00", "nia", "Half way through Autumn 2026"),
    (
        "Mon 16 Nov 15:00",
        "nia",
        "Mid-point survey: please tell us how Data Science Accelerator is going",
    ),
    ("Thu 19 Nov 09:00", "bea", 'Reminder: the "Mid-point survey" closes on 28 November'),
    ("Thu 19 Nov 09:00", "ben", 'Reminder: the "Mid-point survey" closes on 28 November'),
    ("Mon 23 Nov 09:00", "bea", 'Last reminder: the "Mid-point survey" closes on 28 November'),
    ("Mon 23 Nov 09:00", "cora", "Data Science Accelerator: week of 23 November"),
    ("Fri 27 Nov 09:00", "ann", "Your next mentoring check-in is due on Monday 30 November"),
    ("Fri 27 Nov 09:00", "bea", "No mentoring check-in for 28 days"),
    ("Fri 27 Nov 09:00", "ben", "No mentoring check-in for 28 days"),
    (
        "Mon 30 Nov 09:00",
        "cora",
        "Data Science Accelerator: week of 30 November, 1 pair to look at",
    ),
    ("Mon 07 Dec 09:00", "cora", "Data Science Accelerator: week of 7 December, 1 pair to look at"),
    ("Fri 11 Dec 09:00", "ann", "Your next mentoring check-in is due on Monday 14 December"),
    ("Fri 11 Dec 09:00", "ann", "Two weeks to go in Autumn 2026"),
    ("Fri 11 Dec 09:00", "bea", "Two weeks to go in Autumn 2026"),
    ("Fri 11 Dec 09:00", "ben", "Two weeks to go in Autumn 2026"),
    ("Fri 11 Dec 15:00", "nia", "Your next mentoring check-in is due on Monday 14 December"),
    ("Fri 11 Dec 15:00", "nia", "Two weeks to go in Autumn 2026"),
    (
        "Mon 14 Dec 09:00",
        "cora",
        "Data Science Accelerator: week of 14 December, 1 pair to look at",
    ),
    (
        "Mon 21 Dec 09:00",
        "cora",
        "Data Science Accelerator: week of 21 December, 1 pair to look at",
    ),
    ("Tue 29 Dec 09:00", "ann", "Thank you for taking part in Autumn 2026"),
    (
        "Tue 29 Dec 09:00",
        "ann",
        "End-of-programme survey: please tell us how Data Science Accelerator is going",
    ),
    ("Tue 29 Dec 09:00", "bea", "Thank you for taking part in Autumn 2026"),
    (
        "Tue 29 Dec 09:00",
        "bea",
        "End-of-programme survey: please tell us how Data Science Accelerator is going",
    ),
    ("Tue 29 Dec 09:00", "ben", "Thank you for taking part in Autumn 2026"),
    (
        "Tue 29 Dec 09:00",
        "ben",
        "End-of-programme survey: please tell us how Data Science Accelerator is going",
    ),
    (
        "Tue 29 Dec 09:00",
        "cora",
        "Data Science Accelerator: week of 28 December, 1 pair to look at",
    ),
    (
        "Tue 29 Dec 15:00",
        "nia",
        "End-of-programme survey: please tell us how Data Science Accelerator is going",
    ),
    ("Mon 04 Jan 09:00", "bea", 'Reminder: the "End-of-programme survey" closes on 15 January'),
    ("Mon 04 Jan 09:00", "cora", "Data Science Accelerator: week of 4 January, 1 pair to look at"),
    ("Mon 04 Jan 15:00", "nia", "Thank you for taking part in Autumn 2026"),
    ("Mon 04 Jan 15:00", "nia", 'Reminder: the "End-of-programme survey" closes on 15 January'),
    (
        "Tue 05 Jan 09:00",
        "bea",
        'Last reminder: the "End-of-programme survey" closes on 15 January',
    ),
    (
        "Tue 05 Jan 15:00",
        "nia",
        'Last reminder: the "End-of-programme survey" closes on 15 January',
    ),
]


# (recipient, subject, reason) of every cancelled row, in the order they were written.
CANCELLED = [
    (
        "bea",
        "Your next mentoring check-in is due on Monday 19 October",
        "Not sent: the person turned off 'checkin-reminder' emails.",
    ),
    (
        "bea",
        "No mentoring check-in for 28 days",
        "Not sent: the pair logged a check-in (met on 30 October 2026) after this was written.",
    ),
    (
        "ben",
        "No mentoring check-in for 28 days",
        "Not sent: the pair logged a check-in (met on 30 October 2026) after this was written.",
    ),
    (
        "bea",
        "Your next mentoring check-in is due on Friday 13 November",
        "Not sent: the person turned off 'checkin-reminder' emails.",
    ),
    (
        "nia",
        'Reminder: the "Mid-point survey" closes on 28 November',
        "Not sent: the survey was answered.",
    ),
    (
        "ben",
        'Last reminder: the "Mid-point survey" closes on 28 November',
        "Not sent: the person turned off 'survey-reminder' emails.",
    ),
    (
        "nia",
        "Your next mentoring check-in is due on Monday 30 November",
        "Not sent: the coordinator paused 'Check-in reminders' for Autumn 2026.",
    ),
    (
        "ben",
        'Reminder: the "End-of-programme survey" closes on 15 January',
        "Not sent: the person turned off 'survey-reminder' emails.",
    ),
    (
        "ben",
        'Last reminder: the "End-of-programme survey" closes on 15 January',
        "Not sent: the person turned off 'survey-reminder' emails.",
    ),
]


@pytest.fixture
def mail_server(settings):
    """A mail server that fails when the simulation says so; a three-day retry back-off."""
    settings.EMAIL_BACKEND = "notifications.tests.backends.FlakyBackend"
    settings.OUTBOX_RETRY_BASE_SECONDS = 3 * 86400
    settings.OUTBOX_RETRY_CAP_SECONDS = 3 * 86400


def test_a_simulated_cohort_sends_each_person_exactly_these_emails_once(programme, mail_server):
    _cohort, people, timeline = simulation.run(programme, runs_per_step=2)
    names = {u.email: k for k, u in people.items()}
    names["coordinator@example.gov.uk"] = "cora"
    got = [(f"{at:%a %d %b %H:%M}", names[to], subject) for at, to, _key, subject in timeline]
    cancelled = [
        (names[e.to], e.subject, e.last_error)
        for e in Email.objects.filter(status="cancelled").order_by("created_at", "to", "pk")
    ]
    assert got == TIMELINE
    keys = [key for _at, _to, key, _subject in timeline]
    assert len(keys) == len(set(keys))  # two runs per step, one email per key

    # Every email no longer wanted was cancelled, with its reason: 9 of them.
    assert cancelled == CANCELLED
    # Those cancelled by something that happened while they were held went at that moment, not
    # at sending time: none of them was ever claimed.
    assert not Email.objects.filter(status="cancelled", attempts__gt=0).exists()

    # The retry fell on New Year's Day (a bank holiday) and waited for Monday, 09:00 in New York.
    retried = Email.objects.get(attempts=2)
    assert (names[retried.to], retried.subject) == (
        "nia",
        "Thank you for taking part in Autumn 2026",
    )
    assert f"{retried.sent_at:%a %d %b %H:%M}" == "Mon 04 Jan 15:00"

    # Survey reminders count from the day the invitation arrived: the end-of-programme
    # reminders come three days after the invitation of 29 December (Friday 1 January is a bank
    # holiday), never with it; Nia's invitation arrived that afternoon, her reminder Monday.
    invitations = {
        names[e.to]: e.sent_at.date()
        for e in Email.objects.filter(
            kind="survey-invitation", status="sent", subject__startswith="End-of-programme"
        )
    }
    for e in Email.objects.filter(kind="survey-reminder", status="sent"):
        if "End-of-programme" in e.subject:
            assert (e.sent_at.date() - invitations[names[e.to]]).days >= 3

    # Bea turned check-in reminders off (optional): written as cancelled, never sent. Her
    # milestones (essential) all arrived.
    assert [s for _, who, s in got if who == "bea" and "Autumn 2026" in s] == [
        "Welcome to Data Science Accelerator, Autumn 2026",
        "Half way through Autumn 2026",
        "Two weeks to go in Autumn 2026",
        "Thank you for taking part in Autumn 2026",
    ]
    # Every check-in reminder carries its calendar invitation, with one UID per pair and date.
    reminders = Email.objects.filter(kind="checkin-reminder", status="sent")
    uids = {e.attachments[0]["content"].split("UID:")[1].split("\r\n")[0] for e in reminders}
    # Ann and Nia's five due dates, Ben's two (Bea's cancelled; Nia's 30 November paused).
    assert len(uids) == 7
    # Nothing lands outside working hours in the recipient's zone, retries included.
    zones = {u.email: u.profile.time_zone for u in people.values()}
    for e in Email.objects.filter(status="sent"):
        assert in_window(e.sent_at, zones.get(e.to, "Europe/London"), bank_holidays()), e
