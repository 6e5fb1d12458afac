"""Writes of the outbox: enqueue an email, deliver one row, sweep, change preferences.

Other apps call only :func:`email_enqueue`. Everything else is used by this app's tasks, views,
admin and management commands. See docs/email.md for the design and its guarantees.
"""

import functools
import logging
import re
import smtplib
import time
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend as SMTPBackend
from django.core.validators import validate_email
from django.db import IntegrityError, connections, transaction
from django.db.models import F, Q
from django.urls import get_script_prefix, get_urlconf
from django.utils import timezone

from lib.nolinks import defuse_values
from lib.signing import sign, unsign_or_none
from lib.urls import absolute_reverse

from . import mime, notify
from .kinds import KINDS, get_kind, optional_kinds
from .models import DeliveryStatus, Email, EmailPreference, UndeliverableAddress
from .rendering import RenderMemo, renderer
from .selectors import undeliverable_cache_refresh
from .wanted import cancelled_text, turned_off_for, unwanted_reason
from .windows import bank_holidays, in_window, next_send_time

logger = logging.getLogger(__name__)

Status = Email.Status


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- Enqueue ------------------------------------------------------------------------------------


#: Names the use of an unsubscribe link's signature; links already emailed carry it.
UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def unsubscribe_token_make(*, user_id: int, kind: str) -> str:
    """A signed unsubscribe link's token: a person's id and one kind of email. No expiry."""
    return sign(UNSUBSCRIBE_SALT, u=user_id, k=kind)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """(user id, kind), or None for anything tampered with or malformed."""
    data = unsign_or_none(UNSUBSCRIBE_SALT, token)
    try:
        return int(data["u"]), str(data["k"])
    except (KeyError, TypeError, ValueError):
        return None


# What a signed token is made of (base64url and the signer's ":"): characters that the route's
# str converter takes and that URL quoting leaves alone.
_TOKEN_CHARS = re.compile(r"[A-Za-z0-9_\-:.]+")


def _unsubscribe_url(token: str) -> str:
    """``absolute_reverse("notifications:unsubscribe", args=[token])``, without a ``reverse``
    per email (a bulk enqueue writes thousands)."""
    if _TOKEN_CHARS.fullmatch(token):
        head, tail = _unsubscribe_pieces(
            settings.SITE_URL, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix()
        )
        return f"{head}{token}{tail}"
    return absolute_reverse("notifications:unsubscribe", args=[token])


@functools.lru_cache(maxsize=64)
def _unsubscribe_pieces(site_url, root_urlconf, urlconf, prefix) -> tuple[str, str]:
    head, tail = absolute_reverse("notifications:unsubscribe", args=["TOKEN"]).split("TOKEN")
    return head, tail


def _email_row(
    *,
    to: str,
    kind: str,
    template: str,
    context: dict,
    idempotency_key: str,
    user,
    programme_name: str,
    attachments: list[dict] | None,
    send_after,
    enabled: bool,
    undeliverable: bool = False,
    verbatim: tuple[str, ...] = (),
    refs: dict | None = None,
    time_zone: str = "",
    holidays: str = "",
    reply_to: str = "",
    memo: RenderMemo | None = None,
    preferences_url: str = "",
) -> Email:
    """Render one email into an unsaved outbox row (the part enqueue and enqueue_many share);
    ``memo`` (notifications/rendering.py) renders a batch's emails once per shape of context.

    Subjects and text bodies are not HTML: they are rendered without HTML escaping. Every
    string of ``context`` is passed through :func:`lib.nolinks.defuse` first, so that nothing a
    person typed (a name, a title, a message) becomes a link in a mail client: only values
    under keys ending in ``url`` or ``email`` (the application's links and addresses) and the
    keys named in ``verbatim`` are kept as they are."""
    kind_def = get_kind(kind)
    headers: dict[str, str] = {}
    unsubscribe_url = ""
    if not kind_def.essential and user is not None:
        token = unsubscribe_token_make(user_id=user.pk, kind=kind)
        unsubscribe_url = _unsubscribe_url(token)
        # RFC 2369 / RFC 8058: mail clients show an unsubscribe button that POSTs one click.
        headers["List-Unsubscribe"] = f"<{unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if reply_to:
        # Only a plain, valid address: a header can never be smuggled in through it.
        validate_email(reply_to)
        headers["Reply-To"] = reply_to

    full_context = {
        **defuse_values(context, keep=lambda key: _keeps_links(key, verbatim)),
        "site_name": settings.SITE_NAME,
        "site_url": settings.SITE_URL,
        "programme_name": defuse_values(programme_name),
        "unsubscribe_url": unsubscribe_url,
        "preferences_url": preferences_url or absolute_reverse("notifications:preferences"),
        "kind_label": kind_def.label,
    }
    render = renderer(memo)
    subject = render(f"emails/{template}-subject.txt", full_context, False)
    subject = re.sub(r"\s+", " ", subject).strip()[:255]
    body_text = render(f"emails/{template}-body.txt", full_context, False).strip() + "\n"
    body_html = render(f"emails/{template}-body.html", full_context, True)

    status, reason = _status_for(
        kind, has_account=user is not None, enabled=enabled, undeliverable=undeliverable
    )
    return Email(
        to=to,
        user=user,
        kind=kind,
        template=template,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        headers=headers,
        attachments=list(attachments or []),
        status=status,
        last_error=reason,
        idempotency_key=idempotency_key,
        next_attempt_at=send_after or timezone.now(),
        refs=dict(refs or {}),
        time_zone=time_zone or "",
        holidays=(holidays or "england-and-wales") if time_zone else "",
    )


def _status_for(kind: str, *, has_account: bool, enabled: bool, undeliverable: bool):
    """A new row's status and the reason it is not sent: an optional kind the person turned off,
    or sent to an address reported undeliverable, is written cancelled."""
    essential = get_kind(kind).essential
    if not essential and has_account and not enabled:
        return Status.CANCELLED, f"Not sent: the person turned off '{kind}' emails."
    if not essential and undeliverable:
        return Status.CANCELLED, cancelled_text(UNDELIVERABLE_REASON)
    return Status.PENDING, ""


