"""Writes for programmes and cohorts."""

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from people.models import User
from people.services import audit_record, is_erased

from . import emails
from .models import (
    Cohort,
    Enrolment,
    EnrolmentStatus,
    ManagerDecision,
    Programme,
    Project,
    Role,
)


@transaction.atomic
def programme_create(*, created_by: User, data: dict, coordinators=(), request=None) -> Programme:
    programme = Programme(**data)
    programme.full_clean()
    programme.save()
    programme.coordinators.set({created_by, *coordinators})
    coordinators_audit(programme=programme, actor=created_by, before=set(), request=request)
    return programme


@transaction.atomic
def programme_update(
    *, programme: Programme, data: dict, coordinators=None, actor: User | None = None, request=None
) -> Programme:
    for field, value in data.items():
        setattr(programme, field, value)
    programme.full_clean()
    programme.save()
    if coordinators is not None:
        before = set(programme.coordinators.values_list("email", flat=True))
        programme.coordinators.set(coordinators)
        coordinators_audit(programme=programme, actor=actor, before=before, request=request)
    return programme


def coordinators_audit(*, programme: Programme, actor, before: set[str], request=None) -> None:
    """A role change: record who became, or stopped being, a coordinator of the programme."""
    after = set(programme.coordinators.values_list("email", flat=True))
    added, removed = sorted(after - before), sorted(before - after)
    if not (added or removed):
        return
    parts = [f"added {', '.join(added)}"] if added else []
    parts += [f"removed {', '.join(removed)}"] if removed else []
    audit_record(
        actor=actor,
        action="coordinators-changed",
        obj=programme,
        programme_id=programme.pk,
        summary="coordinators " + "; ".join(parts),
        request=request,
    )


@transaction.atomic
def cohort_create(*, programme: Programme, data: dict) -> Cohort:
    cohort = Cohort(programme=programme, **data)
    cohort.full_clean()
    cohort.save()
    return cohort


@transaction.atomic
def cohort_update(*, cohort: Cohort, data: dict) -> Cohort:
    for field, value in data.items():
        setattr(cohort, field, value)
    cohort.full_clean()
    cohort.save()
    return cohort


@transaction.atomic
def cohort_change_status(*, cohort: Cohort, status: str) -> Cohort:
    """Move a cohort along draft -> recruiting -> matching -> running -> finished.

    The row is locked so two coordinators clicking at once cannot both move it.
    """
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if not cohort.can_transition_to(status):
        raise ValidationError(
            f"A cohort cannot go from {cohort.get_status_display().lower()} to {status}."
        )
    cohort.status = status
    cohort.status_changed_at = timezone.now()
    cohort.save(update_fields=["status", "status_changed_at"])
    return cohort


# --- Applications -----------------------------------------------------------------------------

MANAGER_SIGNOFF_SALT = "programmes.manager-signoff"
MANAGER_SIGNOFF_MAX_AGE = 60 * 60 * 24 * 30


def manager_signoff_token(enrolment: Enrolment) -> str:
    return signing.dumps(
        {"e": enrolment.pk, "m": enrolment.manager_email}, salt=MANAGER_SIGNOFF_SALT
    )


def manager_signoff_load(token: str) -> Enrolment | None:
    """The enrolment a manager's link is for, or None when it was tampered with or expired."""
    try:
        data = signing.loads(token, salt=MANAGER_SIGNOFF_SALT, max_age=MANAGER_SIGNOFF_MAX_AGE)
    except signing.BadSignature:
        return None
    enrolment = (
        Enrolment.objects.select_related("user", "cohort__programme")
        .filter(pk=data.get("e"), manager_email=data.get("m"))
        .first()
    )
    if enrolment is None or is_erased(enrolment.user):
        return None
    return enrolment


