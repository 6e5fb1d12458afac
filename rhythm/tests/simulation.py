"""A whole 12-week cohort, simulated: time-machine steps through every day, beat runs the
feedback invitations and the rhythm rules, the outbox sends what is due. Used by the tests and
by docs/rhythm.md's timeline."""

import datetime as dt

import time_machine
from django.core import mail
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import SurveyInvitation
from notifications.models import Email
from notifications.services import email_deliver, email_preference_set
from pairing.tests.factories import CheckInFactory, PairFactory
from people.tests.factories import UserFactory
from programmes.models import Cohort
from programmes.tests.factories import CohortFactory, EnrolmentFactory
from rhythm import services

STARTS = dt.date(2026, 10, 5)  # a Monday
ENDS = dt.date(2026, 12, 25)  # Christmas Day: the closing email waits for 29 December
HOURS = (0, 6, 9, 12, 15, 18, 21)  # UTC; 21:00 UTC is 16:00 in New York


def person(email, name, tz="Europe/London"):
    user = UserFactory(email=email, full_name=name)
    user.profile.time_zone = tz
    user.profile.save()
    return user


def build(programme):
    """Two pairs: Ann (London) mentors Nia (New York), who meet every two weeks; Ben mentors
    Bea (both London), who never log a check-in, and Bea turned off check-in reminders."""
    cohort = CohortFactory(
        programme=programme,
        name="Autumn 2026",
        applications_open=dt.date(2026, 8, 1),
        applications_close=dt.date(2026, 9, 1),
        starts_on=STARTS,
        ends_on=ENDS,
    )
    Cohort.objects.filter(pk=cohort.pk).update(status="running")
    cohort.refresh_from_db()
    people = {
        "ann": person("ann@example.gov.uk", "Ann Mentor"),
        "nia": person("nia@example.gov.uk", "Nia Mentee", "America/New_York"),
        "ben": person("ben@example.gov.uk", "Ben Mentor"),
        "bea": person("bea@example.gov.uk", "Bea Mentee"),
    }
    enrol = {
        k: EnrolmentFactory(
            user=u, cohort=cohort, role="mentor" if k in ("ann", "ben") else "mentee"
        )
        for k, u in people.items()
    }
    pair_a = PairFactory(cohort=cohort, mentor=enrol["ann"], mentee=enrol["nia"], started_on=STARTS)
    pair_b = PairFactory(cohort=cohort, mentor=enrol["ben"], mentee=enrol["bea"], started_on=STARTS)
    email_preference_set(user=people["bea"], kind="checkin-reminder", enabled=False)
    feedback_services.survey_defaults_ensure(programme=programme, cohort=cohort)
    return cohort, people, pair_a, pair_b


# Ann and Nia meet on these days (logged at 12:00 UTC that day); Nia reports low wellbeing once.
MEETINGS = {
    dt.date(2026, 10, 19): {"wellbeing": 4, "rating": 5},
    dt.date(2026, 11, 2): {"wellbeing": 2, "rating": 4},
    dt.date(2026, 11, 16): {"wellbeing": 3, "rating": 4},
    dt.date(2026, 11, 30): {"wellbeing": 4, "rating": 5},
    dt.date(2026, 12, 14): {"wellbeing": 4, "rating": 5},
}


def run(programme, *, runs_per_step=1, until=dt.date(2027, 1, 1)):
    """Step hour by hour (HOURS) from the Friday before the start to ``until``. Returns the
    cohort, the people, and the timeline: (UTC time sent, recipient, idempotency key, subject)."""
    with time_machine.travel(dt.datetime(2026, 10, 2, 8, tzinfo=dt.UTC), tick=False) as clock:
        cohort, people, pair_a, pair_b = build(programme)
        ann = people["ann"]
        day = dt.date(2026, 10, 2)
        while day <= until:
            for hour in HOURS:
                now = dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)
                clock.move_to(now)
                if hour == 12 and day in MEETINGS:
                    CheckInFactory(pair=pair_a, author=people["nia"], met_on=day, **MEETINGS[day])
                if hour == 0:
                    feedback_services.survey_invitations_create()
                    # Ann answers every survey the day it arrives; the others never do.
                    SurveyInvitation.objects.filter(user=ann, answered_at__isnull=True).update(
                        answered_at=timezone.now()
                    )
                for _ in range(runs_per_step):
                    services.rhythm_run()
                for pk in Email.objects.due(now).values_list("pk", flat=True):
                    email_deliver(email_id=pk)
            day += dt.timedelta(days=1)
    sent = Email.objects.filter(status="sent").order_by("sent_at", "to", "idempotency_key")
    timeline = [(e.sent_at, e.to, e.idempotency_key, e.subject) for e in sent]
    assert len(mail.outbox) == len(timeline)
    return cohort, people, timeline
