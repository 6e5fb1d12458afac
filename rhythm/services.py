"""Writes of the programme rhythm: run the rules and queue what is due, pause a kind, the
alumni's "I would mentor next time", and the demo's settings.

A run is idempotent: every message has an idempotency key, and the outbox writes a key once, so
a second run (or a second beat) queues nothing new. Messages outside the recipient's send window
are written now with ``send_after`` set to the window's start; the outbox sends them then.
"""

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from lib.models import model_update
from notifications.models import Email
from notifications.rendering import RenderMemo
from notifications.services import email_enqueue_many, email_recheck_on_commit
from notifications.windows import bank_holidays, next_send_time, start_of_day, zone
from people.models import User
from programmes.models import Cohort, Programme
from recruitment.models import TalentPoolEntry

from . import cohort_emails, collect, rules
from .data import Message
from .ics import checkin_ics
from .models import SETTINGS_FIELDS, PausedKind, RhythmSettings

logger = logging.getLogger(__name__)

PREVIEW_DAYS = 14


@dataclass(frozen=True)
class Planned:
    message: Message
    send_at: dt.datetime
    # "due" (would be queued now), "scheduled" (a later day), "paused", "too late", or the
    # status of the outbox row when the email was already queued.
    status: str
    reason: str = ""  # why an outbox row was cancelled (notifications/wanted.py)

    @property
    def local_send_at(self) -> dt.datetime:
        return self.send_at.astimezone(zone(self.message.time_zone))


def send_time(message: Message, now: dt.datetime) -> dt.datetime:
    """When the message can go: not before its day starts (in the programme's calendar) nor
    before now, then inside the recipient's next send window."""
    base = max(now, start_of_day(message.due_on, settings.TIME_ZONE))
    if getattr(settings, "RHYTHM_IGNORE_SEND_WINDOWS", False):
        return base  # local demos only: see docs/rhythm.md
    return next_send_time(base, message.time_zone, bank_holidays(message.division))


def send_window(message: Message) -> dict:
    """The outbox row's send window (retries and late claims keep to it); none for local demos."""
    if getattr(settings, "RHYTHM_IGNORE_SEND_WINDOWS", False):
        return {}
    return {"time_zone": message.time_zone, "holidays": message.division}


def plan(messages: list[Message], *, now: dt.datetime, paused) -> list[Planned]:
    today = timezone.localdate(now)
    out = []
    for m in messages:
        at = send_time(m, now)
        if m.cohort_id is not None and (m.cohort_id, m.kind) in paused:
            status = "paused"
        elif m.not_after is not None and at.astimezone(zone(m.time_zone)).date() > m.not_after:
            status = "too late"
        else:
            status = "due" if m.due_on <= today else "scheduled"
        out.append(Planned(message=m, send_at=at, status=status))
    return out


def _request(planned: Planned, now: dt.datetime, ics_cache: dict) -> dict:
    m = planned.message
    attachments = None
    if m.ics:
        # Both people of a pair get the same invitation: build it once.
        key = (m.ics["uid"], m.ics["start"])
        if key not in ics_cache:
            ics_cache[key] = checkin_ics(
                uid=m.ics["uid"],
                start=dt.datetime.fromisoformat(m.ics["start"]),
                summary=m.ics["summary"],
                description=m.ics["description"],
                url=m.ics["url"],
                stamp=now,
            )
        attachments = [
            {"filename": "check-in.ics", "content": ics_cache[key], "mimetype": "text/calendar"}
        ]
    user = None
    if m.person is not None and m.person.user_id is not None:
        # The outbox needs the account's id (row owner, preferences, unsubscribe token) only.
        user = User(pk=m.person.user_id, email=m.person.email)
    return {
        "to": m.to,
        "kind": m.kind,
        "template": m.template,
        "context": m.context,
        "idempotency_key": m.key,
        "user": user,
        "programme_name": m.programme_name,
        "attachments": attachments,
        "send_after": planned.send_at if planned.send_at > now else None,
        "refs": m.refs,
        **send_window(m),
    }


