"""The API (``/api/v1/…``) and the account page that manages tokens (``/account/api-tokens/``).

The API's own views take no session: they are exempt from the sign-in redirect and from CSRF
(ninja marks them so) and authenticate every request by its bearer token instead. Each is
wrapped to record the request in the audit log and to gzip its answer (the API only: see
docs/api.md on BREACH). The schema answers a signed-in person or a valid token; the interactive
docs are a page for signed-in people.
"""

from functools import wraps

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.urls import URLPattern, path, re_path
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_safe

from . import views
from .auth import NOT_FOUND, UNAUTHENTICATED, ApiDenied, TokenAuth, audit_request
from .v1 import api


def _audited(view):
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        audit_request(request, response.status_code)
        return response

    return wrapped


def _schema_access(view):
    """The schema: for a signed-in person, or with a valid token (for code generators)."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated:
            try:
                token = TokenAuth()(request)
            except ApiDenied as exc:
                return JsonResponse({"detail": exc.detail}, status=exc.status)
            if not token:
                response = JsonResponse({"detail": UNAUTHENTICATED}, status=401)
                response["WWW-Authenticate"] = 'Bearer realm="api"'
                return response
        return view(request, *args, **kwargs)

    return wrapped


def _api_patterns():
    patterns, _app, _namespace = api.urls
    out = []
    for p in patterns:
        assert isinstance(p, URLPattern)
        view = p.callback
        if p.name == "openapi-view":
            view = require_safe(view)  # a page for signed-in people (LoginRequiredMiddleware)
        elif p.name == "openapi-json":
            view = login_not_required(gzip_page(_audited(require_safe(_schema_access(view)))))
        else:
            view = login_not_required(gzip_page(_audited(view)))
        view.csrf_exempt = True
        out.append(path(str(p.pattern), view, name=p.name))
    return out


@login_not_required
@_audited
def not_found(request, rest=""):
    """Anything else under /api/ (a negative or non-numeric id, a mistyped path): JSON 404."""
    return JsonResponse({"detail": NOT_FOUND}, status=404)


not_found.csrf_exempt = True

app_name = "api"
urlpatterns = [
    path("account/api-tokens/", views.tokens, name="tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("api/v1/", (_api_patterns(), "v1", "v1")),
    re_path(r"^api/(?P<rest>[\s\S]*)$", not_found),  # unnamed: nothing to classify, 404 for all
]
