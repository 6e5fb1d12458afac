"""Reads for programmes, with the access rules in one place.

Anything a user may not see is reported as 404, never 403, so an outsider cannot even learn that
a programme or cohort exists.
"""

from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q, Sum
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


# A fitted index costs seconds for thousands of proposals, and the apply page asks for it while a
# mentee types: it is cached, keyed by a version that changes whenever a proposal does.
SIMILARITY_CACHE_SECONDS = 24 * 60 * 60


def _proposals_version(programme: Programme) -> str:
    """Changes when a proposal of the programme is added, edited, removed or summarised."""
    facts = Project.objects.filter(enrolment__cohort__programme=programme).aggregate(
        n=Count("pk"),
        ids=Sum("pk"),
        edited=Max("updated_at"),
        summarised=Max("enrolment__project_summary__updated_at"),
    )
    return "-".join(
        str(v.timestamp() if hasattr(v, "timestamp") else v)
        for v in (facts["n"], facts["ids"], facts["edited"], facts["summarised"])
    )


def _similarity_key(programme_id: int) -> str:
    return f"similarity:{programme_id}"


def similarity_cache_forget(*, programme_ids) -> None:
    """Drop the cached index of these programmes at once. Erasure and retention call this: the
    cache must not keep (and go on matching) a description that was just erased."""
    keys = [_similarity_key(pk) for pk in set(programme_ids)]
    cache.delete_many(keys)
    # Again once the erasure is committed: a request may have rebuilt it meanwhile from the
    # rows as they were before the transaction.
    transaction.on_commit(lambda: cache.delete_many(keys))


def _similarity_cached(programme: Programme) -> dict:
    """One cache entry per programme (so it can be dropped), rebuilt when a proposal changes."""
    key, version = _similarity_key(programme.pk), _proposals_version(programme)
    cached = cache.get(key)
    if cached is None or cached.get("version") != version:
        proposals = [proposal for _, proposal in programme_proposals(programme=programme)]
        cached = {
            "version": version,
            "index": SimilarityIndex(proposals) if proposals else None,
            "duplicates": {},
        }
        cache.set(key, cached, SIMILARITY_CACHE_SECONDS)
    return cached


def programme_similarity_index(*, programme: Programme) -> SimilarityIndex | None:
    """The programme's fitted similarity index (None when it has no proposal), from the cache
    when no proposal changed since it was built."""
    return _similarity_cached(programme)["index"]


def _programme_duplicates(*, programme: Programme) -> list[tuple[int, int, float]]:
    """Every pair of the programme's proposals above its threshold, cached with the index."""
    cached = _similarity_cached(programme)
    threshold = str(programme.duplicate_threshold)
    if threshold not in cached["duplicates"]:
        index = cached["index"]
        cached["duplicates"][threshold] = (
            index.duplicates_within(threshold=programme.duplicate_threshold) if index else []
        )
        cache.set(_similarity_key(programme.pk), cached, SIMILARITY_CACHE_SECONDS)
    return cached["duplicates"][threshold]


def _projects_by_id(ids) -> dict[int, Project]:
    return {
        p.pk: p
        for p in Project.objects.filter(pk__in=set(ids)).select_related(
            "enrolment__cohort", "enrolment__user"
        )
    }


def similar_projects(
    *, programme: Programme, title: str, description: str, exclude_project_id=None, limit=5
):
    """The most similar existing proposals to a draft, above the programme's threshold."""
    index = programme_similarity_index(programme=programme)
    if index is None:
        return []
    matches = index.similar(
        title,
        description,
        threshold=programme.duplicate_threshold,
        limit=limit,
        exclude_ids=[exclude_project_id] if exclude_project_id else (),
    )
    by_id = _projects_by_id(m.id for m in matches)
    return [(by_id[m.id], m.score) for m in matches if m.id in by_id]


def review_rows(*, cohort: Cohort, role: str = "", status: str = "", duplicates_only=False):
    """The coordinator's review table: applicants with their project and likely duplicates.

    A fixed number of queries whatever the number of applicants: one for the enrolments, a few
    prefetches, one to check the cached duplicate pairs are current (all proposals of the
    programme are read only when one changed) and one for the projects those pairs name.
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
    mine = {e.project.pk for e in enrolments if getattr(e, "project", None) is not None}
    found = [
        (a, b, score)
        for a, b, score in _programme_duplicates(programme=cohort.programme)
        if a in mine or b in mine
    ]
    by_id = _projects_by_id(i for a, b, _ in found for i in (a, b))
    duplicates: dict[int, list] = {}
    for a, b, score in found:
        if a in by_id and b in by_id:
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
