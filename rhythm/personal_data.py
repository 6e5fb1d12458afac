"""Field declarations (people/personal_data.py) for the rhythm's models.

The rhythm holds settings, not data about people; the only personal field is who paused a kind
of email, kept (it is the coordinator's action, shown in the audit log too).
"""

from people import personal_data


def register() -> None:
    personal_data.declare(
        "rhythm.RhythmSettings",
        not_personal=[
            "programme",
            "survey_reminder_first_days",
            "survey_reminder_second_days",
            "support_information",
            "bank_holidays",
        ],
    )
    personal_data.declare(
        "rhythm.PausedKind",
        exported_in="audit_events (the pause is audited)",
        person=["paused_by"],
        not_personal=["cohort", "kind", "created_at"],
    )
