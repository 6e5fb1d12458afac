"""The emails of the programme rhythm: the kinds, and one small function per email.

Each function takes plain data (rhythm.data) and returns a :class:`Message`; rules.py decides who
gets which and when, services.py writes them to the outbox in bulk.

Essential or optional (a person can turn optional kinds off; they carry List-Unsubscribe):

- essential: cohort milestones (the start, the half-way point, the last two weeks with the
  end-of-programme survey, the close) -- four emails a cohort, each about the programme the person
  signed up to; application reminders about the person's own application before a deadline; the
  reminder to a line manager (no account, so no preferences to honour).
- optional: check-in reminders with a calendar invitation, nudges after two silent cadences,
  survey reminders, the wellbeing support email and the coordinators' weekly digest. Recurring
  or personal: someone who keeps their own calendar, or would rather not be emailed about a
  wellbeing score they gave, can say so; the coordinator's flag does not depend on the email.
"""

import datetime as dt
from functools import lru_cache
from urllib.parse import urlsplit

from django.conf import settings

import community.emails  # noqa: F401 - registers the event kinds the schedule page pauses
import feedback.emails  # noqa: F401 - registers "survey-invitation", paused the same way
import recruitment.emails  # noqa: F401 - registers "manager-signoff", reused for its reminder
from lib.signing import sign, unsign_or_none
from lib.urls import absolute_reverse
from notifications.kinds import register_kind
from notifications.windows import zone
from people.roles import is_coordinator

from .data import ApplicationRow, CohortRow, InvitationRow, Message, PairRow, Person, ProgrammeRow

KIND_CHECKIN = "checkin-reminder"
KIND_NUDGE = "checkin-nudge"
KIND_SURVEY = "survey-reminder"
KIND_MILESTONE = "cohort-milestone"
KIND_APPLICATION = "application-reminder"
KIND_SIGNOFF = "manager-signoff"  # registered by recruitment: the same kind as the first request
KIND_WELLBEING = "wellbeing-support"
KIND_DIGEST = "coordinator-digest"

register_kind(
    KIND_CHECKIN,
    essential=False,
    label="Check-in reminders",
    description="When your next mentoring check-in is due, with a suggested time for calendars.",
)
register_kind(
    KIND_NUDGE,
    essential=False,
    label="Check-in nudges",
    description="A nudge when your pair has not logged a check-in for two cadences.",
)
register_kind(
    KIND_SURVEY,
    essential=False,
    label="Survey reminders",
    description="Up to two reminders for a survey you have not answered, never after it closes.",
)
register_kind(
    KIND_MILESTONE,
    essential=True,
    label="Programme milestones",
    description="Welcome, half-way, two weeks to go and thank-you emails of your cohort.",
)
register_kind(
    KIND_APPLICATION,
    essential=True,
    label="Application reminders",
    description="What is missing from your application before the deadline.",
)
register_kind(
    KIND_WELLBEING,
    essential=False,
    label="Wellbeing support",
    description="Support information after you tell us in a check-in that things are hard.",
)
register_kind(
    KIND_DIGEST,
    essential=False,
    label="Coordinator weekly digest",
    description="Monday summary of pairs at risk, unanswered surveys and unmatched mentees.",
    offered_to=is_coordinator,
)

# Kinds other apps send to a cohort, shown on its schedule page and pausable there too.
KIND_SURVEY_INVITATION = "survey-invitation"  # feedback
KIND_EVENT_INVITATION = "event-invitation"  # community
KIND_EVENT_REMINDER = "event-reminder"  # community

# The kinds a coordinator can pause for a cohort, in the order the schedule page lists them.
PAUSABLE_KINDS = [
    KIND_CHECKIN,
    KIND_NUDGE,
    KIND_SURVEY_INVITATION,
    KIND_SURVEY,
    KIND_EVENT_INVITATION,
    KIND_EVENT_REMINDER,
    KIND_MILESTONE,
    KIND_WELLBEING,
    KIND_APPLICATION,
    KIND_SIGNOFF,
]
GRACE_DAYS = 3  # a one-off email may still be queued this many days after it fell due


