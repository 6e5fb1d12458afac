"""The dashboards' figures as plain data: the insights selectors' own objects, renamed, never
recomputed, so the API and the pages always agree (tested on the demo programme)."""

from __future__ import annotations

from dataclasses import asdict

from insights import selectors as insights

# The dashboards' "at a glance" labels (insights.selectors.headline) and their API names.
HEADLINE_KEYS = {
    "Applied (mentees)": "applied_mentees",
    "Accepted (mentees)": "accepted_mentees",
    "Matched": "matched",
    "Match rate %": "match_rate",
    "Mentor utilisation %": "mentor_utilisation",
    "Pairs": "pairs",
    "Check-ins per pair": "checkins_per_pair",
    "Check-ins against plan %": "checkins_against_plan",
    "At risk now": "at_risk_now",
    "Completed": "completed",
    "Ended early": "ended_early",
    "Median relationship (days)": "median_relationship_days",
    "Mean wellbeing": "mean_wellbeing",
    "Survey response rate %": "survey_response_rate",
    "NPS": "nps",
}


def headline(figures: dict) -> dict:
    return {HEADLINE_KEYS[label]: value for label, value in figures.items()}


def window(w) -> dict:
    return {"start": w.start, "as_of": w.as_of}


def funnel(f) -> dict:
    out = asdict(f)
    out.pop("working_pairs", None)
    return {**out, "match_rate": f.match_rate, "mentor_utilisation": f.mentor_utilisation}


def pairs(s) -> dict:
    out = {k: v for k, v in asdict(s).items() if k != "at_risk"}
    out["early_rate"] = s.early_rate
    out["completion_rate"] = s.completion_rate
    out["at_risk"] = [{"pair_id": p.pk, "reasons": reasons} for p, reasons in s.at_risk]
    return out


def wellbeing(w: dict) -> dict:
    return {
        "distribution": [{"score": s, "checkins": n} for s, n in w.get("distribution", [])],
        "total": w.get("total", 0),
        "mean": w.get("mean"),
        "weeks": w.get("weeks", []),
    }


def surveys(s) -> dict:
    """Counts, rates, scores and NPS of each round (anonymity rule already applied by
    insights.surveys); the free-text comments are left out: aggregates only."""
    return {
        "available": s.available,
        "invited": s.invited,
        "answered": s.answered,
        "response_rate": s.response_rate,
        "score": s.score,
        "nps": s.nps,
        "rounds": [
            {
                "survey_id": r.schedule_id,
                "name": r.name,
                "on": r.on,
                "anonymous": r.anonymous,
                "invited": r.invited,
                "answered": r.answered,
                "responses": r.responses,
                "response_rate": r.response_rate,
                "score": r.score,
                "nps": r.nps,
                "hidden": r.hidden,
            }
            for r in s.rounds
        ],
    }


def cohort_figures(*, cohort, start, end) -> dict:
    w = insights.window_for(start=start, end=end)
    d = insights.cohort_dashboard(cohort=cohort, window=w)
    return {
        "cohort_id": cohort.pk,
        "programme_id": cohort.programme_id,
        "window": window(d.window),
        "cadence_days": d.cadence_days,
        "headline": headline(d.headline),
        "funnel": funnel(d.funnel),
        "pairs": pairs(d.pairs),
        "wellbeing": wellbeing(d.wellbeing),
        "surveys": surveys(d.surveys),
    }


def breakdown(rows) -> list[dict]:
    return [
        {
            "label": b.label,
            "hidden": b.hidden,
            "people": b.counts[0],
            "mentees": b.counts[1],
            "mentors": b.counts[2],
            "completion_rate": b.completion_rate,
        }
        for b in rows
    ]


def programme_figures(*, programme, start, end) -> dict:
    w = insights.window_for(start=start, end=end)
    d = insights.programme_dashboard(programme=programme, window=w, start=start, end=end)
    r = d.retention
    return {
        "programme_id": programme.pk,
        "window": window(d.window),
        "cohorts": [
            {
                "cohort_id": c.cohort.pk,
                "name": c.cohort.name,
                "headline": headline(c.headline),
                "returning_mentors": c.returning_mentors,
                "alumni_mentors": c.alumni_mentors,
            }
            for c in d.columns
        ],
        "retention": {
            "mentors": r["mentors"],
            "returning": r["returning"],
            "alumni": r["alumni"],
            "returning_rate": r["returning_rate"],
            "alumni_rate": r["alumni_rate"],
            "per_cohort": [
                {"cohort_id": pk, **counts} for pk, counts in sorted(r["per_cohort"].items())
            ],
        },
        "talent_pool": d.talent_pool,
        "priorities": d.priorities,
        "by_organisation": breakdown(d.by_organisation),
        "by_grade": breakdown(d.by_grade),
    }