@transaction.atomic
def application_submit(*, user: User, cohort: Cohort, role: str, data: dict) -> Enrolment:
    """Apply to a recruiting cohort as a mentee (with a project) or a mentor (with capacity).

    An invitation becomes an application; an existing application is updated in place.
    """
    if not cohort.is_open_for_applications:
        raise ValidationError("This cohort is not taking applications.")
    enrolment = Enrolment.objects.select_for_update().filter(user=user, cohort=cohort).first()
    if enrolment and enrolment.status not in (EnrolmentStatus.INVITED, EnrolmentStatus.APPLIED):
        raise ValidationError("Your application has already been decided.")
    if enrolment is None:
        enrolment = Enrolment(user=user, cohort=cohort)
    enrolment.role = role
    enrolment.status = EnrolmentStatus.APPLIED
    enrolment.applied_at = enrolment.applied_at or timezone.now()
    enrolment.goals = data.get("goals", "")
    if role == Role.MENTOR:
        enrolment.capacity = data["capacity"]
        enrolment.availability = data.get("availability", "")
    else:
        enrolment.capacity = 1
    new_manager = data.get("manager_email", "").lower()
    manager_changed = bool(new_manager) and new_manager != enrolment.manager_email
    if cohort.programme.requires_manager_signoff and manager_changed:
        enrolment.manager_email = new_manager
        enrolment.manager_decision = ManagerDecision.PENDING
        enrolment.manager_decided_at = None
    enrolment.full_clean()
    enrolment.save()
    enrolment.topics.set(data.get("topics") or [])
    if role == Role.MENTEE:
        project, _ = Project.objects.get_or_create(
            enrolment=enrolment, defaults={"title": data["title"], "description": ""}
        )
        project.title = data["title"]
        project.description = data["description"]
        project.expected_benefit = data.get("expected_benefit", "")
        project.full_clean()
        project.save()
        project.priorities.set(data.get("priorities") or [])
        project.topics.set(data.get("topics") or [])
    else:
        Project.objects.filter(enrolment=enrolment).delete()
    if cohort.programme.requires_manager_signoff and manager_changed:
        emails.send_manager_signoff_request(enrolment, manager_signoff_token(enrolment))
    return enrolment


@transaction.atomic
def application_withdraw(*, enrolment: Enrolment) -> Enrolment:
    enrolment.status = EnrolmentStatus.WITHDRAWN
    enrolment.save(update_fields=["status", "updated_at"])
    return enrolment


@transaction.atomic
def manager_signoff_record(*, enrolment: Enrolment, approve: bool) -> bool:
    """Record the manager's decision once. Returns False if it was already recorded."""
    updated = Enrolment.objects.filter(
        pk=enrolment.pk, manager_decision=ManagerDecision.PENDING
    ).update(
        manager_decision=ManagerDecision.APPROVED if approve else ManagerDecision.DECLINED,
        manager_decided_at=timezone.now(),
    )
    return updated == 1


@transaction.atomic
def applications_decide(
    *, actor: User, cohort: Cohort, enrolment_ids, decision: str, request=None
) -> int:
    """Accept, waitlist or decline applicants of one cohort, and tell each of them by email.

    Only enrolments of this cohort change; a person already at this status is left alone (and
    not emailed again).
    """
    if decision not in (
        EnrolmentStatus.ACCEPTED,
        EnrolmentStatus.WAITLISTED,
        EnrolmentStatus.DECLINED,
    ):
        raise ValidationError("Unknown decision.")
    enrolments = list(
        cohort.enrolments.select_for_update()
        .filter(pk__in=list(enrolment_ids))
        .exclude(status__in=[decision, EnrolmentStatus.WITHDRAWN])
        .select_related("user", "cohort__programme")
    )
    now = timezone.now()
    for enrolment in enrolments:
        enrolment.status = decision
        enrolment.decided_at = now
        enrolment.decided_by = actor
    Enrolment.objects.bulk_update(enrolments, ["status", "decided_at", "decided_by"])
    for enrolment in enrolments:
        emails.send_application_decision(enrolment)
    if enrolments:
        audit_record(
            actor=actor,
            action="applications-decided",
            obj=cohort,
            programme_id=cohort.programme_id,
            summary=f"{decision}: {len(enrolments)} in {cohort}",
            request=request,
        )
    return len(enrolments)


@transaction.atomic
def enrolment_notes_update(*, enrolment: Enrolment, notes: str) -> Enrolment:
    enrolment.coordinator_notes = notes
    enrolment.save(update_fields=["coordinator_notes", "updated_at"])
    return enrolment
