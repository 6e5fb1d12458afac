"""Reads for recruitment: the talent pool and the CSV exports.

The talent pool of a programme has three sources, merged into one row per email address:

* people who registered interest on the public form (``TalentPoolEntry``, source *interest*);
* people a coordinator added (``TalentPoolEntry``, source *added*);
* alumni, computed from accepted enrolments in the programme's finished cohorts: mentees who
  could now mentor, and mentors who could return.

Every read here runs a fixed number of queries whatever the number of rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models.functions import Lower

from people.models import ProfileSkill, Skill, User

from .models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Programme, Role
from .models import TalentPoolEntry as Entry
from .services_invites import INVITABLE_STATUSES

MENTEE_ALUMNI = "mentee alumni – could mentor"
RETURNING_MENTOR = "returning mentor"
NEVER = "never"


@dataclass
class PoolRow:
    email: str
    name: str = ""
    organisation: str = ""
    role: str = Entry.RoleInterest.EITHER
    sources: list[str] = field(default_factory=list)
    note: str = ""
    added_at: datetime | None = None
    entry: Entry | None = None
    user: User | None = None
    last_cohort: Cohort | None = None
    is_alumni: bool = False
    teach: list[str] = field(default_factory=list)
    learn: list[str] = field(default_factory=list)
    skill_ids: set[tuple[int, str]] = field(default_factory=set)

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


def talent_pool_rows(
    *,
    programme: Programme,
    role: str = "",
    skill: Skill | None = None,
    skill_direction: str = "",
    organisation: str = "",
    last_cohort: str = "",
) -> list[PoolRow]:
    """Everyone in the programme's talent pool, filtered, sorted by name. Four queries at most.

    ``role``: mentor or mentee (people open to either match both). ``skill``: the person's
    profile lists it, to teach or to learn (``skill_direction`` narrows to one). ``organisation``:
    a case-insensitive part of the name. ``last_cohort``: a cohort id, or ``"never"`` for
    people who have not taken part in this programme.
    """
    rows: dict[str, PoolRow] = {}

    for entry in programme.talent_pool.select_related("user", "user__profile"):
        email = entry.email.lower()
        rows[email] = PoolRow(
            email=email,
            name=entry.full_name,
            organisation=entry.organisation,
            role=entry.role,
            sources=[entry.get_source_display()],
            note=entry.note,
            added_at=entry.created_at,
            entry=entry,
            user=entry.user,
        )

    # Accepted enrolments of this programme, oldest cohort first: the last one wins below.
    taken_part = (
        Enrolment.objects.filter(cohort__programme=programme, status=EnrolmentStatus.ACCEPTED)
        .select_related("user", "user__profile", "cohort")
        .order_by("cohort__starts_on", "pk")
    )
    last: dict[str, Cohort] = {}
    alumni: dict[str, set[str]] = defaultdict(set)
    for enrolment in taken_part:
        email = enrolment.user.email.lower()
        last[email] = enrolment.cohort
        if enrolment.cohort.status != CohortStatus.FINISHED:
            continue
        alumni[email].add(RETURNING_MENTOR if enrolment.role == Role.MENTOR else MENTEE_ALUMNI)
        row = rows.get(email)
        if row is None:
            row = rows[email] = PoolRow(
                email=email,
                name=enrolment.user.full_name,
                role=Entry.RoleInterest.MENTOR,
                added_at=None,
            )
        row.user = row.user or enrolment.user
        row.is_alumni = True

    # Entries whose person has an account that the entry is not linked to.
    unlinked = [email for email, row in rows.items() if row.user is None]
    if unlinked:
        for user in (
            User.objects.select_related("profile")
            .annotate(lower_email=Lower("email"))
            .filter(lower_email__in=unlinked)
        ):
            rows[user.lower_email].user = user

    profile_ids = {}
    for row in rows.values():
        row.sources.extend(sorted(alumni.get(row.email, ())))
        row.last_cohort = last.get(row.email)
        if row.user is not None:
            profile = getattr(row.user, "profile", None)
            if profile is not None:
                profile_ids[profile.pk] = row
                row.organisation = row.organisation or profile.organisation
            row.name = row.name or row.user.full_name
    if profile_ids:
        for ps in (
            ProfileSkill.objects.filter(profile_id__in=list(profile_ids))
            .select_related("skill")
            .order_by("skill__name")
        ):
            row = profile_ids[ps.profile_id]
            (row.teach if ps.direction == ProfileSkill.Direction.TEACH else row.learn).append(
                ps.skill.name
            )
            row.skill_ids.add((ps.skill_id, ps.direction))

    result = list(rows.values())
    if role:
        result = [r for r in result if r.role in (role, Entry.RoleInterest.EITHER)]
    if skill is not None:
        directions = [skill_direction] if skill_direction else list(ProfileSkill.Direction.values)
        result = [r for r in result if any((skill.pk, d) in r.skill_ids for d in directions)]
    if organisation:
        needle = organisation.casefold()
        result = [r for r in result if needle in r.organisation.casefold()]
    if last_cohort == NEVER:
        result = [r for r in result if r.last_cohort is None]
    elif last_cohort:
        result = [r for r in result if r.last_cohort and str(r.last_cohort.pk) == last_cohort]
    result.sort(key=lambda r: ((r.name or r.email).casefold(), r.email))
    return result


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
]


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def cohort_export_rows(*, cohort: Cohort) -> list[list]:
    """One row per enrolment of the cohort, in ``COHORT_EXPORT_HEADER`` order. One query."""
    decisions = {EnrolmentStatus.ACCEPTED, EnrolmentStatus.WAITLISTED, EnrolmentStatus.DECLINED}
    rows = []
    for e in cohort.enrolments.select_related("user", "user__profile", "project").order_by(
        "role", "user__email"
    ):
        profile = getattr(e.user, "profile", None)
        project = getattr(e, "project", None)
        rows.append(
            [
                e.user.full_name,
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
            ]
        )
    return rows


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


def talent_pool_export_rows(rows: list[PoolRow]) -> list[list]:
    return [
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
    ]
