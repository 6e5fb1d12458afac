"""The definitions behind every figure on the dashboards, each written once.

Pure Python: no database. The selectors read one row of facts per pair (and a few aggregates)
from the database and hand them to these functions, so the cohort dashboard, the programme
dashboard, the printable summary and the CSV export classify a pair the same way. Each
definition is described in words in docs/metrics.md; keep the two in step.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from statistics import median

from pairing import cadence

# "At risk" is written once, in pairing/risk.py (the pair page, the digest and these dashboards
# all read it); its names are re-exported here for the dashboards' code and tests.
from pairing.risk import (  # noqa: F401
    FALL_STEP,
    LOW_WELLBEING,
    REASON_LABELS,
    REASON_NEVER_MET,
    REASON_RATING,
    REASON_SILENT,
    REASON_WELLBEING_FALLING,
    REASON_WELLBEING_LOW,
    SILENT_CADENCES,
    Scores,
    is_falling,
)
from pairing.risk import reasons as _risk_reasons

# A group of people smaller than this is never shown with its numbers (breakdowns by
# organisation and grade): the cell says "fewer than 5" instead.
SMALL_GROUP = 5

COMPLETED = "completed"  # pairing.Pair.EndReason.COMPLETED
ACTIVE = "active"
ENDED = "ended"


@dataclass(slots=True)
class PairFacts:
    """What the database says about one pair, as of a date. Scores are latest first.

    Read-only by convention, not ``frozen``: a national programme's dashboard builds 30,000 of
    them, and a frozen dataclass's constructor costs four times as much (docs/performance.md)."""

    pk: int
    cohort_id: int
    mentee_id: int
    mentee_name: str
    status: str
    started_on: dt.date
    ended_on: dt.date | None
    end_reason: str
    checkins: int  # check-ins within the date window
    first_met: dt.date | None  # first check-in on or before the as-of date
    last_met: dt.date | None  # latest check-in on or before the as-of date
    ratings: tuple[int, ...] = ()  # up to three latest meeting ratings, latest first
    # Each person's (check-in author's) up to three latest wellbeing scores, latest first.
    wellbeing_by_person: tuple[tuple[int, ...], ...] = ()
    wellbeing_total: int = 0  # the sum of the wellbeing scores of the check-ins counted

    @property
    def wellbeing(self) -> tuple[int, ...]:
        """Each person's latest wellbeing score, lowest first (what the at-risk rule reads)."""
        return tuple(sorted(p[0] for p in self.wellbeing_by_person if p))


@dataclass(frozen=True)
class Window:
    """The date filter: figures count events from ``start`` (or the beginning) to ``as_of``."""

    as_of: dt.date
    start: dt.date | None = None


# --- Pairs ---------------------------------------------------------------------------------------


def is_active(pair: PairFacts, as_of: dt.date) -> bool:
    """Active: status active and already started by the as-of date."""
    return pair.status == ACTIVE and pair.started_on <= as_of


def is_completed(pair: PairFacts) -> bool:
    """Completed: ended with the reason "completed the programme", whatever the date."""
    return pair.status == ENDED and pair.end_reason == COMPLETED


def is_early_ending(pair: PairFacts, cohort_ends_on: dt.date) -> bool:
    """Early ending: ended with a reason other than "completed", before the cohort's end date."""
    return (
        pair.status == ENDED
        and pair.end_reason != COMPLETED
        and pair.ended_on is not None
        and pair.ended_on < cohort_ends_on
    )


def relationship_days(pair: PairFacts, as_of: dt.date) -> int:
    """Relationship length in days: start to end (or to the as-of date while active).

    A pair ended on its first day lasted 0 days; never negative.
    """
    end = pair.ended_on if pair.status == ENDED and pair.ended_on else as_of
    return max(0, (end - pair.started_on).days)


