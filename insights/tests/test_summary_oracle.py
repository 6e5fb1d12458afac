"""The cohort summary of pair facts (insights.definitions.summarise_pairs) against the plain
version it replaced, which applied each definition to each pair in turn: the same figures, the
same pairs at risk in the same order, on random pairs and windows. No database."""

from __future__ import annotations

import dataclasses
import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from insights import definitions as d
from insights.definitions import PairFacts, PairSummary, Window

DAY0 = dt.date(2027, 1, 4)


def reference_summary(pairs, *, cadence_days, cohort_ends_on, window) -> PairSummary:
    """summarise_pairs as it was before the third pass (1 December): every definition called
    for every pair."""
    s = PairSummary(pairs=len(pairs))
    s.last_checkin_bands = dict.fromkeys(d.LAST_CHECKIN_BANDS, 0)
    s.length_bands = {label: 0 for label, _low, _high in d.LENGTH_BANDS}
    as_of = window.as_of
    first_days, lengths, mentee_pairs = [], [], {}
    for p in pairs:
        mentee_pairs[p.mentee_id] = mentee_pairs.get(p.mentee_id, 0) + 1
        if p.started_on > as_of:
            continue
        expected = d.expected_checkins(p, cadence_days, window)
        s.checkins += p.checkins
        s.expected += expected
        if p.checkins >= expected:
            s.pairs_on_plan += 1
        first = d.days_to_first_checkin(p)
        if first is None:
            s.never_met += 1
        else:
            first_days.append(first)
        if d.is_active(p, as_of):
            s.active += 1
            s.last_checkin_bands[d.last_checkin_band(p, cadence_days, as_of)] += 1
            reasons = d.at_risk_reasons(p, cadence_days, as_of)
            if reasons:
                s.at_risk.append((p, reasons))
        elif p.status == d.ENDED:
            reason = p.end_reason or "other"
            s.end_reasons[reason] = s.end_reasons.get(reason, 0) + 1
            if d.is_completed(p):
                s.completed += 1
            elif d.is_early_ending(p, cohort_ends_on):
                s.early += 1
            else:
                s.ended_other += 1
        days = d.relationship_days(p, as_of)
        lengths.append(days)
        s.length_bands[d.length_band(days)] += 1
    started = sum(1 for p in pairs if p.started_on <= as_of)
    s.checkins_per_pair = round(s.checkins / started, 1) if started else None
    s.plan_rate = d.rate(s.checkins, s.expected)
    s.days_to_first_median = d.median_or_none(first_days)
    s.length_median = d.median_or_none(lengths)
    s.length_mean = d.mean(lengths)
    s.repaired_mentees = sum(1 for n in mentee_pairs.values() if n > 1)
    s.at_risk.sort(key=lambda item: (-len(item[1]), item[0].mentee_name, item[0].pk))
    return s


def day(lo: int = 0, hi: int = 120):
    return st.integers(lo, hi).map(lambda n: DAY0 + dt.timedelta(days=n))


scores = st.lists(st.integers(1, 5), max_size=3).map(tuple)


@st.composite
def pair(draw, pk: int) -> PairFacts:
    started_on = draw(day(0, 60))
    status = draw(st.sampled_from(["active", "active", "ended"]))
    ended_on = draw(st.none() | day(0, 120)) if status == "ended" else None
    first_met = draw(st.none() | day(0, 120))
    last_met = None if first_met is None else draw(day(0, 120).filter(lambda x: x >= first_met))
    return PairFacts(
        pk,
        1,
        draw(st.integers(1, 8)),  # mentees with more than one pair
        draw(st.sampled_from(["", "Ann", "Bea", "bea", "Zoë", "Ann"])),  # ties keep pk order
        status,
        started_on,
        ended_on,
        draw(st.sampled_from(["", "completed", "poor_fit", "workload", "other"])),
        draw(st.integers(0, 12)),
        first_met,
        last_met,
        draw(scores),
        draw(st.lists(scores, max_size=2).map(tuple)),
        draw(st.integers(0, 60)),
    )


@st.composite
def cohort(draw):
    n = draw(st.integers(0, 40))
    pairs = [draw(pair(pk)) for pk in range(1, n + 1)]
    as_of = draw(day(0, 150))
    start = draw(st.none() | day(0, 150).filter(lambda x: x <= as_of))
    return pairs, draw(st.sampled_from([7, 14, 30])), draw(day(40, 130)), Window(as_of, start)


@settings(max_examples=400, deadline=None)
@given(cohort())
def test_summary_equals_the_definitions_applied_pair_by_pair(case):
    pairs, cadence_days, ends_on, window = case
    kw = {"cadence_days": cadence_days, "cohort_ends_on": ends_on, "window": window}
    got, want = d.summarise_pairs(pairs, **kw), reference_summary(pairs, **kw)
    assert dataclasses.asdict(got) == dataclasses.asdict(want)
    assert [(p.pk, r) for p, r in got.at_risk] == [(p.pk, r) for p, r in want.at_risk]
    assert all(p is q for (p, _), (q, _) in zip(got.at_risk, want.at_risk, strict=True))
