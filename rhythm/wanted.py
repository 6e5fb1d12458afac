""" "Still wanted?" checks of the programme rhythm's emails, and the cohort pause that applies to
every kind on the schedule page. Registered from RhythmConfig.ready() with
``notifications.wanted.register_check``; the outbox runs them when it claims a row, just before
sending, and ``email_recheck`` runs them when something changes (docs/email.md lists them).

Each check reads the row's ``refs`` (written by rhythm/emails.py) and returns a reason in plain
words, or None when the email is still wanted. A row without the ref a check needs passes it.
"""

from feedback.wanted import invitation_still_open
from notifications.kinds import KINDS
from notifications.wanted import register_check
from pairing.models import CheckIn, Pair
from programmes.models import Cohort, Enrolment, EnrolmentStatus, ManagerDecision

from . import emails
from .models import PausedKind


def paused_for_cohort(email) -> str | None:
    """Every kind on the schedule page: the coordinator paused it for the row's cohort."""
    cohort_id = (email.refs or {}).get("cohort")
    if not cohort_id or email.kind not in emails.PAUSABLE_KINDS:
        return None
    if not PausedKind.objects.filter(cohort_id=cohort_id, kind=email.kind).exists():
        return None
    name = Cohort.objects.filter(pk=cohort_id).values_list("name", flat=True).first() or "cohort"
    label = KINDS[email.kind].label if email.kind in KINDS else email.kind
    return f"the coordinator paused '{label}' for {name}."


def pair_still_waiting(email) -> str | None:
    """Check-in reminders and nudges: the pair is still active and logged no check-in since the
    email was written (a check-in moves the next due date: a new reminder is written for it)."""
    pair_id = (email.refs or {}).get("pair")
    if not pair_id:
        return None
    status = Pair.objects.filter(pk=pair_id).values_list("status", flat=True).first()
    if status is None:
        return "the pair no longer exists."
    if status != Pair.Status.ACTIVE:
        return "the pair has ended."
    met_on = (
        CheckIn.objects.filter(pair_id=pair_id, created_at__gt=email.created_at)
        .order_by("-created_at")
        .values_list("met_on", flat=True)
        .first()
    )
    if met_on is not None:
        return f"the pair logged a check-in (met on {met_on:%d %B %Y}) after this was written."
    return None


def application_still_open(email) -> str | None:
    """Application reminders: the application is still being made (invited or applied)."""
    enrolment_id = (email.refs or {}).get("enrolment")
    if not enrolment_id:
        return None
    status = Enrolment.objects.filter(pk=enrolment_id).values_list("status", flat=True).first()
    if status is None:
        return "the application no longer exists."
    if status not in (EnrolmentStatus.INVITED, EnrolmentStatus.APPLIED):
        return f"the application is now {EnrolmentStatus(status).label.lower()}."
    return None


def signoff_still_pending(email) -> str | None:
    """The line manager's reminder: the sign-off is still awaited."""
    enrolment_id = (email.refs or {}).get("enrolment")
    if not enrolment_id:
        return None
    decision = (
        Enrolment.objects.filter(pk=enrolment_id).values_list("manager_decision", flat=True).first()
    )
    if decision is not None and decision != ManagerDecision.PENDING:
        return "the line manager has answered."
    return application_still_open(email)


def register() -> None:
    register_check(None, paused_for_cohort)
    register_check(emails.KIND_CHECKIN, pair_still_waiting)
    register_check(emails.KIND_NUDGE, pair_still_waiting)
    register_check(emails.KIND_SURVEY, invitation_still_open)  # written once, in feedback
    register_check(emails.KIND_APPLICATION, application_still_open)
    register_check(emails.KIND_SIGNOFF, signoff_still_pending)
