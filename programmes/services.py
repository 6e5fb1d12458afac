"""Writes for programmes and cohorts."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from lib.audit import AuditContext
from lib.models import model_update
from people.services import audit_record

from .models import Cohort, CohortStatus, Programme

#: What a coordinator may set on a programme (the rest is the admin's or the system's).
PROGRAMME_FIELDS = [
    "name",
    "slug",
    "organisation",
    "description",
    "checkin_cadence_days",
    "length_weeks",
    "requires_manager_signoff",
    "duplicate_threshold",
]
#: What a coordinator may set on a cohort; its status moves only through cohort_change_status.
COHORT_FIELDS = [
    "name",
    "applications_open",
    "applications_close",
    "starts_on",
    "ends_on",
    "capacity",
]


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

    The row is read again (locked): a ModelForm bound to ``programme`` has already written the
    new values on it, which would hide what changed.
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
    """Change the whitelisted fields in ``data`` (the row is read again, like programmes')."""
    cohort = Cohort.objects.select_for_update().select_related("programme").get(pk=cohort.pk)
    changed = model_update(instance=cohort, fields=COHORT_FIELDS, data=data, save=False)
    cohort.full_clean()
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
