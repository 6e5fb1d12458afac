"""Middleware for account security and the audit log.

- :class:`RequireMFAMiddleware`: coordinators and staff set up a second factor (TOTP, with
  recovery codes) before they see any page with personal data.
- :class:`DeniedAccessAuditMiddleware`: a signed-in person refused an object (a 404 from a URL
  that resolved with parameters) is recorded in the audit log, at most once per person and path
  an hour.
"""

import hashlib
import time

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.shortcuts import redirect
from django.urls import reverse

from .models import AuditEvent
from .services import audit_record

# Pages a person must reach to set up MFA or leave: everything under /accounts/ (allauth's
# account and MFA pages, sign-out included), static files and the public landing page.
MFA_EXEMPT_PATHS = {"/"}


def needs_mfa(user) -> bool:
    """Coordinators (anyone who coordinates a programme) and staff must have an authenticator."""
    from allauth.mfa.utils import is_mfa_enabled

    from .roles import is_coordinator

    if not is_coordinator(user):
        return False
    return not is_mfa_enabled(user)


class RequireMFAMiddleware:
    """Redirect coordinators and staff without a second factor to the TOTP set-up page.

    On when ``REQUIRE_MFA_FOR_COORDINATORS`` is true: the default in production, off in local
    mode so the demo logins work without an authenticator app.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        required = getattr(settings, "REQUIRE_MFA_FOR_COORDINATORS", False)
        if required and self._applies(request) and needs_mfa(request.user):
            messages.warning(
                request,
                "You coordinate a programme or administer the site, so your account needs "
                "two-factor authentication before you can see people's details. Set up an "
                "authenticator app below.",
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)

    @staticmethod
    def _applies(request) -> bool:
        if not request.user.is_authenticated:
            return False
        path = request.path_info
        exempt = (
            reverse("account_login").rsplit("login/", 1)[0],
            settings.STATIC_URL or "/static/",
        )
        return path not in MFA_EXEMPT_PATHS and not path.startswith(exempt)


class DeniedAccessAuditMiddleware:
    """Record object-level denials in the audit log.

    The access helpers answer 404 for anything out of a person's reach, so that an outsider
    cannot tell "forbidden" from "missing". A 404 on a URL that resolved with parameters (a
    programme slug, a cohort or pair id) for a signed-in person is recorded as "access-denied"
    with the method and path; a mistyped id looks the same from here, which is the point of the
    404 rule. ``cache.add`` keeps it to one row per person and path an hour, so a scan cannot
    flood the log.
    """

    WINDOW_SECONDS = 3600
    DETAILED_PER_HOUR = 20

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404:
            self._record(request)
        return response

    def _record(self, request) -> None:
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if user is None or not user.is_authenticated or match is None:
            return
        if not (match.kwargs or match.args):
            return
        path = request.path[:250]
        digest = hashlib.sha256(path.encode()).hexdigest()[:32]
        if not cache.add(f"audit-denied:{user.pk}:{digest}", 1, self.WINDOW_SECONDS):
            return
        # A scan over many ids is many paths: past the first few an hour, one row per person
        # and hour counts the rest (with the last path), so nobody can flood the log.
        hour = int(time.time() // self.WINDOW_SECONDS)
        counter = f"audit-denied-n:{user.pk}:{hour}"
        cache.add(counter, 0, self.WINDOW_SECONDS)
        n = cache.incr(counter)
        if n <= self.DETAILED_PER_HOUR:
            audit_record(
                actor=user,
                action="access-denied",
                summary=f"{request.method} {path}",
                request=request,
            )
            return
        summary = (
            f"{n - self.DETAILED_PER_HOUR} more denied requests this hour; "
            f"last {request.method} {path}"
        )
        key = f"audit-denied-repeats:{user.pk}:{hour}"
        event_id = cache.get(key)
        if event_id and AuditEvent.objects.filter(pk=event_id).update(summary=summary[:300]):
            return
        event = audit_record(
            actor=user, action="access-denied-repeats", summary=summary, request=request
        )
        cache.set(key, event.pk, self.WINDOW_SECONDS)
