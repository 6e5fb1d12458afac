"""Sending outbox rows through GOV.UK Notify (docs/email.md, "GOV.UK Notify").

Chosen by configuration: with ``NOTIFY_API_KEY`` set, :func:`notifications.services.email_deliver`
hands each claimed row to :func:`notify_send` instead of Django's ``EMAIL_BACKEND``. One row is
one ``POST /v2/notifications/email`` through the official client, with the row's idempotency key
as Notify's ``reference``, to one generic template whose subject is ``((subject))`` and body
``((body))``.

Notify does not de-duplicate on ``reference``; the outbox does. Only the task that claimed a row
sends it, and a row sent before (a retry, or a row the sweeper took back from a dead worker) is
first looked up by its reference (``GET /v2/notifications?reference=``): if Notify already has
it, the row is marked sent without a second request. That closes the window the SMTP path has
between the server accepting a message and the row being marked sent.

Errors: 429 (rate or daily limit), 5xx and connection errors are temporary (backoff on the row);
400 (validation, team-only key) and 401/403 (bad key, revoked key, clock) are permanent.
"""

from __future__ import annotations

import logging
import re
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from notifications_python_client.errors import APIError, HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from lib import signing
from lib.urls import absolute_url

logger = logging.getLogger(__name__)

ATTACHMENT_SALT = "notifications.attachment"
RATE_KEY = "notifications:notify-rate:{second}"
# At most this many seconds a worker waits for a free place under the shared rate limit before
# it gives the row back (pending, due in a second) for a later task.
RATE_WAIT_SECONDS = 30

_local = threading.local()


class NotifyRateLimited(Exception):
    """The shared rate limit had no room for this send within RATE_WAIT_SECONDS."""


def notify_enabled() -> bool:
    return bool(getattr(settings, "NOTIFY_API_KEY", ""))


def _client() -> NotificationsAPIClient:
    """One client per thread (the client is not thread-safe) and per configuration."""
    config = (settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL, settings.NOTIFY_TIMEOUT)
    cached = getattr(_local, "client", None)
    if cached is None or cached[0] != config:
        client = NotificationsAPIClient(
            settings.NOTIFY_API_KEY, base_url=settings.NOTIFY_BASE_URL, timeout=config[2]
        )
        _local.client = cached = (config, client)
    return cached[1]


# --- Rate limit shared by every worker ----------------------------------------------------------


def _per_second() -> int:
    # Any 60-second window overlaps at most 61 one-second windows: 61 x (limit // 61) <= limit,
    # so Notify's own (sliding) minute never sees more than its limit from us.
    return max(1, settings.NOTIFY_RATE_LIMIT_PER_MINUTE // 61)


def rate_limit_acquire(*, wait: float = RATE_WAIT_SECONDS) -> None:
    """Take one place in this second's window of the shared counter (the default cache: Redis in
    production, so every worker on every machine counts against the same limit), waiting for the
    next second while the window is full. Raises NotifyRateLimited after ``wait`` seconds."""
    deadline = time.monotonic() + wait
    limit = _per_second()
    while True:
        now = time.time()
        key = RATE_KEY.format(second=int(now))
        cache.add(key, 0, timeout=10)
        try:
            taken = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout=10)
            taken = 1
        if taken <= limit:
            return
        if time.monotonic() >= deadline:
            raise NotifyRateLimited(f"More than {limit} sends a second: waited {wait} s.")
        time.sleep(max(0.005, 1.0 - (now % 1.0)))


# --- Content ------------------------------------------------------------------------------------

_HR = re.compile(r"^--\s*$")
_DASH_ITEM = re.compile(r"^(\s*)[-•]\s+")