UNDELIVERABLE_REASON = (
    "GOV.UK Notify reported this address as undeliverable; optional emails stop until the person "
    "changes or confirms it."
)


def _keeps_links(key: str, verbatim: tuple[str, ...]) -> bool:
    key = key.lower()
    return key in verbatim or key.endswith("url") or key.endswith("email")


class _CommitBatch:
    """The pending rows one transaction creates: published together after the commit."""

    def __init__(self):
        self.ids: list[int] = []
        self.published = False
        self.last_hook = None


class _QueueAfterCommit:
    """On-commit hook of one pending row.

    After a real commit (Django runs the hooks outside any atomic block) the first hook of a
    transaction's batch to run hands the whole batch to the broker and the others do nothing:
    one message per transaction (and one SMTP connection at the worker), not one per row. A row
    of a savepoint that was rolled back may be in the batch: its claim finds no row, harmlessly.
    A transaction rolled back entirely runs no hook, so publishes nothing.

    Hooks run by a test's ``captureOnCommitCallbacks`` (inside the test's transaction) queue
    their own row only, as before: there a batch can hold rows whose hooks never run.
    """

    def __init__(self, batch: _CommitBatch, email_id: int):
        self.batch = batch
        self.email_id = email_id

    def __call__(self):
        if transaction.get_connection().in_atomic_block:
            email_queue_many(email_ids=[self.email_id])
            return
        if self.batch.published:
            return
        self.batch.published = True
        email_queue_many(email_ids=self.batch.ids)


def _commit_batch(conn) -> _CommitBatch:
    """This transaction's batch: the current one while its latest hook is still registered
    (so not after a commit, a rollback, or a rolled-back savepoint that held that hook)."""
    batch = getattr(conn, "_outbox_commit_batch", None)
    if batch is not None and not batch.published and batch.last_hook is not None:
        # The latest hook is at or near the end of the list: scan from there.
        for entry in reversed(conn.run_on_commit):
            if entry[1] is batch.last_hook:
                return batch
    batch = _CommitBatch()
    conn._outbox_commit_batch = batch
    return batch


def _queue_on_commit(email: Email) -> None:
    """Queue a pending row after commit; a row held back by ``send_after`` is left to the
    sweeper, which queues it once its ``next_attempt_at`` has come."""
    if email.status == Status.PENDING and email.next_attempt_at <= timezone.now():
        conn = transaction.get_connection()
        batch = _commit_batch(conn) if conn.in_atomic_block else _CommitBatch()
        hook = _QueueAfterCommit(batch, email.pk)
        batch.ids.append(email.pk)
        batch.last_hook = hook
        transaction.on_commit(hook)


def _by_key(idempotency_key: str) -> Email | None:
    """The row with this key (unique), if any: its id in SQL written once (compiling the ORM's
    look-up was a third of an enqueue's CPU), then the row itself only when there is one."""
    connection = connections[Email.objects.db]
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {quote('id')} FROM {quote(Email._meta.db_table)} "  # noqa: S608
            f"WHERE {quote('idempotency_key')} = %s",
            [idempotency_key],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    return Email.objects.filter(pk=row[0]).order_by().first()


#: The single enqueue's render memo (notifications/rendering.py), shared by the process: an
#: email's three templates cost 0.04 ms instead of 0.6 once a context of its shape was seen.
_ENQUEUE_MEMO = RenderMemo(per_render=True)


def email_enqueue(
    *,
    to: str,
    kind: str,
    template: str,
    context: dict,
    idempotency_key: str,
    user=None,
    programme_name: str = "",
    attachments: list[dict] | None = None,
    send_after=None,
    verbatim: tuple[str, ...] = (),
    refs: dict | None = None,
    time_zone: str = "",
    holidays: str = "",
    reply_to: str = "",
) -> Email:
    """Render templates/emails/<template>-subject.txt, -body.txt, -body.html with context
    (+ site name, programme_name, unsubscribe link for optional kinds), create the outbox row in
    the caller's transaction unless one with idempotency_key exists (then return that row,
    untouched), and queue the sending task with transaction.on_commit. Optional kinds the person
    opted out of are created with status cancelled (reason stored) and not queued.

    ``send_after`` (an aware datetime) holds the email back until then: the row's
    ``next_attempt_at`` is set to it, and the sweeper queues it when it comes.

    ``refs`` (ids of what the email is about) feed the kind's "still wanted?" checks
    (notifications/wanted.py); ``time_zone`` and ``holidays`` (a bank-holiday division) give
    the recipient's send window, which retries and late claims respect.

    Text in ``context`` is defused so no mail client makes a link of it (see ``_email_row``);
    ``verbatim`` names keys whose text the application wrote itself, links included.

    ``reply_to`` (an address) becomes the email's Reply-To header, for a message a person
    sends another through the site and agreed to be answered at (SMTP delivery; GOV.UK Notify
    only takes reply-to addresses registered with the service, so there the body says it)."""
    kind_def = get_kind(kind)
    existing = _by_key(idempotency_key)
    if existing is not None:
        return existing

    if user is None and not kind_def.essential:
        # Preferences belong to people: find the account behind the address, if there is one.
        user = get_user_model().objects.filter(email__iexact=to).first()

    email = _email_row(
        to=to,
        kind=kind,
        template=template,
        context=context,
        idempotency_key=idempotency_key,
        user=user,
        programme_name=programme_name,
        attachments=attachments,
        send_after=send_after,
        enabled=True,  # decided with the preference lock held, below
        verbatim=verbatim,
        refs=refs,
        time_zone=time_zone,
        holidays=holidays,
        reply_to=reply_to,
        memo=_ENQUEUE_MEMO,
    )
    connection = connections[Email.objects.db]
    # The preference read and the INSERT in one transaction (the caller's, when there is one),
    # so an opt-out cannot fall between them (_preference_lock).
    with transaction.atomic(using=connection.alias, savepoint=False):
        _suppress_unwanted([email])
        if connection.features.can_return_columns_from_insert:
            # INSERT ... ON CONFLICT DO NOTHING: a racing insert of the same key leaves the
            # caller's transaction intact without a savepoint around the insert.
            pk = _insert_returning(connection, [email]).get(idempotency_key)
            if pk is None:
                existing = _by_key(idempotency_key)
                if existing is None:
                    raise IntegrityError(f"Email {idempotency_key!r} could not be written.")
                return existing
            email.pk = pk
            email._state.adding, email._state.db = False, connection.alias
        else:
            try:
                # A savepoint, so a racing insert of the same key does not break the transaction.
                with transaction.atomic(using=connection.alias):
                    email.save(force_insert=True)
            except IntegrityError:
                existing = _by_key(idempotency_key)
                if existing is None:
                    raise
                return existing
        _queue_on_commit(email)
    return email


