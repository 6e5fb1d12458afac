"""Charts must not mislead: fixed natural scales, no plotted missing values, one measure per
axis (issue 17 item 13). The chart data is plain JSON, so these tests read it directly."""

import datetime as dt
from types import SimpleNamespace

from insights import presenters
from insights.surveys import Round


def _dashboard(rounds):
    return SimpleNamespace(
        funnel=SimpleNamespace(interest=0, applied=3, accepted=2, matched=2),
        wellbeing={"distribution": [(s, 1) for s in range(1, 6)], "weeks": []},
        pairs=SimpleNamespace(last_checkin_bands={}, length_bands={}, end_reasons={}),
        surveys=SimpleNamespace(rounds=rounds),
        standups={},
        directory={},
    )


def _round(name, *, score_sum=0, score_n=0, promoters=0, detractors=0, nps_n=0):
    return Round(
        schedule_id=1,
        name=name,
        on=dt.date(2027, 2, 1),
        anonymous=False,
        score_sum=score_sum,
        score_n=score_n,
        promoters=promoters,
        detractors=detractors,
        nps_n=nps_n,
    )


def test_the_survey_score_axis_runs_from_1_to_5_whatever_the_scores():
    charts = presenters.cohort_charts(
        _dashboard(
            [_round("A", score_sum=393, score_n=100), _round("B", score_sum=386, score_n=100)]
        )
    )
    survey = charts["surveys"]
    assert (survey["yMin"], survey["yMax"]) == (1, 5)
    assert [ds["label"] for ds in survey["datasets"]] == ["Average score (1-5)"]  # one measure


def test_an_empty_nps_series_is_not_drawn_at_minus_100():
    charts = presenters.cohort_charts(_dashboard([_round("A", score_sum=4, score_n=1)]))
    assert "nps" not in charts
    assert all(ds.get("axis") != "y2" for c in charts.values() for ds in c["datasets"])


def test_nps_has_its_own_chart_on_a_fixed_scale_and_gaps_stay_gaps():
    rounds = [_round("A", promoters=3, nps_n=4), _round("B", score_sum=4, score_n=1)]
    charts = presenters.cohort_charts(_dashboard(rounds))
    nps = charts["nps"]
    assert (nps["yMin"], nps["yMax"]) == (-100, 100)
    assert nps["datasets"][0]["data"] == [75, None]  # round B had no NPS answer: a gap
    assert charts["surveys"]["datasets"][0]["data"] == [None, 4.0]


def test_the_wellbeing_trend_and_rates_have_fixed_ends():
    charts = presenters.cohort_charts(_dashboard([]))
    assert (charts["trend"]["yMin"], charts["trend"]["yMax"]) == (1, 5)
    assert (charts["community"]["yMin"], charts["community"]["yMax"]) == (0, 100)
    assert "surveys" not in charts and "nps" not in charts
