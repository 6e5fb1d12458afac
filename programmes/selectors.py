"""Reads for programmes, with the access rules in one place.

Anything a user may not see is reported as 404, never 403, so an outsider cannot even learn that
a programme or cohort exists.
"""

from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404

from notifications.selectors import undeliverable_among

from . import lifecycle
from .models import (
    Cohort,
    Enrolment,
    EnrolmentMove,
    EnrolmentStatus,
    Programme,
    Role,
    taking_a_place,
)


def can_create_programmes(user) -> bool:
    return user.is_authenticated and (user.is_staff or user.has_perm("programmes.add_programme"))


def programme_for_coordinator(*, user, slug: str) -> Programme:
    return get_object_or_404(Programme.objects.coordinated_by(user), slug=slug)


def cohort_for_coordinator(*, user, slug: str, pk: int) -> Cohort:
    return get_object_or_404(
        Cohort.objects.coordinated_by(user).select_related("programme"), programme__slug=slug, pk=pk
    )


def programmes_with_counts(*, user):
    return Programme.objects.coordinated_by(user).annotate(
        cohort_count=Count("cohorts", distinct=True)
    )


def cohorts_with_counts(*, programme: Programme):
    """The programme's cohorts with their accepted mentors and mentees (one query): the people
    who take a place (``taking_a_place``), as the cohort page counts its places left."""
    mentors = taking_a_place(Role.MENTOR, through="enrolments__")
    mentees = taking_a_place(Role.MENTEE, through="enrolments__")
    return programme.cohorts.annotate(
        mentor_count=Count("enrolments", filter=mentors),
        mentee_count=Count("enrolments", filter=mentees),
    ).order_by("-starts_on")


def cohort_mentor(*, cohort: Cohort, pk: int) -> Enrolment:
    """A mentor's place in this cohort (one query); 404 for a mentee or another cohort's."""
    return get_object_or_404(cohort.enrolments.select_related("user"), pk=pk, role=Role.MENTOR)


def cohort_enrolments(*, cohort: Cohort, role: str = "", status: str = ""):
    qs = cohort.enrolments.select_related("user", "user__profile").order_by(
        "role", "user__email", "pk"
    )
    if role:
        qs = qs.filter(role=role)
    if status:
        qs = qs.filter(status=status)
    return qs


def cohort_undeliverable_people(*, cohort: Cohort) -> list:
    """People in the cohort whose address GOV.UK Notify reported undeliverable (one query)."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(enrolments__cohort=cohort).distinct().order_by("email")
    return undeliverable_among(users=users)


def enrolments_for_user(*, user):
    return (
        Enrolment.objects.for_user(user)
        .select_related("cohort", "cohort__programme")
        .order_by("-cohort__starts_on")
    )


def require(condition: bool) -> None:
    if not condition:
        raise Http404


# --- A person in a cohort: the state model (programmes/lifecycle.py) ---------------------------


def enrolment_states(*, enrolments, facts=None) -> dict[int, lifecycle.State]:
    """The state shown for each enrolment (one query for their pairs, through the registry;
    none when the caller gives their pair ``facts``, {id: (active, ended)}). The enrolments
    need their cohort loaded."""
    enrolments = list(enrolments)
    if facts is None:
        facts = lifecycle.pair_facts(e.pk for e in enrolments)
    return {
        e.pk: lifecycle.state_of(
            status=e.status,
            role=e.role,
            cohort_status=e.cohort.status,
            active_pairs=facts[e.pk][0],
            ended_pairs=facts[e.pk][1],
        )
        for e in enrolments
    }


def enrolment_state(*, enrolment: Enrolment) -> lifecycle.State:
    return enrolment_states(enrolments=[enrolment])[enrolment.pk]


def enrolment_history(*, enrolment: Enrolment) -> list[EnrolmentMove]:
    """The person's moves in the cohort, oldest first (one query)."""
    return list(enrolment.moves.select_related("actor"))


def withdrawal_recipients(*, enrolment: Enrolment) -> list[lifecycle.Recipient]:
    """Who would be emailed if the person withdrew now: themselves, the other side of each
    active pair (through the registry), and the programme's coordinators (three queries)."""
    user = enrolment.user
    recipients = [lifecycle.Recipient(user.display_name, user.email, "you: a confirmation")]
    recipients += lifecycle.leave_preview(enrolment)
    recipients += [
        lifecycle.Recipient(c.display_name, c.email, "coordinator: what happened")
        for c in enrolment.cohort.programme.coordinators.order_by("email")
    ]
    return recipients


def pairs_ending(*, enrolments, decision: str) -> list[tuple[Enrolment, list]]:
    """For a decision that takes accepted people out (waitlist, decline): each of them who is in
    an active pair, with who would be emailed that the pair ends (for a confirmation page)."""
    if decision == EnrolmentStatus.ACCEPTED:
        return []
    accepted = list(enrolments.filter(status=EnrolmentStatus.ACCEPTED).select_related("user"))
    facts = lifecycle.pair_facts(e.pk for e in accepted)
    return [(e, lifecycle.leave_preview(e)) for e in accepted if facts[e.pk][0]]
