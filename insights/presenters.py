"""Turn dashboard figures into chart data (for static/js/insights.js) and flat CSV rows.

Chart data is plain JSON, written into the page with ``json_script`` (no inline script):
``{"type": "bar"|"line", "labels": [...], "datasets": [{"label": ..., "data": [...]}],
"horizontal": bool, "suggestedMax": n, "yMin": n, "yMax": n, "yTitle": "..."}``. Every chart
has a table next to it made from the same figures, for screen readers and for people who prefer
numbers.

Charts must not mislead: a scale starts at its natural minimum and is fixed where the measure
has fixed ends (a 1-5 score from 1 to 5, NPS from -100 to 100, a rate from 0 to 100), so a change
of 0.08 does not fill the chart; a missing value is a gap (``None``), never plotted as a number;
and each chart has one measure on one axis.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.urls import reverse
from django.utils import timezone

from .definitions import LENGTH_BANDS, REASON_LABELS, rate
from .selectors import CohortDashboard, ProgrammeDashboard

END_REASON_LABELS = {
    "completed": "Completed the programme",
    "mentee_left": "Mentee left",
    "mentor_left": "Mentor left",
    "poor_fit": "Not a good fit",
    "workload": "Workload or time",
    "other": "Other",
}


SCORE_RANGE = {"yMin": 1, "yMax": 5}  # a 1-5 score or wellbeing
NPS_RANGE = {"yMin": -100, "yMax": 100}
PERCENT_RANGE = {"yMin": 0, "yMax": 100}


def _chart(kind, labels, datasets, **options) -> dict:
    labels = [str(label) for label in labels]
    return {"type": kind, "labels": labels, "datasets": datasets, **options}


def funnel_steps(d: CohortDashboard) -> list[tuple[str, int]]:
    f = d.funnel
    return [
        ("Registered interest", f.interest),
        ("Applied", f.applied),
        ("Accepted", f.accepted),
        ("Matched", f.matched),
    ]


def cohort_charts(d: CohortDashboard) -> dict:
    steps = funnel_steps(d)
    w = d.wellbeing
    community = {
        figure: value for _section, figure, value in community_rows(d.standups, d.directory)
    }
    charts = {
        "funnel": _chart(
            "bar",
            [label for label, _ in steps],
            [{"label": "Mentees", "data": [n for _, n in steps]}],
            horizontal=True,
        ),
        "community": _chart(
            "bar",
            ["Stand-up attendance", "Listed in the directory"],
            [{"label": "%", "data": [community["Attendance %"], community["Listed %"]]}],
            **PERCENT_RANGE,
        ),
        "wellbeing": _chart(
            "bar",
            [score for score, _ in w["distribution"]],
            [{"label": "Check-ins", "data": [n for _, n in w["distribution"]]}],
            xTitle="Wellbeing score (1 = struggling, 5 = thriving)",
        ),
        "trend": _chart(
            "line",
            [week["week"].isoformat() for week in w["weeks"]],
            [
                {"label": "Average wellbeing", "data": [week["wellbeing"] for week in w["weeks"]]},
                {"label": "Average rating", "data": [week["rating"] for week in w["weeks"]]},
            ],
            **SCORE_RANGE,
            xTitle="Week starting",
        ),
        "checkins": _chart(
            "bar",
            list(d.pairs.last_checkin_bands),
            [{"label": "Active pairs", "data": list(d.pairs.last_checkin_bands.values())}],
            xTitle="Time since the last check-in",
        ),
        "length": _chart(
            "bar",
            [label for label, _low, _high in LENGTH_BANDS],
            [{"label": "Pairs", "data": list(d.pairs.length_bands.values())}],
            xTitle="Relationship length",
        ),
        "endings": _chart(
            "bar",
            [END_REASON_LABELS.get(k, k) for k in d.pairs.end_reasons],
            [{"label": "Ended pairs", "data": list(d.pairs.end_reasons.values())}],
            horizontal=True,
        ),
    }
    rounds = [r for r in d.surveys.rounds if not r.hidden]
    labels = [f"{r.on:%d %b %Y} {r.name}" for r in rounds]
    if any(r.score is not None for r in rounds):
        charts["surveys"] = _chart(
            "line",
            labels,
            [{"label": "Average score (1-5)", "data": [r.score for r in rounds]}],
            **SCORE_RANGE,
        )
    if any(r.nps is not None for r in rounds):  # no NPS answers: no chart (never a -100)
        charts["nps"] = _chart(
            "line",
            labels,
            [{"label": "NPS (-100 to 100)", "data": [r.nps for r in rounds]}],
            **NPS_RANGE,
        )
    return charts


def at_risk_rows(d: CohortDashboard, rows, names: dict[int, tuple[str, str]]) -> list[dict]:
    """The at-risk table for ``rows`` (a page of ``d.pairs.at_risk``) as plain strings, with
    ``names`` (pair id: (mentee, mentor), insights.figures.pair_names): a cohort can have
    hundreds of rows, and the template engine is far slower than Python at formatting them."""
    marker = "987654321"
    link = reverse("pairing:detail", args=[int(marker)])
    out = []
    for p in rows:
        if p.last_met:
            days = (d.window.as_of - p.last_met).days
            last = f"{p.last_met.day} {p.last_met:%b %Y} ({days} day{'s' if days != 1 else ''} ago)"
        else:
            last = "never"
        out.append(
            {
                "pair": p,
                "url": link.replace(marker, str(p.pk)),
                "name": _pair_name(p.pk, names),
                "reasons": "; ".join(REASON_LABELS[r] for r in p.reasons),
                "last": last,
                "ratings": ", ".join(map(str, p.ratings)) or "–",
                "wellbeing": "; ".join(", ".join(map(str, w)) for w in p.wellbeing_by_person)
                or "–",
            }
        )
    return out


def _pair_name(pk: int, names: dict[int, tuple[str, str]]) -> str:
    mentee, mentor = names.get(pk, ("", ""))
    return f"{mentee} with {mentor}" if mentee or mentor else f"Pair {pk}"


def programme_charts(d: ProgrammeDashboard) -> dict:
    names = [c.cohort.name for c in d.columns]
    return {
        "rates": _chart(
            "bar",
            names,
            [
                {"label": "Match rate %", "data": [c.funnel.match_rate for c in d.columns]},
                {
                    "label": "Mentor utilisation %",
                    "data": [c.funnel.mentor_utilisation for c in d.columns],
                },
                {
                    "label": "Check-ins against plan %",
                    "data": [c.pairs.plan_rate for c in d.columns],
                },
            ],
            **PERCENT_RANGE,
        ),
        "outcomes": _chart(
            "bar",
            names,
            [
                {"label": "Completed", "data": [c.pairs.completed for c in d.columns]},
                {"label": "Ended early", "data": [c.pairs.early for c in d.columns]},
                {"label": "Active", "data": [c.pairs.active for c in d.columns]},
            ],
            stacked=True,
        ),
        "retention": _chart(
            "bar",
            names,
            [
                {"label": "Returning mentors", "data": [c.returning_mentors for c in d.columns]},
                {
                    "label": "Alumni who became mentors",
                    "data": [c.alumni_mentors for c in d.columns],
                },
            ],
        ),
        "community": _chart(
            "bar",
            names,
            [
                {"label": "Stand-up attendance %", "data": [c.standup_rate for c in d.columns]},
                {"label": "Listed in the directory %", "data": [c.listed_rate for c in d.columns]},
            ],
            **PERCENT_RANGE,
        ),
        "wellbeing": _chart(
            "line",
            names,
            [{"label": "Mean wellbeing", "data": [c.wellbeing_mean for c in d.columns]}],
            **SCORE_RANGE,
        ),
    }


# --- CSV ------------------------------------------------------------------------------------------

EXPORT_HEADER = ["cohort", "section", "figure", "value"]


#: Pairs at risk read (names) and written per step of the cohort export.
EXPORT_CHUNK = 500


def cohort_export_rows(d: CohortDashboard, names) -> tuple[int, Iterator[list]]:
    """The cohort export: its number of rows, and the rows as they are written. The pairs at
    risk (thousands at national scale) are named ``EXPORT_CHUNK`` at a time with ``names``
    (insights.figures.pair_names), so the export's memory does not grow with them."""
    head = _cohort_figure_rows(d)
    at_risk = d.pairs.at_risk
    name = d.cohort.name

    def rows():
        yield from head[0]
        for start in range(0, len(at_risk), EXPORT_CHUNK):
            chunk = at_risk[start : start + EXPORT_CHUNK]
            named = names(chunk)
            for q in chunk:
                # The same pairs and reasons as the dashboard, the pair page and the digest.
                reasons = "; ".join(REASON_LABELS[r] for r in q.reasons)
                yield [name, "Pairs at risk", f"{_pair_name(q.pk, named)} (pair {q.pk})", reasons]
        yield from head[1]

    return len(head[0]) + len(at_risk) + len(head[1]), rows()


