"""Who did something and from where: built by a view, passed to services instead of ``request``."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from django.conf import settings


def client_ip(request) -> str | None:
    """Where a request came from. ``X-Forwarded-For`` is honoured only behind trusted proxies
    (``TRUSTED_PROXY_COUNT``, the same setting allauth's rate limits use): the address the
    outermost trusted proxy saw; otherwise the direct peer, ``REMOTE_ADDR``."""
    trusted = getattr(settings, "ALLAUTH_TRUSTED_PROXY_COUNT", 0)
    forwarded = request.headers.get("x-forwarded-for", "") if trusted else ""
    candidates = [p.strip() for p in forwarded.split(",") if p.strip()]
    ip = candidates[-trusted] if trusted and len(candidates) >= trusted else None
    ip = ip or request.META.get("REMOTE_ADDR") or None
    try:
        return str(ipaddress.ip_address(ip)) if ip else None
    except ValueError:
        return None


@dataclass(frozen=True)
class AuditContext:
    """The person acting (None for the system or an anonymous visitor) and their address."""

    actor: object | None = None
    ip: str | None = None

    @classmethod
    def from_request(cls, request) -> AuditContext:
        user = getattr(request, "user", None)
        return cls(
            actor=user if user is not None and user.is_authenticated else None,
            ip=client_ip(request),
        )

    @classmethod
    def system(cls) -> AuditContext:
        return cls()
