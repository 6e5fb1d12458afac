""" "Still wanted?": checks the outbox runs on a row just before it sends it.

An email is written when a rule fires but may wait hours for the recipient's send window, or for
a retry. By the time it goes, the pair may have logged the check-in it reminds them of, the
survey may be answered, the coordinator may have paused that kind of email for the cohort, or
the person may have opted out. So, when the sending task claims a row, it asks:

1. the outbox's own questions, which know no domain: is the account still active (deactivated
   and erased accounts are not), and has the person not turned this optional kind off?
2. every check registered for the row's kind by the app that owns it, and every check
   registered for all kinds (``kind=None``: the programme rhythm's "paused for the cohort").

A check takes the row and returns ``None`` (still wanted) or a reason in plain words; the first
reason wins and is stored on the row (``last_error``, shown in the admin and by
``manage.py outbox``) as "Not sent: <reason>". The owning app registers its checks from its
``AppConfig.ready()``, so this module imports nothing above the outbox::

    from notifications.wanted import register_check

    register_check("checkin-reminder", checkin_still_wanted)

Checks read ``email.refs``: the ids of what the email is about (``{"pair": 12, "cohort": 3}``),
written by the app that enqueued it and opaque to the outbox. A row without refs (older rows)
passes every domain check.

The same checks run when something happens that may make a pending email unwanted (a check-in
is logged, a survey answered, a kind paused, a person opts out): ``email_recheck`` in
services.py finds the pending rows about that thing and cancels the ones a check now refuses,
so the coordinator's schedule page is right at once, not only at sending time.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from .models import Email

Check = Callable[["Email"], "str | None"]

#: kind -> checks registered for it; ``None`` holds the checks that apply to every kind.
CHECKS: dict[str | None, list[Check]] = {}


def register_check(kind: str | None, check: Check) -> Check:
    """Register ``check`` for emails of ``kind`` (``None``: every kind). Registering the same
    function twice is harmless (apps' ``ready()`` may run twice in tests)."""
    checks = CHECKS.setdefault(kind, [])
    if check not in checks:
        checks.append(check)
    return check


def unregister_check(kind: str | None, check: Check) -> None:
    """For tests."""
    if check in CHECKS.get(kind, []):
        CHECKS[kind].remove(check)


def _account_reason(email: Email) -> str | None:
    user = email.user
    if user is None:
        return None
    if not user.is_active:
        # An invited person's account waits, inactive and without a password, until they
        # accept: their invitation is exactly the email that must reach them. An erased account
        # has another address by now; a deactivated one keeps its password.
        invited = not user.has_usable_password() and user.email.lower() == email.to.lower()
        if not invited:
            return "the account was deactivated or erased."
    return None


def _preference_reason(email: Email, turned_off: set[tuple[int, str]] | None = None) -> str | None:
    from .kinds import KINDS
    from .models import EmailPreference

    kind = KINDS.get(email.kind)
    if kind is None or kind.essential or email.user_id is None:
        return None
    if turned_off is not None:
        off = (email.user_id, email.kind) in turned_off
    else:
        off = EmailPreference.objects.filter(
            user_id=email.user_id, kind=email.kind, enabled=False
        ).exists()
    if off:
        return f"the person turned off '{email.kind}' emails."
    return None


def turned_off_for(pairs: set[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of the (user id, kind) ``pairs`` whose person turned that kind off: one query for a
    batch of rows, given to :func:`unwanted_reason` as ``turned_off``."""
    from .models import EmailPreference

    if not pairs:
        return set()
    rows = EmailPreference.objects.filter(
        user_id__in={user for user, _ in pairs}, kind__in={kind for _, kind in pairs}, enabled=False
    ).values_list("user_id", "kind")
    return {row for row in rows if row in pairs}


def unwanted_reason(email: Email, *, turned_off: set[tuple[int, str]] | None = None) -> str | None:
    """Why ``email`` should no longer be sent, or None when it is still wanted. ``turned_off``
    (from :func:`turned_off_for`, read for a batch of rows at most seconds before) saves the
    preference query per email."""
    reason = _account_reason(email) or _preference_reason(email, turned_off)
    if reason:
        return reason
    for check in (*CHECKS.get(email.kind, ()), *CHECKS.get(None, ())):
        reason = check(email)
        if reason:
            return reason
    return None


def cancelled_text(reason: str) -> str:
    return f"Not sent: {reason}"
