"""The rules of the programme rhythm. Pure: each takes a Snapshot (plain data, rhythm.data) and
the last day to look at, and returns the Messages due by then. No database, no clock: the
snapshot says what "today" is. services.py decides what to do with them (queue, or preview).

A rule returns a message from its ``due_on`` until its ``stale_after``; the outbox's idempotency
key makes returning it on every run harmless.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable

from lib.urls import absolute_reverse
from notifications.windows import bank_holidays
from pairing import cadence as pair_cadence
from pairing import risk

from . import emails
from .data import CohortRow, Message, PairRow, Snapshot
from .ics import suggest_slot

RUNNING = "running"
FINISHED = "finished"
RECRUITING = "recruiting"
MATCHING = "matching"

CHECKIN_LEAD_DAYS = 3  # the check-in reminder goes this many days before the due date
NUDGE_AFTER_CADENCES = 2
ESCALATE_AFTER_CADENCES = 3
LOW_WELLBEING = risk.LOW_WELLBEING  # a score at or below this prompts the support email
DEADLINE_LEAD_DAYS = 3  # application reminders go this many days before applications close
SIGNOFF_WAIT_DAYS = 5  # a manager is reminded when sign-off is pending this long

Rule = Callable[[Snapshot, dt.date], list[Message]]
DAY = dt.timedelta(days=1)


def _running_pairs(snap: Snapshot):
    for pair in snap.pairs:
        cohort = snap.cohorts.get(pair.cohort_id)
        if pair.active and cohort is not None and cohort.status == RUNNING:
            yield pair, cohort, snap.programmes[cohort.programme_id]


def checkin_due(snap: Snapshot, until: dt.date) -> list[Message]:
    """Each active pair hears, three days before, when its next check-in is due (a cadence after
    the last meeting, or after the start), with a calendar invitation for a suggested slot."""
    out = []
    for pair, cohort, programme in _running_pairs(snap):
        cadence = programme.cadence_days
        due = pair_cadence.next_due(
            started_on=pair.started_on, last_met_on=pair.last_met_on, cadence_days=cadence
        )
        if due > cohort.ends_on or due < snap.today:
            continue
        send_on = max(
            due - dt.timedelta(days=min(CHECKIN_LEAD_DAYS, cadence - 1)), pair.anchor + DAY
        )
        if send_on > until:
            continue
        zones = (pair.mentor.time_zone, pair.mentee.time_zone)
        slot, suits = suggest_slot(due, zones, bank_holidays(programme.division))
        for role, person, other in pair.people():
            out.append(
                emails.checkin_due(
                    pair=pair,
                    role=role,
                    person=person,
                    other=other,
                    programme=programme,
                    cohort=cohort,
                    due=due,
                    send_on=send_on,
                    slot=slot,
                    slot_suits_both=suits,
                )
            )
    return out


def checkin_nudge(snap: Snapshot, until: dt.date) -> list[Message]:
    """Both people are nudged once when no check-in was logged for two cadences; after three,
    the pair is the coordinator's business (the digest), not another email."""
    out = []
    for pair, cohort, programme in _running_pairs(snap):
        cadence = dt.timedelta(days=programme.cadence_days)
        send_on = pair.anchor + NUDGE_AFTER_CADENCES * cadence
        stale_after = pair.anchor + ESCALATE_AFTER_CADENCES * cadence - DAY
        if send_on > until or send_on > cohort.ends_on or stale_after < snap.today:
            continue
        for role, person, other in pair.people():
            out.append(
                emails.checkin_nudge(
                    pair=pair,
                    role=role,
                    person=person,
                    other=other,
                    programme=programme,
                    cohort=cohort,
                    send_on=send_on,
                    stale_after=stale_after,
                )
            )
    return out


def survey_reminders(snap: Snapshot, until: dt.date) -> list[Message]:
    """Unanswered survey: a reminder N and M days after the invitation arrived (programme
    settings), then no more; none on or after the day the survey closes has passed."""
    out = []
    for invitation in snap.invitations:
        cohort = snap.cohorts.get(invitation.cohort_id)
        if cohort is None or invitation.closes_on < snap.today or invitation.invited_on is None:
            continue  # (no reminder for an invitation that has not arrived yet)
        programme = snap.programmes[cohort.programme_id]
        first = invitation.invited_on + dt.timedelta(days=programme.survey_first_days)
        second = invitation.invited_on + dt.timedelta(days=programme.survey_second_days)
        plan = [
            (1, first, min(invitation.closes_on, second - DAY)),
            (2, second, invitation.closes_on),
        ]
        for number, send_on, stale_after in plan:
            if send_on > until or send_on > invitation.closes_on or stale_after < snap.today:
                continue
            out.append(
                emails.survey_reminder(
                    invitation=invitation,
                    number=number,
                    programme=programme,
                    send_on=send_on,
                    stale_after=stale_after,
                )
            )
    return out


