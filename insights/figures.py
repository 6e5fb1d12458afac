"""The dashboards' figures as the pages and exports read them: through the five-minute cache
(insights/cache.py), and kept warm by a beat task so a coordinator does not wait for them.

At national scale computing a cohort's figures takes seconds (docs/performance.md, "Big data").
``figures_refresh`` (Celery beat, every ``INSIGHTS_CACHE_SECONDS`` less a minute) computes the
undated figures of every cohort that is recruiting, matching or running, and of their
programmes, and stores them before the entry they replace expires: the page a coordinator opens
is read from the cache, never computed while they wait. A date filter, a finished cohort or an
empty cache (just after a deploy) is still computed on the request.
"""

from __future__ import annotations

import logging

from programmes.models import Cohort, CohortStatus, Programme

from . import cache, selectors

logger = logging.getLogger(__name__)

ACTIVE = (CohortStatus.RECRUITING, CohortStatus.MATCHING, CohortStatus.RUNNING)
# A programme's page and export only count each cohort's pairs at risk (the cohort dashboard
# lists them): thousands of pairs' facts would make the cached figures megabytes to read back
# on every request.
COUNTED = (None, ())


def cohort_figures(cohort, start=None, end=None, *, refresh: bool = False):
    """The cohort's dashboard figures, kept a few minutes (insights/cache.py)."""
    window = selectors.window_for(start=start, end=end)
    return cache.cached(
        "cohort",
        (cohort.pk, window.as_of, window.start),
        lambda: selectors.cohort_dashboard(cohort=cohort, window=window),
        refresh=refresh,
    )


def programme_figures(programme, start=None, end=None, *, refresh: bool = False):
    """The programme's dashboard figures, kept a few minutes (insights/cache.py)."""
    window = selectors.window_for(start=start, end=end)

    def compute():
        d = selectors.programme_dashboard(programme=programme, window=window, start=start, end=end)
        for column in d.columns:
            column.pairs.at_risk = [COUNTED] * len(column.pairs.at_risk)
        return d

    return cache.cached(
        "programme", (programme.pk, window.as_of, start, end), compute, refresh=refresh
    )


def figures_refresh() -> dict[str, int]:
    """Compute and store again the undated figures of every active cohort and its programme.
    Nothing when the cache is off. One cohort that fails is logged and skipped, not the rest."""
    done = {"cohorts": 0, "programmes": 0, "failed": 0}
    if cache.seconds() <= 0:
        return done
    cohorts = list(Cohort.objects.filter(status__in=ACTIVE).select_related("programme"))
    for cohort in cohorts:
        try:
            cohort_figures(cohort, refresh=True)
            done["cohorts"] += 1
        except Exception:
            done["failed"] += 1
            logger.exception("Dashboard figures of cohort %s could not be refreshed", cohort.pk)
    for programme in Programme.objects.filter(pk__in={c.programme_id for c in cohorts}):
        try:
            programme_figures(programme, refresh=True)
            done["programmes"] += 1
        except Exception:
            done["failed"] += 1
            logger.exception(
                "Dashboard figures of programme %s could not be refreshed", programme.pk
            )
    return done
