"""The whole simulated 12-week cohort (rhythm/tests/simulation.py): the exact emails each person
receives, in order, at which time (UTC), with beat running the rules twice at every step."""

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
    ("Mon 02 Nov 09:00", "bea", "No mentoring check-in for 28 days"),
    ("Mon 02 Nov 09:00", "ben", "No mentoring check-in for 28 days"),
    ("Mon 02 Nov 09:00", "cora", "Data Science Accelerator: week of 2 November, 1 pair to look at"),
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
    (
        "Mon 09 Nov 09:00",
        "cora",
        "Data Science Accelerator: week of 9 November, 2 pairs to look at",
    ),
    ("Mon 09 Nov 15:00", "nia", 'Reminder: the "30-day relationship check" closes on 18 November'),
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
        "Data Science Accelerator: week of 16 November, 2 pairs to look at",
    ),
    ("Mon 16 Nov 15:00", "nia", "Half way through Autumn 2026"),
    (
        "Mon 16 Nov 15:00",
        "nia",
        "Mid-point survey: please tell us how Data Science Accelerator is going",
    ),
    ("Tue 17 Nov 09:00", "bea", 'Reminder: the "Mid-point survey" closes on 28 November'),
    ("Tue 17 Nov 09:00", "ben", 'Reminder: the "Mid-point survey" closes on 28 November'),
    ("Tue 17 Nov 15:00", "nia", 'Reminder: the "Mid-point survey" closes on 28 November'),
    ("Mon 23 Nov 09:00", "bea", 'Last reminder: the "Mid-point survey" closes on 28 November'),
    ("Mon 23 Nov 09:00", "ben", 'Last reminder: the "Mid-point survey" closes on 28 November'),
    (
        "Mon 23 Nov 09:00",
        "cora",
        "Data Science Accelerator: week of 23 November, 1 pair to look at",
    ),
    ("Mon 23 Nov 15:00", "nia", 'Last reminder: the "Mid-point survey" closes on 28 November'),
    ("Fri 27 Nov 09:00", "ann", "Your next mentoring check-in is due on Monday 30 November"),
    ("Fri 27 Nov 15:00", "nia", "Your next mentoring check-in is due on Monday 30 November"),
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
    ("Tue 29 Dec 09:00", "bea", 'Reminder: the "End-of-programme survey" closes on 15 January'),
    ("Tue 29 Dec 09:00", "ben", "Thank you for taking part in Autumn 2026"),
    (
        "Tue 29 Dec 09:00",
        "ben",
        "End-of-programme survey: please tell us how Data Science Accelerator is going",
    ),
    ("Tue 29 Dec 09:00", "ben", 'Reminder: the "End-of-programme survey" closes on 15 January'),
    (
        "Tue 29 Dec 09:00",
        "cora",
        "Data Science Accelerator: week of 28 December, 1 pair to look at",
    ),
    ("Tue 29 Dec 15:00", "nia", "Thank you for taking part in Autumn 2026"),
    (
        "Tue 29 Dec 15:00",
        "nia",
        "End-of-programme survey: please tell us how Data Science Accelerator is going",
    ),
    ("Tue 29 Dec 15:00", "nia", 'Reminder: the "End-of-programme survey" closes on 15 January'),
]


def test_a_simulated_cohort_sends_each_person_exactly_these_emails_once(programme):
    _cohort, people, timeline = simulation.run(programme, runs_per_step=2)
    names = {u.email: k for k, u in people.items()}
    names["coordinator@example.gov.uk"] = "cora"
    got = [(f"{at:%a %d %b %H:%M}", names[to], subject) for at, to, _key, subject in timeline]
    assert got == TIMELINE
    keys = [key for _at, _to, key, _subject in timeline]
    assert len(keys) == len(set(keys))  # two runs per step, one email per key

    # Bea turned check-in reminders off (optional): written as cancelled, never sent. The
    # nudge is a kind of its own she left on; her milestones (essential) all arrived.
    cancelled = Email.objects.filter(to="bea@example.gov.uk", status="cancelled")
    assert [e.kind for e in cancelled] == ["checkin-reminder"]
    assert [s for _, who, s in got if who == "bea" and "Autumn 2026" in s] == [
        "Welcome to Data Science Accelerator, Autumn 2026",
        "Half way through Autumn 2026",
        "Two weeks to go in Autumn 2026",
        "Thank you for taking part in Autumn 2026",
    ]
    # Every check-in reminder carries its calendar invitation, with one UID per pair and date.
    reminders = Email.objects.filter(kind="checkin-reminder", status="sent")
    uids = {e.attachments[0]["content"].split("UID:")[1].split("\r\n")[0] for e in reminders}
    assert len(uids) == 6  # Ann and Nia's five due dates, Ben's one (Bea's was cancelled)
    # Nothing lands outside working hours in the recipient's zone, survey invitations included.
    zones = {u.email: u.profile.time_zone for u in people.values()}
    for e in Email.objects.filter(status="sent"):
        assert in_window(e.sent_at, zones.get(e.to, "Europe/London"), bank_holidays()), e
