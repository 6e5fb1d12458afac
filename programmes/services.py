"""Writes for programmes and cohorts, and the one place a person's status in a cohort changes
(:func:`enrolment_move`, following programmes/lifecycle.py)."""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lib.audit import AuditContext
from lib.models import model_update
from people.services import audit_record

from . import lifecycle
from .lifecycle import Move
from .models import (
    COHORT_FIELDS,
    PROGRAMME_FIELDS,
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentMove,
    EnrolmentStatus,
    Programme,
    Role,
    taking_a_place,
)


@transaction.atomic
def programme_create(*, ctx: AuditContext, data: dict, coordinators=()) -> Programme:
    """A new programme, coordinated by the person creating it and ``coordinators``."""
    programme = Programme()
    model_update(instance=programme, fields=PROGRAMME_FIELDS, data=data, save=False)
    programme.full_clean()
    programme.save()
    programme.coordinators.set({ctx.actor, *coordinators})
    coordinators_audit(ctx=ctx, programme=programme, before=set())
    return programme


@transaction.atomic
def programme_update(
    *, ctx: AuditContext, programme: Programme, data: dict, coordinators=None
) -> Programme:
    """Change the whitelisted fields in ``data``; replace the coordinators when given.

    The row is read again (locked), so what changed is measured against what is stored.
    """
    programme = Programme.objects.select_for_update().get(pk=programme.pk)
    changed = model_update(instance=programme, fields=PROGRAMME_FIELDS, data=data, save=False)
    programme.full_clean()
    if changed:
        programme.save(update_fields=changed)
    if coordinators is not None:
        before = set(programme.coordinators.values_list("email", flat=True))
        programme.coordinators.set(coordinators)
        coordinators_audit(ctx=ctx, programme=programme, before=before)
    return programme


def coordinators_audit(*, ctx: AuditContext, programme: Programme, before: set[str]) -> None:
    """A role change: record who became, or stopped being, a coordinator of the programme."""
    after = set(programme.coordinators.values_list("email", flat=True))
    added, removed = sorted(after - before), sorted(before - after)
    if not (added or removed):
        return
    parts = [f"added {', '.join(added)}"] if added else []
    parts += [f"removed {', '.join(removed)}"] if removed else []
    audit_record(
        action="coordinators-changed",
        obj=programme,
        programme_id=programme.pk,
        summary="coordinators " + "; ".join(parts),
        context=ctx,
    )


@transaction.atomic
def cohort_create(*, programme: Programme, data: dict) -> Cohort:
    cohort = Cohort(programme=programme)
    model_update(instance=cohort, fields=COHORT_FIELDS, data=data, save=False)
    cohort.full_clean()
    cohort.save()
    return cohort


