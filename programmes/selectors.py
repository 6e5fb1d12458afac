"""Reads for programmes, with the access rules in one place.

Anything a user may not see is reported as 404, never 403, so an outsider cannot even learn that
a programme or cohort exists.
"""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Programme, Project, Role
from .similarity import Proposal, SimilarityIndex


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
    return programme.cohorts.annotate(
        mentor_count=Count("enrolments", filter=Q(enrolments__role=Role.MENTOR)),
        mentee_count=Count("enrolments", filter=Q(enrolments__role=Role.MENTEE)),
    ).order_by("-starts_on")


def cohort_enrolments(*, cohort: Cohort, role: str = "", status: str = ""):
    qs = cohort.enrolments.select_related("user", "user__profile").order_by("role", "user__email")
    if role:
        qs = qs.filter(role=role)
    if status:
        qs = qs.filter(status=status)
    return qs


def enrolments_for_user(*, user):
    return (
        Enrolment.objects.for_user(user)
        .select_related("cohort", "cohort__programme")
        .order_by("-cohort__starts_on")
    )


def require(condition: bool) -> None:
    if not condition:
        raise Http404


# --- Applications -----------------------------------------------------------------------------


def open_cohorts_for(*, user):
    """Cohorts taking applications now that the person has not applied to yet."""
    today = timezone.localdate()
    taken = Enrolment.objects.filter(user=user).exclude(status=EnrolmentStatus.INVITED)
    return (
        Cohort.objects.filter(status=CohortStatus.RECRUITING)
        .filter(Q(applications_open__isnull=True) | Q(applications_open__lte=today))
        .filter(Q(applications_close__isnull=True) | Q(applications_close__gte=today))
        .exclude(pk__in=taken.values("cohort"))
        .select_related("programme")
        .order_by("applications_close")
    )


def cohort_open_for_applications(*, pk: int) -> Cohort:
    cohort = get_object_or_404(Cohort.objects.select_related("programme"), pk=pk)
    require(cohort.is_open_for_applications)
    return cohort


def application_for_user(*, user, pk: int) -> Enrolment:
    return get_object_or_404(
        Enrolment.objects.select_related("cohort__programme", "project").prefetch_related(
            "topics", "project__priorities"
        ),
        pk=pk,
        user=user,
    )


def programme_proposals(*, programme: Programme):
    """Every project proposal of the programme, this cohort's and past cohorts', as plain data."""
    rows = (
        Project.objects.filter(enrolment__cohort__programme=programme)
        .select_related("enrolment__cohort", "enrolment__user", "enrolment__project_summary")
        .prefetch_related("priorities")
        .order_by("pk")
    )
    return [
        (
            row,
            Proposal(
                id=row.pk,
                title=row.title,
                description=row.description,
                tags=tuple(p.name for p in row.priorities.all()),
                extra=_proposal_extra(row),
            ),
        )
        for row in rows
    ]


def _proposal_extra(project: Project) -> str:
    """Expected benefit, plus the published show-and-tell summary (community app) if any, so a
    new proposal is compared with what past projects actually did. Joined, not queried."""
    parts = [project.expected_benefit]
    summary = getattr(project.enrolment, "project_summary", None)
    if summary is not None and summary.published_at is not None:
        parts += [summary.summary, summary.outcomes]
    return " ".join(p for p in parts if p)


def similar_projects(
    *, programme: Programme, title: str, description: str, exclude_project_id=None, limit=5
):
    """The most similar existing proposals to a draft, above the programme's threshold."""
    pairs = programme_proposals(programme=programme)
    if not pairs:
        return []
    by_id = {row.pk: row for row, _ in pairs}
    index = SimilarityIndex([proposal for _, proposal in pairs])
    matches = index.similar(
        title,
        description,
        threshold=programme.duplicate_threshold,
        limit=limit,
        exclude_ids=[exclude_project_id] if exclude_project_id else (),
    )
    return [(by_id[m.id], m.score) for m in matches]


def review_rows(*, cohort: Cohort, role: str = "", status: str = "", duplicates_only=False):
    """The coordinator's review table: applicants with their project and likely duplicates.

    A fixed number of queries whatever the number of applicants: one for the enrolments, a few
    prefetches, and one for every proposal of the programme (for duplicate detection).
    """
    qs = (
        cohort.enrolments.select_related("user", "user__profile", "project", "decided_by")
        .prefetch_related("project__priorities", "topics")
        .order_by("role", "status", "user__email")
    )
    if role:
        qs = qs.filter(role=role)
    if status:
        qs = qs.filter(status=status)
    enrolments = list(qs)
    pairs = programme_proposals(programme=cohort.programme)
    duplicates: dict[int, list] = {}
    if pairs:
        by_id = {row.pk: row for row, _ in pairs}
        index = SimilarityIndex([proposal for _, proposal in pairs])
        threshold = cohort.programme.duplicate_threshold
        for a, b, score in index.duplicates_within(threshold=threshold):
            duplicates.setdefault(a, []).append((by_id[b], score))
            duplicates.setdefault(b, []).append((by_id[a], score))
    rows = []
    for enrolment in enrolments:
        project = getattr(enrolment, "project", None)
        similar = sorted(duplicates.get(project.pk, []), key=lambda m: -m[1])[:3] if project else []
        if duplicates_only and not similar:
            continue
        rows.append({"enrolment": enrolment, "project": project, "similar": similar})
    return rows