def milestone_dates(cohort: CohortRow) -> dict[str, dt.date]:
    return {
        "welcome": cohort.starts_on,
        "halfway": cohort.starts_on + (cohort.ends_on - cohort.starts_on) // 2,
        "two-weeks": cohort.ends_on - dt.timedelta(days=14),
        "closing": cohort.ends_on,
    }


def milestones(snap: Snapshot, until: dt.date) -> list[Message]:
    """Welcome at the start (every accepted participant), half-way and two weeks before the end
    (people in an active pair), closing (people whose pair is active or completed), with a
    "would you mentor next time?" link that adds the person to the programme's talent pool."""
    in_pair: set[int] = set()
    finished_pair: set[int] = set()
    for pair in snap.pairs:
        ids = {pair.mentor_enrolment_id, pair.mentee_enrolment_id}
        if pair.active:
            in_pair |= ids
        if pair.active or pair.completed:
            finished_pair |= ids
    out = []
    for participant in snap.participants:
        cohort = snap.cohorts.get(participant.cohort_id)
        if cohort is None or cohort.status not in (RUNNING, FINISHED):
            continue
        programme = snap.programmes[cohort.programme_id]
        for name, due_on in milestone_dates(cohort).items():
            if due_on > until or due_on + dt.timedelta(days=emails.GRACE_DAYS) < snap.today:
                continue
            if name != "closing" and cohort.status != RUNNING:
                continue
            if name in ("halfway", "two-weeks") and participant.enrolment_id not in in_pair:
                continue
            extra = {}
            if name == "closing":
                if participant.enrolment_id not in finished_pair:
                    continue
                token = emails.mentor_next_time_token(
                    programme_id=programme.pk, user_id=participant.person.user_id
                )
                extra["mentor_next_time_url"] = absolute_reverse(
                    "rhythm:mentor_next_time", args=[token]
                )
            out.append(
                emails.milestone(
                    name=name,
                    person=participant.person,
                    role=participant.role,
                    programme=programme,
                    cohort=cohort,
                    due_on=due_on,
                    extra=extra,
                )
            )
    return out


def recruitment(snap: Snapshot, until: dt.date) -> list[Message]:
    """Three days before applications close: whoever is invited but has not applied, a mentee
    with no project, or anyone whose profile is incomplete. And a line manager whose sign-off is
    still pending after five days (or three days before the deadline) is reminded, and the
    applicant told."""
    out = []
    for app in snap.applications:
        cohort = snap.cohorts.get(app.cohort_id)
        if cohort is None:
            continue
        programme = snap.programmes[cohort.programme_id]
        close = cohort.applications_close
        if cohort.status == RECRUITING and close is not None:
            due_on = close - dt.timedelta(days=DEADLINE_LEAD_DAYS)
            unfinished = app.status == "invited"
            missing_project = (
                app.role == "mentee" and app.status == "applied" and not app.has_project
            )
            if (
                (unfinished or missing_project or app.profile_missing)
                and due_on <= until
                and close >= snap.today
            ):
                out.append(
                    emails.application_deadline(
                        application=app,
                        programme=programme,
                        cohort=cohort,
                        due_on=due_on,
                        unfinished=unfinished,
                        missing_project=missing_project,
                    )
                )
        signoff_open = cohort.status in (RECRUITING, MATCHING) and cohort.starts_on > snap.today
        if (
            programme.requires_signoff
            and signoff_open
            and app.status == "applied"
            and app.manager_pending
            and app.manager_email
            and app.applied_on is not None
        ):
            due_on = app.applied_on + dt.timedelta(days=SIGNOFF_WAIT_DAYS)
            if close is not None:
                due_on = max(
                    min(due_on, close - dt.timedelta(days=DEADLINE_LEAD_DAYS)), app.applied_on + DAY
                )
            if due_on <= until:
                kw = {
                    "application": app,
                    "programme": programme,
                    "cohort": cohort,
                    "due_on": due_on,
                }
                out.append(emails.signoff_reminder(**kw))
                out.append(emails.signoff_pending(**kw))
    return out


def wellbeing(snap: Snapshot, until: dt.date) -> list[Message]:
    """A check-in with wellbeing 2 or less: a gentle email with the programme's support
    information to the person who logged it. The coordinator sees a flag in the digest, never
    the check-in's content."""
    out = []
    for pair, cohort, programme in _running_pairs(snap):
        people = {pair.mentor.user_id: pair.mentor, pair.mentee.user_id: pair.mentee}
        for checkin in pair.checkins:
            person = people.get(checkin.author_id)
            if person is None or checkin.wellbeing > LOW_WELLBEING:
                continue
            if checkin.logged_on > until:
                continue
            if checkin.logged_on + dt.timedelta(days=emails.GRACE_DAYS) < snap.today:
                continue
            out.append(
                emails.wellbeing_support(
                    pair=pair,
                    checkin_pk=checkin.pk,
                    person=person,
                    programme=programme,
                    cohort=cohort,
                    due_on=checkin.logged_on,
                )
            )
    return out


# --- 6. The coordinator's digest ----------------------------------------------------------------