def site_host() -> str:
    return _host(settings.SITE_URL)


@lru_cache(maxsize=16)
def _host(site_url: str) -> str:
    return urlsplit(site_url).hostname or "localhost"


#: Names the use of the closing email's "would you mentor next time?" link; links already emailed
#: carry it.
MENTOR_NEXT_TIME_SALT = "rhythm.mentor-next-time"


def mentor_next_time_token(*, programme_id: int, user_id: int) -> str:
    """The signed link of the closing email: a programme and a person. No expiry: the offer
    stands, and using the link twice only updates the same talent-pool entry."""
    return sign(MENTOR_NEXT_TIME_SALT, p=programme_id, u=user_id)


def mentor_next_time_load(token: str) -> tuple[int, int] | None:
    """(programme id, user id) of a link, or None when it was tampered with."""
    data = unsign_or_none(MENTOR_NEXT_TIME_SALT, token)
    p, u = (data.get("p"), data.get("u")) if data else (None, None)
    return (p, u) if isinstance(p, int) and isinstance(u, int) else None


@lru_cache(maxsize=4096)  # pure; a run suggests the same few slots to thousands of pairs
def local_time(moment: dt.datetime, time_zone: str) -> str:
    local = moment.astimezone(zone(time_zone))
    return f"{local:%A} {local.day} {local:%B %Y}, {local:%H:%M} ({time_zone})"


def _message(
    *,
    rule,
    kind,
    key,
    template,
    person: Person,
    programme: ProgrammeRow,
    cohort_id,
    due_on,
    stale_after,
    context,
    label,
    not_after=None,
    ics=None,
    private=False,
    refs=None,
) -> Message:
    refs = {"cohort": cohort_id, **(refs or {})} if cohort_id else {**(refs or {})}
    return Message(
        rule=rule,
        kind=kind,
        key=key,
        template=template,
        to=person.email,
        person=person,
        context={"name": person.name, **context},
        programme_id=programme.pk,
        programme_name=programme.name,
        cohort_id=cohort_id,
        due_on=due_on,
        stale_after=stale_after,
        time_zone=person.time_zone,
        division=programme.division,
        not_after=not_after,
        ics=ics,
        label=label,
        private=private,
        refs=refs,
    )


# --- 1. Check-ins -------------------------------------------------------------------------------


def checkin_due(
    *,
    pair: PairRow,
    role: str,
    person: Person,
    other: Person,
    programme: ProgrammeRow,
    cohort: CohortRow,
    due: dt.date,
    send_on: dt.date,
    slot: dt.datetime,
    slot_suits_both: bool,
) -> Message:
    pair_url = absolute_reverse("pairing:detail", args=[pair.pk])
    return _message(
        rule="checkin-due",
        kind=KIND_CHECKIN,
        key=f"checkin-due:{pair.pk}:{due.isoformat()}:{role}",
        template="checkin-due",
        person=person,
        programme=programme,
        cohort_id=cohort.pk,
        due_on=send_on,
        stale_after=due,
        label="Check-in due, with calendar invitation",
        refs={"pair": pair.pk},
        context={
            "other_name": other.name,
            "other_email": other.email,
            "cohort_name": cohort.name,
            "due": due,
            "cadence_days": programme.cadence_days,
            "last_met_on": pair.last_met_on,
            "slot": local_time(slot, person.time_zone),
            "slot_other": local_time(slot, other.time_zone),
            "slot_suits_both": slot_suits_both,
            "url": pair_url,
        },
        ics={
            "uid": f"checkin-{pair.pk}-{due.isoformat()}@{site_host()}",
            "start": slot.isoformat(),
            "summary": f"Mentoring check-in: {pair.mentor.name} and {pair.mentee.name}",
            "description": f"{programme.name}, {cohort.name}. A suggested time for your "
            f"check-in due on {due:%d %B %Y}; move it to suit you both. "
            f"Log the check-in afterwards: {pair_url}",
            "url": pair_url,
        },
    )


