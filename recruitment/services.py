"""Writes for recruitment: applications, the coordinator's decisions and notes, line-manager
sign-off, and the talent pool. Bulk invitations are in :mod:`recruitment.invitations`."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lib import signing
from lib.audit import AuditContext
from lib.urls import absolute_url
from people.models import User
from people.services import audit_record, is_erased
from programmes.models import Cohort, Enrolment, EnrolmentStatus, ManagerDecision, Programme, Role

from . import emails
from .models import BusinessPriority, Project
from .models import TalentPoolEntry as Entry

# --- Applications -----------------------------------------------------------------------------

# The salt names the old app: links already emailed keep working.
MANAGER_SIGNOFF_SALT = "programmes.manager-signoff"
MANAGER_SIGNOFF_MAX_AGE = 60 * 60 * 24 * 30


def manager_signoff_token(enrolment: Enrolment) -> str:
    return signing.sign(MANAGER_SIGNOFF_SALT, e=enrolment.pk, m=enrolment.manager_email)


def manager_signoff_url(enrolment: Enrolment) -> str:
    """The absolute link a line manager is emailed."""
    token = manager_signoff_token(enrolment)
    return absolute_url(reverse("recruitment:manager_signoff", args=[token]))


def manager_signoff_load(token: str) -> Enrolment | None:
    """The enrolment a manager's link is for, or None when it was tampered with or expired."""
    data = signing.unsign_or_none(MANAGER_SIGNOFF_SALT, token, max_age=MANAGER_SIGNOFF_MAX_AGE)
    if data is None:
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

    An invitation becomes an application; an existing application is updated in place. ``data``
    is the application form's cleaned data; only the fields named here are read.
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
        emails.send_manager_signoff_request(enrolment, manager_signoff_url(enrolment))
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


DECISIONS = (EnrolmentStatus.ACCEPTED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.DECLINED)


@transaction.atomic
def applications_decide(*, ctx: AuditContext, cohort: Cohort, enrolment_ids, decision: str) -> int:
    """Accept, waitlist or decline applicants of one cohort, and tell each of them by email.

    Only enrolments of this cohort change; a person already at this status is left alone (and
    not emailed again).
    """
    if decision not in DECISIONS:
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
        enrolment.decided_by = ctx.actor
    Enrolment.objects.bulk_update(enrolments, ["status", "decided_at", "decided_by"])
    for enrolment in enrolments:
        emails.send_application_decision(enrolment)
    if enrolments:
        audit_record(
            action="applications-decided",
            obj=cohort,
            programme_id=cohort.programme_id,
            summary=f"{decision}: {len(enrolments)} in {cohort}",
            context=ctx,
        )
    return len(enrolments)


@transaction.atomic
def enrolment_notes_update(*, enrolment: Enrolment, notes: str) -> Enrolment:
    enrolment.coordinator_notes = notes
    enrolment.save(update_fields=["coordinator_notes", "updated_at"])
    return enrolment


# --- Talent pool ------------------------------------------------------------------------------


def _linked_user(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


@transaction.atomic
def talent_pool_register_interest(
    *,
    programme: Programme,
    email: str,
    full_name: str,
    role: str,
    organisation: str = "",
    note: str = "",
) -> Entry:
    """The public form: add the person to the pool, or update their entry if they are there.

    A coordinator's note on an entry they added is kept; the person's note is added after it.
    """
    email = email.strip().lower()
    entry = (
        Entry.objects.select_for_update().filter(programme=programme, email__iexact=email).first()
    )
    if entry is None:
        entry = Entry(programme=programme, email=email, source=Entry.Source.INTEREST, note=note)
    elif entry.source == Entry.Source.ADDED:
        if note and note not in entry.note:
            entry.note = f"{entry.note}\n\nFrom the person: {note}".strip()
    else:
        entry.source = Entry.Source.INTEREST
        entry.note = note
    entry.full_name = full_name
    entry.organisation = organisation
    entry.role = role
    entry.user = entry.user or _linked_user(email)
    entry.full_clean(validate_unique=False, validate_constraints=False)
    entry.save()
    return entry


@transaction.atomic
def talent_pool_add(
    *,
    ctx: AuditContext,
    programme: Programme,
    email: str,
    full_name: str = "",
    role: str = Entry.RoleInterest.EITHER,
    organisation: str = "",
    note: str = "",
) -> Entry:
    """A coordinator adds someone to the pool. Raises ValidationError if they are there."""
    email = email.strip().lower()
    if Entry.objects.filter(programme=programme, email__iexact=email).exists():
        raise ValidationError({"email": f"{email} is already in this programme's talent pool."})
    entry = Entry(
        programme=programme,
        email=email,
        full_name=full_name,
        role=role,
        organisation=organisation,
        note=note,
        source=Entry.Source.ADDED,
        added_by=ctx.actor,
        user=_linked_user(email),
    )
    entry.full_clean()
    entry.save()
    audit_record(
        action="talent-pool-add",
        obj=entry,
        programme_id=programme.pk,
        summary=f"Added {email} to the talent pool",
        context=ctx,
    )
    return entry


# --- Business priorities ------------------------------------------------------------------------


@transaction.atomic
def business_priority_add(
    *, ctx: AuditContext, programme: Programme, name: str
) -> BusinessPriority:
    """A new tag proposals can say they serve; a name already used (any case) is refused."""
    name = " ".join(name.split())
    if programme.business_priorities.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"“{name}” is already a priority of this programme."})
    priority = BusinessPriority(programme=programme, name=name)
    priority.full_clean()
    priority.save()
    audit_record(
        context=ctx,
        action="business-priority-added",
        obj=priority,
        programme_id=programme.pk,
        summary=f"business priority added: {name}",
    )
    return priority


@transaction.atomic
def business_priority_remove(*, ctx: AuditContext, priority: BusinessPriority) -> int:
    """Remove a tag; the proposals that had it keep everything else. Returns how many had it."""
    tagged = priority.projects.count()
    audit_record(
        context=ctx,
        action="business-priority-removed",
        obj=priority,
        programme_id=priority.programme_id,
        summary=f"business priority removed: {priority.name} ({tagged} proposals had it)",
    )
    priority.delete()
    return tagged
