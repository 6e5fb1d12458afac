"""Writes for recruitment: applications, the coordinator's decisions and notes, line-manager
sign-off, and the talent pool. Bulk invitations are in :mod:`recruitment.invitations`."""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from lib import signing
from lib.audit import AuditContext
from lib.urls import absolute_url
from notifications.models import Email
from people.models import User
from people.services import audit_record, is_erased
from programmes.lifecycle import DECISION_MOVES, Move
from programmes.models import (
    Cohort,
    Enrolment,
    EnrolmentMove,
    EnrolmentStatus,
    ManagerDecision,
    Programme,
    Role,
)
from programmes.services import MoveResult, PlacesFull, enrolment_move

from . import emails
from .models import BusinessPriority, Project, SignoffRequest
from .models import TalentPoolEntry as Entry

# --- Applications -----------------------------------------------------------------------------

# The salt names the old app: links already emailed keep working.
MANAGER_SIGNOFF_SALT = "programmes.manager-signoff"
MANAGER_SIGNOFF_MAX_AGE = 60 * 60 * 24 * 30


def manager_signoff_token(enrolment: Enrolment) -> str:
    """The token of the application's current sign-off request.

    An application with no request row (one made before requests were recorded) gets the old
    form of token, which names the enrolment and the address and works until a request row
    exists for it.
    """
    request = SignoffRequest.objects.filter(enrolment_id=enrolment.pk).order_by("-pk").first()
    if request is None:
        return signing.sign(MANAGER_SIGNOFF_SALT, e=enrolment.pk, m=enrolment.manager_email)
    return signoff_request_token(request)


def manager_signoff_tokens(enrolments) -> dict[int, str]:
    """``manager_signoff_token`` for many applications (pairs of enrolment id and manager
    address) in one query: for the reminder rules."""
    enrolments = list(enrolments)
    latest: dict[int, SignoffRequest] = {}
    for request in SignoffRequest.objects.filter(
        enrolment_id__in=[pk for pk, _ in enrolments]
    ).order_by("pk"):
        latest[request.enrolment_id] = request
    return {
        pk: signoff_request_token(latest[pk])
        if pk in latest
        else signing.sign(MANAGER_SIGNOFF_SALT, e=pk, m=email)
        for pk, email in enrolments
    }


def signoff_request_token(request: SignoffRequest) -> str:
    return signing.sign(MANAGER_SIGNOFF_SALT, r=request.pk, m=request.email)


def signoff_request_url(request: SignoffRequest) -> str:
    """The absolute link a line manager is emailed for one request."""
    token = signoff_request_token(request)
    return absolute_url(reverse("recruitment:manager_signoff", args=[token]))


@dataclass(frozen=True)
class SignoffLink:
    """What a valid sign-off link is for: the application and, unless the link predates
    request rows, the request it was sent for."""

    enrolment: Enrolment
    request: SignoffRequest | None


def manager_signoff_load(token: str) -> SignoffLink | None:
    """What a manager's link is for, or None when it was tampered with or expired, when its
    request was decided or replaced (the applicant named another address, even one used
    before), or when the applicant's account was erased."""
    data = signing.unsign_or_none(MANAGER_SIGNOFF_SALT, token, max_age=MANAGER_SIGNOFF_MAX_AGE)
    if data is None:
        return None
    enrolments = Enrolment.objects.select_related("user", "cohort__programme")
    request = None
    if "r" in data:
        request = (
            SignoffRequest.objects.filter(pk=data.get("r"), email=data.get("m"))
            .select_related("enrolment__user", "enrolment__cohort__programme")
            .first()
        )
        if request is None or not request.is_open:
            return None
        enrolment = request.enrolment
        if enrolment.manager_email != request.email:
            return None
    else:
        # A link emailed before requests were recorded: only while no request exists since.
        enrolment = (
            enrolments.filter(pk=data.get("e"), manager_email=data.get("m"))
            .exclude(manager_email="")
            .first()
        )
        if enrolment is None or enrolment.signoff_requests.exists():
            return None
        if enrolment.manager_decision in (ManagerDecision.APPROVED, ManagerDecision.DECLINED):
            return None
    if is_erased(enrolment.user):
        return None
    return SignoffLink(enrolment=enrolment, request=request)


