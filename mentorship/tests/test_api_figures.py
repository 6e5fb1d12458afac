"""Every figure the API gives equals the dashboard's, on the demo programme (seed_demo).

The dashboards' own context (``response.context["d"]``, the objects the templates render) is
compared with the API's JSON field by field, for the programme and for each cohort, with and
without a date filter.
"""

import dataclasses

import pytest
from django.core.management import call_command
from django.urls import reverse

from api.services import api_token_create
from insights.selectors import headline as headline_of
from lib.audit import AuditContext
from people.models import User
from programmes.models import Programme

pytestmark = pytest.mark.django_db

HEADLINE = {
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


def _same_headline(page: dict, api: dict, where: str):
    assert set(page) == set(HEADLINE), "a new headline figure needs an API name"
    for label, value in page.items():
        assert api[HEADLINE[label]] == value, (where, label)


def _iso(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


@pytest.fixture
def demo(client):
    call_command("seed_demo")
    coordinator = User.objects.get(email="coordinator@example.com")
    _token, raw = api_token_create(
        user=coordinator, name="figures", scopes=["figures"], days=1, ctx=AuditContext()
    )
    client.force_login(coordinator)
    return Programme.objects.get(slug="data-science-accelerator"), {
        "Authorization": f"Bearer {raw}"
    }


QUERIES = ["", "?start=2026-09-01", "?start=2026-01-01&end=2026-06-30"]


def test_every_api_figure_equals_the_dashboards(client, demo):
    """One seeding (a minute), three date filters."""
    for query in QUERIES:
        _compare(client, *demo, query)


def _compare(client, programme, headers, query):
    url = reverse("insights:programme", args=[programme.slug])
    page = client.get(url + query).context["d"]
    api = client.get(f"/api/v1/figures/programmes/{programme.pk}{query}", headers=headers)
    assert api.status_code == 200
    api = api.json()
    assert api["window"] == {"start": _iso(page.window.start), "as_of": _iso(page.window.as_of)}
    assert [c["cohort_id"] for c in api["cohorts"]] == [c.cohort.pk for c in page.columns]
    assert page.columns, "the demo programme has cohorts in every filter tested"
    for column, out in zip(page.columns, api["cohorts"], strict=True):
        _same_headline(column.headline, out["headline"], column.cohort.name)
        assert out["returning_mentors"] == column.returning_mentors
        assert out["alumni_mentors"] == column.alumni_mentors
    retention = page.retention
    for key in ("mentors", "returning", "alumni", "returning_rate", "alumni_rate"):
        assert api["retention"][key] == retention[key], key
    assert {r["cohort_id"]: r for r in api["retention"]["per_cohort"]} == {
        pk: {"cohort_id": pk, **counts} for pk, counts in retention["per_cohort"].items()
    }
    assert api["talent_pool"] == page.talent_pool
    assert api["priorities"] == page.priorities
    for key in ("by_organisation", "by_grade"):
        rows = getattr(page, key)
        assert [b["label"] for b in api[key]] == [b.label for b in rows]
        for b, out in zip(rows, api[key], strict=True):
            assert out["hidden"] == b.hidden
            assert (out["people"], out["mentees"], out["mentors"]) == b.counts
            assert out["completion_rate"] == b.completion_rate

    for cohort in programme.cohorts.all():
        url = reverse("insights:cohort", args=[programme.slug, cohort.pk])
        page = client.get(url + query).context["d"]
        api = client.get(f"/api/v1/figures/cohorts/{cohort.pk}{query}", headers=headers).json()
        _same_headline(page.headline, api["headline"], cohort.name)
        assert api["headline"] == {HEADLINE[k]: v for k, v in headline_of(
            page.funnel, page.pairs, page.surveys, page.wellbeing.get("mean")).items()}  # fmt: skip
        for f in dataclasses.fields(page.funnel):
            if f.name != "working_pairs":
                assert api["funnel"][f.name] == getattr(page.funnel, f.name), f.name
        assert api["funnel"]["match_rate"] == page.funnel.match_rate
        assert api["funnel"]["mentor_utilisation"] == page.funnel.mentor_utilisation
        for f in dataclasses.fields(page.pairs):
            if f.name == "at_risk":
                assert api["pairs"]["at_risk"] == [
                    {"pair_id": p.pk, "reasons": list(p.reasons)} for p in page.pairs.at_risk
                ]
            else:
                assert api["pairs"][f.name] == getattr(page.pairs, f.name), f.name
        assert api["pairs"]["early_rate"] == page.pairs.early_rate
        assert api["pairs"]["completion_rate"] == page.pairs.completion_rate
        assert api["wellbeing"]["mean"] == page.wellbeing.get("mean")
        assert api["wellbeing"]["total"] == page.wellbeing.get("total", 0)
        assert [(d["score"], d["checkins"]) for d in api["wellbeing"]["distribution"]] == list(
            page.wellbeing.get("distribution", [])
        )
        assert api["wellbeing"]["weeks"] == [
            {**w, "week": _iso(w["week"])} for w in page.wellbeing.get("weeks", [])
        ]
        s = page.surveys
        for key in ("available", "invited", "answered", "response_rate", "score", "nps"):
            assert api["surveys"][key] == getattr(s, key), key
        assert [r["survey_id"] for r in api["surveys"]["rounds"]] == [
            r.schedule_id for r in s.rounds
        ]
        for r, out in zip(s.rounds, api["surveys"]["rounds"], strict=True):
            for key in ("invited", "answered", "responses", "response_rate", "score", "nps"):
                assert out[key] == getattr(r, key), key
            assert out["hidden"] == r.hidden
