"""When a pair is "at risk", written once.

Pure Python over plain data (no database, no Django), next to the check-in cadence it builds on
(pairing/cadence.py). It sits in pairing, the lowest floor that every reader can import: the pair
page (pairing), the Monday digest (rhythm/rules.py), the dashboards and their CSV export
(insights/definitions.py). So all four flag the same pairs for the same reasons on the same day
(tested together in mentorship/tests/test_at_risk_agrees.py). docs/metrics.md says it in words.

An active pair that has started is at risk, for each of these reasons:

- **silent**: its last check-in was more than two cadences ago (``days silent > 2 x cadence``);
  **never met**: the same, for a pair with no check-in at all, counted from its start;
- **falling rating**: of the pair's latest meeting ratings (whoever logged them), the latest is at
  least 2 below the one before, or the last three strictly fall;
- **low wellbeing**: wellbeing is tracked per person (the author of each check-in): the lowest of
  each person's latest score is 2 or less. A mentor's 5 never hides the mentee's 1;
- **falling wellbeing** (when not low): either person's own scores fall as ratings do.

Check-ins after ``today`` are ignored (a dashboard as of an earlier date).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from . import cadence

#: A pair is "silent" after more than this many cadences without a check-in.
SILENT_CADENCES = 2
#: A score "falls" when the latest is this much below the previous one...
FALL_STEP = 2
#: ...or when the last three strictly decrease. Wellbeing at or below this is "low".
LOW_WELLBEING = 2
#: How many of the latest scores the rule looks at (per pair for ratings, per person for
#: wellbeing).
LATEST = 3

REASON_SILENT = "silent"
REASON_NEVER_MET = "never met"
REASON_RATING = "falling rating"
REASON_WELLBEING_LOW = "low wellbeing"
REASON_WELLBEING_FALLING = "falling wellbeing"

REASON_LABELS = {
    REASON_SILENT: "No check-in for more than two cadences",
    REASON_NEVER_MET: "No check-in yet, two cadences after the start",
    REASON_RATING: "Falling meeting rating",
    REASON_WELLBEING_LOW: "Low wellbeing (2 or less)",
    REASON_WELLBEING_FALLING: "Falling wellbeing",
}


class Meeting(NamedTuple):
    """One check-in, as the rule sees it. ``order`` breaks ties between meetings of one day
    (the time it was logged, then its id). A named tuple, immutable: a dated dashboard builds
    one per check-in read (up to 120,000 for a national cohort), and builds one in 0.22 us
    against a frozen dataclass's 0.51 us (docs/performance.md)."""

    met_on: dt.date
    rating: int
    wellbeing: int
    author_id: int | None
    order: tuple = ()


@dataclass(frozen=True)
class Scores:
    """What the rule needs from a pair's check-ins, latest first."""

    last_met_on: dt.date | None
    ratings: tuple[int, ...]  # the pair's latest ratings
    wellbeing_by_person: tuple[tuple[int, ...], ...]  # each author's latest wellbeing scores


def scores(meetings: Iterable[Meeting], today: dt.date) -> Scores:
    """Summarise a pair's check-ins up to ``today`` for :func:`reasons`."""
    held = sorted(
        (m for m in meetings if m.met_on <= today),
        key=lambda m: (m.met_on, m.order),
        reverse=True,
    )
    by_person: dict[int | None, list[int]] = {}
    for m in held:
        mine = by_person.setdefault(m.author_id, [])
        if len(mine) < LATEST:
            mine.append(m.wellbeing)
    return Scores(
        last_met_on=held[0].met_on if held else None,
        ratings=tuple(m.rating for m in held[:LATEST]),
        wellbeing_by_person=tuple(
            tuple(by_person[k]) for k in sorted(by_person, key=lambda k: (k is None, k or 0))
        ),
    )


def is_falling(latest_first: Sequence[int]) -> bool:
    """Falling: latest at least FALL_STEP below the previous, or the last three strictly fall."""
    s = latest_first
    if len(s) >= 2 and s[0] <= s[1] - FALL_STEP:
        return True
    return len(s) >= 3 and s[0] < s[1] < s[2]


def reasons(
    *,
    active: bool,
    started_on: dt.date,
    cadence_days: int,
    today: dt.date,
    scores: Scores,
) -> list[str]:
    """Why a pair needs a coordinator's look (reason codes, in a fixed order); empty when it does
    not. Ended pairs and pairs that have not started by ``today`` are never at risk."""
    if not active or started_on > today:
        return []
    out = []
    silent = cadence.days_silent(started_on=started_on, last_met_on=scores.last_met_on, today=today)
    if silent > SILENT_CADENCES * cadence_days:
        out.append(REASON_NEVER_MET if scores.last_met_on is None else REASON_SILENT)
    out.extend(score_reasons(tuple(scores.ratings), tuple(scores.wellbeing_by_person)))
    return out


@lru_cache(maxsize=8192)
def score_reasons(
    ratings: tuple[int, ...], wellbeing_by_person: tuple[tuple[int, ...], ...]
) -> tuple[str, ...]:
    """The reasons read from the scores alone (not from dates), in order. Kept per scores: a
    national cohort's 20,000 pairs have a few thousand different ones."""
    out = []
    if is_falling(ratings):
        out.append(REASON_RATING)
    latest = [person[0] for person in wellbeing_by_person if person]
    if latest and min(latest) <= LOW_WELLBEING:
        out.append(REASON_WELLBEING_LOW)
    elif any(is_falling(person) for person in wellbeing_by_person):
        out.append(REASON_WELLBEING_FALLING)
    return tuple(out)


def labels(codes: Iterable[str]) -> list[str]:
    return [REASON_LABELS[c] for c in codes]
