"""Reads for recruitment: applications and the review table, duplicate projects, the talent pool
and the CSV exports. Access is checked by the views first (programmes.selectors).

The talent pool of a programme has three sources, merged into one row per email address:

* people who registered interest on the public form (``TalentPoolEntry``, source *interest*);
* people a coordinator added (``TalentPoolEntry``, source *added*);
* alumni, computed from accepted enrolments in the programme's finished cohorts: mentees who
  could now mentor, and mentors who could return.

Every read here runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from django.core.cache import cache
from django.db import transaction
from django.db.models import (
    CharField,
    Count,
    DateTimeField,
    Exists,
    F,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Lower, NullIf
from django.shortcuts import get_object_or_404
from django.utils import timezone

from people.models import ProfileSkill, Skill, User
from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Programme, Role
from programmes.selectors import require

from . import proposal_sources
from .invitations import INVITABLE_STATUSES
from .models import BusinessPriority, Project
from .models import TalentPoolEntry as Entry
from .similarity import Proposal, SimilarityIndex


def _open_cohorts(today):
    return (
        Cohort.objects.filter(status=CohortStatus.RECRUITING, starts_on__gt=today)
        .filter(Q(applications_open__isnull=True) | Q(applications_open__lte=today))
        .filter(Q(applications_close__isnull=True) | Q(applications_close__gte=today))
        .select_related("programme")
        .order_by("applications_close")
    )


def open_cohorts_for(*, user, enrolments) -> list[Cohort]:
    """Cohorts taking applications now that the person has not applied to yet (one query).
    ``enrolments`` are all the person's (the home page has them): their applications are taken
    out here rather than by a subquery. Not cached: a cohort a coordinator has just opened must
    show on everyone's home page at once."""
    taken = {
        e.cohort_id
        for e in enrolments
        if e.user_id == user.pk and e.status != EnrolmentStatus.INVITED
    }
    return [c for c in _open_cohorts(timezone.localdate()) if c.pk not in taken]


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


def programme_priorities(*, programme: Programme):
    """The programme's business priorities with how many proposals carry each (one query)."""
    return programme.business_priorities.annotate(project_count=Count("projects")).order_by("name")


def programme_priority(*, programme: Programme, pk: int) -> BusinessPriority:
    """One priority of this programme (one query); 404 for another programme's."""
    return get_object_or_404(programme.business_priorities, pk=pk)


def programme_proposals(*, programme: Programme):
    """Every project proposal of the programme, this cohort's and past cohorts', as plain data."""
    rows = (
        Project.objects.filter(enrolment__cohort__programme=programme)
        .select_related("enrolment__cohort", "enrolment__user")
        .prefetch_related("priorities")
        .order_by("pk")
    )
    rows = list(rows)
    added = proposal_sources.extras(row.enrolment_id for row in rows)
    return [
        (
            row,
            Proposal(
                id=row.pk,
                title=row.title,
                description=row.description,
                tags=tuple(p.name for p in row.priorities.all()),
                extra=_proposal_extra(row, added.get(row.enrolment_id, ([], None))[0]),
            ),
        )
        for row in rows
    ]


def _proposal_extra(project: Project, added: list[str]) -> str:
    """Expected benefit, plus what other apps add (community's published show-and-tell summary,
    recruitment/proposal_sources.py), so a new proposal is compared with what past projects
    actually did."""
    return " ".join(p for p in [project.expected_benefit, *added] if p)


# A fitted index costs seconds for thousands of proposals, and the apply page asks for it while a
# mentee types: it is cached, keyed by a version that changes whenever a proposal does.
SIMILARITY_CACHE_SECONDS = 24 * 60 * 60


