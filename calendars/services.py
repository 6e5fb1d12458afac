"""Writes of the calendar feeds: create, reset, publish (the SEQUENCE and DTSTAMP bookkeeping),
and personal data."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import json
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from lib.audit import AuditContext
from lib.urls import absolute_reverse
from people.services import audit_record

from .models import CalendarFeed, FeedEntry

CANCELLED_KEPT_DAYS = 30  # a cancelled event is published this long, then dropped


def feed_token(feed: CalendarFeed) -> str:
    """The secret in the feed's URL: derived from the nonce under SECRET_KEY, never stored."""
    message = f"calendars.feed:{feed.user_id}:{feed.cohort_id or ''}:{feed.nonce}".encode()
    digest = hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_urls(feed: CalendarFeed) -> dict[str, str]:
    https = absolute_reverse("calendars:feed", kwargs={"token": feed_token(feed)})
    return {"https": https, "webcal": "webcal://" + https.split("://", 1)[1]}


def _new_secret(feed: CalendarFeed) -> None:
    feed.nonce = secrets.token_urlsafe(32)
    feed.token_hash = token_hash(feed_token(feed))


@transaction.atomic
def feed_get_or_create(*, user, cohort=None) -> CalendarFeed:
    feed = CalendarFeed.objects.filter(user=user, cohort=cohort).first()
    if feed is not None:
        return feed
    feed = CalendarFeed(user=user, cohort=cohort)
    _new_secret(feed)
    try:
        with transaction.atomic():
            feed.save(force_insert=True)
    except IntegrityError:  # a second tab created it first
        return CalendarFeed.objects.get(user=user, cohort=cohort)
    return feed


@transaction.atomic
def feed_reset(*, feed: CalendarFeed, ctx: AuditContext) -> CalendarFeed:
    """A new secret: the old URL stops working at once. What it listed is forgotten."""
    _new_secret(feed)
    feed.last_fetched_at = None
    feed.save(update_fields=["nonce", "token_hash", "last_fetched_at"])
    feed.entries.all().delete()
    audit_record(
        action="calendar.feed_reset",
        obj=feed,
        programme_id=feed.cohort.programme_id if feed.cohort_id else None,
        summary="Calendar feed address reset" + (f" for {feed.cohort}" if feed.cohort_id else ""),
        context=ctx,
    )
    return feed


def feed_by_token(token: str) -> CalendarFeed | None:
    """The feed whose secret this is, for an active account; else None."""
    if not token or len(token) > 100:
        return None
    feed = (
        CalendarFeed.objects.select_related("user", "cohort__programme")
        .filter(token_hash=token_hash(token))
        .first()
    )
    if feed is None or not feed.user.is_active:
        return None
    # Constant-time, although the lookup by hash already makes guessing pointless.
    if not hmac.compare_digest(feed_token(feed), token):
        return None
    return feed


def _hash(item: dict) -> str:
    return hashlib.sha256(json.dumps(item, sort_keys=True).encode()).hexdigest()


@transaction.atomic
def feed_publish(
    *, feed: CalendarFeed, items: list[dict], now: dt.datetime | None = None
) -> list[tuple[dict, int, dt.datetime, bool]]:
    """What the feed says now: (event, SEQUENCE, DTSTAMP, cancelled) for each event. An event
    seen before with other content gets SEQUENCE + 1 and DTSTAMP now; one the feed listed but
    that is gone is published as cancelled (SEQUENCE + 1) for CANCELLED_KEPT_DAYS."""
    now = now or timezone.now()
    entries = {e.uid: e for e in feed.entries.select_for_update()}
    out = []
    fresh, changed = [], []
    for item in items:
        digest = _hash(item)
        entry = entries.pop(item["uid"], None)
        if entry is None:
            entry = FeedEntry(
                feed=feed, uid=item["uid"], content_hash=digest, data=item, sequence=0, dtstamp=now
            )
            fresh.append(entry)
        elif entry.content_hash != digest or entry.cancelled_at is not None:
            entry.sequence += 1
            entry.content_hash, entry.data, entry.dtstamp, entry.cancelled_at = (
                digest,
                item,
                now,
                None,
            )
            changed.append(entry)
        out.append((item, entry.sequence, entry.dtstamp, False))
    gone_for_good = []
    for entry in entries.values():
        if entry.cancelled_at is None:
            entry.sequence += 1
            entry.dtstamp = entry.cancelled_at = now
            changed.append(entry)
        elif entry.cancelled_at < now - dt.timedelta(days=CANCELLED_KEPT_DAYS):
            gone_for_good.append(entry.pk)
            continue
        out.append((entry.data, entry.sequence, entry.dtstamp, True))
    FeedEntry.objects.bulk_create(fresh)
    if changed:
        FeedEntry.objects.bulk_update(
            changed, ["sequence", "content_hash", "data", "dtstamp", "cancelled_at"]
        )
    if gone_for_good:
        FeedEntry.objects.filter(pk__in=gone_for_good).delete()
    CalendarFeed.objects.filter(pk=feed.pk).update(last_fetched_at=now)
    return sorted(out, key=lambda e: (e[0]["start"], e[0]["uid"]))


# --- Personal data (people.personal_data) ---------------------------------------------------------


def personal_data_export(user) -> list[dict]:
    return [
        {
            "cohort": str(f.cohort) if f.cohort_id else None,
            "created_at": f.created_at.isoformat(),
            "last_fetched_at": f.last_fetched_at.isoformat() if f.last_fetched_at else None,
        }
        for f in CalendarFeed.objects.filter(user=user).select_related("cohort")
    ]


def personal_data_erase(user, erasure) -> None:
    """An erased account's feeds stop working: they are deleted with what they listed."""
    deleted, _ = CalendarFeed.objects.filter(user=user).delete()
    erasure.count("calendar_feeds", deleted)