def checkin_nudge(
    *,
    pair: PairRow,
    role: str,
    person: Person,
    other: Person,
    programme: ProgrammeRow,
    cohort: CohortRow,
    send_on: dt.date,
    stale_after: dt.date,
) -> Message:
    return _message(
        rule="checkin-nudge",
        kind=KIND_NUDGE,
        key=f"checkin-nudge:{pair.pk}:{pair.anchor.isoformat()}:{role}",
        template="checkin-nudge",
        person=person,
        programme=programme,
        cohort_id=cohort.pk,
        due_on=send_on,
        stale_after=stale_after,
        label="Nudge: no check-in for two cadences",
        refs={"pair": pair.pk},
        context={
            "other_name": other.name,
            "cohort_name": cohort.name,
            "last_met_on": pair.last_met_on,
            "started_on": pair.started_on,
            "days_silent": (send_on - pair.anchor).days,
            "cadence_days": programme.cadence_days,
            "url": absolute_reverse("pairing:detail", args=[pair.pk]),
        },
    )


# --- 2. Surveys ---------------------------------------------------------------------------------


def survey_reminder(
    *,
    invitation: InvitationRow,
    number: int,
    programme: ProgrammeRow,
    send_on: dt.date,
    stale_after: dt.date,
) -> Message:
    return _message(
        rule="survey-reminder",
        kind=KIND_SURVEY,
        key=f"survey-reminder:{invitation.pk}:{number}",
        template="survey-reminder",
        person=invitation.person,
        programme=programme,
        cohort_id=invitation.cohort_id,
        due_on=send_on,
        stale_after=stale_after,
        not_after=invitation.closes_on,
        label=f"Survey reminder {number} ({invitation.survey_name})",
        private=invitation.anonymous,
        refs={"invitation": invitation.pk},
        context={
            "survey_name": invitation.survey_name,
            "about_pair_with": invitation.about_pair_with,
            "closes_on": invitation.closes_on,
            "number": number,
            "last": number == 2,
            "url": invitation.url or absolute_reverse("feedback:mine"),
        },
    )


# --- 3. Milestones ------------------------------------------------------------------------------

MILESTONE_LABELS = {
    "welcome": "Welcome at the start",
    "halfway": "Half-way point",
    "two-weeks": "Two weeks to go, with the end-of-programme survey",
    "closing": "Thank you, and would you mentor next time?",
}