def _mailbox(address: str) -> str:
    """The mailbox an address delivers to: lower case, without a ``+tag`` sub-address
    (``me+boss@x.gov.uk`` reaches ``me@x.gov.uk`` in Exchange and Gmail alike)."""
    local, _, domain = address.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


def _user_addresses(user: User) -> set[str]:
    from allauth.account.models import EmailAddress

    addresses = {user.email}
    addresses.update(EmailAddress.objects.filter(user=user).values_list("email", flat=True))
    return {_mailbox(a) for a in addresses}


def _signoff_request_check(*, enrolment: Enrolment, user: User, address: str) -> None:
    """Refuse a new sign-off request the applicant may not make. Raises ValidationError on the
    form's manager_email field."""
    if _mailbox(address) in _user_addresses(user):
        raise ValidationError(
            {"manager_email": "Enter your line manager's address, not one of your own."}
        )
    if enrolment.manager_decision in (ManagerDecision.APPROVED, ManagerDecision.DECLINED):
        raise ValidationError(
            {
                "manager_email": "Your line manager has already answered. If it should go to "
                "someone else, ask the programme's coordinators."
            }
        )
    since = timezone.now() - timedelta(days=1)
    recent = SignoffRequest.objects.filter(requested_at__gte=since)
    per_applicant = settings.SIGNOFF_REQUESTS_PER_APPLICANT_PER_DAY
    per_address = settings.SIGNOFF_REQUESTS_PER_ADDRESS_PER_DAY
    if recent.filter(enrolment__user=user).count() >= per_applicant:
        raise ValidationError(
            {
                "manager_email": "You have changed your line manager's address too many times "
                "today. Try again tomorrow, or ask the programme's coordinators."
            }
        )
    if recent.filter(email__iexact=address).count() >= per_address:
        raise ValidationError(
            {
                "manager_email": "This address has had too many approval requests today. "
                "Try again tomorrow, or ask the programme's coordinators."
            }
        )


def _signoff_request_open(*, enrolment: Enrolment, address: str) -> SignoffRequest:
    """Replace the application's open request (its link dies) by one to ``address``."""
    now = timezone.now()
    SignoffRequest.objects.filter(enrolment=enrolment, superseded_at__isnull=True).update(
        superseded_at=now
    )
    return SignoffRequest.objects.create(enrolment=enrolment, email=address)


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
    was = enrolment.status if enrolment else ""
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
    new_manager = data.get("manager_email", "").strip().lower()
    manager_changed = bool(new_manager) and new_manager != enrolment.manager_email
    signoff_request = None
    if cohort.programme.requires_manager_signoff and manager_changed:
        _signoff_request_check(enrolment=enrolment, user=user, address=new_manager)
        enrolment.manager_email = new_manager
        enrolment.manager_decision = ManagerDecision.PENDING
        enrolment.manager_decided_at = None
    enrolment.full_clean()
    enrolment.save()
    if was != EnrolmentStatus.APPLIED:  # a first application, or an invitation taken up
        EnrolmentMove.objects.create(
            enrolment=enrolment,
            move=Move.APPLY,
            from_status=was,
            to_status=enrolment.status,
            actor=user,
        )
    if cohort.programme.requires_manager_signoff and manager_changed:
        signoff_request = _signoff_request_open(enrolment=enrolment, address=new_manager)
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
    if signoff_request is not None:
        emails.send_manager_signoff_request(
            enrolment, signoff_request, signoff_request_url(signoff_request)
        )
    return enrolment


@transaction.atomic
def application_withdraw(
    *, enrolment: Enrolment, ctx: AuditContext, reason: str = ""
) -> MoveResult:
    """The person leaves the cohort: everything that follows is done (their active pair ends and
    the other person is told, draft runs forget them), the person is sent a confirmation and the
    coordinators a note of what happened."""
    result = enrolment_move(enrolment=enrolment, move=Move.WITHDRAW, ctx=ctx, reason=reason)
    if result.changed:
        emails.send_application_decision(result.enrolment, result.record)
        emails.send_withdrawal_notice(result.enrolment, result.record, result.consequences)
    return result


