"""The dashboards' figures as the pages and exports read them: through the five-minute cache
(insights/cache.py), and kept warm by a beat task so a coordinator does not wait for them.

At national scale, on PostgreSQL, computing a running cohort's figures takes about 0.2 s and a
programme's about 0.25 s on two cores, by the machine: the database-bound reads run on a second
connection beside the pairs' facts (lib/beside.py; docs/performance.md, "Dashboards on two
connections"), 0.25 s and 0.4 s in order.

``figures_refresh`` (Celery beat, every ``INSIGHTS_CACHE_SECONDS`` less a minute) keeps the
undated figures of every cohort and programme in the cache: those that move (a cohort
recruiting, matching, running or finished in the last ``RECENT_DAYS``, and their programmes)
computed again before the entry they replace expires, the settled ones (cohorts finished before
that) computed when missing and kept ``SETTLED_SECONDS``. The page a coordinator opens is read
from the cache, not computed while they wait. A date filter, or an empty cache (the first run
of beat not yet done), is still computed on the request.

**No personal data is kept with the figures.** What is cached is counts, rates, dates and ids:
the pairs at risk are kept as :class:`PairsAtRisk` (pair ids, reasons and scores, packed in a few
arrays) and each survey comment as its answer's id. The page or export being produced reads the
names of the pairs it shows (:func:`pair_names`) and the comments' text (:func:`comments`) as
they are now, so a person erased, or a programme's free text deleted by retention, is gone from
the dashboards at once, with nothing for erasure to find in the cache (tested in
insights/tests/test_cache.py and mentorship/tests/test_erasure_everywhere.py). Packed, the pairs
at risk of a national cohort (thousands) cost kilobytes to read back, not megabytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from array import array
from collections.abc import Iterable, Sequence

from pairing import risk
from programmes.models import Cohort, CohortStatus, Programme

from . import cache, selectors, surveys

logger = logging.getLogger(__name__)

# A cohort finished longer ago than this has settled figures: its pairs have ended and its
# check-ins can no longer change; what still moves (a late follow-up survey answer) shows within
# SETTLED_SECONDS. A cohort finished more recently (end-of-programme surveys, the last
# corrections) is refreshed like a running one.
RECENT_DAYS = 60
SETTLED_SECONDS = 3600
# A programme's page and export only count each cohort's pairs at risk (the cohort dashboard
# lists them): nothing of them is kept but their number.
COUNTED = (None, ())


# The at-risk rule's reasons (pairing/risk.py), in the order it gives them.
REASONS = (
    risk.REASON_SILENT,
    risk.REASON_NEVER_MET,
    risk.REASON_RATING,
    risk.REASON_WELLBEING_LOW,
    risk.REASON_WELLBEING_FALLING,
)


@dataclasses.dataclass(frozen=True)
class RiskRow:
    """One pair at risk as the cache keeps it: no names (read with :func:`pair_names`)."""

    pk: int
    reasons: tuple[str, ...]
    last_met: dt.date | None
    ratings: tuple[int, ...]
    wellbeing_by_person: tuple[tuple[int, ...], ...]


class PairsAtRisk(Sequence):
    """A cohort's pairs at risk, in the dashboard's order, packed: pair ids, a bit per reason,
    the last check-in's day and the latest scores (bytes, each 1-5) in a few arrays. Reads back
    as :class:`RiskRow`; slicing (a page of them) builds only the rows asked for."""

    def __init__(self, items: Iterable[tuple]):
        pks, bits, last, ends, blob = array("q"), bytearray(), array("i"), array("i"), bytearray()
        for p, reasons in items:
            pks.append(p.pk)
            mask = 0
            for reason in reasons:
                mask |= 1 << REASONS.index(reason)  # ValueError for a reason it cannot keep
            bits.append(mask)
            people = p.wellbeing_by_person
            if not all(0 < v < 256 for v in (*p.ratings, *(v for q in people for v in q))):
                raise ValueError(f"pair {p.pk}: a score outside 1-255 cannot be kept")
            last.append(p.last_met.toordinal() if p.last_met else 0)
            blob += bytes(p.ratings)
            if people:  # 0 separates the ratings and each person's scores
                blob += b"\0" + b"\0".join(bytes(scores) for scores in people)
            ends.append(len(blob))
        self._pks, self._bits, self._last, self._ends = pks, bytes(bits), last, ends
        self._blob = bytes(blob)

    def __len__(self) -> int:
        return len(self._pks)

    def __eq__(self, other) -> bool:
        if not isinstance(other, PairsAtRisk):
            return NotImplemented
        return self.__dict__ == other.__dict__

    __hash__ = None

    def __repr__(self) -> str:
        return f"<PairsAtRisk: {len(self)} pairs>"

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(i) for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._row(index)

    def _row(self, i: int) -> RiskRow:
        start = self._ends[i - 1] if i else 0
        ratings, *people = self._blob[start : self._ends[i]].split(b"\0")
        return RiskRow(
            pk=self._pks[i],
            reasons=tuple(r for bit, r in enumerate(REASONS) if self._bits[i] >> bit & 1),
            last_met=dt.date.fromordinal(self._last[i]) if self._last[i] else None,
            ratings=tuple(ratings),
            wellbeing_by_person=tuple(tuple(scores) for scores in people),
        )


def _kept(d):
    """``d`` as the cache keeps it: pairs at risk packed and comments by id (no text)."""
    d.pairs.at_risk = PairsAtRisk(d.pairs.at_risk)
    d.surveys.comments = [{k: v for k, v in c.items() if k != "text"} for c in d.surveys.comments]
    return d


def _cohort_parts(cohort, window) -> tuple:
    return (cohort.pk, window.as_of, window.start)


def _programme_parts(programme, window, start, end) -> tuple:
    return (programme.pk, window.as_of, start, end)


def cohort_figures(cohort, start=None, end=None, *, refresh: bool = False, keep_for=None):
    """The cohort's dashboard figures, kept a few minutes (insights/cache.py): the pairs at
    risk as :class:`PairsAtRisk`, the comments without their text (:func:`comments`)."""
    window = selectors.window_for(start=start, end=end)
    return cache.cached(
        "cohort",
        _cohort_parts(cohort, window),
        lambda: _kept(selectors.cohort_dashboard(cohort=cohort, window=window)),
        refresh=refresh,
        keep_for=keep_for,
    )


def pair_names(rows: Sequence[RiskRow]) -> dict[int, tuple[str, str]]:
    """The (mentee, mentor) names of a page of pairs at risk, as they are now: one query."""
    return selectors.pair_names(r.pk for r in rows) if rows else {}


def comments(d) -> list[dict]:
    """The cohort's latest comments with their text as it is now (one query); a comment whose
    answer has since been erased or deleted is left out."""
    texts = surveys.comment_texts([c["answer_id"] for c in d.surveys.comments])
    return [
        {**c, "text": texts[c["answer_id"]]} for c in d.surveys.comments if c["answer_id"] in texts
    ]


def programme_figures(programme, start=None, end=None, *, refresh: bool = False, keep_for=None):
    """The programme's dashboard figures, kept a few minutes (insights/cache.py)."""
    window = selectors.window_for(start=start, end=end)

    def compute():
        d = selectors.programme_dashboard(programme=programme, window=window, start=start, end=end)
        for column in d.columns:
            column.pairs.at_risk = [COUNTED] * len(column.pairs.at_risk)
        return d

    return cache.cached(
        "programme",
        _programme_parts(programme, window, start, end),
        compute,
        refresh=refresh,
        keep_for=keep_for,
    )


