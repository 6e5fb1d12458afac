"""The check-in cadence, written once: when a pair is next expected to meet, and how long it has
been waiting.

Pure Python over plain dates (no database, no Django), so the pair page, the coordinator's pairs
table, the "My pairs" list, the dashboards (insights/definitions.py) and the reminder rules
(rhythm/rules.py) all count the same way:

- the *anchor* is the day the current wait started: the last check-in, or the pair's start when
  it has never met;
- the next check-in is *due* one cadence after the anchor;
- an active pair is *overdue* once that day has passed (due today is not overdue yet);
- *days since* the last check-in is empty when the pair has never met; *days silent* counts from
  the anchor, so a pair that never met is silent since its start.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


def anchor(*, started_on: dt.date, last_met_on: dt.date | None) -> dt.date:
    """The day the current wait started: the last meeting, or the pair's start."""
    return last_met_on or started_on


def next_due(*, started_on: dt.date, last_met_on: dt.date | None, cadence_days: int) -> dt.date:
    """When the next meeting is expected: a cadence after the last one, or after the start."""
    return anchor(started_on=started_on, last_met_on=last_met_on) + dt.timedelta(days=cadence_days)


def days_since(last_met_on: dt.date | None, today: dt.date) -> int | None:
    """Days since the last check-in; None when the pair has never met."""
    return (today - last_met_on).days if last_met_on else None


def days_silent(*, started_on: dt.date, last_met_on: dt.date | None, today: dt.date) -> int:
    """Days without a check-in: since the last one, or since the start for a pair that never met."""
    return (today - anchor(started_on=started_on, last_met_on=last_met_on)).days


def is_overdue(*, active: bool, due: dt.date, today: dt.date) -> bool:
    """An active pair is overdue once its due day has passed."""
    return active and due < today


@dataclass(frozen=True)
class CadenceStatus:
    """What a page shows about a pair's rhythm."""

    next_due: dt.date
    days_since: int | None
    overdue: bool


def status(
    *,
    started_on: dt.date,
    last_met_on: dt.date | None,
    cadence_days: int,
    active: bool,
    today: dt.date,
) -> CadenceStatus:
    due = next_due(started_on=started_on, last_met_on=last_met_on, cadence_days=cadence_days)
    return CadenceStatus(
        next_due=due,
        days_since=days_since(last_met_on, today),
        overdue=is_overdue(active=active, due=due, today=today),
    )
