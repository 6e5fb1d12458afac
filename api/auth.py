"""Token authentication, the MFA rule, rate limits and the audit trail of every API request.

Only the ``Authorization: Bearer <token>`` header counts: a browser session grants nothing here,
so cross-site requests carrying cookies cannot read the API and no CSRF check is needed.
"""

from __future__ import annotations

import hashlib
import math
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone
from ninja.security import HttpBearer

from lib.audit import AuditContext, client_ip
from people.middleware import MFA_REQUIRED_MESSAGE, needs_mfa
from people.models import AuditEvent
from people.services import audit_record

from .models import ApiToken
from .services import token_digest

# Wording shared with the pages where they have one (people.middleware, templates/429.html).
NOT_FOUND = "The requested resource was not found on this server."
UNAUTHENTICATED = (
    "Authentication credentials were not provided or are not valid: send a live personal API "
    "token as 'Authorization: Bearer <token>' (create one on your account page, API tokens)."
)
MFA_REQUIRED = MFA_REQUIRED_MESSAGE.replace(
    "below.", "on your account page (Two-factor authentication), then use your token again."
)
TOO_MANY = (
    "Too many attempts: there have been too many requests with this token in a short time. "
    "Please wait, then try again."
)


class ApiDenied(Exception):
    def __init__(self, status: int, detail: str, headers: dict | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


class TokenAuth(HttpBearer):
    """Looks the token up by its digest; refuses revoked and expired tokens (401), coordinator
    and staff tokens whose owner has no second factor when REQUIRE_MFA_FOR_COORDINATORS is on
    (403), and tokens over their rate (429)."""

    def authenticate(self, request, token: str):
        if not token or len(token) > 200:
            return None
        found = (
            ApiToken.objects.live()
            .select_related("user")
            .filter(digest=token_digest(token), user__is_active=True)
            .first()
        )
        if found is None:
            return None
        request.api_token = found
        if getattr(settings, "REQUIRE_MFA_FOR_COORDINATORS", False) and needs_mfa(found.user):
            raise ApiDenied(403, MFA_REQUIRED)
        rate_limit(found)
        return found


def rate_limit(token: ApiToken) -> None:
    """A fixed one-minute window per token on the shared cache."""
    limit = settings.API_RATE_LIMIT_PER_MINUTE
    now = time.time()
    window = int(now // 60)
    key = f"api-rate:{token.pk}:{window}"
    cache.add(key, 0, 120)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, 120)
        count = 1
    if count > limit:
        retry = max(1, math.ceil((window + 1) * 60 - now))
        raise ApiDenied(429, TOO_MANY, {"Retry-After": str(retry)})


# --- Audit ----------------------------------------------------------------------------------------

IGNORED_PARAMS = {"cursor", "limit"}


def audit_request(request, status: int) -> None:
    """One audit row per token, method, path, filter and status per window; repeats within the
    window add to that row's count ("×N") instead of adding rows. Refused requests without a
    valid token are recorded per address the same way."""
    token = getattr(request, "api_token", None)
    ctx = AuditContext(actor=token.user if token else None, ip=client_ip(request))
    params = sorted((k, v) for k, v in request.GET.items() if k not in IGNORED_PARAMS)
    what = request.path + (f"?{urlencode(params)}" if params else "")
    who = f"token:{token.pk}" if token else f"ip:{ctx.ip}"
    digest = hashlib.sha256(f"{who}|{request.method}|{what}|{status}".encode()).hexdigest()
    key = f"api-audit:{digest[:40]}"
    window = settings.API_AUDIT_WINDOW_SECONDS
    row_id = cache.get(key)
    if row_id is not None:
        n = _incr(f"{key}:n", window)
        AuditEvent.objects.filter(pk=row_id).update(
            summary=_summary(request.method, what, status, token, n)
        )
        return
    row = audit_record(
        action="api-request",
        obj=token,
        programme_id=None,
        summary=_summary(request.method, what, status, token, 1),
        context=ctx,
    )
    cache.set(key, row.pk, window)
    cache.set(f"{key}:n", 1, window)
    if token is not None:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())


def _incr(key: str, window: int) -> int:
    try:
        return cache.incr(key)
    except ValueError:
        cache.set(key, 2, window)
        return 2


def _summary(method, what, status, token, n) -> str:
    who = f"token {token.prefix}…" if token else "no valid token"
    times = f" ×{n}" if n > 1 else ""
    return f"API {method} {what} → {status} ({who}){times}"[:300]