def email_enqueue_many(
    requests: list[dict], *, batch_size: int = 500, memo: RenderMemo | None = None
) -> list[Email]:
    """:func:`email_enqueue` for many emails at once, in a constant number of queries per
    ``batch_size`` emails: one to find keys already in the outbox, one for the recipients'
    preferences, one for undeliverable addresses and one INSERT (plus a read-back where the
    database returns no ids). Each request is a dict of email_enqueue's keyword arguments, with
    ``user`` given (an account or None: no look-up by address here). Returns the rows this call
    created; keys that existed are skipped.

    Each batch is its own short write transaction (or part of the caller's, when there is one):
    the emails are rendered first, outside it, and only what decides a row's status (the
    preferences and undeliverable addresses, read under the write lock so an opt-out committed
    meanwhile is seen) and the INSERT run inside. On SQLite a transaction holds the database's
    one write lock from its start and a delivery worker waiting for it sleeps in steps of up
    to 100 ms: rendering inside back-to-back transactions kept every worker waiting until the
    whole enqueue had ended (docs/email.md).

    The emails are rendered through a :class:`notifications.rendering.RenderMemo`: ``memo``
    (a caller writing several batches keeps one), else one for this call."""
    memo = memo if memo is not None else RenderMemo()
    created: list[Email] = []
    preferences_url = absolute_reverse("notifications:preferences")
    for start in range(0, len(requests), batch_size):
        batch = requests[start : start + batch_size]
        keys = [r["idempotency_key"] for r in batch]
        taken = set(
            Email.objects.filter(idempotency_key__in=keys).values_list("idempotency_key", flat=True)
        )
        fresh = {r["idempotency_key"]: r for r in batch if r["idempotency_key"] not in taken}
        if not fresh:
            continue
        memo.refresh()
        rows = [
            _email_row(
                to=r["to"],
                kind=r["kind"],
                template=r["template"],
                context=r["context"],
                idempotency_key=key,
                user=r.get("user"),
                programme_name=r.get("programme_name", ""),
                attachments=r.get("attachments"),
                send_after=r.get("send_after"),
                enabled=True,  # decided under the write lock, below
                verbatim=tuple(r.get("verbatim", ())),
                refs=r.get("refs"),
                time_zone=r.get("time_zone", ""),
                holidays=r.get("holidays", ""),
                memo=memo,
                preferences_url=preferences_url,
            )
            for key, r in fresh.items()
        ]
        with transaction.atomic(savepoint=False):
            _suppress_unwanted(rows)
            # A racing writer of the same key wins; this batch then skips that row (and reports
            # the racing writer's row: fine to report, and the claim makes queueing it twice
            # harmless).
            ids = _insert_ignoring_conflicts(rows)
            ours, theirs = [], []
            for row in rows:
                pk = ids.get(row.idempotency_key)
                if pk is None:
                    theirs.append(row.idempotency_key)
                    continue
                row.pk = pk
                row._state.adding, row._state.db = False, Email.objects.db
                ours.append(row)
            if theirs:
                ours += Email.objects.filter(idempotency_key__in=theirs)
            for email in ours:
                created.append(email)
                _queue_on_commit(email)
    return created


# --- A lock between a preference and the rows it cancels --------------------------------------
#
# An opt-out cancels the person's pending rows (email_preference_set); an enqueue reads the
# preference, then writes its row (_suppress_unwanted). Under PostgreSQL's READ COMMITTED two
# such transactions running together could each miss the other: the enqueue read "on" before
# the opt-out committed, and the opt-out's UPDATE ran before the enqueue's row was committed,
# leaving a row pending after the person opted out. A transaction-level advisory lock orders
# them: an enqueue takes it shared before reading preferences (enqueues never wait for each
# other), an opt-out exclusive before its UPDATE, so each sees what the other committed.
# Nothing else takes it, and it locks no row (a sign-in updating the person still runs). SQLite
# needs none: its write transactions (IMMEDIATE) already run one at a time.
#
# The lock is per stripe of people (user id modulo PREFERENCE_LOCK_STRIPES), not per person:
# a transaction-level lock is held until the transaction ends, and one that emails a national
# cohort at once (an event's invitations, a pairing's publication, a rhythm run inside one
# transaction) would otherwise take 20,000 of them and overflow PostgreSQL's lock table ("out
# of shared memory", max_locks_per_transaction 64 a connection). With stripes it takes at most
# 64; two people of one stripe only make an opt-out wait for the other's enqueue, never miss it.
PREFERENCE_LOCK = 0x656D  # the advisory lock's first key ("em"); the second is the stripe
PREFERENCE_LOCK_STRIPES = 64


def _preference_lock(user_ids, *, exclusive: bool = False) -> None:
    """Take the preference lock of each person in ``user_ids`` (their stripes) until the
    transaction ends: shared (enqueue) or exclusive (opt-out). One query, in stripe order."""
    stripes = sorted({int(pk) % PREFERENCE_LOCK_STRIPES for pk in user_ids if pk is not None})
    if not stripes:
        return
    connection = connections[EmailPreference.objects.db]
    if connection.get_autocommit():  # checked on SQLite too, so a misuse fails every test run
        raise transaction.TransactionManagementError("The preference lock needs a transaction.")
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL[exclusive], [PREFERENCE_LOCK, stripes])


