"""Reads of the outbox that other apps use: who cannot be emailed.

An address GOV.UK Notify reported as a permanent failure is *undeliverable* until the person
changes it or confirms it (docs/email.md, "Delivery receipts").
"""

from django.core.cache import cache
from django.db.models.functions import Lower

from .models import UndeliverableAddress

CACHE_KEY = "notifications:undeliverable"


def undeliverable_people(*, users) -> list:
    """Those of ``users`` whose current address is undeliverable, in the given order. One query."""
    users = list(users)
    addresses = {u.email.lower() for u in users if u.email}
    if not addresses:
        return []
    bad = set(
        UndeliverableAddress.objects.filter(address__in=addresses).values_list("address", flat=True)
    )
    return [u for u in users if u.email and u.email.lower() in bad]


def undeliverable_among(*, users) -> list:
    """Those of the ``users`` queryset whose current address is undeliverable, in its order.
    One query, matched in the database: a cohort of 30,000 people is never loaded to find the
    few with a bad address."""
    known = UndeliverableAddress.objects.values("address")
    return list(users.annotate(address_key=Lower("email")).filter(address_key__in=known))


def undeliverable_by_user() -> dict[int, str]:
    """{user id: undeliverable address} from the shared cache, for the banner on every page:
    no query per request. Written whenever an address is marked or cleared, and rebuilt by every
    outbox sweep; a cold cache shows no banner until the next sweep."""
    return cache.get(CACHE_KEY) or {}


def undeliverable_cache_refresh() -> dict[int, str]:
    value = dict(
        UndeliverableAddress.objects.filter(user__isnull=False).values_list("user_id", "address")
    )
    cache.set(CACHE_KEY, value, timeout=None)
    return value
