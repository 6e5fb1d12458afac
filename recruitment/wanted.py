""" "Still wanted?" check of decision emails (notifications/wanted.py): a decision email that
has not gone yet is not sent once a later move has changed the person's status again (accepted,
then waitlisted an hour later, while the first email waited for a retry): the person gets the
email of their current status only. Registered from RecruitmentConfig.ready(); the row's
``refs`` carry ``{"enrolment": <id>, "move": <id>}``."""

from programmes.lifecycle import Move
from programmes.models import EnrolmentMove

#: Moves that are not decisions the person is emailed about.
SILENT = (Move.APPLY, Move.CAPACITY, Move.INVITE)


def decision_still_current(email) -> str | None:
    refs = email.refs or {}
    enrolment_id, move_id = refs.get("enrolment"), refs.get("move")
    if not (enrolment_id and move_id):
        return None
    latest = (
        EnrolmentMove.objects.filter(enrolment_id=enrolment_id)
        .exclude(move__in=SILENT)
        .order_by("-created_at", "-pk")
        .values_list("pk", "to_status")
        .first()
    )
    if latest is None or latest[0] == move_id:
        return None
    return f"a later decision changed the person's status to {latest[1]}."


def register() -> None:
    from notifications.wanted import register_check

    register_check("application-decision", decision_still_current)
