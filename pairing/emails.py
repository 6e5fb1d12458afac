"""The emails the pairing app sends."""

from lib.urls import absolute_reverse
from notifications.kinds import register_kind
from notifications.services import email_enqueue

from . import wording

register_kind(
    "introduction",
    essential=True,
    label="Introductions to your mentor or mentee",
    description="Who you are paired with, and why.",
)


def _summary(user) -> dict:
    profile = getattr(user, "profile", None)
    return {
        "name": user.display_name,
        "email": user.email,
        "organisation": getattr(profile, "organisation", ""),
        "team": getattr(profile, "team", ""),
        "grade": profile.get_grade_display() if profile and profile.grade else "",
        "profession": getattr(profile, "profession", ""),
        "location": getattr(profile, "location", ""),
        "bio": getattr(profile, "bio", ""),
    }


def send_introductions(pair, facts: list) -> None:
    """Introduce mentor and mentee to each other, saying why they were paired: the engine's
    findings (``facts``) in words for each reader (pairing/wording.py)."""
    url = absolute_reverse("pairing:detail", args=[pair.pk])
    project = getattr(pair.mentee, "project", None)
    for me, other, my_role in (
        (pair.mentee.user, pair.mentor.user, "mentee"),
        (pair.mentor.user, pair.mentee.user, "mentor"),
    ):
        email_enqueue(
            to=me.email,
            user=me,
            kind="introduction",
            template="introduction",
            idempotency_key=f"introduction:{pair.pk}:{me.pk}",
            programme_name=pair.cohort.programme.name,
            context={
                "name": me.display_name,
                "my_role": my_role,
                "other_role": "mentor" if my_role == "mentee" else "mentee",
                "other": _summary(other),
                "reasons": wording.for_participant(
                    facts, reader=my_role, other=wording.first_name(other)
                )[:6],
                "project_title": project.title if project else "",
                "cohort_name": pair.cohort.name,
                "starts_on": pair.started_on,
                "cadence_days": pair.cohort.programme.checkin_cadence_days,
                "url": url,
            },
        )
