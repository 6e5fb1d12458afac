"""A whole 12-week cohort, simulated: time-machine steps through every day, beat runs the
feedback invitations and the rhythm rules, the outbox sends what is due. Used by the tests and
by docs/rhythm.md's timeline.

Things happen while emails are held for a send window (EVENTS): a pair logs a check-in, the
coordinator pauses a kind, a person opts out, a survey is answered, and the mail server fails
just before New Year's Day, so the retry falls on a bank holiday."""

import datetime as dt
import smtplib

import time_machine
from django.core import mail
from django.test import TestCase
from django.utils import timezone

from feedback import services as feedback_services
from feedback.models import NUMBER_RANGES, QuestionType, SurveyInvitation
from lib.audit import AuditContext
from notifications.models import Email
from notifications.services import email_deliver, email_preference_set
from notifications.tests.backends import FlakyBackend
from pairing import services as pairing_services
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


def _committed(action):
    """Run ``action`` as a request would: its on-commit hooks (the outbox's re-check) run."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        action()


def ben_logs_a_checkin(ctx):
    """Mon 2 Nov 06:00 UTC: Ben logs last Friday's meeting while the pair's nudges (written at
    midnight) wait for 09:00. Both nudges are cancelled at once."""
    _committed(
        lambda: pairing_services.checkin_log(
            pair=ctx["pair_b"],
            ctx=AuditContext(actor=ctx["people"]["ben"]),
            data={
                "met_on": dt.date(2026, 10, 30),
                "duration_minutes": 45,
                "format": "video",
                "worked_on": "Caught up at last.",
                "next_step": "",
                "rating": 3,
                "wellbeing": 3,
                "protected_time_kept": True,
            },
        )
    )


def nia_answers_the_midpoint_survey(ctx):
    """Thu 19 Nov 12:00 UTC (07:00 in New York): Nia answers the mid-point survey while her
    first reminder waits for her working hours. The reminder is cancelled at once."""
    invitation = SurveyInvitation.objects.get(
        user=ctx["people"]["nia"], schedule__template__name="Mid-point survey"
    )
    version = feedback_services.current_version(invitation.schedule.template)
    answers = {question.pk: _an_answer(question) for question in version.questions.all()[:1]}
    _committed(
        lambda: feedback_services.survey_submit(
            invitation=invitation, version=version, answers=answers
        )
    )


def _an_answer(question):
    """A plausible answer to one question (an empty response is refused)."""
    if question.type in NUMBER_RANGES:
        return NUMBER_RANGES[question.type][1]
    if question.type == QuestionType.MULTIPLE_CHOICE:
        return question.choices[:1]
    if question.type == QuestionType.SINGLE_CHOICE:
        return question.choices[0]
    return "Going well."


def ben_turns_off_survey_reminders(ctx):
    """Mon 23 Nov 06:00 UTC: Ben turns off survey reminders while his last mid-point reminder
    waits for 09:00. It is cancelled at once, and later ones are written cancelled."""
    email_preference_set(user=ctx["people"]["ben"], kind="survey-reminder", enabled=False)


def cora_pauses_checkin_reminders(ctx):
    """Fri 27 Nov 12:00 UTC: the coordinator pauses check-in reminders for the cohort; Ann's
    went at 09:00, Nia's (held for New York's morning) is cancelled at once."""
    _committed(
        lambda: services.kind_pause(
            cohort=ctx["cohort"], kind="checkin-reminder", actor=ctx["coordinator"]
        )
    )


def cora_resumes_checkin_reminders(ctx):
    """Mon 7 Dec 00:00 UTC: reminders are on again (the 11 December ones go)."""
    services.kind_resume(cohort=ctx["cohort"], kind="checkin-reminder")


def mail_server_fails_once(ctx):
    """Tue 29 Dec 15:00 UTC: the mail server answers "421 try again later" to the first email
    of the step (Nia's), and asks for a three-day back-off: the retry falls on Friday 1 January,
    New Year's Day, so it waits for Monday 4 January 09:00 in New York."""
    FlakyBackend.failures = [smtplib.SMTPResponseException(421, b"Try again later")]


EVENTS = {
    (dt.date(2026, 11, 2), 6): ben_logs_a_checkin,
    (dt.date(2026, 11, 19), 12): nia_answers_the_midpoint_survey,
    (dt.date(2026, 11, 23), 6): ben_turns_off_survey_reminders,
    (dt.date(2026, 11, 27), 12): cora_pauses_checkin_reminders,
    (dt.date(2026, 12, 7), 0): cora_resumes_checkin_reminders,
    (dt.date(2026, 12, 29), 15): mail_server_fails_once,
}
UNTIL = dt.date(2027, 1, 8)


def run(programme, *, runs_per_step=1, until=UNTIL, events=EVENTS):
    """Step hour by hour (HOURS) from the Friday before the start to ``until``. Returns the
    cohort, the people, and the timeline: (UTC time sent, recipient, idempotency key, subject).

    The caller's settings must use FlakyBackend and a three-day retry back-off (see the test)."""
    FlakyBackend.failures = []
    with time_machine.travel(dt.datetime(2026, 10, 2, 8, tzinfo=dt.UTC), tick=False) as clock:
        cohort, people, pair_a, pair_b = build(programme)
        ctx = {
            "cohort": cohort,
            "people": people,
            "pair_a": pair_a,
            "pair_b": pair_b,
            "coordinator": programme.coordinators.first(),
        }
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
                for _ in range(runs_per_step):
                    services.rhythm_run()
                if (day, hour) in events:
                    events[(day, hour)](ctx)
                for pk in Email.objects.due(now).values_list("pk", flat=True):
                    email_deliver(email_id=pk)
                # Ann answers every survey as soon as its invitation reaches her; the others
                # answer only when an event says so.
                delivered = Email.objects.filter(
                    kind="survey-invitation", to=ann.email, status="sent"
                ).values_list("refs__invitation", flat=True)
                SurveyInvitation.objects.filter(
                    user=ann, answered_at__isnull=True, pk__in=list(delivered)
                ).update(answered_at=timezone.now())
            day += dt.timedelta(days=1)
    sent = Email.objects.filter(status="sent").order_by("sent_at", "to", "idempotency_key")
    timeline = [(e.sent_at, e.to, e.idempotency_key, e.subject) for e in sent]
    assert len(mail.outbox) == len(timeline)
    return cohort, people, timeline
