"""Writes of the api app: creating and revoking personal tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lib.audit import AuditContext
from people.services import audit_record

from .models import ApiToken, Scope

TOKEN_PREFIX = "mtk_"  # noqa: S105 - a label, not a secret


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user, name: str, scopes: list[str], days: int, ctx: AuditContext
) -> tuple[ApiToken, str]:
    """A new token and its secret. The secret is returned once and never stored."""
    scopes = sorted({s for s in scopes if s in Scope.values})
    if Scope.FIGURES not in scopes:
        scopes = sorted({*scopes, Scope.FIGURES})  # every token reads figures; people adds rows
    days = max(1, min(days, settings.API_TOKEN_MAX_DAYS))
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name.strip()[:80] or "API token",
        prefix=raw[:12],
        digest=token_digest(raw),
        scopes=scopes,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(
        action="api-token-created",
        obj=token,
        summary=f"API token {token.prefix}… '{token.name}', scopes {', '.join(scopes)}, "
        f"{days} days",
        context=ctx,
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, ctx: AuditContext) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            action="api-token-revoked",
            obj=token,
            summary=f"API token {token.prefix}… '{token.name}' revoked",
            context=ctx,
        )
    return token
