"""The dashboards' figures, kept for a few minutes (issue 19: a national programme).

At 20,000 active pairs and 300,000 check-ins a dashboard's figures take seconds of database
time to compute (one pass over every check-in of the cohorts shown: docs/performance.md, "Big
data"), while the figures describe weeks of activity and move slowly. So the views keep what
:func:`insights.selectors.cohort_dashboard` and :func:`~insights.selectors.programme_dashboard`
return for ``INSIGHTS_CACHE_SECONDS`` (default 300; 0 turns the cache off) in the shared cache,
per cohort or programme and per date filter. Every page and export that shows cached figures
says when they were computed (``d.computed_at``), so nobody mistakes five-minute-old figures
for live ones; the coordinator's operational pages (the cohort page, the pairs list, a pair's
page) never use this cache and always show the data as it is.

Access is checked before the cache is read (the views call ``cohort_for_coordinator`` /
``programme_for_coordinator`` first), and the key holds nothing but ids and dates. The value
holds no personal data either: insights/figures.py keeps the pairs at risk and the comments by
id, and the page reads their names and text when it is produced. The API
(api/figures.py) calls the selectors directly and is not cached.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from lib.collector import collector_paused

T = TypeVar("T")

DEFAULT_SECONDS = 300


def seconds() -> int:
    return int(getattr(settings, "INSIGHTS_CACHE_SECONDS", DEFAULT_SECONDS))


def key(kind: str, *parts) -> str:
    return "insights:v1:" + kind + ":" + ":".join("" if p is None else str(p) for p in parts)


def cached(
    kind: str,
    parts: tuple,
    compute: Callable[[], T],
    *,
    refresh: bool = False,
    keep_for: int | None = None,
) -> T:
    """``compute()``'s result, from the cache when it was computed less than ``seconds()``
    ago, with a ``computed_at`` attribute (when it was computed) for the page to show.
    With the cache off, ``compute()`` as it is. ``refresh`` computes and stores it again
    whatever the cache holds (insights/figures.py's beat task, before the entry expires);
    ``keep_for`` keeps what it stores that many seconds instead (the beat task, for figures
    that hardly move)."""
    ttl = seconds()
    if ttl <= 0:
        with collector_paused():
            return compute()
    ttl = keep_for or ttl
    hit = None if refresh else cache.get(key(kind, *parts))
    if hit is not None:
        return hit
    # Tens of thousands of rows of facts at national scale, none in a cycle (lib/collector.py)
    with collector_paused():
        value = compute()
    value.computed_at = timezone.now()
    value.kept_seconds = ttl  # the page says how often they are refreshed
    cache.set(key(kind, *parts), value, ttl)
    return value
