"""What programmes hold about a person, for their data export and for erasure.

Registered with people.personal_data from ProgrammesConfig.ready(). Erasure keeps every
enrolment (cohort sizes, roles and statuses stay counted) and removes what the person wrote or
what identifies them: goals, availability, coordinators' notes, the manager's email, the
project's description and expected benefit. Talent-pool rows about the person are deleted.
"""

from django.db.models import Q
from django.utils import timezone

from people import personal_data

from .models import Enrolment, EnrolmentStatus, Project, TalentPoolEntry
from .selectors import similarity_cache_forget

ERASED = personal_data.ERASED


def _iso(value):
    return value.isoformat() if value else None


def _enrolments(user):
    return (
        Enrolment.objects.filter(user=user)
        .select_related("cohort__programme")
        .prefetch_related("topics")
        .order_by("created_at", "pk")
    )


def enrolments_export(user) -> list[dict]:
    return [
        {
            "programme": e.cohort.programme.name,
            "cohort": e.cohort.name,
            "role": e.role,
            "status": e.status,
            "capacity": e.capacity,
            "goals": e.goals,
            "availability": e.availability,
            "topics": [t.name for t in e.topics.all()],
            "invited_at": _iso(e.invited_at),
            "created_at": _iso(e.created_at),
        }
        for e in _enrolments(user)
    ]


def applications_export(user) -> list[dict]:
    return [
        {
            "programme": e.cohort.programme.name,
            "cohort": e.cohort.name,
            "role": e.role,
            "status": e.status,
            "applied_at": _iso(e.applied_at),
            "decided_at": _iso(e.decided_at),
            "manager_email": e.manager_email,
            "manager_decision": e.manager_decision,
            "manager_decided_at": _iso(e.manager_decided_at),
        }
        for e in _enrolments(user).filter(applied_at__isnull=False)
    ]


def projects_export(user) -> list[dict]:
    rows = (
        Project.objects.filter(enrolment__user=user)
        .select_related("enrolment__cohort")
        .prefetch_related("priorities", "topics")
        .order_by("created_at", "pk")
    )
    return [
        {
            "cohort": p.enrolment.cohort.name,
            "title": p.title,
            "description": p.description,
            "expected_benefit": p.expected_benefit,
            "priorities": [x.name for x in p.priorities.all()],
            "topics": [x.name for x in p.topics.all()],
            "created_at": _iso(p.created_at),
        }
        for p in rows
    ]


def talent_pool_export(user) -> list[dict]:
    rows = TalentPoolEntry.objects.filter(Q(user=user) | Q(email__iexact=user.email))
    return [
        {
            "programme": t.programme.name,
            "email": t.email,
            "full_name": t.full_name,
            "organisation": t.organisation,
            "role": t.role,
            "source": t.source,
            "note": t.note,
            "created_at": _iso(t.created_at),
        }
        for t in rows.select_related("programme")
    ]


def programmes_erase(user, erasure) -> None:
    enrolments = Enrolment.objects.filter(user=user)
    # Pending invitations end with the account: their links are refused from now on.
    erasure.count(
        "invitations_cancelled",
        enrolments.filter(status=EnrolmentStatus.INVITED).update(status=EnrolmentStatus.WITHDRAWN),
    )
    erasure.count(
        "enrolments",
        enrolments.update(goals="", availability="", coordinator_notes="", manager_email=""),
    )
    for e in enrolments:
        e.topics.clear()
    projects = Project.objects.filter(enrolment__user=user)
    programme_ids = list(projects.values_list("enrolment__cohort__programme_id", flat=True))
    erasure.count(
        "projects",
        projects.update(description=ERASED, expected_benefit="", updated_at=timezone.now()),
    )
    # The duplicate-project index is cached per programme: forget it, or it keeps the text.
    similarity_cache_forget(programme_ids=programme_ids)
    pool = TalentPoolEntry.objects.filter(Q(user=user) | Q(email__iexact=erasure.old_email))
    erasure.count("talent_pool", pool.delete()[0])
    # The person no longer coordinates anything.
    user.coordinated_programmes.clear()


def register() -> None:
    personal_data.register("enrolments", export=enrolments_export, erase=programmes_erase)
    personal_data.register("applications", export=applications_export)
    personal_data.register("projects", export=projects_export)
    personal_data.register("talent_pool", export=talent_pool_export)
    declare_fields()


def declare_fields() -> None:
    d, anon = personal_data.declare, personal_data.ROW_ANONYMISED
    d(
        "programmes.Programme",
        exported_in="account.coordinates",
        person=["coordinators"],
        not_personal=[
            "name",
            "slug",
            "description",
            "organisation",
            "checkin_cadence_days",
            "length_weeks",
            "requires_manager_signoff",
            "duplicate_threshold",
            "created_at",
        ],
    )
    d("programmes.BusinessPriority", not_personal=["programme", "name"])
    d(
        "programmes.Cohort",
        not_personal=[
            "programme",
            "name",
            "applications_open",
            "applications_close",
            "starts_on",
            "ends_on",
            "capacity",
            "status",
            "status_changed_at",
            "created_at",
        ],
    )
    d(
        "programmes.Enrolment",
        on_erase=anon,
        exported_in="enrolments, applications",
        person=["user", "decided_by", "manager_email"],
        free_text=["goals", "availability", "coordinator_notes"],
        facts=[
            "cohort",
            "role",
            "status",
            "capacity",
            "applied_at",
            "decided_at",
            "invited_at",
            "manager_decision",
            "manager_decided_at",
            "created_at",
            "updated_at",
            "topics",
        ],
    )
    d(
        "programmes.Project",
        on_erase=anon,
        exported_in="projects",
        person=["enrolment"],
        free_text=["title", "description", "expected_benefit"],
        facts=["created_at", "updated_at", "priorities", "topics"],
    )
    d(
        "programmes.TalentPoolEntry",
        on_erase=personal_data.ROW_DELETED,
        exported_in="talent_pool",
        person=["user", "email", "full_name", "added_by"],
        free_text=["organisation", "note"],
        facts=["role", "source", "created_at"],
        not_personal=["programme"],
    )