def _cohort_figure_rows(d: CohortDashboard) -> tuple[list[list], list[list]]:
    """Every row of the cohort export but the pairs at risk: those before them, those after."""
    name = d.cohort.name
    f, p = d.funnel, d.pairs
    rows = about_rows(d, name)
    rows += [[name, "Headline", label, value] for label, value in d.headline.items()]
    rows += [[name, "Funnel", label, n] for label, n in funnel_steps(d)]
    rows += [
        [name, "Funnel", "Waitlisted (mentees)", f.waitlisted],
        [name, "Funnel", "Mentors accepted", f.mentors_accepted],
        [name, "Funnel", "Mentor capacity", f.mentor_capacity],
        [name, "Funnel", "Days from applications close to first pair", f.days_to_first_pair],
        [name, "Engagement", "Check-ins", p.checkins],
        [name, "Engagement", "Check-ins expected by the cadence", p.expected],
        [name, "Engagement", "Pairs on plan", p.pairs_on_plan],
        [name, "Engagement", "Median days to first check-in", p.days_to_first_median],
        [name, "Engagement", "Pairs with no check-in", p.never_met],
    ]
    rows += [[name, "Days since last check-in", k, v] for k, v in p.last_checkin_bands.items()]
    rows += [[name, "Wellbeing", f"Score {s}", n] for s, n in d.wellbeing["distribution"]]
    rows += [
        [name, "Longevity", "Mean relationship (days)", p.length_mean],
        [name, "Longevity", "Re-paired mentees", p.repaired_mentees],
        [name, "Longevity", "Ended, other reasons after the end date", p.ended_other],
    ]
    rows += [
        [name, "Ending reasons", END_REASON_LABELS.get(k, k), v] for k, v in p.end_reasons.items()
    ]
    rows += [[name, *row] for row in community_rows(d.standups, d.directory)]
    before, rows = rows, []
    for r in d.surveys.rounds:
        label = f"{r.name} ({r.on:%Y-%m-%d})"
        rows.append([name, "Surveys", f"{label}: response rate %", r.response_rate])
        if not r.hidden:
            rows.append([name, "Surveys", f"{label}: average score", r.score])
            rows.append([name, "Surveys", f"{label}: NPS", r.nps])
    return before, rows


