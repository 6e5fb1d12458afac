"""What every hostile-input test uses: the values (each form's valid ones named once, in
``Valid``), the set-up several tests share (a cohort at a date and status, a pair), the way they
are posted (``sending``, ``submit``), the registry of which test covers which form, and the
all-or-nothing check on the database.

A test posts through the view, as the persona who uses the form, a body built from one valid
value per field where hypothesis may swap any field for a hostile value, drop it, or send it
several times (repeated keys). The body is encoded by hand, so it can carry what a browser never
would: lone surrogates (invalid UTF-8 on the wire), NUL bytes, 20,000-character strings.

Whatever was posted, the page answers below 500 and the database holds either exactly what it held
before (refused: nothing partial, no email queued) or the form's whole intended effect and
nothing else (accepted). ``covers`` records, for mentorship/tests/hostile/test_every_form.py,
which form a test posts, through which URL and as whom.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import quote_from_bytes

from django.apps import apps
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from pairing.models import Pair
from programmes.models import Cohort, Enrolment

# --- The registry: which test covers which form ------------------------------------------------


@dataclass(frozen=True)
class Cover:
    test: str  # module::function
    via: str  # the URL name the test posts (or sends a GET) through
    persona: str  # who posts it


COVERED: dict[str, list[Cover]] = {}


def form_name(form_class) -> str:
    return f"{form_class.__module__}.{form_class.__qualname__}"


def covers(*form_classes, via: str, persona: str):
    """Record that the decorated test posts ``form_classes`` through ``via`` as ``persona``."""

    def decorate(test):
        for form_class in form_classes:
            COVERED.setdefault(form_name(form_class), []).append(
                Cover(f"{test.__module__}::{test.__name__}", via, persona)
            )
        return test

    return decorate


# --- The values ---------------------------------------------------------------------------------

LONE_SURROGATE = "\ud800"  # not encodable as UTF-8: arrives as invalid bytes

HOSTILE = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example","click")',
    "=cmd|' /C calc'!A0",
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\x00",
    "a\x00b",
    "x" * 20_000,
    "é" * 3_000,
    "Robert'); DROP TABLE people_user;--",
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
    "\u202e\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "\ufeff\u200b\u2028",
    "a" + LONE_SURROGATE + "b",
    LONE_SURROGATE,
    "",
    " ",
    # numbers and types a field does not expect
    "-1",
    "0",
    "-99999999999999999999",
    "99999999999999999999999999",
    "1e309",
    "NaN",
    "inf",
    "-inf",
    "0x10",
    "²",  # str.isdigit() says yes, int() says no
    "١٢",  # Arabic-Indic digits: int() reads them
    "1.5",
    "[]",
    "{}",
    "null",
    "true",
    "2026-02-30",
    "9999-12-31",
    "0001-01-01",
    "25:61",
    "javascript:alert(1)",
    "http://",
    "../../etc/passwd",
]

MISSING = object()  # the field is left out of the body


def hostile() -> st.SearchStrategy:
    """One hostile value: from the list, any text, or any integer as text."""
    return st.one_of(
        st.sampled_from(HOSTILE),
        st.text(max_size=120),
        st.integers(min_value=-(2**70), max_value=2**70).map(str),
    )


def field(valid) -> st.SearchStrategy:
    """A field's value: the valid one, a hostile one, missing, or repeated (several keys)."""
    return st.one_of(
        st.just(valid),
        hostile(),
        st.just(MISSING),
        st.lists(hostile(), min_size=2, max_size=3),
    )


FORM_TOKEN = "hostile-test-token-0123456789"  # a well-formed one-time token (lib.once)


def form_data(extra: dict | None = None, **valid) -> st.SearchStrategy:
    """A whole body: each field valid or hostile, and the one-time ``form_token`` (lib.once)
    well-formed, hostile or missing; ``extra`` fields are always sent as given."""
    fixed = {k: st.just(v) for k, v in (extra or {}).items()}
    return st.fixed_dictionaries(
        {**fixed, "form_token": field(FORM_TOKEN), **{k: field(v) for k, v in valid.items()}}
    )


class Valid(dict):
    """A form's valid values, written once for both of their uses:

    SIGNUP = Valid(email="nia@example.gov.uk", ...)
    @given(data=SIGNUP.bodies())      # form_data(**SIGNUP)
    ... must_accept=SIGNUP.all_valid(data)
    """

    def bodies(self, **also) -> st.SearchStrategy:
        """``form_data`` over these values, and over ``also``: fields drawn the same way that
        acceptance does not depend on."""
        return form_data(**self, **also)

    def all_valid(self, data: dict) -> bool:
        """Whether hypothesis left every one of these fields at its valid value."""
        return all(data.get(k) == v for k, v in self.items())


PROFILE = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SHORT = settings(PROFILE, max_examples=12)


# --- Set-up ---------------------------------------------------------------------------------------