_LOCK_SQL = {
    False: "SELECT pg_advisory_xact_lock_shared(%s, stripe) FROM unnest(%s::integer[]) AS stripe",
    True: "SELECT pg_advisory_xact_lock(%s, stripe) FROM unnest(%s::integer[]) AS stripe",
}


def _suppress_unwanted(rows: list[Email]) -> None:
    """Write cancelled (with the reason) the unsaved rows of optional kinds their person turned
    off or whose address was reported undeliverable: two queries for the whole batch, after the
    people's preference locks (one more on PostgreSQL). In the transaction of the INSERT."""
    optional = [row for row in rows if not get_kind(row.kind).essential]
    if not optional:
        return
    _preference_lock(row.user_id for row in optional)
    undeliverable = set(
        UndeliverableAddress.objects.filter(
            address__in={row.to.lower() for row in optional}
        ).values_list("address", flat=True)
    )
    off = turned_off_for({(row.user_id, row.kind) for row in optional if row.user_id})
    for row in optional:
        row.status, row.last_error = _status_for(
            row.kind,
            has_account=row.user_id is not None,
            enabled=(row.user_id, row.kind) not in off,
            undeliverable=row.to.lower() in undeliverable,
        )


def _insert_ignoring_conflicts(rows: list[Email]) -> dict[str, int]:
    """Insert unsaved outbox rows, skipping any whose key exists; {key: id} of those inserted.

    Where the database can return what it inserted (PostgreSQL; SQLite 3.35+, as the single
    enqueue), ``INSERT ... ON CONFLICT DO NOTHING RETURNING``, its values prepared here: Django's
    ``bulk_create`` spent as long preparing a batch's values, field by field, as the database
    took to store them, and returns no ids with ``ignore_conflicts`` (a second query read them
    back). Elsewhere ``bulk_create`` and that read-back."""
    if not rows:
        return {}
    db = Email.objects.db
    connection = connections[db]
    if connection.features.can_return_columns_from_insert:
        ids: dict[str, int] = {}
        for start in range(0, len(rows), INSERT_ROWS):  # within SQLite's bound parameters
            ids.update(_insert_returning(connection, rows[start : start + INSERT_ROWS]))
        return ids
    Email.objects.bulk_create(rows, ignore_conflicts=True)
    # Another writer's row of a key has another creation time: not ours.
    mine = {row.idempotency_key: row.created_at for row in rows}
    return {
        key: pk
        for pk, key, created_at in Email.objects.filter(idempotency_key__in=list(mine))
        .values_list("pk", "idempotency_key", "created_at")
        .using(db)
        if mine[key] == created_at
    }


#: Rows per INSERT statement: about 20 bound parameters a row, under SQLite's 32,766.
INSERT_ROWS = 500


