"""When surveys are due: pure date maths on plain data, no database.

``plan()`` takes one schedule and the people, pairs and check-in counts of its cohort and returns
the invitations that should exist today. The caller inserts them with a unique constraint, so
planning the same invitation twice (two beats, a retried task) creates it once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ScheduleData:
    id: int
    trigger: str  # feedback.models.Trigger values
    audience: str  # mentors, mentees, both
    offset_days: int
    every_n_checkins: int
    close_after_days: int
    cohort_starts_on: dt.date
    cohort_ends_on: dt.date


@dataclass(frozen=True)
class Person:
    user_id: int
    role: str  # mentor or mentee


@dataclass(frozen=True)
class PairData:
    id: int
    mentor_user_id: int
    mentee_user_id: int
    started_on: dt.date
    ended_on: dt.date | None
    checkins: int = 0


@dataclass(frozen=True)
class Planned:
    schedule_id: int
    user_id: int
    role: str
    pair_id: int | None
    occurrence: int
    due_on: dt.date
    closes_on: dt.date


def _wants(audience: str, role: str) -> bool:
    return audience == "both" or audience == f"{role}s"


def add_days(day: dt.date, days: int) -> dt.date:
    """``day`` plus ``days``, or the last (first) date there is when that is out of range.

    Offsets are bounded on the model (``SurveySchedule.offset_days``), but a row saved before
    they were must not break the cohort's surveys page or the hourly task with an OverflowError:
    such a survey is simply never due."""
    try:
        return day + dt.timedelta(days=days)
    except OverflowError:
        return dt.date.max if days > 0 else dt.date.min


def due_date(schedule: ScheduleData, *, pair_started_on: dt.date | None = None) -> dt.date | None:
    """The day a cohort- or pair-based schedule falls due (None for the check-in trigger)."""
    if schedule.trigger == "cohort_start":
        return add_days(schedule.cohort_starts_on, schedule.offset_days)
    if schedule.trigger == "cohort_end":
        return add_days(schedule.cohort_ends_on, schedule.offset_days)
    if schedule.trigger == "pair_start" and pair_started_on is not None:
        return add_days(pair_started_on, schedule.offset_days)
    return None


def is_open(due_on: dt.date, close_after_days: int, today: dt.date) -> bool:
    """Due today or in the last ``close_after_days`` days: a missed window is not sent late."""
    return due_on <= today < add_days(due_on, close_after_days)


def plan(
    schedule: ScheduleData,
    *,
    people: Iterable[Person],
    pairs: Iterable[PairData],
    today: dt.date,
) -> list[Planned]:
    """The invitations of one schedule that are due ``today``."""
    out: list[Planned] = []

    def add(user_id, role, pair_id, occurrence, due_on):
        if _wants(schedule.audience, role):
            closes_on = add_days(due_on, schedule.close_after_days)
            out.append(Planned(schedule.id, user_id, role, pair_id, occurrence, due_on, closes_on))

    if schedule.trigger in ("cohort_start", "cohort_end"):
        due_on = due_date(schedule)
        if due_on is None or not is_open(due_on, schedule.close_after_days, today):
            return []
        for person in people:
            add(person.user_id, person.role, None, 0, due_on)
        return out

    for pair in pairs:
        if schedule.trigger == "pair_start":
            due_on = due_date(schedule, pair_started_on=pair.started_on)
            if due_on is None or not is_open(due_on, schedule.close_after_days, today):
                continue
            if pair.ended_on is not None and pair.ended_on < due_on:
                continue  # the relationship ended before the survey was due
            occurrence = 0
        elif schedule.trigger == "checkins":
            n = schedule.every_n_checkins
            if n < 1 or pair.checkins < n or pair.ended_on is not None:
                continue
            # Only the latest Nth: a pair that logged many check-ins at once is asked once.
            occurrence = pair.checkins // n
            due_on = today
        else:
            continue
        add(pair.mentor_user_id, "mentor", pair.id, occurrence, due_on)
        add(pair.mentee_user_id, "mentee", pair.id, occurrence, due_on)
    return out
