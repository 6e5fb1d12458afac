"""What recruitment holds about a person, for their data export and for erasure.

Registered with people.personal_data from RecruitmentConfig.ready(), after programmes' section
(the person's enrolments, whose free text programmes erases). Erasure removes the project's
description and expected benefit (the title stays: past cohorts' project lists keep their
shape) and deletes the talent-pool rows about the person.
"""

from django.db.models import Q
from django.utils import timezone

from people import personal_data
from programmes.models import Enrolment

from .models import Project, SignoffRequest, TalentPoolEntry
from .selectors import similarity_cache_forget

ERASED = personal_data.ERASED


def _iso(value):
    return value.isoformat() if value else None


def _enrolments(user):
    return (
        Enrolment.objects.filter(user=user)
        .select_related("cohort__programme")
        .order_by("created_at", "pk")
    )


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


def signoff_requests_export(user) -> list[dict]:
    """Each line-manager approval request the person made: the address, when, the answer."""
    rows = (
        SignoffRequest.objects.filter(enrolment__user=user)
        .select_related("enrolment__cohort")
        .order_by("requested_at", "pk")
    )
    return [
        {
            "cohort": r.enrolment.cohort.name,
            "manager_email": r.email,
            "requested_at": _iso(r.requested_at),
            "decision": r.decision,
            "decided_at": _iso(r.decided_at),
            "superseded_at": _iso(r.superseded_at),
        }
        for r in rows
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


def recruitment_erase(user, erasure) -> None:
    projects = Project.objects.filter(enrolment__user=user)
    programme_ids = list(projects.values_list("enrolment__cohort__programme_id", flat=True))
    erasure.count(
        "projects",
        projects.update(description=ERASED, expected_benefit="", updated_at=timezone.now()),
    )
    # The duplicate-project index is cached per programme: forget it, or it keeps the text.
    similarity_cache_forget(programme_ids=programme_ids)
    erasure.count(
        "signoff_requests", SignoffRequest.objects.filter(enrolment__user=user).delete()[0]
    )
    pool = TalentPoolEntry.objects.filter(Q(user=user) | Q(email__iexact=erasure.old_email))
    erasure.count("talent_pool", pool.delete()[0])


def register() -> None:
    personal_data.register("applications", export=applications_export)
    personal_data.register("projects", export=projects_export, erase=recruitment_erase)
    personal_data.register("talent_pool", export=talent_pool_export)
    personal_data.register("signoff_requests", export=signoff_requests_export)
    declare_fields()


def declare_fields() -> None:
    d, anon = personal_data.declare, personal_data.ROW_ANONYMISED
    d("recruitment.BusinessPriority", not_personal=["programme", "name"])
    d(
        "recruitment.Project",
        on_erase=anon,
        exported_in="projects",
        person=["enrolment"],
        free_text=["title", "description", "expected_benefit"],
        facts=["created_at", "updated_at", "priorities", "topics"],
    )
    d(
        "recruitment.SignoffRequest",
        on_erase=personal_data.ROW_DELETED,
        exported_in="signoff_requests",
        person=["enrolment", "email"],
        facts=["requested_at", "decision", "decided_at", "superseded_at"],
    )
    d(
        "recruitment.TalentPoolEntry",
        on_erase=personal_data.ROW_DELETED,
        exported_in="talent_pool",
        person=["user", "email", "full_name", "added_by"],
        free_text=["organisation", "note"],
        facts=["role", "source", "created_at"],
        not_personal=["programme"],
    )