def notify_markdown(text: str) -> str:
    """The outbox's plain-text body in Notify's formatting. Notify turns blank-line-separated
    paragraphs into paragraphs, URLs into links, ``*`` lines into bullets and ``---`` into a rule;
    a line starting with ``#`` would become a heading and ``^`` inset text, so those are indented
    by a space, which Notify renders as ordinary text."""
    out = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if _HR.match(line):
            line = "---"
        elif _DASH_ITEM.match(line):
            line = _DASH_ITEM.sub(r"\1* ", line, count=1)
        elif line.startswith(("#", "^")):
            line = " " + line
        out.append(line.rstrip())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(out)).strip("\n").rstrip() + "\n"


def attachment_link(*, email_id: int, index: int) -> str:
    token = signing.sign(ATTACHMENT_SALT, e=email_id, i=index)
    return absolute_url(reverse("notifications:attachment", args=[token]))


def attachment_read(token: str):
    """(email id, index) of a signed attachment link, or None when bad or too old."""
    data = signing.unsign_or_none(
        ATTACHMENT_SALT, token, max_age=settings.NOTIFY_ICS_LINK_DAYS * 86400
    )
    if not data or not isinstance(data.get("e"), int) or not isinstance(data.get("i"), int):
        return None
    return data["e"], data["i"]


def notify_body(email) -> str:
    """The body sent as ``((body))``: the text body, with each attachment (the .ics calendar
    invitations) replaced by a signed link that downloads the same file, placed before the
    footer."""
    body = email.body_text
    links = []
    for index, item in enumerate(email.attachments or []):
        name = item.get("filename", "file")
        label = "Add it to your calendar" if name.endswith(".ics") else f"Download {name}"
        links.append(f"{label}: {attachment_link(email_id=email.pk, index=index)}")
    if links:
        block = "\n".join(links) + "\n"
        head, sep, foot = body.rpartition("\n--\n")
        body = f"{head}\n\n{block}{sep}{foot}" if sep else f"{body.rstrip()}\n\n{block}"
    return notify_markdown(body)


def _unsubscribe_url(email) -> str | None:
    value = (email.headers or {}).get("List-Unsubscribe", "")
    return value.strip("<>") or None


# --- Sending ------------------------------------------------------------------------------------


def error_is_temporary(exc: BaseException) -> bool:
    """429 and 5xx (the client reports a connection error or timeout as 503) are worth another
    try; 400 (validation, team-only key), 401 and 403 (bad, revoked key) are not."""
    if isinstance(exc, NotifyRateLimited):
        return True
    if isinstance(exc, HTTPError):
        return exc.status_code == 429 or exc.status_code >= 500
    return True  # an unreadable answer (InvalidResponse) or anything unexpected


def error_text(exc: BaseException) -> str:
    """Notify's answer as the admin shows it: status, error class and message."""
    if isinstance(exc, APIError):
        message = exc.message
        if isinstance(message, list):
            message = "; ".join(
                f"{e.get('error', '')}: {e.get('message', '')}" if isinstance(e, dict) else str(e)
                for e in message
            )
        return f"GOV.UK Notify {exc.status_code}: {message}"
    return f"{type(exc).__name__}: {exc}"


def notify_find(email) -> str | None:
    """Notify's id for a notification already made with this row's reference, if any."""
    found = _client().get_all_notifications(template_type="email", reference=email.idempotency_key)
    for notification in found.get("notifications", []):
        if notification.get("reference") == email.idempotency_key:
            return notification["id"]
    return None


def notify_send(email) -> str:
    """Send one claimed row (at most one Notify notification per row) and return Notify's id.
    Raises the client's HTTPError (or NotifyRateLimited) on failure."""
    if email.attempts > 1:
        existing = notify_find(email)
        if existing:
            logger.info("Email %s was already accepted by Notify (%s).", email.pk, existing)
            return existing
    rate_limit_acquire()
    response = _client().send_email_notification(
        email_address=email.to,
        template_id=settings.NOTIFY_TEMPLATE_ID,
        personalisation={"subject": email.subject, "body": notify_body(email)},
        reference=email.idempotency_key,
        email_reply_to_id=settings.NOTIFY_EMAIL_REPLY_TO_ID or None,
        one_click_unsubscribe_url=_unsubscribe_url(email),
    )
    return response["id"]
