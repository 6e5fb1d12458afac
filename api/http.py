"""The API's HTTP conventions, written once: JSON or CSV, ETags, cursor pages, JSON errors.

- Every answer is JSON; a list answers CSV instead when the request prefers ``text/csv``
  (``Accept: text/csv``): the page's rows, every cell made formula-safe by ``lib.csvsafe``, the
  next page in a ``Link: <…>; rel="next"`` header.
- A 200 answer to GET carries an ``ETag`` (a digest of the body) and ``Cache-Control: private,
  no-cache``; ``If-None-Match`` with that tag answers 304 with no body.
- Lists are cursor pages in id order (ids never change): ``?limit=`` (1 to 1,000, default 100)
  and ``?cursor=`` from the previous page's ``next_cursor`` (the id the page starts after).
- Errors are ``{"detail": "…"}`` with the pages' wording.
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.http import Http404, HttpResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from lib.csvsafe import CSV_CONTENT_TYPE, iter_csv

from .auth import NOT_FOUND, UNAUTHENTICATED, ApiDenied

CSV = "text/csv"
JSON = "application/json"
MAX_LIMIT = 1000
DEFAULT_LIMIT = 100


class BadRequest(Exception):
    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def wants_csv(request) -> bool:
    return request.get_preferred_type([JSON, CSV]) == CSV


def _flat(value):
    if isinstance(value, (list, tuple)):
        return "; ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}={v}" for k, v in value.items())
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


class Api(NinjaAPI):
    def create_response(self, request, data, *, status=None, temporal_response=None):
        if temporal_response is not None:
            status = temporal_response.status_code
        if (
            status == 200
            and isinstance(data, dict)
            and isinstance(data.get("results"), list)
            and wants_csv(request)
        ):
            response = self._csv_response(data)
        else:
            response = super().create_response(
                request, data, status=status, temporal_response=temporal_response
            )
        patch_vary_headers(response, ("Accept", "Authorization"))
        if status == 200 and request.method in ("GET", "HEAD"):
            etag = '"' + hashlib.sha256(response.content).hexdigest()[:32] + '"'
            response["ETag"] = etag
            response["Cache-Control"] = "private, no-cache"
            return get_conditional_response(request, etag=etag, response=response)
        response["Cache-Control"] = "no-store"
        return response

    @staticmethod
    def _csv_response(data: dict) -> HttpResponse:
        rows = [
            {k: _flat(v) for k, v in (r.model_dump() if hasattr(r, "model_dump") else r).items()}
            for r in data["results"]
        ]
        header = list(rows[0]) if rows else []
        response = HttpResponse(b"".join(iter_csv(header, rows)), content_type=CSV_CONTENT_TYPE)
        if data.get("next"):
            response["Link"] = f'<{data["next"]}>; rel="next"'
        return response


def install_error_handlers(api: Api) -> None:
    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, {"detail": NOT_FOUND}, status=404)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request, exc):
        response = api.create_response(request, {"detail": UNAUTHENTICATED}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    @api.exception_handler(ApiDenied)
    def denied(request, exc):
        response = api.create_response(request, {"detail": exc.detail}, status=exc.status)
        for name, value in exc.headers.items():
            response[name] = value
        return response

    @api.exception_handler(BadRequest)
    def bad_request(request, exc):
        return api.create_response(request, {"detail": exc.detail}, status=400)

    @api.exception_handler(ValidationError)
    def invalid(request, exc):
        parts = []
        for error in exc.errors:
            where = ".".join(str(p) for p in error.get("loc", ())[1:]) or "request"
            message = error.get("msg", "is not valid")
            if error.get("type", "").startswith(("date_", "datetime_")):
                message = "Enter a valid date."  # Django's wording, as on the pages' filters
            parts.append(f"{where}: {message}")
        return api.create_response(request, {"detail": "; ".join(parts)}, status=422)


# --- Cursor pages -------------------------------------------------------------------------------


def _encode(pk: int) -> str:
    return str(pk)


def _decode(cursor: str) -> int:
    """The cursor is the id after which the page starts (ids never change)."""
    if not cursor.isdecimal() or len(cursor) > 18:  # isdigit() lets "²" through to int()
        raise BadRequest(
            "The cursor is not valid: use the next_cursor of the previous page, or leave it "
            "out to start from the first page."
        )
    return int(cursor)


def page(request, queryset, *, cursor: str | None, limit: int, row) -> dict:
    """One page of ``queryset`` in id order: ``limit`` rows after the cursor's id, one query."""
    queryset = queryset.order_by("pk")
    if cursor:
        queryset = queryset.filter(pk__gt=_decode(cursor))
    items = list(queryset[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    last = items[-1] if items else None
    last_pk = last["id"] if isinstance(last, dict) else getattr(last, "pk", None)
    next_cursor = _encode(last_pk) if more and items else None
    next_url = None
    if next_cursor:
        params = {k: v for k, v in request.GET.items() if k != "cursor"}
        params["cursor"] = next_cursor
        next_url = request.build_absolute_uri(request.path) + "?" + urlencode(params)
    return {"results": [row(i) for i in items], "next_cursor": next_cursor, "next": next_url}