@transaction.atomic
def enrolment_restore(*, enrolment: Enrolment, ctx: AuditContext, reason: str) -> MoveResult:
    """A coordinator undoes a withdrawal or a decline, with a reason: the person goes back to
    where they were (accepted only while a mentee place is left) and is told their status."""
    result = enrolment_move(enrolment=enrolment, move=Move.UNDO, ctx=ctx, reason=reason)
    if result.changed:
        emails.send_application_decision(result.enrolment, result.record)
    return result


@transaction.atomic
def manager_signoff_record(*, ctx: AuditContext, link: SignoffLink, approve: bool) -> bool:
    """Record the manager's decision once, for the address the link was sent to. Returns False
    if the link's request was decided or replaced meanwhile. The decision is audited with the
    deciding address, so coordinators see who approved and when."""
    enrolment = Enrolment.objects.select_for_update().get(pk=link.enrolment.pk)
    request = link.request
    if request is not None:
        request = SignoffRequest.objects.select_for_update().get(pk=request.pk)
        if not request.is_open or enrolment.manager_email != request.email:
            return False
    if enrolment.manager_decision in (ManagerDecision.APPROVED, ManagerDecision.DECLINED):
        return False
    decision = ManagerDecision.APPROVED if approve else ManagerDecision.DECLINED
    now = timezone.now()
    if request is not None:
        request.decision, request.decided_at = decision, now
        request.save(update_fields=["decision", "decided_at"])
    enrolment.manager_decision, enrolment.manager_decided_at = decision, now
    enrolment.save(update_fields=["manager_decision", "manager_decided_at", "updated_at"])
    audit_record(
        action="manager-signoff",
        obj=enrolment,
        programme_id=link.enrolment.cohort.programme_id,
        summary=f"{enrolment.manager_email} {decision} the application of "
        f"{link.enrolment.user.email} to {link.enrolment.cohort.name}",
        context=ctx,
    )
    return True


DECISIONS = (EnrolmentStatus.ACCEPTED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.DECLINED)


@dataclass
class DecisionResult:
    changed: int = 0
    waitlisted_for_places: list[str] = field(default_factory=list)  # names
    refused: list[str] = field(default_factory=list)  # "name: why"
    consequences: list[str] = field(default_factory=list)


@transaction.atomic
def applications_decide(
    *, ctx: AuditContext, cohort: Cohort, enrolment_ids, decision: str
) -> DecisionResult:
    """Accept, waitlist or decline people of one cohort, and tell each of them by email.

    Each person moves through the state model (programmes/lifecycle.py): only enrolments of this
    cohort change; a person already at this status is left alone and not emailed again; a
    withdrawn or declined person is refused (a coordinator undoes that with a reason). Mentees
    beyond the cohort's places are put on the waiting list instead of accepted. Each change is
    one email, keyed on the move, so accepted -> waitlisted -> accepted sends a second acceptance.
    """
    if decision not in DECISIONS:
        raise ValidationError("Unknown decision.")
    move = DECISION_MOVES[decision]
    result = DecisionResult()
    enrolments = list(
        cohort.enrolments.filter(pk__in=list(enrolment_ids))
        .exclude(status=decision)
        .select_related("user")
        .order_by("applied_at", "pk")
    )
    for enrolment in enrolments:
        name = enrolment.user.display_name
        try:
            moved = enrolment_move(enrolment=enrolment, move=move, ctx=ctx)
        except PlacesFull:
            if enrolment.status == EnrolmentStatus.WAITLISTED:
                result.waitlisted_for_places.append(name)
                continue
            moved = enrolment_move(enrolment=enrolment, move=Move.WAITLIST, ctx=ctx)
            result.waitlisted_for_places.append(name)
        except ValidationError as exc:
            result.refused.append(f"{name}: {' '.join(exc.messages)}")
            continue
        if moved.changed:
            result.changed += 1
            result.consequences.extend(moved.consequences)
            emails.send_application_decision(moved.enrolment, moved.record)
    if result.changed:
        audit_record(
            action="applications-decided",
            obj=cohort,
            programme_id=cohort.programme_id,
            summary=f"{decision}: {result.changed} in {cohort}",
            context=ctx,
        )
    return result