def _settled(ends_on: dt.date | None, today: dt.date) -> bool:
    return ends_on is not None and ends_on < today - dt.timedelta(days=RECENT_DAYS)


def _missing(kind: str, parts: tuple) -> bool:
    # has_key, not get: whether the entry is there, without reading its figures back.
    return not cache.cache.has_key(cache.key(kind, *parts))


def figures_refresh() -> dict[str, int]:
    """Keep every cohort's and programme's undated figures in the cache, so no coordinator
    waits for them: those that move (a cohort recruiting, matching or running, or finished in
    the last ``RECENT_DAYS``, and a programme with such a cohort) computed again on every run;
    the settled ones (a cohort finished before that, a programme with only such cohorts)
    computed when their entry is missing and kept ``SETTLED_SECONDS``. Nothing when the cache
    is off. One that fails is logged and skipped, not the rest."""
    done = {"cohorts": 0, "programmes": 0, "failed": 0}
    if cache.seconds() <= 0:
        return done
    window = selectors.window_for()
    today = window.as_of
    moving_programmes: set[int] = set()
    cohorts = Cohort.objects.select_related("programme").order_by("pk")
    for cohort in cohorts:
        settled = cohort.status == CohortStatus.FINISHED and _settled(cohort.ends_on, today)
        if not settled:
            moving_programmes.add(cohort.programme_id)
        elif not _missing("cohort", _cohort_parts(cohort, window)):
            continue
        try:
            cohort_figures(cohort, refresh=True, keep_for=SETTLED_SECONDS if settled else None)
            done["cohorts"] += 1
        except Exception:
            done["failed"] += 1
            logger.exception("Dashboard figures of cohort %s could not be refreshed", cohort.pk)
    for programme in Programme.objects.filter(cohorts__isnull=False).distinct().order_by("pk"):
        settled = programme.pk not in moving_programmes
        if settled and not _missing("programme", _programme_parts(programme, window, None, None)):
            continue
        try:
            programme_figures(
                programme, refresh=True, keep_for=SETTLED_SECONDS if settled else None
            )
            done["programmes"] += 1
        except Exception:
            done["failed"] += 1
            logger.exception(
                "Dashboard figures of programme %s could not be refreshed", programme.pk
            )
    return done
