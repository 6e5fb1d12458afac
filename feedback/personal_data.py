"""What surveys hold about a person, for their data export and for erasure.

Registered with people.personal_data from FeedbackConfig.ready(). Anonymous responses carry no
user and are neither exported nor touchable: nobody can tell which are the person's. Identified
responses keep their numbers and choices (results stay correct) and lose their free text.
"""

from people import personal_data

from .models import Answer, Response, SurveyInvitation


def _responses(user):
    return Response.objects.filter(user=user, version__template__anonymous=False)


def responses_export(user) -> list[dict]:
    rows = (
        _responses(user)
        .select_related("version__template", "schedule__cohort")
        .prefetch_related("answers__question")
        .order_by("submitted_at")
    )
    return [
        {
            "survey": r.version.template.name,
            "cohort": r.schedule.cohort.name,
            "role": r.role,
            "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
            "answers": [
                {
                    "question": a.question.text,
                    "number": a.number,
                    "text": a.text,
                    "choices": a.choices,
                }
                for a in sorted(r.answers.all(), key=lambda a: a.question.order)
            ],
        }
        for r in rows
    ]


def feedback_erase(user, erasure) -> None:
    erasure.count(
        "survey_answers",
        Answer.objects.filter(response__in=_responses(user)).exclude(text="").update(text=""),
    )


def register() -> None:
    personal_data.register("survey_responses", export=responses_export, erase=feedback_erase)
    personal_data.register("survey_invitations", export=invitations_export)
    declare_fields()


def invitations_export(user) -> list[dict]:
    """The person's invitations: which survey, when due, when it closes, whether answered.
    (Answering an anonymous survey is the person's own fact: they may see it, nobody else.)"""
    return [
        {
            "survey": i.schedule.template.name,
            "cohort": i.schedule.cohort.name,
            "role": i.role,
            "due_on": i.due_on.isoformat(),
            "closes_on": i.closes_on.isoformat() if i.closes_on else None,
            "answered": i.answered_at is not None,
        }
        for i in SurveyInvitation.objects.filter(user=user)
        .select_related("schedule__template", "schedule__cohort")
        .order_by("due_on", "pk")
    ]


def declare_fields() -> None:
    d, anon = personal_data.declare, personal_data.ROW_ANONYMISED
    d(
        "feedback.SurveyTemplate",
        not_personal=[
            "programme",
            "name",
            "description",
            "anonymous",
            "audience",
            "key",
            "created_at",
        ],
    )
    d("feedback.SurveyVersion", not_personal=["template", "number", "published", "created_at"])
    d(
        "feedback.Question",
        not_personal=[
            "version",
            "order",
            "type",
            "text",
            "help_text",
            "required",
            "choices",
            "key",
        ],
    )
    d(
        "feedback.SurveySchedule",
        not_personal=[
            "cohort",
            "template",
            "audience",
            "trigger",
            "offset_days",
            "every_n_checkins",
            "close_after_days",
            "active",
            "key",
            "created_at",
        ],
    )
    d(
        "feedback.SurveyInvitation",
        on_erase=anon,
        exported_in="survey_invitations",
        person=["user", "pair"],
        facts=["role", "occurrence", "due_on", "closes_on", "answered_at", "created_at"],
        not_personal=["schedule", "batch"],
    )
    d(
        "feedback.Response",
        on_erase=anon,
        exported_in="survey_responses (identified surveys only)",
        person=["user", "invitation"],
        facts=["role", "submitted_at"],
        not_personal=["id", "schedule", "version", "released"],
        note="anonymous responses carry no user and no invitation",
    )
    d(
        "feedback.Answer",
        on_erase=anon,
        exported_in="survey_responses (identified surveys only)",
        free_text=["text"],
        facts=["number", "choices"],
        not_personal=["id", "response", "question"],
    )
