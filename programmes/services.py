"""Writes for programmes and cohorts."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from people.models import User

from .models import Cohort, Programme


@transaction.atomic
def programme_create(*, created_by: User, data: dict, coordinators=()) -> Programme:
    programme = Programme(**data)
    programme.full_clean()
    programme.save()
    programme.coordinators.set({created_by, *coordinators})
    return programme


@transaction.atomic
def programme_update(*, programme: Programme, data: dict, coordinators=None) -> Programme:
    for field, value in data.items():
        setattr(programme, field, value)
    programme.full_clean()
    programme.save()
    if coordinators is not None:
        programme.coordinators.set(coordinators)
    return programme


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