@transaction.atomic
def cohort_update(*, cohort: Cohort, data: dict) -> Cohort:
    """Change the whitelisted fields in ``data`` (the row is read again, like programmes').
    The mentee places never go below the mentees already accepted."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    changed = model_update(instance=cohort, fields=COHORT_FIELDS, data=data, save=False)
    cohort.full_clean()
    accepted = cohort.enrolments.filter(role=Role.MENTEE, status=EnrolmentStatus.ACCEPTED).count()
    if "capacity" in changed and cohort.capacity < accepted:
        raise ValidationError(
            {
                "capacity": f"{accepted} mentee{' is' if accepted == 1 else 's are'} already "
                f"accepted: the cohort needs at least {accepted} place{'s' * (accepted != 1)} "
                "(waitlist or decline someone first)."
            }
        )
    if changed:
        cohort.save(update_fields=changed)
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
    if status == CohortStatus.RECRUITING and cohort.starts_on <= timezone.localdate():
        raise ValidationError(
            f"This cohort starts on {cohort.starts_on:%-d %B %Y}, which is not in the future: "
            "nobody can apply to it. Change its dates first."
        )
    cohort.status = status
    cohort.status_changed_at = timezone.now()
    cohort.save(update_fields=["status", "status_changed_at"])
    return cohort


# --- A person in a cohort: the state model's moves ---------------------------------------------


class PlacesFull(ValidationError):
    """Accepting one more mentee would take the cohort past its places."""


@dataclass
class MoveResult:
    enrolment: Enrolment
    record: EnrolmentMove | None  # None when nothing changed
    consequences: list[str] = field(default_factory=list)  # what followed, in words

    @property
    def changed(self) -> bool:
        return self.record is not None


def cohort_places_left(cohort: Cohort) -> int:
    """Mentee places not yet taken by an accepted mentee (``taking_a_place``)."""
    taken = cohort.enrolments.filter(taking_a_place(Role.MENTEE)).count()
    return max(0, cohort.capacity - taken)


def places_full_message(cohort: Cohort) -> str:
    return (
        f"The cohort's {cohort.capacity} mentee place{'s' if cohort.capacity != 1 else ''} "
        "are all taken: raise the cohort's places, or the person stays on the waiting list."
    )


def _status_before(enrolment: Enrolment) -> str:
    """Where an undo goes: the status before the latest withdrawal or decline."""
    last = (
        enrolment.moves.filter(to_status=enrolment.status, move__in=[Move.WITHDRAW, Move.DECLINE])
        .order_by("-created_at", "-pk")
        .first()
    )
    if last is None or not last.from_status:
        return EnrolmentStatus.APPLIED
    return last.from_status


@transaction.atomic
def enrolment_move(
    *, enrolment: Enrolment, move: str, ctx: AuditContext, reason: str = ""
) -> MoveResult:
    """Move a person in a cohort, and do everything that follows (docs/lifecycle.md).

    The cohort row is locked first, so two coordinators accepting at once cannot both take the
    last place. A move the state model refuses raises ValidationError; accepting a mentee into
    a full cohort raises :class:`PlacesFull`; an undo that would accept into a full cohort puts
    the person on the waiting list instead. Leaving *accepted* runs the registered consequences
    (pairing ends the person's active pair, tells the other person and clears draft runs).
    The person is not emailed here: the app that owns the decision emails (recruitment) does.
    """
    cohort = Cohort.objects.select_for_update().get(pk=enrolment.cohort_id)
    enrolment = (
        Enrolment.objects.select_for_update()
        .select_related("user", "cohort__programme")
        .get(pk=enrolment.pk)
    )
    if move == Move.UNDO and not reason.strip():
        raise ValidationError({"reason": "Say why the decision is undone."})
    before = _status_before(enrolment) if move == Move.UNDO else None
    try:
        to = lifecycle.target(enrolment.status, move, before=before)
    except lifecycle.MoveRefused as exc:
        raise ValidationError(str(exc)) from None
    if to == enrolment.status:
        return MoveResult(enrolment=enrolment, record=None)
    full = (
        to == EnrolmentStatus.ACCEPTED
        and enrolment.role == Role.MENTEE
        and cohort_places_left(cohort) < 1
    )
    if full and move == Move.ACCEPT:
        raise PlacesFull(places_full_message(cohort))
    notes = []
    if full:  # an undo back to accepted, with no place left
        to = EnrolmentStatus.WAITLISTED
        notes.append("no mentee place was left, so they are on the waiting list")
    consequences = []
    if enrolment.status == EnrolmentStatus.ACCEPTED and to != EnrolmentStatus.ACCEPTED:
        consequences = lifecycle.on_leave(enrolment=enrolment, move=move, ctx=ctx)
    record = EnrolmentMove.objects.create(
        enrolment=enrolment,
        move=move,
        from_status=enrolment.status,
        to_status=to,
        reason=reason.strip()[:2000],
        actor=ctx.actor,
    )
    enrolment.status = to
    fields = ["status", "updated_at"]
    if move in lifecycle.COORDINATOR_MOVES:
        enrolment.decided_at, enrolment.decided_by = record.created_at, ctx.actor
        fields += ["decided_at", "decided_by"]
    enrolment.save(update_fields=fields)
    audit_record(
        action=f"enrolment-{move}",
        obj=enrolment,
        programme_id=cohort.programme_id,
        summary=f"{record.from_status} -> {to} in {cohort}"
        + (f"; {'; '.join(notes + consequences)}" if notes or consequences else ""),
        context=ctx,
    )
    return MoveResult(enrolment=enrolment, record=record, consequences=notes + consequences)


@transaction.atomic
def enrolment_capacity_update(
    *, enrolment: Enrolment, capacity: int, agreement: str, ctx: AuditContext
) -> Enrolment:
    """Set how many mentees a mentor takes, never below the pairs they already have.

    ``agreement`` records how the mentor agreed (required when the capacity goes up); it is kept
    in the person's history, which they see on their application page.
    """
    enrolment = Enrolment.objects.select_for_update().select_related("cohort").get(pk=enrolment.pk)
    if enrolment.role != Role.MENTOR:
        raise ValidationError("Only a mentor has a capacity.")
    floor = lifecycle.capacity_floor(enrolment)
    if capacity < max(1, floor):
        raise ValidationError(
            {
                "capacity": f"This mentor already has {floor} active "
                f"pair{'s' if floor != 1 else ''}: the capacity cannot go below {max(1, floor)}."
            }
        )
    if capacity > 20:
        raise ValidationError({"capacity": "A mentor can take at most 20 mentees."})
    if capacity > enrolment.capacity and not agreement.strip():
        raise ValidationError({"agreement": "Record how the mentor agreed to take more mentees."})
    if capacity == enrolment.capacity:
        return enrolment
    before = enrolment.capacity
    enrolment.capacity = capacity
    enrolment.save(update_fields=["capacity", "updated_at"])
    EnrolmentMove.objects.create(
        enrolment=enrolment,
        move=Move.CAPACITY,
        from_status=enrolment.status,
        to_status=enrolment.status,
        reason=f"Capacity {before} → {capacity}. {agreement.strip()}".strip()[:2000],
        actor=ctx.actor,
    )
    audit_record(
        action="mentor-capacity-changed",
        obj=enrolment,
        programme_id=enrolment.cohort.programme_id,
        summary=f"capacity {before} -> {capacity}",
        context=ctx,
    )
    return enrolment