def _chunks(planned: list[Planned], snap) -> list[list[Planned]]:
    """The due messages in write chunks: those about a pair with the other messages of its
    batch of ``collect.BATCH`` pairs (the pairs were loaded in batches of that size), the rest
    ``collect.BATCH`` at a time. So a run makes a constant number of queries per batch of pairs,
    whatever the batch holds: its load (pairs, check-ins) and one write (email_enqueue_many)."""
    batch_of = {pair.pk: i // collect.BATCH for i, pair in enumerate(snap.pairs)}
    by_batch: dict[int, list[Planned]] = {}
    others = []
    for p in planned:
        batch = batch_of.get(p.message.refs.get("pair"))
        if batch is None:
            others.append(p)
        else:
            by_batch.setdefault(batch, []).append(p)
    chunks = [by_batch[batch] for batch in sorted(by_batch)]
    chunks += [others[i : i + collect.BATCH] for i in range(0, len(others), collect.BATCH)]
    return chunks


def rhythm_run(*, now: dt.datetime | None = None, rule_names: list[str] | None = None) -> dict:
    """Run the rules for today and queue every due message that is not paused, not too late and
    not already in the outbox. Returns counts, by rule, of emails created."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    snap = collect.snapshot(today=today)
    messages = rules.run_rules(snap, today, rule_names)
    planned = [p for p in plan(messages, now=now, paused=snap.paused) if p.status == "due"]
    created: dict[str, int] = {}
    ics_cache: dict = {}
    memo = RenderMemo()  # one for the run: each shape of email is rendered once (see its doc)
    for chunk in _chunks(planned, snap):
        # One write per chunk, whatever its size (a batch of pairs has about two emails a pair):
        # the same queries for every batch. email_enqueue_many renders the chunk first and holds
        # the write transaction for its INSERT only, so delivery goes on while a run enqueues.
        rows = email_enqueue_many(
            [_request(p, now, ics_cache) for p in chunk], batch_size=len(chunk), memo=memo
        )
        keys = {row.idempotency_key for row in rows}
        for p in chunk:
            if p.message.key in keys:
                created[p.message.rule] = created.get(p.message.rule, 0) + 1
    result = {
        "messages": len(messages),
        "due": len(planned),
        "created": sum(created.values()),
        "by_rule": created,
    }
    if created:
        logger.info("Rhythm run %s: %s", today, result)
    return result


def rhythm_preview(*, cohort: Cohort, now: dt.datetime | None = None, days: int = PREVIEW_DAYS):
    """What the rules would send for one cohort in the next ``days`` days if nothing changes
    (no check-in logged, no survey answered): nothing is queued. Emails already in the outbox
    show the outbox row's status (and why a cancelled one was not sent). The programme's digest
    is included, and so are the other apps' automated emails to the cohort: survey invitations
    and event invitations and reminders (rhythm/cohort_emails.py)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    until = today + dt.timedelta(days=days)
    snap = collect.snapshot(today=today, cohort_ids=[cohort.pk])
    messages = [
        m
        for m in rules.run_rules(snap, until)
        if m.cohort_id in (cohort.pk, None) and m.programme_id == cohort.programme_id
    ]
    planned = plan(messages, now=now, paused=snap.paused)
    keys = [p.message.key for p in planned]
    existing = {
        key: (status, error)
        for key, status, error in Email.objects.filter(idempotency_key__in=keys).values_list(
            "idempotency_key", "status", "last_error"
        )
    }
    horizon = start_of_day(until + dt.timedelta(days=1), settings.TIME_ZONE)
    out = []
    for p in planned:
        if p.message.key in existing:
            status, error = existing[p.message.key]
            reason = error if status == Email.Status.CANCELLED else ""
            p = Planned(message=p.message, send_at=p.send_at, status=status, reason=reason)
        elif p.send_at >= horizon:
            continue
        out.append(p)
    for message, when, status, reason in cohort_emails.outbox_rows(cohort=cohort, now=now):
        out.append(Planned(message=message, send_at=when, status=status, reason=reason))
    for message, when in cohort_emails.upcoming(cohort=cohort, now=now, until=until):
        paused = (cohort.pk, message.kind) in snap.paused
        out.append(
            Planned(message=message, send_at=when, status="paused" if paused else "scheduled")
        )
    return sorted(_counted(out), key=lambda p: (p.send_at, p.message.rule, p.message.to))


def _counted(planned: list[Planned]) -> list[Planned]:
    """Private emails (reminders of an anonymous survey) as one row per email and day, with a
    count and no recipient: a name disappearing from the list would tell who just answered."""
    out, groups = [], {}
    for p in planned:
        if not p.message.private:
            out.append(p)
            continue
        key = (p.message.label, p.local_send_at.date(), p.status)
        groups.setdefault(key, []).append(p)
    for (_label, _day, status), members in groups.items():
        first = min(members, key=lambda p: p.send_at)
        n = len(members)
        who = f"{n} {'person' if n == 1 else 'people'} (anonymous survey: names are not shown)"
        message = dataclasses.replace(first.message, to=who, person=None, key="", context={})
        out.append(Planned(message=message, send_at=first.send_at, status=status))
    return out


# --- Pausing ------------------------------------------------------------------------------------


@transaction.atomic
def kind_pause(*, cohort: Cohort, kind: str, actor=None) -> PausedKind:
    from .emails import PAUSABLE_KINDS

    if kind not in PAUSABLE_KINDS:
        raise ValueError(f"{kind!r} cannot be paused for a cohort.")
    paused, _ = PausedKind.objects.get_or_create(
        cohort=cohort, kind=kind, defaults={"paused_by": actor}
    )
    # Emails of that kind already written for the cohort (held for a send window, or waiting
    # for a retry) are cancelled now, with the reason: the schedule page shows it at once.
    email_recheck_on_commit(refs={"cohort": cohort.pk}, kinds=[kind])
    return paused


@transaction.atomic
def kind_resume(*, cohort: Cohort, kind: str) -> int:
    deleted, _ = PausedKind.objects.filter(cohort=cohort, kind=kind).delete()
    return deleted


# --- "Would you mentor next time?" --------------------------------------------------------------


@transaction.atomic
def talent_pool_volunteer(*, programme: Programme, user) -> TalentPoolEntry:
    """Add an alumnus who said yes to the programme's talent pool as a mentor (source alumni),
    or update their entry. A coordinator's own note on the entry is kept."""
    email = user.email.lower()
    entry = (
        TalentPoolEntry.objects.select_for_update()
        .filter(programme=programme, email__iexact=email)
        .first()
    )
    if entry is None:
        entry = TalentPoolEntry(programme=programme, email=email)
    entry.user = user
    entry.source = TalentPoolEntry.Source.ALUMNI
    entry.role = TalentPoolEntry.RoleInterest.MENTOR
    entry.full_name = entry.full_name or user.full_name
    profile = getattr(user, "profile", None)
    entry.organisation = entry.organisation or getattr(profile, "organisation", "")
    note = f"Offered to mentor next time ({timezone.localdate():%d %b %Y})."
    if note not in entry.note:
        entry.note = f"{entry.note}\n{note}".strip()
    entry.full_clean(validate_unique=False, validate_constraints=False)
    entry.save()
    return entry


# --- Demo ---------------------------------------------------------------------------------------


def rhythm_demo_settings(*, programme: Programme, today: dt.date | None = None) -> RhythmSettings:
    """The demo programme's rhythm settings, and a meeting history for the running cohort's
    pairs that have none, so that local mode shows check-in reminders, a nudge, a wellbeing
    email and a digest with pairs at risk. Idempotent: pairs that have check-ins are left alone.

    Relative to today: most pairs met every cadence up to 12 days ago (their next check-in is
    due in two days: a reminder with an invitation goes out now), one has been silent for two
    cadences (a nudge), one logged low wellbeing today, one has falling ratings. Nothing is
    logged outside the cohort's dates.
    """
    from pairing.engagement import summaries_rebuild
    from pairing.models import CheckIn, Pair

    today = today or timezone.localdate()
    settings_row, _ = RhythmSettings.objects.get_or_create(
        programme=programme,
        defaults={
            "support_information": (
                "Talk to your line manager or your coordinator, in confidence. The Employee "
                "Assistance Programme is free and open day and night: 0800 000 0000. Mental "
                "health first aiders are listed on the intranet's wellbeing page."
            )
        },
    )
    cohort = programme.cohorts.filter(status="running").order_by("-starts_on").first()
    if cohort is None or not cohort.starts_on <= today <= cohort.ends_on:
        return settings_row
    cadence = dt.timedelta(days=programme.checkin_cadence_days)
    pairs = list(
        Pair.objects.active()
        .filter(cohort=cohort, checkins__isnull=True)
        .select_related("mentor__user", "mentee__user")
        .order_by("pk")
    )
    rows = []
    for i, pair in enumerate(pairs):
        last = today - dt.timedelta(days=12)
        if i == 1:
            last = today - 2 * cadence  # silent for two cadences: nudged today
        dates = []
        day = last
        while day > pair.started_on:
            dates.append(day)
            day -= cadence
        for n, met_on in enumerate(reversed(dates)):
            falling = i == 2 and n >= len(dates) - 3
            rows.append(
                CheckIn(
                    pair=pair,
                    author=pair.mentee.user,
                    met_on=met_on,
                    duration_minutes=60,
                    worked_on="Worked through the project plan.",
                    rating=(5 - (n - len(dates) + 3)) if falling else 4,
                    wellbeing=4,
                    protected_time_kept=True,
                )
            )
        if i == 3:
            rows.append(
                CheckIn(
                    pair=pair,
                    author=pair.mentee.user,
                    met_on=today,
                    duration_minutes=45,
                    worked_on="A hard week.",
                    rating=3,
                    wellbeing=2,
                    protected_time_kept=False,
                )
            )
    CheckIn.objects.bulk_create(rows)
    summaries_rebuild({c.pair_id for c in rows})
    return settings_row


def rhythm_settings_get(*, programme: Programme) -> RhythmSettings:
    """The programme's settings; the defaults (unsaved) until a coordinator saves some."""
    return RhythmSettings.objects.filter(programme=programme).first() or RhythmSettings(
        programme=programme
    )


@transaction.atomic
def rhythm_settings_update(*, settings_row: RhythmSettings, data: dict) -> RhythmSettings:
    model_update(instance=settings_row, fields=SETTINGS_FIELDS, data=data, save=False)
    settings_row.full_clean()
    settings_row.save()
    return settings_row