def _insert_returning(connection, rows: list[Email]) -> dict[str, int]:
    """``INSERT ... ON CONFLICT DO NOTHING RETURNING id, key`` of unsaved rows, their values
    prepared here as a save prepares them (PostgreSQL; SQLite 3.35+); {key: id} of those
    inserted."""
    fields = [f for f in Email._meta.concrete_fields if not f.primary_key]
    plain = ("CharField", "TextField", "EmailField", "PositiveIntegerField", "ForeignKey")
    prepare = [None if f.get_internal_type() in plain else f.get_db_prep_save for f in fields]
    params: list = []
    for row in rows:
        for field, prep in zip(fields, prepare, strict=True):
            value = field.pre_save(row, True)  # sets auto_now_add's created_at on the row too
            params.append(value if prep is None else prep(value, connection))
    quote = connection.ops.quote_name
    table, columns = quote(Email._meta.db_table), ", ".join(quote(f.column) for f in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # Names from the model, every value a bound parameter.
    sql = (
        f"INSERT INTO {table} ({columns}) VALUES {', '.join([one] * len(rows))} "  # noqa: S608
        f"ON CONFLICT DO NOTHING RETURNING {quote('id')}, {quote('idempotency_key')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {key: pk for pk, key in cursor.fetchall()}


# When the broker refuses a message, this process stops trying for OUTBOX_BROKER_PAUSE_SECONDS:
# every publish to a down Redis costs ~0.6 s, and a request must not stall once per email.
_broker_down_until = 0.0


def email_queue(*, email_id: int) -> bool:
    """Hand a row to the broker. Never raises: a row the broker did not take stays pending and
    the sweeper queues it again later, so a broker outage delays email but loses none."""
    return email_queue_many(email_ids=[email_id])


def email_queue_many(*, email_ids: list[int]) -> bool:
    """Hand rows to the broker, OUTBOX_BATCH_SIZE per message (a single row as ``email_send``,
    several as ``email_send_batch``, delivered over one SMTP connection). Never raises; returns
    False when the broker refused (the rest are left to the sweeper)."""
    global _broker_down_until
    from .tasks import email_send, email_send_batch  # the task module imports this one

    size = max(1, _setting("OUTBOX_BATCH_SIZE", 100))
    for start in range(0, len(email_ids), size):
        chunk = list(email_ids[start : start + size])
        if time.monotonic() < _broker_down_until:
            logger.info("Broker marked down; emails %s left for the sweeper.", chunk)
            return False
        try:
            # No publish retries: the sweeper is the retry, and a down broker must not stall a
            # request.
            if len(chunk) == 1:
                email_send.apply_async(args=(chunk[0],), retry=False)
            else:
                email_send_batch.apply_async(args=(chunk,), retry=False)
        except Exception as exc:
            _broker_down_until = time.monotonic() + _setting("OUTBOX_BROKER_PAUSE_SECONDS", 10)
            logger.warning(
                "Could not queue emails %s (%r); the sweeper will retry them.", chunk, exc
            )
            return False
    return True


# --- Preferences --------------------------------------------------------------------------------


def email_kind_enabled(*, user, kind: str) -> bool:
    if get_kind(kind).essential:
        return True
    pref = EmailPreference.objects.filter(user=user, kind=kind).values_list("enabled", flat=True)
    return next(iter(pref), True)


@transaction.atomic
def email_preference_set(*, user, kind: str, enabled: bool) -> EmailPreference:
    if get_kind(kind).essential:
        raise ValueError(f"'{kind}' emails are essential and cannot be turned off.")
    if not enabled:
        # Wait for enqueues reading this person's preferences to commit, so the UPDATE below
        # sees their rows (_preference_lock).
        _preference_lock([user.pk], exclusive=True)
    pref, _ = EmailPreference.objects.update_or_create(
        user=user, kind=kind, defaults={"enabled": enabled}
    )
    if not enabled:
        # Held and retrying emails of that kind stop now, not only when their time comes.
        Email.objects.filter(user=user, kind=kind, status=Status.PENDING).update(
            status=Status.CANCELLED,
            last_error=cancelled_text(f"the person turned off '{kind}' emails."),
        )
    return pref


# --- Delivery -----------------------------------------------------------------------------------


def _backoff_seconds(attempts: int) -> int:
    base = _setting("OUTBOX_RETRY_BASE_SECONDS", 30)
    cap = _setting("OUTBOX_RETRY_CAP_SECONDS", 3600)
    return int(min(base * 2 ** max(attempts - 1, 0), cap))


def _is_temporary(exc: BaseException) -> bool:
    """SMTP 4xx, connection errors and timeouts are worth another try; 5xx are not. GOV.UK
    Notify's answers are classified by notify.error_is_temporary (429 and 5xx temporary)."""
    if notify.notify_enabled() or isinstance(exc, notify.APIError):
        return notify.error_is_temporary(exc)
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _msg in exc.recipients.values()]
        return bool(codes) and all(400 <= code < 500 for code in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return not 500 <= exc.smtp_code < 600
    # Connection refused or reset, timeouts, server disconnects, and anything unexpected:
    # bounded by OUTBOX_MAX_ATTEMPTS, so a persistent fault ends as failed anyway.
    return True


def _message(email: Email) -> EmailMultiAlternatives:
    headers = dict(email.headers or {})
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip(" >") or "localhost"
    # Stable per row, so a receiver (and the reliability test) can recognise a repeat.
    headers["Message-ID"] = f"<outbox-{email.pk}.{int(email.created_at.timestamp())}@{domain}>"
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers=headers,
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    for item in email.attachments or []:
        message.attach(
            item["filename"], item["content"], item.get("mimetype") or "application/octet-stream"
        )
    return message


class _Connection:
    """One SMTP connection for a batch, opened at the first send and closed after an error (so
    the next row starts on a fresh one) and at the end."""

    def __init__(self):
        self.backend = None

    def get(self):
        if self.backend is None:
            self.backend = get_connection(fail_silently=False)
            self.backend.open()
        return self.backend

    def close(self):
        backend, self.backend = self.backend, None
        if backend is not None:
            try:
                backend.close()
            except Exception:  # a broken connection cannot even say goodbye: nothing to keep
                logger.info("Closing the SMTP connection failed.", exc_info=True)


# The claim (a conditional UPDATE that returns the row it claimed) and the SENT mark are SQL
# written once: the ORM spent about 0.6 ms of CPU compiling each of the claim, the read of the
# row and the mark, three times what the database took to run them (docs/performance.md).
class _DeliverySQL:
    def __init__(self, connection):
        quote = connection.ops.quote_name
        opts = Email._meta
        self.fields = list(opts.concrete_fields)
        self.names = [f.attname for f in self.fields]
        table = quote(opts.db_table)
        status, claimed_at = quote("status"), quote("claimed_at")
        # Names from the model, every value a bound parameter.
        self.claim = (
            f"UPDATE {table} SET {status} = %s, {claimed_at} = %s, "  # noqa: S608
            f"{quote('attempts')} = {quote('attempts')} + 1 "
            f"WHERE {quote('id')} = %s AND {status} = %s AND {quote('next_attempt_at')} <= %s "
            f"RETURNING {', '.join(quote(f.column) for f in self.fields)}"
        )
        self.sent = (
            f"UPDATE {table} SET {status} = %s, {quote('sent_at')} = %s, "  # noqa: S608
            f"{quote('last_error')} = %s, {quote('provider_id')} = %s "
            f"WHERE {quote('id')} = %s AND {status} = %s AND {claimed_at} = %s"
        )
        # What the ORM does to each value it reads (SQLite's datetimes and JSON, for instance).
        self.converters = []
        for field in self.fields:
            col = field.get_col(opts.db_table)
            convs = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            self.converters.append((col, convs))
        self.datetime = opts.get_field("claimed_at")

    def row(self, values, connection) -> Email:
        converted = []
        for value, (col, convs) in zip(values, self.converters, strict=True):
            for convert in convs:
                value = convert(value, col, connection)
            converted.append(value)
        return Email.from_db(connection.alias, self.names, converted)


_delivery_sql: dict[tuple[str, str], _DeliverySQL] = {}


def _sql_for(connection) -> _DeliverySQL:
    key = (connection.alias, connection.vendor)
    sql = _delivery_sql.get(key)
    if sql is None:
        sql = _delivery_sql[key] = _DeliverySQL(connection)
    return sql


def _claim(email_id: int, now) -> tuple[Email, object] | None:
    """Claim one due row: pending -> sending, attempts + 1, in one conditional UPDATE that returns
    the row (SQLite 3.35+, PostgreSQL). Returns (the row, its claim time as the database was
    given it), or None when the row is not pending, not due, or someone else claimed it."""
    connection = connections[Email.objects.db]
    if not connection.features.can_return_columns_from_insert:  # no UPDATE ... RETURNING
        claimed = Email.objects.filter(
            pk=email_id, status=Status.PENDING, next_attempt_at__lte=now
        ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
        if claimed != 1:
            return None
        email = Email.objects.get(pk=email_id)
        return email, email.claimed_at
    sql = _sql_for(connection)
    at = sql.datetime.get_db_prep_value(now, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql.claim, [Status.SENDING, at, email_id, Status.PENDING, at])
        rows = cursor.fetchall()
    if not rows:
        return None
    return sql.row(rows[0], connection), at


def _mark_sent(email: Email, claimed_at, provider_id: str) -> bool:
    """SENT, if the claim is still this task's (the sweeper may have taken the row back)."""
    connection = connections[Email.objects.db]
    if not connection.features.can_return_columns_from_insert:
        return bool(
            Email.objects.filter(
                pk=email.pk, status=Status.SENDING, claimed_at=email.claimed_at
            ).update(
                status=Status.SENT, sent_at=timezone.now(), last_error="", provider_id=provider_id
            )
        )
    sql = _sql_for(connection)
    sent_at = sql.datetime.get_db_prep_value(timezone.now(), connection)
    with connection.cursor() as cursor:
        cursor.execute(
            sql.sent,
            [Status.SENT, sent_at, "", provider_id, email.pk, Status.SENDING, claimed_at],
        )
        return cursor.rowcount == 1


class _BatchPeople:
    """The accounts and the turned-off preferences of a batch's rows, read in one to three
    queries instead of two per email, and read again for the rows left when they are older
    than ``FRESH_SECONDS`` (a batch takes seconds; a person who opts out meanwhile is heard)."""

    FRESH_SECONDS = 5.0

    def __init__(self, email_ids: list[int]):
        self.users: dict = {}
        self.pairs: set[tuple[int, str]] = set()
        self.turned_off: set[tuple[int, str]] = set()
        self.read_at = -1e9
        self.email_ids = email_ids

    def refresh(self, position: int) -> None:
        if time.monotonic() - self.read_at < self.FRESH_SECONDS:
            return
        self.read_at = time.monotonic()
        self.pairs = set(
            Email.objects.filter(pk__in=self.email_ids[position:], user__isnull=False).values_list(
                "user_id", "kind"
            )
        )
        self.users = (
            get_user_model().objects.in_bulk({user for user, _ in self.pairs}) if self.pairs else {}
        )
        # Essential kinds cannot be turned off (email_preference_set): no row of theirs to find.
        self.turned_off = turned_off_for(self.pairs)

    def prepare(self, email: Email):
        """Give the row its account (if read) and return the preferences to check it against
        (None: not read for this row; the check queries)."""
        if email.user_id is None:
            return None
        user = self.users.get(email.user_id)
        if user is not None:
            email.user = user
        return self.turned_off if (email.user_id, email.kind) in self.pairs else None


def _send(email: Email, smtp: _Connection) -> None:
    """Hand the row to the mail server through EMAIL_BACKEND. With Django's SMTP backend the
    message's bytes are written by notifications.mime (the same bytes, a fifth of the CPU) and
    given to its smtplib connection as the backend's own ``_send`` does."""
    message = _message(email)
    backend = smtp.get()
    raw = mime.message_bytes(message) if type(backend) is SMTPBackend else None
    if raw is None:
        message.connection = backend
        message.send(fail_silently=False)
        return
    backend.connection.sendmail(
        mime.envelope_address(message.from_email),
        [mime.envelope_address(address) for address in message.recipients()],
        raw,
    )


class _Delivery:
    """A batch being delivered: its SMTP connection, its people, and the row last sent, whose
    SENT mark is written in the same transaction as the next row's claim (one write transaction
    per email instead of two: on SQLite, one wait for the write lock and one commit)."""

    def __init__(self, email_ids: list[int]):
        self.smtp = _Connection()
        # A single row reads its account and preference on its own, as it always did.
        self.people = _BatchPeople(list(email_ids)) if len(email_ids) > 1 else None
        self.unmarked: tuple[Email, object, str] | None = None

    def mark_sent(self) -> None:
        if self.unmarked is None:
            return
        email, claimed_at, provider_id = self.unmarked
        self.unmarked = None
        if not _mark_sent(email, claimed_at, provider_id):
            # The sweeper took the row back (the send outlived OUTBOX_SENDING_TIMEOUT_SECONDS).
            logger.warning("Email %s was sent but its claim had been taken back.", email.pk)

    def claim(self, email_id: int, now):
        """Mark the row last sent SENT and claim this one, in one transaction. Should that
        transaction fail, the SENT mark is tried again on its own before the error goes on: a
        row that was sent is never left *sending* because of the next row."""
        if self.unmarked is None:
            return _claim(email_id, now)
        previous = self.unmarked
        try:
            with transaction.atomic(using=Email.objects.db):
                self.mark_sent()
                return _claim(email_id, now)
        except Exception:
            self.unmarked = previous
            self.mark_sent()
            raise


def _deliver_claimed(email_id: int, delivery: _Delivery, position: int = 0) -> str:
    """Claim one due row (conditional UPDATE) and send it over the batch's connection. A row
    sent is left in ``delivery.unmarked``, marked SENT with the next claim or at the end."""
    now = timezone.now()
    claim = delivery.claim(email_id, now)
    if claim is None:
        return "skipped"
    email, claimed_at = claim
    people = delivery.people
    if people is not None:
        people.refresh(position)
    turned_off = people.prepare(email) if people is not None else None
    smtp = delivery.smtp

    def mine():
        return Email.objects.filter(pk=email_id, status=Status.SENDING, claimed_at=email.claimed_at)

    window_opens = _window_opens(email, now)
    if window_opens is not None:
        # Outside the recipient's working hours (a retry, a row the sweeper took back, a late
        # worker): not an attempt; the row waits for the next window.
        mine().update(
            status=Status.PENDING, attempts=F("attempts") - 1, next_attempt_at=window_opens
        )
        return "held"
    reason = unwanted_reason(email, turned_off=turned_off)
    moved = reason is None and _address_now(email)
    if moved:
        # The person changed their address while the row waited: it goes to the new one, and
        # the row says so. Optional emails stop for a new address reported undeliverable.
        if UndeliverableAddress.objects.filter(address=moved.lower()).exists():
            reason = UNDELIVERABLE_REASON
        else:
            mine().update(to=moved)
            email.to = moved
    if reason:
        mine().update(status=Status.CANCELLED, last_error=cancelled_text(reason))
        logger.info("Email %s cancelled at sending time: %s", email_id, reason)
        return "cancelled"

    provider_id = ""
    try:
        if notify.notify_enabled():
            provider_id = notify.notify_send(email)
        else:
            _send(email, smtp)
    except notify.NotifyRateLimited as exc:
        # Our own limiter said wait: not an attempt, the row is due again in a second.
        mine().update(
            status=Status.PENDING,
            attempts=F("attempts") - 1,
            next_attempt_at=timezone.now() + timedelta(seconds=1),
            last_error=str(exc),
        )
        return "retry"
    except Exception as exc:
        smtp.close()
        error = notify.error_text(exc)[:2000]
        max_attempts = _setting("OUTBOX_MAX_ATTEMPTS", 8)
        if _is_temporary(exc) and email.attempts < max_attempts:
            delay = _backoff_seconds(email.attempts)
            retry_at = timezone.now() + timedelta(seconds=delay)
            held = _window_opens(email, retry_at)  # never outside the recipient's window
            when = f"retrying in {delay} s"
            if held is not None:
                retry_at, when = held, f"retrying at {held:%Y-%m-%d %H:%M} UTC (send window)"
            mine().update(
                status=Status.PENDING,
                next_attempt_at=retry_at,
                last_error=f"Attempt {email.attempts}, {when}. {error}",
            )
            logger.info("Email %s: temporary failure, retry in %s s: %s", email_id, delay, error)
            return "retry"
        why = "permanent failure" if not _is_temporary(exc) else f"gave up after {email.attempts}"
        mine().update(status=Status.FAILED, last_error=f"{why}. {error}")
        logger.warning("Email %s failed (%s): %s", email_id, why, error)
        return "failed"

    delivery.unmarked = (email, claimed_at, provider_id)
    return "sent"


def _address_now(email: Email) -> str | None:
    """The person's address now, when an optional email waiting for them (for their send window
    or a retry) was written to an address that is no longer theirs; None when it still is.
    Essential emails go where they were written to: a confirmation link goes to the address
    being confirmed, an invitation to the address invited."""
    kind = KINDS.get(email.kind)  # a kind no longer registered: left as it was written
    if email.user_id is None or kind is None or kind.essential:
        return None
    current = (email.user.email or "").strip()
    if not current or current.lower() == email.to.strip().lower():
        return None
    return current


def _window_opens(email: Email, moment):
    """None when ``moment`` is inside the row's send window (or the row has none), else the
    start of the next window."""
    if not email.time_zone:
        return None
    holidays = bank_holidays(email.holidays or "england-and-wales")
    if in_window(moment, email.time_zone, holidays):
        return None
    return next_send_time(moment, email.time_zone, holidays)


def email_deliver(*, email_id: int) -> str:
    """Claim one due row and send it. Returns what happened: "sent", "retry", "failed",
    "cancelled" (no longer wanted: notifications/wanted.py), "held" (outside the recipient's
    send window) or "skipped" (not pending, not due, or claimed by someone else)."""
    return email_deliver_many(email_ids=[email_id])[0]


def email_deliver_many(*, email_ids: list[int]) -> list[str]:
    """Deliver rows one after the other over ONE SMTP connection, each claimed with the same
    conditional UPDATE as :func:`email_deliver` just before its own send (so a worker killed
    mid-batch strands at most the one row it was sending; the rest stay pending for the
    sweeper). Stops claiming after OUTBOX_BATCH_SECONDS and queues what is left as a new task,
    so a slow server never pushes a batch past the task's time limit. Returns one outcome per
    row handled ("queued" for the rows handed on)."""
    budget = _setting("OUTBOX_BATCH_SECONDS", 60)
    started = time.monotonic()
    delivery = _Delivery(email_ids)
    outcomes: list[str] = []
    try:
        for position, email_id in enumerate(email_ids):
            if position and time.monotonic() - started > budget:
                delivery.mark_sent()
                rest = list(email_ids[position:])
                email_queue_many(email_ids=rest)
                outcomes += ["queued"] * len(rest)
                break
            outcomes.append(_deliver_claimed(email_id, delivery, position))
    finally:
        try:
            delivery.mark_sent()
        finally:
            delivery.smtp.close()
    return outcomes


# --- Sweeper ------------------------------------------------------------------------------------


def email_sweep() -> dict[str, int]:
    """Recover what a dead worker or an unreachable broker left behind, and tidy up.

    1. Rows stuck in *sending* longer than OUTBOX_SENDING_TIMEOUT_SECONDS (their worker died
       mid-send) go back to pending -- or to failed once they used up their attempts.
    2. Pending rows that are due are queued again: retries whose backoff has passed at once,
       fresh rows only after OUTBOX_REQUEUE_GRACE_SECONDS (their on-commit task was lost).
    3. Sent rows older than OUTBOX_SENT_RETENTION_DAYS are deleted.

    Every step is a conditional UPDATE/DELETE or a queueing that the claim makes harmless, so two
    sweeps at once (two beats) send nothing twice.
    """
    now = timezone.now()
    batch = _setting("OUTBOX_SWEEP_BATCH", 1000)
    stuck_cutoff = now - timedelta(seconds=_setting("OUTBOX_SENDING_TIMEOUT_SECONDS", 300))
    max_attempts = _setting("OUTBOX_MAX_ATTEMPTS", 8)
    stuck = Email.objects.filter(status=Status.SENDING, claimed_at__lte=stuck_cutoff)
    failed = stuck.filter(attempts__gte=max_attempts).update(
        status=Status.FAILED,
        last_error=f"Gave up after {max_attempts} attempts: the worker was lost while sending.",
    )
    reset = stuck.update(
        status=Status.PENDING,
        next_attempt_at=now,
        last_error="The worker was lost while sending; queued again.",
    )

    grace = timedelta(seconds=_setting("OUTBOX_REQUEUE_GRACE_SECONDS", 60))
    due_ids = list(
        Email.objects.filter(status=Status.PENDING)
        .filter(
            Q(attempts=0, next_attempt_at__lte=now - grace)
            | Q(attempts__gt=0, next_attempt_at__lte=now)
        )
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:batch]
    )
    queued = 0
    size = max(1, _setting("OUTBOX_BATCH_SIZE", 100))
    for start in range(0, len(due_ids), size):
        chunk = due_ids[start : start + size]
        if not email_queue_many(email_ids=chunk):
            break  # the broker is down: the next sweep tries again
        queued += len(chunk)

    retention = timedelta(days=_setting("OUTBOX_SENT_RETENTION_DAYS", 90))
    deleted, _ = Email.objects.filter(status=Status.SENT, sent_at__lt=now - retention).delete()
    undeliverable_cache_refresh()  # the banner reads the cache only; a cold cache heals here
    result = {"reset": reset, "failed": failed, "queued": queued, "deleted": deleted}
    if any(result.values()):
        logger.info("Outbox sweep: %s", result)
    return result


# --- Admin actions ------------------------------------------------------------------------------


def email_retry(*, email_ids) -> int:
    """Failed or cancelled rows go back to pending with fresh attempts, and are queued."""
    ids = list(
        Email.objects.filter(
            pk__in=email_ids, status__in=[Status.FAILED, Status.CANCELLED]
        ).values_list("pk", flat=True)
    )
    count = Email.objects.filter(pk__in=ids, status__in=[Status.FAILED, Status.CANCELLED]).update(
        status=Status.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
    )
    transaction.on_commit(lambda: email_queue_many(email_ids=ids))
    return count


def email_recheck(*, refs: dict | None = None, kinds=None, user=None) -> int:
    """Run the "still wanted?" checks now on the pending rows about something that just changed
    (``refs``: rows whose refs contain all of these ids; ``kinds``, ``user``: narrower still)
    and cancel the ones no longer wanted, each with its reason. Returns how many were
    cancelled. Called on commit by the app where the change happened (a check-in logged, a
    survey answered, a kind paused), so the schedule page is right at once."""
    rows = Email.objects.filter(status=Status.PENDING).select_related("user")
    for key, value in (refs or {}).items():
        rows = rows.filter(**{f"refs__{key}": value})
    if kinds is not None:
        rows = rows.filter(kind__in=list(kinds))
    if user is not None:
        rows = rows.filter(user=user)
    cancelled = 0
    for email in rows.order_by("pk"):
        reason = unwanted_reason(email)
        if reason:
            cancelled += Email.objects.filter(pk=email.pk, status=Status.PENDING).update(
                status=Status.CANCELLED, last_error=cancelled_text(reason)
            )
    return cancelled


def email_recheck_on_commit(*, refs: dict | None = None, kinds=None, user=None) -> None:
    """:func:`email_recheck` once the caller's transaction has committed (the checks must see
    the change that prompted them)."""
    transaction.on_commit(lambda: email_recheck(refs=refs, kinds=kinds, user=user))


def email_cancel(*, email_ids) -> int:
    return Email.objects.filter(pk__in=email_ids, status=Status.PENDING).update(
        status=Status.CANCELLED, last_error="Cancelled by an administrator."
    )


# --- Delivery receipts (GOV.UK Notify) ----------------------------------------------------------


@transaction.atomic
def email_delivery_record(*, reference: str, provider_id: str, status: str) -> Email | None:
    """Record what Notify's delivery-receipt callback reported on the row it belongs to (found by
    its reference, the row's idempotency key, or by Notify's id). A permanent failure marks the
    address undeliverable; a delivery clears it. Returns the row, or None for an unknown one (a
    row deleted by retention, or erased)."""
    if status not in DeliveryStatus.values:
        raise ValueError(f"Unknown delivery status {status!r}.")
    email = None
    if reference:
        email = Email.objects.select_for_update().filter(idempotency_key=reference).first()
    if email is None and provider_id:
        email = Email.objects.select_for_update().filter(provider_id=provider_id).first()
    if email is None:
        return None
    email.delivery_status = status
    email.delivery_status_at = timezone.now()
    email.provider_id = email.provider_id or provider_id
    email.save(update_fields=["delivery_status", "delivery_status_at", "provider_id"])
    if status == DeliveryStatus.PERMANENT_FAILURE:
        address_undeliverable_mark(address=email.to, email=email)
    elif status == DeliveryStatus.DELIVERED:
        UndeliverableAddress.objects.filter(address=email.to.lower()).delete()
        undeliverable_cache_refresh()
    return email


@transaction.atomic
def address_undeliverable_mark(*, address: str, email: Email | None = None) -> UndeliverableAddress:
    """Optional emails to ``address`` stop, those already waiting included; its owner sees a
    banner and their coordinators see it on the cohort page and in the Monday digest."""
    address = address.lower()
    user = (email.user if email is not None else None) or (
        get_user_model().objects.filter(email__iexact=address).first()
    )
    row, _ = UndeliverableAddress.objects.update_or_create(
        address=address, defaults={"user": user, "email": email, "reported_at": timezone.now()}
    )
    # Those already waiting (held for the recipient's send window, or retrying) stop now too,
    # as an opt-out stops them, with the reason a new one is written with.
    Email.objects.filter(
        to__iexact=address, status=Status.PENDING, kind__in=list(optional_kinds())
    ).update(status=Status.CANCELLED, last_error=cancelled_text(UNDELIVERABLE_REASON))
    undeliverable_cache_refresh()  # in the transaction: sees its own write
    return row


@transaction.atomic
def address_confirm(*, user) -> int:
    """The person says their address is right: optional emails to it start again."""
    deleted, _ = UndeliverableAddress.objects.filter(address=user.email.lower()).delete()
    undeliverable_cache_refresh()  # in the transaction: sees its own write
    return deleted
