"""Writes for pairs: check-ins and goals (the pairing workflow adds more)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from people.models import User

from .models import CheckIn, Pair, PairGoal


@transaction.atomic
def checkin_log(*, pair: Pair, author: User, data: dict) -> CheckIn:
    if not pair.involves(author):
        raise ValidationError("Only the mentor or mentee of a pair can log its check-ins.")
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError("This pair has ended; its check-ins can no longer change.")
    if data["met_on"] > timezone.localdate():
        raise ValidationError({"met_on": "The meeting date cannot be in the future."})
    if data["met_on"] < pair.started_on:
        raise ValidationError({"met_on": "The meeting date is before the pair started."})
    checkin = CheckIn(pair=pair, author=author, **data)
    checkin.full_clean()
    checkin.save()
    return checkin


@transaction.atomic
def pair_goals_from_application(*, pair: Pair) -> list[PairGoal]:
    """Turn the mentee's application goals (one per line) into the pair's goals, once."""
    if pair.goals.exists():
        return list(pair.goals.all())
    lines = [line.strip(" -•*\t") for line in pair.mentee.goals.splitlines()]
    goals = [PairGoal(pair=pair, text=line[:300], order=i) for i, line in enumerate(lines) if line]
    return PairGoal.objects.bulk_create(goals)


@transaction.atomic
def pair_goal_add(*, pair: Pair, text: str) -> PairGoal:
    goal = PairGoal(pair=pair, text=text, order=pair.goals.count())
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def pair_goal_progress(*, goal: PairGoal, progress: str) -> PairGoal:
    goal.progress = progress
    goal.full_clean()
    goal.save(update_fields=["progress", "updated_at"])
    return goal
