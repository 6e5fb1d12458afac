"""One submission per form: a back-and-resubmit or a double click does the thing once.

A page that changes something carries a one-time token in a hidden field (``form_token``): from a
form class with ``OnceFormMixin``, or from ``{% load once %}{% form_token %}`` in a plain HTML
form. The view runs its service through ``run_once``: the first submission with a token claims
it (a row in ``UsedFormToken``, in the same transaction as the service's writes) and stores where
it led and what it said; a second submission with the same token does nothing and is answered
"This was already done: …" with a redirect to the same result. Two clicks at once are serialised
by the token's unique index: the second waits for the first and then sees it done. If the service
refuses (``ValidationError``), the transaction rolls back and the token stays usable, so the
person can fix the form and send it again.

A submission without a token (a script, a page from before this existed) runs as before.

Forms that use it also say ``autocomplete="off"`` on the ``<form>``, so the browser does not
restore ticked boxes by their position when the person comes back to the page.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from .models import UsedFormToken

FIELD = "form_token"
ALREADY_DONE = "This was already done"
# How long a used token is remembered: far longer than anyone keeps a page open.
KEEP_FOR = dt.timedelta(days=7)
# Old tokens are dropped after a successful form at most once a minute across every process
# (the shared cache says when it was last done): a delete in its own transaction on every form
# sent was three database round trips on each check-in and survey answer (issue 19).
FORGET_OLD_KEY = "once:forget-old"
FORGET_OLD_EVERY_SECONDS = 60
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def new_token() -> str:
    return secrets.token_urlsafe(24)


def token_from(data) -> str:
    """The posted token, or "" when it is missing or malformed (then nothing is remembered)."""
    value = data.get(FIELD, "") if data is not None else ""
    return value if isinstance(value, str) and _TOKEN.match(value) else ""


class TokenField(forms.Field):
    """The hidden token. It never refuses a form: a malformed value (too long, a NUL, repeated)
    is read as no token, so the submission runs as one without (``token_from``), instead of
    showing the person an error about a field they cannot see."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        super().__init__(required=False, **kwargs)

    def clean(self, value) -> str:
        return token_from({FIELD: value})


class OnceFormMixin(forms.Form):
    """Adds the hidden one-time token to a form (a fresh one on every unbound form)."""

    form_token = TokenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            # A copy: a plain Form keeps the caller's ``initial`` dict itself, which two forms
            # may share; each must have its own token.
            self.initial = {**self.initial, FIELD: new_token()}


@dataclass(frozen=True)
class Done:
    """Where a submission led and what it said. The message must not name anyone: it is kept
    (without a person) to answer a repeat of the same submission."""

    url: str
    message: str
    level: int = messages.SUCCESS
    show: bool = True  # False: the result page says it already; kept for a repeat only


def replay(request, token: str) -> HttpResponse | None:
    """If ``token`` was used already: say so, and send the person to what it did."""
    if not token:
        return None
    used = UsedFormToken.objects.filter(token=token).first()
    if used is None:
        return None
    text = f"{ALREADY_DONE}: {used.message}" if used.message else f"{ALREADY_DONE}."
    messages.info(request, text)
    return redirect(used.url or "/")


def run_once(request, *, token: str, action: Callable[[], Done]) -> HttpResponse:
    """Run ``action`` (it calls one service and returns a ``Done``) once per token.

    A ``ValidationError`` from the action goes to the caller, with nothing remembered.
    """
    if answer := replay(request, token):
        return answer
    try:
        with transaction.atomic():
            if token:
                # Claim first: a simultaneous second submission waits on this row's index.
                claim = UsedFormToken.objects.create(token=token)
            done = action()
            if token:
                claim.url, claim.message = done.url[:500], done.message[:300]
                claim.save(update_fields=["url", "message"])
    except IntegrityError:
        if answer := replay(request, token):
            return answer
        raise
    if token and cache.add(FORGET_OLD_KEY, 1, FORGET_OLD_EVERY_SECONDS):
        forget_old()
    if done.show:
        messages.add_message(request, done.level, done.message)
    return redirect(done.url)


def forget_old() -> int:
    """Drop tokens older than ``KEEP_FOR`` (one indexed delete)."""
    deleted, _ = UsedFormToken.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted
