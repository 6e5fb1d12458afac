"""Reads for pairs and check-ins, with the access rules in one place (404 for anyone else)."""

from django.db.models import Count, Max, Prefetch, Q
from django.shortcuts import get_object_or_404

from programmes.models import Programme

from .models import CheckIn, Pair

PAIR_RELATED = ("cohort__programme", "mentor__user__profile", "mentee__user__profile")


def pair_for_user(*, user, pk: int) -> tuple[Pair, str]:
    """The pair and how the user sees it: "mentor", "mentee" or "coordinator"."""
    coordinated = Programme.objects.coordinated_by(user)
    pair = get_object_or_404(
        Pair.objects.select_related(*PAIR_RELATED).filter(
            Q(mentor__user=user) | Q(mentee__user=user) | Q(cohort__programme__in=coordinated)
        ),
        pk=pk,
    )
    if pair.mentor.user_id == user.pk:
        return pair, "mentor"
    if pair.mentee.user_id == user.pk:
        return pair, "mentee"
    return pair, "coordinator"


def pair_checkins(*, pair: Pair, viewer_role: str):
    """The pair's check-ins, with the notes hidden from a coordinator unless shared."""
    checkins = list(pair.checkins.select_related("author").order_by("-met_on", "-created_at"))
    for checkin in checkins:
        checkin.notes_visible = viewer_role != "coordinator" or checkin.shared_with_coordinator
    return checkins


def pairs_for_participant(*, user):
    return (
        Pair.objects.for_user(user)
        .select_related(*PAIR_RELATED)
        .annotate(last_met_on=Max("checkins__met_on"), checkin_count=Count("checkins"))
        .order_by("status", "-started_on")
    )


def cohort_pairs(*, cohort):
    """Every pair of a cohort with its check-in figures, in a fixed number of queries."""
    return (
        cohort.pairs.select_related("mentor__user", "mentee__user", "cohort__programme")
        .annotate(last_met_on=Max("checkins__met_on"), checkin_count=Count("checkins"))
        .prefetch_related(
            Prefetch("checkins", queryset=CheckIn.objects.order_by("-met_on"), to_attr="recent")
        )
        .order_by("status", "mentee__user__email")
    )
