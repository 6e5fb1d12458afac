"""What programmes hold about a person, for their data export and for erasure.

Registered with people.personal_data from ProgrammesConfig.ready(). Erasure keeps every
enrolment (cohort sizes, roles and statuses stay counted) and removes what the person wrote or
what identifies them: goals, availability, coordinators' notes, the manager's email. Their
applications, projects and talent-pool rows are recruitment's (recruitment/personal_data.py).
"""

from people import personal_data

from .models import Enrolment, EnrolmentMove, EnrolmentStatus

ERASED = personal_data.ERASED


def _iso(value):
    return value.isoformat() if value else None


def _enrolments(user):
    return (
        Enrolment.objects.filter(user=user)
        .select_related("cohort__programme")
        .prefetch_related("topics", "moves")
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
            "history": [
                {
                    "move": m.move,
                    "from": m.from_status,
                    "to": m.to_status,
                    "reason": m.reason,
                    "at": _iso(m.created_at),
                }
                for m in e.moves.all()
            ],
        }
        for e in _enrolments(user)
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
    # Why a decision was undone, or how a mentor agreed to more mentees, is about the person.
    EnrolmentMove.objects.filter(enrolment__user=user).update(reason="")
    for e in enrolments:
        e.topics.clear()
    # The person no longer coordinates anything.
    user.coordinated_programmes.clear()


def register() -> None:
    personal_data.register("enrolments", export=enrolments_export, erase=programmes_erase)
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
        "programmes.EnrolmentMove",
        on_erase=anon,
        exported_in="enrolments",
        person=["actor"],
        free_text=["reason"],
        facts=["enrolment", "move", "from_status", "to_status", "created_at"],
    )