def milestone(
    *,
    name: str,
    person: Person,
    role: str,
    programme: ProgrammeRow,
    cohort: CohortRow,
    due_on: dt.date,
    extra: dict | None = None,
) -> Message:
    return _message(
        rule=f"milestone-{name}",
        kind=KIND_MILESTONE,
        key=f"milestone:{name}:{cohort.pk}:{person.user_id}",
        template=f"cohort-{name}",
        person=person,
        programme=programme,
        cohort_id=cohort.pk,
        due_on=due_on,
        stale_after=due_on + dt.timedelta(days=GRACE_DAYS),
        label=MILESTONE_LABELS[name],
        context={
            "role": role,
            "cohort_name": cohort.name,
            "starts_on": cohort.starts_on,
            "ends_on": cohort.ends_on,
            "weeks_left": max((cohort.ends_on - due_on).days // 7, 0),
            "cadence_days": programme.cadence_days,
            "home_url": absolute_reverse("home"),
            "surveys_url": absolute_reverse("feedback:mine"),
            **(extra or {}),
        },
    )


# --- 4. Recruitment -----------------------------------------------------------------------------


def application_deadline(
    *,
    application: ApplicationRow,
    programme: ProgrammeRow,
    cohort: CohortRow,
    due_on: dt.date,
    unfinished: bool,
    missing_project: bool,
) -> Message:
    return _message(
        rule="application-deadline",
        kind=KIND_APPLICATION,
        key=f"application-deadline:{application.enrolment_id}",
        template="application-deadline",
        person=application.person,
        programme=programme,
        cohort_id=cohort.pk,
        due_on=due_on,
        stale_after=cohort.applications_close,
        not_after=cohort.applications_close,
        label="Application deadline in three days",
        refs={"enrolment": application.enrolment_id},
        context={
            "cohort_name": cohort.name,
            "closes_on": cohort.applications_close,
            "role": application.role,
            "unfinished": unfinished,
            "missing_project": missing_project,
            "profile_missing": list(application.profile_missing),
            "apply_url": absolute_reverse("recruitment:apply", args=[cohort.pk, application.role]),
            "application_url": absolute_reverse(
                "recruitment:application", args=[application.enrolment_id]
            ),
            "profile_url": absolute_reverse("people:profile"),
        },
    )


def signoff_reminder(
    *, application: ApplicationRow, programme: ProgrammeRow, cohort: CohortRow, due_on: dt.date
) -> Message:
    manager = Person(user_id=None, email=application.manager_email, name="")
    message = _message(
        rule="signoff-reminder",
        kind=KIND_SIGNOFF,
        key=f"signoff-reminder:{application.enrolment_id}:{application.manager_email}",
        template="signoff-reminder",
        person=manager,
        programme=programme,
        cohort_id=cohort.pk,
        due_on=due_on,
        stale_after=cohort.starts_on - dt.timedelta(days=1),
        label="Line manager: sign-off still pending",
        refs={"enrolment": application.enrolment_id},
        context={
            "applicant": application.person.name,
            "role": application.role,
            "cohort_name": cohort.name,
            "starts_on": cohort.starts_on,
            "closes_on": cohort.applications_close,
            "url": application.signoff_url,
        },
    )
    return message


def signoff_pending(
    *, application: ApplicationRow, programme: ProgrammeRow, cohort: CohortRow, due_on: dt.date
) -> Message:
    return _message(
        rule="signoff-pending",
        kind=KIND_APPLICATION,
        key=f"signoff-pending:{application.enrolment_id}",
        template="signoff-pending",
        person=application.person,
        programme=programme,
        cohort_id=cohort.pk,
        due_on=due_on,
        stale_after=cohort.starts_on - dt.timedelta(days=1),
        label="Applicant: line-manager sign-off still pending",
        refs={"enrolment": application.enrolment_id},
        context={
            "cohort_name": cohort.name,
            "manager_email": application.manager_email,
            "closes_on": cohort.applications_close,
            "application_url": absolute_reverse(
                "recruitment:application", args=[application.enrolment_id]
            ),
        },
    )


# --- 5. Wellbeing -------------------------------------------------------------------------------


def wellbeing_support(
    *,
    pair: PairRow,
    checkin_pk: int,
    person: Person,
    programme: ProgrammeRow,
    cohort: CohortRow,
    due_on: dt.date,
) -> Message:
    return _message(
        rule="wellbeing",
        kind=KIND_WELLBEING,
        key=f"wellbeing:{checkin_pk}",
        template="wellbeing-support",
        person=person,
        programme=programme,
        cohort_id=cohort.pk,
        due_on=due_on,
        stale_after=due_on + dt.timedelta(days=GRACE_DAYS),
        label="Wellbeing support after a low score",
        refs={"pair": pair.pk, "checkin": checkin_pk},
        context={
            "cohort_name": cohort.name,
            "support_information": programme.support_information,
            "coordinators": [c.email for c in programme.coordinators],
            "url": absolute_reverse("pairing:detail", args=[pair.pk]),
        },
    )


# --- 6. Digest ----------------------------------------------------------------------------------


def coordinator_digest(
    *,
    programme: ProgrammeRow,
    coordinator: Person,
    monday: dt.date,
    cohorts: list[dict],
) -> Message:
    year, week, _ = monday.isocalendar()
    return _message(
        rule="digest",
        kind=KIND_DIGEST,
        key=f"digest:{programme.pk}:{coordinator.user_id}:{year}-W{week:02d}",
        template="coordinator-digest",
        person=coordinator,
        programme=programme,
        cohort_id=None,
        due_on=monday,
        stale_after=monday + dt.timedelta(days=4),
        label="Coordinator weekly digest",
        refs={"programme": programme.pk},
        context={
            "week_of": monday,
            "cohorts": cohorts,
            "at_risk_total": sum(len(c["at_risk"]) for c in cohorts),
            "programme_url": absolute_reverse("programmes:detail", args=[programme.slug]),
        },
    )
