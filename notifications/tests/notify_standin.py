"""A local stand-in for GOV.UK Notify's API: the endpoints and answers the outbox uses, so tests
drive the real ``notifications-python-client`` over real HTTP.

Modelled on alphagov/notifications-api (app/v2/notifications, app/v2/errors.py,
app/authentication/auth.py, app/celery/service_callback_tasks.py):

- ``POST /v2/notifications/email``: JWT checks as Notify makes them (401 without a bearer token;
  403 "Invalid token: ..." for an unknown service, a signature made with another key, a revoked
  key or an ``iat`` more than 30 s away), then the sliding one-minute rate limit (429
  RateLimitError), then validation (400 ValidationError / BadRequestError: address, template,
  missing personalisation), then 201 with Notify's response body.
- ``GET /v2/notifications?reference=...`` and ``GET /v2/notifications/<id>``.
- Errors in Notify's v2 shape: ``{"status_code": N, "errors": [{"error": ..., "message": ...}]}``.
- Delivery receipts: :meth:`NotifyStandin.fire_callbacks` POSTs Notify's callback body with
  ``Authorization: Bearer <token>``. Notify's simulated addresses decide the outcome:
  ``perm-fail@simulator.notify`` -> permanent-failure, ``temp-fail@simulator.notify`` ->
  temporary-failure, anything else -> delivered.

Faults for tests: :meth:`script` (answer the next requests with these status codes),
:meth:`outage` (answer 500/503/429 for a while), ``accept_then_fail`` (create the notification
and still answer 500, as when the answer is lost) and ``revoked``.

It also runs on its own: ``python -m notifications.tests.notify_standin`` prints its base URL
and API key.
"""

from __future__ import annotations

import json
import re
import threading
import time
import uuid
from collections import Counter, deque
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import requests

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
MESSAGES = {
    429: (
        "RateLimitError",
        "Exceeded rate limit for key type LIVE of {limit} requests per 60 seconds",
    ),
    500: ("Exception", "Internal server error"),
    502: ("BadGateway", "Bad gateway"),
    503: ("ServiceUnavailable", "Service temporarily unavailable"),
    400: ("BadRequestError", "An error occurred"),
    403: ("AuthError", "Invalid token: API key not found"),
}


def _now() -> str:
    return datetime.now(UTC).strftime(DATETIME_FORMAT)


