"""What the api app holds about a person: their tokens (never the secret)."""

from people import personal_data

from .models import ApiToken


def tokens_export(user) -> list[dict]:
    return [
        {
            "name": t.name,
            "prefix": t.prefix,
            "scopes": t.scopes,
            "created_at": t.created_at.isoformat(),
            "expires_at": t.expires_at.isoformat(),
            "last_used_at": t.last_used_at.isoformat() if t.last_used_at else None,
            "revoked_at": t.revoked_at.isoformat() if t.revoked_at else None,
        }
        for t in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
    ]


def tokens_erase(user, erasure) -> None:
    erasure.count("api_tokens", ApiToken.objects.filter(user=user).delete()[0])


def register() -> None:
    personal_data.register("api_tokens", export=tokens_export, erase=tokens_erase)
    personal_data.declare(
        "api.ApiToken",
        on_erase=personal_data.ROW_DELETED,
        exported_in="api_tokens",
        person=["user"],
        free_text=["name"],
        facts=["scopes", "created_at", "expires_at", "last_used_at", "revoked_at"],
        not_personal=["prefix", "digest"],
        note="The secret itself is never stored: only its SHA-256 digest.",
    )