def cohort_at(cohort, status: str, time_machine, when):
    """Move the clock to ``when`` and put ``cohort`` in ``status`` (an update: no transition runs
    and no email is sent); return the cohort, read again."""
    time_machine.move_to(when)
    Cohort.objects.filter(pk=cohort.pk).update(status=status)
    cohort.refresh_from_db()
    return cohort


def pair_of(cohort, mentor, mentee, **fields) -> Pair:
    """A pair in ``cohort`` of ``mentor``'s and ``mentee``'s enrolments (the users' only ones)."""
    return Pair.objects.create(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
        **fields,
    )


# --- Posting ------------------------------------------------------------------------------------


def _encode(value) -> bytes:
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "surrogatepass")


def encode(data: dict) -> bytes:
    """``data`` as an urlencoded body: lists become repeated keys, MISSING leaves a field out,
    lone surrogates go on the wire as the invalid bytes a hostile client would send."""
    pairs = []
    for key, value in data.items():
        if value is MISSING:
            continue
        for item in value if isinstance(value, list | tuple) else [value]:
            pairs.append(quote_from_bytes(_encode(key)) + "=" + quote_from_bytes(_encode(item)))
    return "&".join(pairs).encode("ascii")


def post(client, url: str, data: dict):
    return client.generic(
        "POST", url, encode(data), content_type="application/x-www-form-urlencoded"
    )


def get(client, url: str, data: dict):
    return client.get(url + "?" + encode(data).decode("ascii"))


def cohort_url(name: str, cohort, *more) -> str:
    """A coordinator's URL of ``cohort``: its programme's slug, its id, then ``more``."""
    return reverse(name, args=[cohort.programme.slug, cohort.pk, *more])


# --- The database, before and after ----------------------------------------------------------

# Changed by signing in and by the messages framework, not by a form.
SKIP_MODELS = {"sessions.session", "django_celery_results.taskresult"}
VOLATILE = {"last_login"}
AUDIT = "people.auditevent"
USED_TOKEN = "lib.usedformtoken"  # an accepted form claims its one-time token (lib.once)
OUTBOX = "notifications.email"


def state() -> dict[str, str]:
    """A digest of every table's rows, by model label."""
    out = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in SKIP_MODELS or model._meta.proxy:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE]
        rows = model._default_manager.order_by("pk").values_list(*fields)
        out[label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
    return out


def changed(before: dict, after: dict) -> set[str]:
    return {label for label in before if before[label] != after.get(label)}


class Attempt:
    """One hostile post inside a savepoint that is rolled back, so examples do not pile up.

    with Attempt() as attempt:
        attempt.response = post(client, url, data)
        ... read what the test needs from the database ...
    attempt.changed  # labels of the tables the request changed

    ``sending`` and ``submit`` do the usual case: sign in, send, read.
    """

    def __enter__(self):
        self.sid = transaction.savepoint()
        self.before = state()
        self.response = None
        return self

    def __exit__(self, *exc):
        try:
            if exc[0] is None:
                self.after = state()
                self.changed = changed(self.before, self.after)
        finally:
            transaction.savepoint_rollback(self.sid)
        return False


@contextmanager
def sending(client, url: str, data: dict, *, persona=None, send=post):
    """Sign in as ``persona`` (if given), then ``send`` (``post`` or ``get``) ``data`` to ``url``
    inside an ``Attempt``; the ``with`` block reads what the test needs before the rollback.

    with sending(client, url, data, persona=mentee) as attempt:
        goals = list(PairGoal.objects.values_list("text", flat=True))
    assert_all_or_nothing(attempt, ...)
    """
    if persona is not None:
        client.force_login(persona)
    with Attempt() as attempt:
        attempt.response = send(client, url, data)
        yield attempt


def submit(client, url: str, data: dict, *, persona=None, send=post) -> Attempt:
    """``sending``, for a test that reads nothing inside the attempt."""
    with sending(client, url, data, persona=persona, send=send) as attempt:
        pass
    return attempt


def assert_all_or_nothing(attempt: Attempt, *, effect: set[str], must_accept: bool = False):
    """Never a 500; the database is unchanged, or changed only in the form's own tables (audit
    entries allowed); whatever was typed is escaped on the page."""
    response = attempt.response
    assert response.status_code < 500, response.status_code
    unexpected = attempt.changed - effect - {AUDIT, USED_TOKEN}
    assert not unexpected, f"changed outside the form's effect: {sorted(unexpected)}"
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        html = response.content.decode()
        assert "<script>alert(" not in html  # whatever was typed is escaped
        assert "<img src=x onerror" not in html
        if "invalid-feedback" in html or "errorlist" in html:  # the form again, with its errors
            assert not attempt.changed, f"a refused form changed {sorted(attempt.changed)}"
    if must_accept:
        assert attempt.changed & effect, (
            f"valid input changed nothing (status {response.status_code})"
        )


def assert_refused_cleanly(attempt: Attempt):
    """A refusal: nothing saved, no email queued, no audit entry."""
    assert attempt.response.status_code < 500
    assert not attempt.changed, f"a refused form changed {sorted(attempt.changed)}"