def _proposals_version(programme: Programme) -> str:
    """Changes when a proposal of the programme is added, edited, removed or summarised."""
    projects = Project.objects.filter(enrolment__cohort__programme=programme)
    facts = projects.aggregate(n=Count("pk"), ids=Sum("pk"), edited=Max("updated_at"))
    added = proposal_sources.extras(projects.values_list("enrolment_id", flat=True))
    summarised = max((latest for _, latest in added.values() if latest), default=None)
    return "-".join(
        str(v.timestamp() if hasattr(v, "timestamp") else v)
        for v in (facts["n"], facts["ids"], facts["edited"], summarised)
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
        # An invitation shares nothing yet: an invited person is named by the address the
        # coordinator typed, never by their account's name (docs/privacy.md).
        invited = enrolment.status == EnrolmentStatus.INVITED
        who = enrolment.user.email if invited else enrolment.user.display_name
        rows.append({"enrolment": enrolment, "project": project, "similar": similar, "who": who})
    return rows


def decision_preview(*, cohort: Cohort, enrolment_ids, decision: str):
    """Who a bulk decision would change (and email) and who it leaves as they are (one query).

    The same rule as ``services.applications_decide``: a person already at this status, or who
    withdrew, is left alone. Both lists are in name order, by enrolment id (never by position).
    """
    selected = list(
        cohort.enrolments.filter(pk__in=list(enrolment_ids))
        .select_related("user")
        .order_by("user__full_name", "user__email", "pk")
    )
    leaves = {decision, EnrolmentStatus.WITHDRAWN}
    changing = [e for e in selected if e.status not in leaves]
    unchanged = [e for e in selected if e.status in leaves]
    return changing, unchanged


def review_application(*, cohort: Cohort, pk: int) -> dict:
    """One application of the cohort in full, for its coordinators (five queries); 404 otherwise.

    The applicant's profile skills come with it, so the coordinator reads what they can teach and
    want to learn beside the application.
    """
    enrolment = get_object_or_404(
        cohort.enrolments.select_related(
            "user__profile", "project", "decided_by", "cohort__programme"
        ).prefetch_related(
            "topics",
            "project__priorities",
            Prefetch(
                "user__profile__profile_skills",
                queryset=ProfileSkill.objects.select_related("skill").order_by("skill__name"),
                to_attr="skill_rows",
            ),
        ),
        pk=pk,
    )
    profile = getattr(enrolment.user, "profile", None)
    skills = getattr(profile, "skill_rows", []) if profile else []
    return {
        "enrolment": enrolment,
        "profile": profile,
        "project": getattr(enrolment, "project", None),
        "teaches": [s for s in skills if s.direction == ProfileSkill.Direction.TEACH],
        "wants": [s for s in skills if s.direction != ProfileSkill.Direction.TEACH],
    }


# --- Talent pool ------------------------------------------------------------------------------

MENTEE_ALUMNI = "mentee alumni – could mentor"
RETURNING_MENTOR = "returning mentor"
NEVER = "never"


@dataclass(slots=True)
class PoolRow:
    email: str
    name: str = ""
    organisation: str = ""
    role: str = Entry.RoleInterest.EITHER
    sources: list[str] = field(default_factory=list)
    note: str = ""
    added_at: datetime | None = None
    user_id: int | None = None  # their account, when they shared their profile with the programme
    last_cohort: Cohort | None = None
    is_alumni: bool = False
    teach: list[str] = field(default_factory=list)
    learn: list[str] = field(default_factory=list)

    @property
    def invite_role(self) -> str:
        """The role to invite them as when the coordinator does not choose one."""
        if self.role in Role.values:
            return self.role
        return Role.MENTOR if self.is_alumni else Role.MENTEE

    @property
    def role_label(self) -> str:
        return Entry.RoleInterest(self.role).label


def invitable_cohorts(*, programme: Programme):
    return programme.cohorts.filter(status__in=INVITABLE_STATUSES).order_by("starts_on")


def cohort_can_invite(*, cohort: Cohort) -> bool:
    """Whether people can be invited to the cohort now (draft or recruiting)."""
    return cohort.status in INVITABLE_STATUSES


# The columns of one person's row, the same on both halves of the pool (_PoolHalf), in the
# order of the union's SELECT.
_POOL_COLUMNS = (
    "p_email",
    "p_name",
    "p_org",
    "p_role",
    "p_user",
    "p_profile",
    "p_last",
    "p_mentor_alumni",
    "p_mentee_alumni",
    "p_source",
    "p_note",
    "p_added",
)


@dataclass
class _PoolHalf:
    """One half of a programme's talent pool: a queryset of one person a row, and the
    expression of each column of that person's row. A query annotates only the columns it
    reads or filters on, so counting and ordering a national pool never runs the per-person
    subqueries that only the rows shown need."""

    rows: QuerySet
    columns: dict

    def select(self, *names: str) -> QuerySet:
        return self.rows.order_by().annotate(**{n: self.columns[n] for n in names})

    def narrowed(self, where: Q, *needs: str) -> _PoolHalf:
        return _PoolHalf(
            self.rows.annotate(**{n: self.columns[n] for n in needs}).filter(where), self.columns
        )


def _pool_halves(programme: Programme, *, emails=None) -> list[_PoolHalf]:
    """The programme's talent pool in two halves with the same columns: its register-interest
    and added entries, and the alumni of its finished cohorts who have no entry. Every rule of
    who is in the pool and what a row shows is here, once, in SQL, so a national pool is
    filtered, ordered and cut into pages by the database.

    A row shows only what the person shared with this programme: their entry (or what a
    coordinator typed when adding them), and, if they applied to or took part in one of its
    cohorts, their profile (organisation and skills) and name. An address in the pool never
    reveals whether it has an account, nor anything the person told another programme. An
    invitation alone shares nothing.
    """
    shared = Enrolment.objects.filter(cohort__programme=programme).exclude(
        status=EnrolmentStatus.INVITED
    )
    accepted = shared.filter(status=EnrolmentStatus.ACCEPTED)
    finished = accepted.filter(cohort__status=CohortStatus.FINISHED)
    text = CharField()

    def person(match: dict) -> dict:
        """What an enrolment says of the person ``match`` finds (correlated subqueries)."""
        theirs = shared.filter(**match).order_by()
        return {
            "p_user": Subquery(theirs.values("user_id")[:1]),
            "p_profile": Subquery(theirs.values("user__profile__id")[:1]),
            # Accepted enrolments, the latest cohort's (by start, then enrolment)
            "p_last": Subquery(
                accepted.filter(**match)
                .order_by("-cohort__starts_on", "-pk")
                .values("cohort_id")[:1]
            ),
            "p_took_part": Exists(accepted.filter(**match)),
            "p_mentor_alumni": Exists(finished.filter(role=Role.MENTOR, **match)),
            "p_mentee_alumni": Exists(finished.filter(**match).exclude(role=Role.MENTOR)),
        }

    def sort(name, email):
        return Lower(Coalesce(NullIf(name, Value("")), email, output_field=text))

    by_address = {"user__email": OuterRef("p_email")}
    theirs = shared.filter(**by_address).order_by()
    entry_name = Coalesce(
        NullIf("full_name", Value("")),
        Subquery(theirs.values("user__full_name")[:1]),
        Value(""),
        output_field=text,
    )
    entries = _PoolHalf(
        programme.talent_pool.annotate(p_email=Lower("email")),
        {
            **person(by_address),
            "p_email": Lower("email"),
            "p_name": entry_name,
            "p_org": Coalesce(
                NullIf("organisation", Value("")),
                Subquery(theirs.values("user__profile__organisation")[:1]),
                Value(""),
                output_field=text,
            ),
            "p_role": F("role"),
            "p_source": F("source"),
            "p_note": F("note"),
            "p_added": F("created_at"),
            "p_sort": sort(entry_name, Lower("email")),
        },
    )
    with_entry = programme.talent_pool.annotate(lower=Lower("email")).filter(
        lower=OuterRef("email")
    )
    alumni = _PoolHalf(
        User.objects.filter(Exists(finished.filter(user=OuterRef("pk"))))
        .filter(~Exists(with_entry))
        .annotate(p_email=F("email")),  # kept in lower case (people.models.User.save)
        {
            **person({"user": OuterRef("pk")}),
            "p_email": F("email"),
            "p_name": F("full_name"),
            "p_org": Coalesce("profile__organisation", Value(""), output_field=text),
            "p_role": Value(Entry.RoleInterest.MENTOR, output_field=text),
            "p_source": Value("", output_field=text),
            "p_note": Value("", output_field=text),
            "p_added": Value(None, output_field=DateTimeField()),
            "p_sort": sort("full_name", "email"),
        },
    )
    halves = [entries, alumni]
    if emails is not None:
        halves = [half.narrowed(Q(p_email__in=emails)) for half in halves]
    return halves


def _pool_filtered(
    halves: list[_PoolHalf],
    *,
    role: str = "",
    skill: Skill | None = None,
    skill_direction: str = "",
    organisation: str = "",
    last_cohort: str = "",
) -> list[_PoolHalf]:
    """Both halves narrowed by the talent pool's filters (see :func:`talent_pool`)."""
    where, needs = Q(), set()
    if role:
        where &= Q(p_role__in=[role, Entry.RoleInterest.EITHER])
        needs.add("p_role")
    if skill is not None:
        directions = [skill_direction] if skill_direction else list(ProfileSkill.Direction.values)
        where &= Q(
            Exists(
                ProfileSkill.objects.filter(
                    profile_id=OuterRef("p_profile"), skill=skill, direction__in=directions
                )
            )
        )
        needs.add("p_profile")
    if organisation:
        where &= Q(p_org__icontains=organisation)
        needs.add("p_org")
    if last_cohort == NEVER:
        where &= Q(p_took_part=False)
        needs.add("p_took_part")
    elif last_cohort:
        where &= Q(p_last=int(last_cohort)) if last_cohort.isdigit() else Q(pk__in=[])
        needs.add("p_last")
    if not needs:
        return halves
    return [half.narrowed(where, *sorted(needs)) for half in halves]


# People a batch of the export: each batch's query has a fixed cost (~40 ms on the national
# data, the alumni and entries it checks against), 1,000 a batch took the export of 12,382
# people from 2.4 s (500 a batch) to 1.2 s, its memory from +2.4 to +2.9 MB.
POOL_BATCH = 1000


class TalentPool:
    """The programme's talent pool, filtered and sorted by name (then address): a sequence the
    paginator reads a page of, the export reads whole, and an invitation reads the chosen
    people of. The database filters, orders and cuts it; only the rows read are built.

    ``len()`` is one counting query. A slice is one query for the addresses in order (the
    sort needs nothing but names), one for what those people's rows show, and two for their
    skills and the programme's cohorts: the per-person subqueries run for the page only.
    """

    def __init__(self, programme: Programme, halves: list[_PoolHalf]):
        self.programme = programme
        self.halves = halves
        self._count: int | None = None

    def _addresses(self) -> QuerySet:
        first, second = (
            half.select("p_sort").values_list("p_sort", "p_email") for half in self.halves
        )
        return first.union(second, all=True).order_by("p_sort", "p_email")

    def count(self) -> int:
        if self._count is None:
            first, second = (half.rows.order_by().values_list("p_email") for half in self.halves)
            self._count = first.union(second, all=True).count()
        return self._count

    __len__ = count

    def __getitem__(self, index):
        if not isinstance(index, slice):
            raise TypeError("read the talent pool a slice at a time")
        return self._build([email for _sort, email in self._addresses()[index]])

    def __iter__(self) -> Iterator[PoolRow]:
        """Every row, POOL_BATCH people at a time (a server-side cursor on PostgreSQL)."""
        batch = []
        for _sort, email in self._addresses().iterator(chunk_size=POOL_BATCH):
            batch.append(email)
            if len(batch) == POOL_BATCH:
                yield from self._build(batch)
                batch = []
        yield from self._build(batch)

    def _build(self, emails: list[str]) -> list[PoolRow]:
        """The rows of these people (in the pool, filtered), in the order given."""
        if not emails:
            return []
        first, second = (
            half.select(*_POOL_COLUMNS[1:]).filter(p_email__in=emails).values_list(*_POOL_COLUMNS)
            for half in self.halves
        )
        order = {email: i for i, email in enumerate(emails)}
        rows = sorted(first.union(second, all=True), key=lambda row: order[row[0]])
        cohorts = {c.pk: c for c in self.programme.cohorts.all()}
        sources = dict(Entry.Source.choices)
        built, by_profile = [], {}
        for (
            email,
            name,
            organisation,
            role,
            user_id,
            profile_id,
            last_id,
            mentor_alumni,
            mentee_alumni,
            source,
            note,
            added_at,
        ) in rows:
            row = PoolRow(
                email=email,
                name=name,
                organisation=organisation,
                role=role,
                sources=[sources[source]] if source else [],
                note=note,
                added_at=added_at,
                user_id=user_id,
                last_cohort=cohorts.get(last_id),
                is_alumni=mentor_alumni or mentee_alumni,
            )
            # the alumni labels, in alphabetical order
            if mentee_alumni:
                row.sources.append(MENTEE_ALUMNI)
            if mentor_alumni:
                row.sources.append(RETURNING_MENTOR)
            if profile_id is not None:
                by_profile[profile_id] = row
            built.append(row)
        if by_profile:
            for profile_id, direction, skill_name in (
                ProfileSkill.objects.filter(profile_id__in=list(by_profile))
                .order_by("skill__name")
                .values_list("profile_id", "direction", "skill__name")
            ):
                row = by_profile[profile_id]
                teach = direction == ProfileSkill.Direction.TEACH
                (row.teach if teach else row.learn).append(skill_name)
        return built


def talent_pool(
    *,
    programme: Programme,
    role: str = "",
    skill: Skill | None = None,
    skill_direction: str = "",
    organisation: str = "",
    last_cohort: str = "",
    emails=None,
) -> TalentPool:
    """Everyone in the programme's talent pool, filtered, sorted by name: a :class:`TalentPool`.

    ``role``: mentor or mentee (people open to either match both). ``skill``: the person's
    profile lists it, to teach or to learn (``skill_direction`` narrows to one). ``organisation``:
    a case-insensitive part of the name. ``last_cohort``: a cohort id, or ``"never"`` for
    people who have not taken part in this programme. ``emails``: only these addresses (lower
    case), for an invitation of the people a coordinator ticked.
    """
    halves = _pool_filtered(
        _pool_halves(programme, emails=emails),
        role=role,
        skill=skill,
        skill_direction=skill_direction,
        organisation=organisation,
        last_cohort=last_cohort,
    )
    return TalentPool(programme, halves)


def talent_pool_counts(*, programme: Programme) -> dict:
    """How many people the programme's pool holds (two queries): its entries by source (people
    who registered interest; people coordinators added, with any older "took part before"
    entries) and the alumni of its finished cohorts who have no entry, each person once."""
    entries, alumni = _pool_halves(programme)
    by_source = dict(
        entries.rows.order_by().values("source").annotate(n=Count("pk")).values_list("source", "n")
    )
    interest = by_source.get(Entry.Source.INTEREST, 0)
    added = by_source.get(Entry.Source.ADDED, 0) + by_source.get(Entry.Source.ALUMNI, 0)
    others = alumni.rows.order_by().count()
    return {
        "interest": interest,
        "added": added,
        "alumni": others,
        "total": interest + added + others,
    }


def talent_pool_rows(*, programme: Programme, **filters) -> list[PoolRow]:
    """Every row of :func:`talent_pool`, as a list (for tests and small programmes)."""
    return list(talent_pool(programme=programme, **filters))


# -- exports -------------------------------------------------------------------------------------

COHORT_EXPORT_HEADER = [
    "name",
    "email",
    "role",
    "status",
    "organisation",
    "grade",
    "capacity",
    "project title",
    "applied at",
    "invited at",
    "decision",
    "decided at",
    "line manager decision",
    "line manager email",
    "line manager decided at",
]


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def cohort_export_count(*, cohort: Cohort) -> int:
    """How many rows :func:`cohort_export_rows` yields (one query), for the audit record."""
    return cohort.enrolments.count()


def cohort_export_rows(*, cohort: Cohort) -> Iterator[list]:
    """One row per enrolment of the cohort, in ``COHORT_EXPORT_HEADER`` order: a generator
    reading the rows in chunks of 500 (one query, a server-side cursor on PostgreSQL), so a
    streamed export of 30,000 people holds one chunk in memory, not the whole file."""
    decisions = {EnrolmentStatus.ACCEPTED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.DECLINED}
    for e in (
        cohort.enrolments.select_related("user", "user__profile", "project")
        .order_by("role", "user__email", "pk")
        .iterator(chunk_size=500)
    ):
        # An invitation shares nothing yet: not the account's name or profile (docs/privacy.md).
        invited = e.status == EnrolmentStatus.INVITED
        profile = None if invited else getattr(e.user, "profile", None)
        project = getattr(e, "project", None)
        yield (
            [
                "" if invited else e.user.full_name,
                e.user.email,
                e.get_role_display(),
                e.get_status_display(),
                profile.organisation if profile else "",
                profile.get_grade_display() if profile and profile.grade else "",
                e.capacity if e.role == Role.MENTOR else "",
                project.title if project else "",
                _when(e.applied_at),
                _when(e.invited_at),
                e.get_status_display() if e.status in decisions else "",
                _when(e.decided_at),
                e.get_manager_decision_display() if e.manager_decision else "",
                e.manager_email if e.manager_decision else "",
                _when(e.manager_decided_at),
            ]
        )


TALENT_POOL_EXPORT_HEADER = [
    "name",
    "email",
    "sources",
    "role interest",
    "organisation",
    "last took part",
    "can teach",
    "wants to learn",
    "note",
    "added at",
]


def talent_pool_export_rows(rows: Iterable[PoolRow]) -> Iterator[list]:
    """The export's rows of ``rows``, one at a time as the response is written."""
    return (
        [
            r.name,
            r.email,
            "; ".join(r.sources),
            r.role_label,
            r.organisation,
            r.last_cohort.name if r.last_cohort else "",
            "; ".join(r.teach),
            "; ".join(r.learn),
            r.note,
            _when(r.added_at),
        ]
        for r in rows
    )