class NotifyStandin:
    def __init__(
        self, *, rate_limit_per_minute: int = 3000, template_placeholders=("subject", "body")
    ):
        self.service_id = str(uuid.uuid4())
        self.secret = str(uuid.uuid4())
        self.template_id = str(uuid.uuid4())
        self.template_placeholders = tuple(template_placeholders)
        self.rate_limit = rate_limit_per_minute
        self.lock = threading.Lock()
        self.notifications: dict[str, dict] = {}
        self.accepted: Counter = Counter()  # 201s (and accepted-then-failed) per reference
        self.answers: Counter = Counter()  # status codes answered to POST /v2/notifications/email
        self._window: deque[float] = deque()
        self._script: list[int] = []
        self._outage_until = 0.0
        self._outage_status = 500
        self.accept_then_fail = 0  # the next N valid requests create the notification, answer 500
        self.revoked = False
        self.server: ThreadingHTTPServer | None = None

    # --- Life ---------------------------------------------------------------------------------

    @property
    def api_key(self) -> str:
        return f"standin-{self.service_id}-{self.secret}"

    @property
    def base_url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, port: int = 0) -> NotifyStandin:
        standin = self

        class Handler(_Handler):
            pass

        Handler.standin = standin
        self.server = _Server(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    # --- Faults -------------------------------------------------------------------------------

    def script(self, *codes: int) -> None:
        """Answer the next len(codes) requests with these status codes (nothing created); a code
        below 400 lets that request through as usual."""
        with self.lock:
            self._script.extend(codes)

    def outage(self, status: int, seconds: float) -> None:
        with self.lock:
            self._outage_status, self._outage_until = status, time.monotonic() + seconds

    # --- Figures ------------------------------------------------------------------------------

    def delivered_count(self, references) -> int:
        with self.lock:
            return sum(self.accepted[r] for r in references)

    def sent_to(self, address: str) -> list[dict]:
        with self.lock:
            return [n for n in self.notifications.values() if n["email_address"] == address]

    # --- Callbacks ----------------------------------------------------------------------------

    @staticmethod
    def outcome(address: str) -> str:
        return {
            "perm-fail@simulator.notify": "permanent-failure",
            "temp-fail@simulator.notify": "temporary-failure",
        }.get(address.lower(), "delivered")

    def callback_payload(self, notification: dict, status: str | None = None) -> dict:
        """The body Notify POSTs to a service's delivery-receipt callback URL."""
        return {
            "id": notification["id"],
            "reference": notification["reference"],
            "to": notification["email_address"],
            "status": status or self.outcome(notification["email_address"]),
            "created_at": notification["created_at"],
            "completed_at": _now(),
            "sent_at": notification["created_at"],
            "notification_type": "email",
            "template_id": notification["template"]["id"],
            "template_version": 1,
        }

    def fire_callbacks(self, url: str, bearer_token: str) -> list[int]:
        """Settle every notification still "sending" and POST its receipt, as Notify does."""
        with self.lock:
            pending = [n for n in self.notifications.values() if n["status"] == "sending"]
        codes = []
        for notification in pending:
            payload = self.callback_payload(notification)
            notification["status"] = payload["status"]
            response = requests.post(
                url,
                json=payload,
                headers={"Authorization": f"Bearer {bearer_token}"},
                timeout=10,
            )
            codes.append(response.status_code)
        return codes

    # --- The API ------------------------------------------------------------------------------

    def authenticate(self, header: str | None) -> tuple[int, str] | None:
        """None when the request may proceed, else (status, message) as Notify answers."""
        if not header:
            return 401, "Unauthorized: authentication token must be provided"
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            return 401, "Unauthorized: authentication bearer scheme must be used"
        try:
            unverified = jwt.decode(
                token, options={"verify_signature": False}, algorithms=["HS256"]
            )
        except jwt.DecodeError:
            return 403, "Invalid token: signature, api token is not valid"
        if "iss" not in unverified:
            return 403, "Invalid token: iss field not provided"
        if unverified["iss"] != self.service_id:
            return 403, "Invalid token: service not found"
        try:
            claims = jwt.decode(
                token, key=self.secret, algorithms=["HS256"], options={"verify_iat": False}
            )
        except jwt.InvalidAlgorithmError:
            return 403, "Invalid token: algorithm used is not HS256"
        except jwt.InvalidTokenError:
            return 403, "Invalid token: API key not found"
        if "iat" not in claims:
            return 403, "Invalid token: iat field not provided"
        if abs(time.time() - int(claims["iat"])) > 30:
            return 403, "Error: Your system clock must be accurate to within 30 seconds"
        if self.revoked:
            return 403, "Invalid token: API key revoked"
        return None

    def _rate_limited(self) -> bool:
        now = time.monotonic()
        with self.lock:
            while self._window and self._window[0] < now - 60:
                self._window.popleft()
            if len(self._window) >= self.rate_limit:
                return True
            self._window.append(now)
            return False

    def validate(self, body) -> tuple[int, str, str] | None:
        if not isinstance(body, dict):
            return 400, "ValidationError", "Invalid JSON supplied in POST data"
        for field in ("email_address", "template_id"):
            if field not in body:
                return 400, "ValidationError", f"{field} is a required property"
        if not isinstance(body["template_id"], str) or not UUID_RE.match(body["template_id"]):
            return 400, "ValidationError", "template_id is not a valid UUID"
        if not isinstance(body["email_address"], str) or not EMAIL_RE.match(body["email_address"]):
            return 400, "ValidationError", "email_address Not a valid email address"
        if "reference" in body and not isinstance(body["reference"], str):
            return 400, "ValidationError", f"reference {body['reference']!r} is not of type string"
        if body["template_id"] != self.template_id:
            return 400, "BadRequestError", "Template not found"
        personalisation = body.get("personalisation") or {}
        missing = [p for p in self.template_placeholders if p not in personalisation]
        if missing:
            return 400, "BadRequestError", f"Missing personalisation: {', '.join(missing)}"
        return None

    def create(self, body: dict, base: str) -> dict:
        notification_id = str(uuid.uuid4())
        personalisation = body.get("personalisation") or {}
        notification = {
            "id": notification_id,
            "reference": body.get("reference"),
            "email_address": body["email_address"],
            "type": "email",
            "status": "sending",
            "template": {
                "id": self.template_id,
                "version": 1,
                "uri": f"{base}/templates/{self.template_id}",
            },
            "subject": personalisation.get("subject", ""),
            "body": personalisation.get("body", ""),
            "one_click_unsubscribe_url": body.get("one_click_unsubscribe_url"),
            "created_at": _now(),
        }
        with self.lock:
            self.notifications[notification_id] = notification
            self.accepted[body.get("reference")] += 1
        return notification


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        # A client killed mid-request (the reliability run SIGKILLs workers) is not an error.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def _error(status: int, error: str, message: str) -> dict:
    return {"status_code": status, "errors": [{"error": error, "message": message}]}


class _Handler(BaseHTTPRequestHandler):
    standin: NotifyStandin
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):  # quiet
        pass

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            return json.loads(raw or b"null")
        except ValueError:
            return None

    def do_POST(self):  # noqa: N802 (http.server's hook name)
        s = self.standin
        body = self._read_json()
        if urlparse(self.path).path != "/v2/notifications/email":
            return self._answer(404, _error(404, "ResourceNotFound", "Not found"))
        problem = s.authenticate(self.headers.get("Authorization"))
        if problem:
            s.answers[problem[0]] += 1
            return self._answer(problem[0], _error(problem[0], "AuthError", problem[1]))
        with s.lock:
            scripted = s._script.pop(0) if s._script else None
            if scripted is None and time.monotonic() < s._outage_until:
                scripted = s._outage_status
        if scripted is not None and scripted < 400:
            scripted = None  # a scripted success: answer as usual
        if scripted is not None:
            s.answers[scripted] += 1
            error, message = MESSAGES.get(scripted, ("Exception", "Internal server error"))
            return self._answer(
                scripted, _error(scripted, error, message.format(limit=s.rate_limit))
            )
        if s._rate_limited():
            s.answers[429] += 1
            error, message = MESSAGES[429]
            return self._answer(429, _error(429, error, message.format(limit=s.rate_limit)))
        invalid = s.validate(body)
        if invalid:
            s.answers[invalid[0]] += 1
            return self._answer(invalid[0], _error(*invalid))
        base = s.base_url
        notification = s.create(body, base)
        with s.lock:
            lose_answer = s.accept_then_fail > 0
            if lose_answer:
                s.accept_then_fail -= 1
        if lose_answer:
            s.answers[500] += 1
            return self._answer(500, _error(500, "Exception", "Internal server error"))
        s.answers[201] += 1
        self._answer(
            201,
            {
                "id": notification["id"],
                "reference": notification["reference"],
                "uri": f"{base}/v2/notifications/{notification['id']}",
                "template": notification["template"],
                "scheduled_for": None,
                "content": {
                    "from_email": "mentorship@notifications.service.gov.uk",
                    "body": notification["body"],
                    "subject": notification["subject"],
                    "one_click_unsubscribe_url": notification["one_click_unsubscribe_url"],
                },
            },
        )

    def do_GET(self):  # noqa: N802
        s = self.standin
        url = urlparse(self.path)
        problem = s.authenticate(self.headers.get("Authorization"))
        if problem:
            return self._answer(problem[0], _error(problem[0], "AuthError", problem[1]))
        with s.lock:
            scripted = s._script.pop(0) if s._script else None
            if scripted is None and time.monotonic() < s._outage_until:
                scripted = s._outage_status
        if scripted is not None:
            error, message = MESSAGES.get(scripted, ("Exception", "Internal server error"))
            return self._answer(
                scripted, _error(scripted, error, message.format(limit=s.rate_limit))
            )
        if url.path == "/v2/notifications":
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            with s.lock:
                found = [
                    n
                    for n in s.notifications.values()
                    if ("reference" not in query or n["reference"] == query["reference"])
                    and query.get("template_type", "email") == "email"
                ]
            found.sort(key=lambda n: n["created_at"], reverse=True)
            return self._answer(
                200,
                {"notifications": found, "links": {"current": f"{s.base_url}{self.path}"}},
            )
        match = re.fullmatch(r"/v2/notifications/([0-9a-f-]{36})", url.path)
        if match and match.group(1) in s.notifications:
            return self._answer(200, s.notifications[match.group(1)])
        return self._answer(404, _error(404, "NoResultFound", "No result found"))


if __name__ == "__main__":
    standin = NotifyStandin().start(port=0)
    print(
        json.dumps(
            {
                "base_url": standin.base_url,
                "api_key": standin.api_key,
                "template_id": standin.template_id,
            }
        )
    )
    threading.Event().wait()
