"""Field declarations (people/personal_data.py) for people's own models, the outbox's and lib's.

The outbox and lib sit below people and know no domain, so people declares their models for them
(as it already calls the outbox's export and erase functions directly).
"""

from . import personal_data as pd


def declare() -> None:
    anon = pd.ROW_ANONYMISED
    pd.declare(
        "people.User",
        on_erase=anon,
        exported_in="account",
        person=["email", "full_name"],
        facts=["last_login", "date_joined", "is_active", "is_staff", "is_superuser"],
        not_personal=["password", "groups", "user_permissions"],
        note="email becomes erased-<id>@invalid; the password becomes unusable",
    )
    pd.declare(
        "people.Profile",
        on_erase=anon,
        exported_in="profile",
        person=["user", "line_manager_email"],
        free_text=["organisation", "team", "profession", "location", "bio"],
        facts=[
            "grade",
            "time_zone",
            "wants_in_person",
            "work_start",
            "work_end",
            "updated_at",
            "interests",
            "skills",
        ],
    )
    pd.declare(
        "people.ProfileSkill",
        on_erase=pd.ROW_DELETED,
        exported_in="skills",
        person=["profile"],
        facts=["skill", "direction", "level", "priority"],
    )
    pd.declare(
        "people.Skill",
        exported_in="(taxonomy; the suggester link is kept)",
        person=["suggested_by"],
        not_personal=["name", "category", "description", "approved"],
    )
    pd.declare("people.Interest", not_personal=["name"])
    pd.declare(
        "people.AuditEvent",
        on_erase=anon,
        exported_in="audit_events",
        person=["actor", "ip_address"],
        free_text=["summary"],
        facts=["action", "created_at"],
        not_personal=["object_type", "object_id", "programme_id"],
        note="the IP address is blanked; names are scrubbed from the summary",
    )
    pd.declare(
        "notifications.Email",
        on_erase=anon,
        exported_in="emails_sent_to_you",
        person=["to", "user"],
        free_text=["subject", "body_text", "body_html", "headers", "attachments", "last_error"],
        facts=["kind", "status", "created_at", "sent_at", "time_zone", "holidays"],
        not_personal=[
            "template",
            "refs",
            "attempts",
            "next_attempt_at",
            "claimed_at",
            "idempotency_key",
            "provider_id",
            "delivery_status",
            "delivery_status_at",
        ],
        note="pending emails are cancelled",
    )
    pd.declare(
        "notifications.UndeliverableAddress",
        on_erase=pd.ROW_DELETED,
        exported_in="undeliverable_addresses",
        person=["address", "user"],
        facts=["reported_at"],
        not_personal=["email"],
        note="GOV.UK Notify reported a permanent failure; the banner's cache is refreshed",
    )
    pd.declare(
        "notifications.EmailPreference",
        on_erase=pd.ROW_DELETED,
        exported_in="email_preferences",
        person=["user"],
        facts=["kind", "enabled", "updated_at"],
    )
    pd.declare(
        "lib.UsedFormToken",
        not_personal=["token", "url", "message", "created_at"],
        note="a used one-time form token: where the submission led, in words that name no one",
    )