def expected_checkins(pair: PairFacts, cadence_days: int, window: Window) -> int:
    """The cadence plan: one check-in per full cadence the pair was running inside the window."""
    begin = max(pair.started_on, window.start) if window.start else pair.started_on
    end = window.as_of
    if pair.status == ENDED and pair.ended_on:
        end = min(end, pair.ended_on)
    days = (end - begin).days
    return max(0, days // cadence_days)


def days_to_first_checkin(pair: PairFacts) -> int | None:
    if pair.first_met is None:
        return None
    return max(0, (pair.first_met - pair.started_on).days)


def days_since_last_checkin(pair: PairFacts, as_of: dt.date) -> int | None:
    return cadence.days_since(pair.last_met, as_of)


def at_risk_reasons(pair: PairFacts, cadence_days: int, as_of: dt.date) -> list[str]:
    """Why an active pair needs a coordinator's attention; empty when it does not. The rule is
    pairing/risk.py's (silent or never met for more than two cadences, falling rating, the
    lowest of each person's latest wellbeing 2 or less, falling wellbeing)."""
    return _risk_reasons(
        active=is_active(pair, as_of),
        started_on=pair.started_on,
        cadence_days=cadence_days,
        today=as_of,
        # (last met on, ratings, wellbeing by person), by position: 20,000 times for a national
        # cohort, and keywords double a frozen dataclass's cost
        scores=Scores(pair.last_met, pair.ratings, pair.wellbeing_by_person),
    )


def last_checkin_band(pair: PairFacts, cadence_days: int, as_of: dt.date) -> str:
    """Days since the last check-in of an active pair, in bands of the cadence."""
    days = days_since_last_checkin(pair, as_of)
    if days is None:
        return "never"
    if days <= cadence_days:
        return "within 1 cadence"
    if days <= SILENT_CADENCES * cadence_days:
        return "1 to 2 cadences"
    return "over 2 cadences"


LAST_CHECKIN_BANDS = ("within 1 cadence", "1 to 2 cadences", "over 2 cadences", "never")

LENGTH_BANDS = (
    ("under 4 weeks", 0, 28),
    ("4 to 8 weeks", 28, 56),
    ("8 to 12 weeks", 56, 84),
    ("12 weeks or more", 84, None),
)


def length_band(days: int) -> str:
    for label, low, high in LENGTH_BANDS:
        if days >= low and (high is None or days < high):
            return label
    return LENGTH_BANDS[-1][0]


# --- Rates and small numbers ----------------------------------------------------------------------


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """A percentage rounded to one decimal, or None when there is nothing to divide by."""
    if not denominator or numerator is None:
        return None
    return round(100 * numerator / denominator, 1)


def mean(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(sum(values) / len(values), 1) if values else None


def mean_wellbeing(score_sum: int, checkins: int) -> float | None:
    """The mean wellbeing score of check-ins (their scores' sum over their number), to two
    decimals: the cohort dashboard's, and each cohort's on the programme dashboard."""
    return round(score_sum / checkins, 2) if checkins else None


def median_or_none(values: Iterable[float]) -> float | None:
    values = list(values)
    return round(float(median(values)), 1) if values else None


def nps(promoters: int, detractors: int, answers: int) -> int | None:
    """Net promoter score: % answering 9-10 minus % answering 0-6, from -100 to 100."""
    if not answers:
        return None
    return round(100 * (promoters - detractors) / answers)


def suppressed(count: int) -> bool:
    """A count of 1 to 4 people is not shown (0 reveals nobody)."""
    return 0 < count < SMALL_GROUP


# --- Cohort summary of pair facts -----------------------------------------------------------------


@dataclass
class PairSummary:
    pairs: int = 0
    active: int = 0
    completed: int = 0
    early: int = 0
    ended_other: int = 0
    checkins: int = 0
    expected: int = 0
    pairs_on_plan: int = 0
    checkins_per_pair: float | None = None
    plan_rate: float | None = None
    days_to_first_median: float | None = None
    never_met: int = 0
    length_median: float | None = None
    length_mean: float | None = None
    repaired_mentees: int = 0
    end_reasons: dict[str, int] = field(default_factory=dict)
    last_checkin_bands: dict[str, int] = field(default_factory=dict)
    length_bands: dict[str, int] = field(default_factory=dict)
    at_risk: list[tuple[PairFacts, list[str]]] = field(default_factory=list)

    @property
    def early_rate(self) -> float | None:
        return rate(self.early, self.completed + self.early + self.ended_other)

    @property
    def completion_rate(self) -> float | None:
        return rate(self.completed, self.completed + self.early + self.ended_other)


def summarise_pairs(
    pairs: Sequence[PairFacts], *, cadence_days: int, cohort_ends_on: dt.date, window: Window
) -> PairSummary:
    """Engagement, at-risk and longevity figures of one cohort's pairs.

    Each definition above is applied to each pair, but through small tables kept for this call
    and keyed by what the definition reads (a pair's start and end, its last meeting, its
    scores): a national cohort's 20,000 pairs share a few hundred starts and last meetings, so
    most pairs cost a few dictionary lookups instead of a dozen calls (docs/performance.md,
    "Cold dashboards, third pass"). Tested against applying the definitions one by one
    (insights/tests/test_summary_oracle.py)."""
    s = PairSummary(pairs=len(pairs))
    bands = s.last_checkin_bands = dict.fromkeys(LAST_CHECKIN_BANDS, 0)
    length_bands = s.length_bands = {label: 0 for label, _low, _high in LENGTH_BANDS}
    end_reasons = s.end_reasons
    as_of = window.as_of
    first_days, lengths, mentee_pairs, at_risk = [], [], {}, s.at_risk
    # (status, started_on, ended_on) -> (expected check-ins, relationship days, its band)
    spans: dict = {}
    # (started_on, first_met) -> days to the first check-in
    firsts: dict = {}
    # (started_on, last_met, ratings, wellbeing by person) of an active pair -> (band, reasons)
    risks: dict = {}
    started = checkins = expected_total = on_plan = never_met = active = 0
    completed = early = ended_other = 0
    for p in pairs:
        mentee_pairs[p.mentee_id] = mentee_pairs.get(p.mentee_id, 0) + 1
        started_on = p.started_on
        if started_on > as_of:
            continue
        started += 1
        status = p.status
        span_key = (status, started_on, p.ended_on)
        span = spans.get(span_key)
        if span is None:
            days = relationship_days(p, as_of)
            span = spans[span_key] = (
                expected_checkins(p, cadence_days, window),
                days,
                length_band(days),
            )
        expected, days, band = span
        n = p.checkins
        checkins += n
        expected_total += expected
        if n >= expected:
            on_plan += 1
        first_met = p.first_met
        if first_met is None:
            never_met += 1
        else:
            first_key = (started_on, first_met)
            first = firsts.get(first_key)
            if first is None:
                first = firsts[first_key] = days_to_first_checkin(p)
            first_days.append(first)
        if status == ACTIVE:  # started by the as-of date (above): is_active
            active += 1
            risk_key = (started_on, p.last_met, p.ratings, p.wellbeing_by_person)
            found = risks.get(risk_key)
            if found is None:
                found = risks[risk_key] = (
                    last_checkin_band(p, cadence_days, as_of),
                    at_risk_reasons(p, cadence_days, as_of),
                )
            bands[found[0]] += 1
            if found[1]:
                at_risk.append((p, list(found[1])))
        elif status == ENDED:
            reason = p.end_reason or "other"
            end_reasons[reason] = end_reasons.get(reason, 0) + 1
            if is_completed(p):
                completed += 1
            elif is_early_ending(p, cohort_ends_on):
                early += 1
            else:
                ended_other += 1
        lengths.append(days)
        length_bands[band] += 1
    s.checkins, s.expected, s.pairs_on_plan, s.never_met, s.active = (
        checkins,
        expected_total,
        on_plan,
        never_met,
        active,
    )
    s.completed, s.early, s.ended_other = completed, early, ended_other
    s.checkins_per_pair = round(s.checkins / started, 1) if started else None
    s.plan_rate = rate(s.checkins, s.expected)
    s.days_to_first_median = median_or_none(first_days)
    s.length_median = median_or_none(lengths)
    s.length_mean = mean(lengths)
    s.repaired_mentees = sum(1 for n in mentee_pairs.values() if n > 1)
    at_risk.sort(key=lambda item: (-len(item[1]), item[0].mentee_name, item[0].pk))
    return s