@transaction.atomic
def enrolment_notes_update(*, enrolment: Enrolment, notes: str) -> Enrolment:
    enrolment.coordinator_notes = notes
    enrolment.save(update_fields=["coordinator_notes", "updated_at"])
    return enrolment


# --- Talent pool ------------------------------------------------------------------------------


def _linked_user(email: str) -> User | None:
    return User.objects.filter(email__iexact=email).first()


REGISTER_INTEREST_SALT = "recruitment.register-interest"
REGISTER_INTEREST_MAX_AGE = 7 * 24 * 60 * 60


@transaction.atomic
def talent_pool_register_interest(
    *,
    programme: Programme,
    email: str,
    full_name: str,
    role: str,
    organisation: str = "",
    note: str = "",
) -> Entry | None:
    """The public form. A new address gets an entry at once. An entry that exists is not
    changed: anyone can type any address into a public form, so its owner is emailed a link
    to see and confirm the change (:func:`talent_pool_interest_confirm`), at most
    ``REGISTER_INTEREST_CONFIRMATIONS_PER_DAY`` emails a day to one address. Returns the new
    entry, or None when the change waits for confirmation (or was dropped by the limit).
    """
    email = email.strip().lower()
    data = {"full_name": full_name, "organisation": organisation, "role": role, "note": note}
    entry = (
        Entry.objects.select_for_update().filter(programme=programme, email__iexact=email).first()
    )
    if entry is None:
        entry = Entry(programme=programme, email=email, source=Entry.Source.INTEREST)
        _interest_apply(entry, data)
        entry.user = _linked_user(email)
        entry.full_clean(validate_unique=False, validate_constraints=False)
        entry.save()
        return entry
    _interest_confirmation_send(entry=entry, data=data)
    return None


def _interest_apply(entry: Entry, data: dict) -> None:
    """What the person asked for. A coordinator's note on an entry they added is kept; the
    person's note is added after it."""
    note = data.get("note", "")
    if entry.pk is not None and entry.source == Entry.Source.ADDED:
        if note and note not in entry.note:
            entry.note = f"{entry.note}\n\nFrom the person: {note}".strip()
    else:
        entry.source = Entry.Source.INTEREST
        entry.note = note
    entry.full_name = data.get("full_name", "")
    entry.organisation = data.get("organisation", "")
    entry.role = data.get("role", Entry.RoleInterest.EITHER)


def _interest_confirmation_send(*, entry: Entry, data: dict) -> None:
    since = timezone.now() - timedelta(days=1)
    sent = Email.objects.filter(
        kind="register-interest-confirm", to=entry.email, created_at__gte=since
    ).count()
    if sent >= settings.REGISTER_INTEREST_CONFIRMATIONS_PER_DAY:
        return
    token = signing.sign(REGISTER_INTEREST_SALT, p=entry.pk, e=entry.email, d=data)
    digest = hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]
    emails.send_register_interest_confirmation(
        entry=entry,
        url=absolute_url(
            reverse("recruitment:register_interest_confirm", args=[entry.programme.slug, token])
        ),
        key=f"register-interest-confirm:{entry.pk}:{digest}",
    )


def talent_pool_interest_load(*, programme: Programme, token: str) -> tuple[Entry, dict] | None:
    """The entry and the change a confirmation link carries, or None for a bad, expired or
    foreign link, or an entry that is gone or moved to another address."""
    data = signing.unsign_or_none(REGISTER_INTEREST_SALT, token, max_age=REGISTER_INTEREST_MAX_AGE)
    if data is None or not isinstance(data.get("d"), dict):
        return None
    entry = Entry.objects.filter(programme=programme, pk=data.get("p"), email=data.get("e")).first()
    if entry is None:
        return None
    change = {k: str(data["d"].get(k, "")) for k in ("full_name", "organisation", "role", "note")}
    return entry, change


@transaction.atomic
def talent_pool_interest_confirm(*, entry: Entry, change: dict) -> Entry:
    """The owner of the address confirmed the change through the emailed link."""
    entry = Entry.objects.select_for_update().get(pk=entry.pk)
    _interest_apply(entry, change)
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