def pair_risks(pair: PairRow, cadence_days: int, today: dt.date) -> list[str]:
    """Why a pair needs a coordinator's look, in the dashboard's words: the one definition of
    "at risk" (pairing/risk.py). Never what anyone wrote."""
    meetings = [
        risk.Meeting(c.met_on, c.rating, c.wellbeing, c.author_id, order=(c.logged_on, c.pk))
        for c in pair.checkins
    ]
    codes = risk.reasons(
        active=pair.active,
        started_on=pair.started_on,
        cadence_days=cadence_days,
        today=today,
        scores=risk.scores(meetings, today),
    )
    return risk.labels(codes)


def digest_sections(snap: Snapshot, programme_id: int) -> list[dict]:
    programme = snap.programmes[programme_id]
    cohorts = sorted(
        (c for c in snap.cohorts.values() if c.programme_id == programme_id),
        key=lambda c: c.starts_on,
    )
    unanswered: dict[int, dict[str, dict]] = defaultdict(dict)
    for inv in snap.invitations:
        if inv.closes_on < snap.today or inv.invited_on is None or inv.invited_on > snap.today:
            continue
        entry = unanswered[inv.cohort_id].setdefault(
            inv.survey_name, {"survey": inv.survey_name, "count": 0, "closes_on": inv.closes_on}
        )
        entry["count"] += 1
        entry["closes_on"] = max(entry["closes_on"], inv.closes_on)
    at_risk: dict[int, list[dict]] = defaultdict(list)
    for pair in snap.pairs:
        cohort = snap.cohorts.get(pair.cohort_id)
        if not pair.active or cohort is None or cohort.status != RUNNING:
            continue
        reasons = pair_risks(pair, programme.cadence_days, snap.today)
        if reasons:
            at_risk[cohort.pk].append(
                {
                    "names": f"{pair.mentor.name} and {pair.mentee.name}",
                    "reasons": reasons,
                    "url": absolute_reverse("pairing:detail", args=[pair.pk]),
                }
            )
    sections = []
    for cohort in cohorts:
        surveys = sorted(unanswered[cohort.pk].values(), key=lambda s: s["survey"])
        risky = sorted(at_risk[cohort.pk], key=lambda r: r["names"])
        if cohort.status != RUNNING and not (
            surveys or cohort.unmatched_mentees or cohort.waitlisted or cohort.undeliverable
        ):
            continue
        if cohort.status not in (RUNNING, MATCHING, RECRUITING) and not surveys:
            continue
        slug = programme.slug
        sections.append(
            {
                "name": cohort.name,
                "status": cohort.status,
                "at_risk": risky,
                "unanswered": surveys,
                "unmatched": cohort.unmatched_mentees,
                "waitlisted": cohort.waitlisted,
                "undeliverable": cohort.undeliverable,
                "cohort_url": absolute_reverse("programmes:cohort_detail", args=[slug, cohort.pk]),
                "pairs_url": absolute_reverse("pairing:cohort_pairs", args=[slug, cohort.pk]),
                "review_url": absolute_reverse("recruitment:review", args=[slug, cohort.pk]),
                "schedule_url": absolute_reverse("rhythm:cohort_schedule", args=[slug, cohort.pk]),
            }
        )
    return sections


def digest(snap: Snapshot, until: dt.date) -> list[Message]:
    """Every Monday, each coordinator of a programme with a cohort under way gets one email:
    pairs at risk (pairing/risk.py, the dashboard's definition),
    unanswered surveys, unmatched accepted mentees and the waiting list, with links."""
    out = []
    this_monday = snap.today - dt.timedelta(days=snap.today.weekday())
    mondays = []
    monday = this_monday
    while monday <= until:
        if monday + dt.timedelta(days=4) >= snap.today:
            mondays.append(monday)
        monday += dt.timedelta(days=7)
    if not mondays:
        return out
    live = {
        c.programme_id for c in snap.cohorts.values() if c.status in (RUNNING, MATCHING, RECRUITING)
    }
    for programme_id in sorted(live):
        programme = snap.programmes[programme_id]
        if not programme.coordinators:
            continue
        sections = digest_sections(snap, programme_id)
        for monday in mondays:
            for coordinator in programme.coordinators:
                out.append(
                    emails.coordinator_digest(
                        programme=programme,
                        coordinator=coordinator,
                        monday=monday,
                        cohorts=sections,
                    )
                )
    return out


RULES: dict[str, Rule] = {
    "checkin-due": checkin_due,
    "checkin-nudge": checkin_nudge,
    "survey-reminder": survey_reminders,
    "milestones": milestones,
    "recruitment": recruitment,
    "wellbeing": wellbeing,
    "digest": digest,
}


def run_rules(snap: Snapshot, until: dt.date, rules: list[str] | None = None) -> list[Message]:
    """All messages the rules say are due by ``until`` and not stale today, in rule order."""
    out = []
    for name, rule in RULES.items():
        if rules is None or name in rules:
            out.extend(m for m in rule(snap, until) if m.stale_after >= snap.today)
    return out
