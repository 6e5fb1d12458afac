"""What surveys hold about a person, for their data export and for erasure.

Registered with people.personal_data from FeedbackConfig.ready(). Anonymous responses carry no
user and are neither exported nor touchable: nobody can tell which are the person's. Identified
responses keep their numbers and choices (results stay correct) and lose their free text.
"""

from people import personal_data

from .models import Answer, Response


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