def about_rows(d, name: str = "") -> list[list]:
    """What the figures are: their as-of date, the start of the date filter and when they were
    computed (cached figures are minutes old), so a downloaded file says it as the page does."""
    computed = getattr(d, "computed_at", None) or timezone.now()  # no cache: computed now
    return [
        [name, "About", "Figures as of", d.window.as_of.isoformat()],
        [
            name,
            "About",
            "Check-ins and surveys from",
            d.window.start.isoformat() if d.window.start else "",
        ],
        [
            name,
            "About",
            "Computed at",
            timezone.localtime(computed).isoformat(timespec="minutes"),
        ],
    ]


def programme_export_rows(d: ProgrammeDashboard) -> list[list]:
    rows = about_rows(d)
    for c in d.columns:
        rows += [[c.cohort.name, "Headline", k, v] for k, v in c.headline.items()]
        rows.append([c.cohort.name, "Retention", "Returning mentors", c.returning_mentors])
        rows.append([c.cohort.name, "Retention", "Alumni who became mentors", c.alumni_mentors])
        rows += [[c.cohort.name, *row] for row in community_rows(c.standups, c.directory)]
    rows.append(["", "Talent pool", "People", d.talent_pool["total"]])
    rows += [["", "Business priorities", p["name"], p["projects"]] for p in d.priorities]
    for title, groups in (("Organisation", d.by_organisation), ("Grade", d.by_grade)):
        for g in groups:
            rows.append(["", title, g.label, g.people_shown])
    return rows


def community_rows(standups: dict, directory: dict) -> list[list]:
    """Stand-up attendance and directory use as (section, figure, value) rows: the cohort
    dashboard's table and both CSV exports."""
    return [
        ["Stand-ups", "Stand-ups held so far", standups.get("occurrences", 0)],
        ["Stand-ups", "Attendances expected", standups.get("expected", 0)],
        ["Stand-ups", "Attendances recorded", standups.get("attended", 0)],
        ["Stand-ups", "Attendance %", rate(standups.get("attended"), standups.get("expected"))],
        ["Directory", "Accepted participants", directory.get("participants", 0)],
        ["Directory", "Listed in the directory", directory.get("listed", 0)],
        ["Directory", "Listed %", rate(directory.get("listed"), directory.get("participants"))],
        ["Directory", "Messages sent", directory.get("messages", 0)],
        ["Directory", "People who sent a message", directory.get("senders", 0)],
    ]


def with_tables(charts: dict) -> dict:
    """Each chart with the same figures as a table: ``{"spec", "head", "rows"}``."""
    result = {}
    for key, spec in charts.items():
        head = [""] + [ds["label"] for ds in spec["datasets"]]
        rows = [
            [label] + [ds["data"][i] for ds in spec["datasets"]]
            for i, label in enumerate(spec["labels"])
        ]
        result[key] = {"spec": spec, "head": head, "rows": rows}
    return result


def headline_matrix(d: ProgrammeDashboard) -> list[tuple[str, list]]:
    """Rows of figures, one column per cohort: the cohorts side by side."""
    heads = [c.headline for c in d.columns]
    if not heads:
        return []
    rows = [(label, [h[label] for h in heads]) for label in heads[0]]
    rows.append(("Returning mentors", [c.returning_mentors for c in d.columns]))
    rows.append(("Stand-up attendance %", [c.standup_rate for c in d.columns]))
    rows.append(("Listed in the directory %", [c.listed_rate for c in d.columns]))
    rows.append(("Alumni who became mentors", [c.alumni_mentors for c in d.columns]))
    return rows
