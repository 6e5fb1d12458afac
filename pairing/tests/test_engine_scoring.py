"""Scoring components, hard rules, explanations, shortlists and choice mode."""

from __future__ import annotations

import numpy as np
import pytest

from pairing.engine import (
    Person,
    ScoringConfig,
    apply_mentee_ranks,
    explain,
    score_matrices,
    shortlist,
    solve,
    unmatched_reasons,
)

SKILLS = {1: "Python", 2: "SQL", 3: "Geospatial analysis", 4: "Leadership"}
INTERESTS = {10: "geospatial", 11: "climbing", 12: "jazz"}


def mentee(**kw):
    base = {"id": "a", "email": "a@x.org", "grade": 3}
    base.update(kw)
    return Person(**base)


def mentor(**kw):
    base = {"id": "b", "email": "b@x.org", "grade": 5, "capacity": 1}
    base.update(kw)
    return Person(**base)


def comp(me, mo, name, cfg=None):
    return float(score_matrices([me], [mo], cfg).components[name][0, 0])


# ------------------------------------------------------------------------------ components


def test_skill_fit_priority_and_level_gap():
    me = mentee(wants={1: (1, 3), 2: (1, 1)})
    assert comp(me, mentor(teaches={1: 4, 2: 4}), "skill_fit") == pytest.approx(1.0)
    assert comp(me, mentor(teaches={}), "skill_fit") == 0.0
    only_high = comp(me, mentor(teaches={1: 4}), "skill_fit")
    only_low = comp(me, mentor(teaches={2: 4}), "skill_fit")
    assert only_high == pytest.approx(0.75) and only_low == pytest.approx(0.25)
    # mentor should know more than the mentee
    me2 = mentee(wants={1: (3, 2)})
    assert (
        comp(me2, mentor(teaches={1: 4}), "skill_fit")
        > comp(me2, mentor(teaches={1: 3}), "skill_fit")
        > comp(me2, mentor(teaches={1: 2}), "skill_fit")
    )


def test_mutual():
    me = mentee(teaches={2: 4})
    assert comp(me, mentor(wants={2: (1, 2)}), "mutual") == pytest.approx(1.0)
    assert comp(me, mentor(wants={1: (1, 2)}), "mutual") == 0.0


def test_interests_jaccard():
    me = mentee(interests={10, 11})
    assert comp(me, mentor(interests={10, 12}), "interests") == pytest.approx(1 / 3)
    assert comp(me, mentor(interests={10, 11}), "interests") == pytest.approx(1.0)
    assert comp(mentee(), mentor(), "interests") == 0.0


def test_project_fit():
    me = mentee(project_skills={1, 3})
    assert comp(me, mentor(teaches={1: 4, 3: 3}), "project_fit") == pytest.approx(1.0)
    assert comp(me, mentor(teaches={1: 4}), "project_fit") == pytest.approx(0.5)
    assert comp(me, mentor(teaches={2: 4}), "project_fit") == 0.0


def test_seniority_window_and_decay():
    cfg = ScoringConfig(min_grade_gap=1, max_grade_gap=2, grade_decay=0.5)
    me = mentee(grade=3)
    assert comp(me, mentor(grade=4), "seniority", cfg) == 1.0
    assert comp(me, mentor(grade=5), "seniority", cfg) == 1.0
    assert comp(me, mentor(grade=6), "seniority", cfg) == pytest.approx(0.5)
    assert comp(me, mentor(grade=3), "seniority", cfg) == pytest.approx(0.5)
    assert comp(me, mentor(grade=1), "seniority", cfg) == pytest.approx(0.125)


def test_practicalities_timezone_and_location():
    me = mentee(utc_offset=0, work_start=9, work_end=17)
    assert comp(me, mentor(utc_offset=0), "practicalities") == 1.0
    ny = comp(me, mentor(utc_offset=-5), "practicalities")  # 3 h overlap
    assert ny == pytest.approx(3 / 6)
    assert comp(me, mentor(utc_offset=10), "practicalities") == 0.0
    me_ip = mentee(wants_in_person=True, location="Leeds")
    assert comp(me_ip, mentor(location="Leeds"), "practicalities") == 1.0
    assert comp(me_ip, mentor(location="London"), "practicalities") == pytest.approx(0.5)


def _forbidden(me, mo, cfg=None):
    res = score_matrices([me], [mo], cfg)
    return bool(res.forbidden[0, 0]), np.isnan(res.scores[0, 0])


def test_rule_same_person():
    assert _forbidden(mentee(id=1), mentor(id=1)) == (True, True)
    assert _forbidden(mentee(email="X@x.org"), mentor(email="x@x.org"))[0]
    assert not _forbidden(mentee(), mentor())[0]


def test_rule_line_manager():
    assert _forbidden(mentee(line_manager_email="B@x.org"), mentor())[0]
    assert not _forbidden(mentee(line_manager_email="c@x.org"), mentor())[0]


def test_rule_same_team_and_org_optional():
    me, mo = mentee(team="t", organisation="o"), mentor(team="t", organisation="o")
    assert not _forbidden(me, mo)[0]
    assert _forbidden(me, mo, ScoringConfig(forbid_same_team=True))[0]
    assert _forbidden(me, mo, ScoringConfig(forbid_same_organisation=True))[0]
    assert not _forbidden(mentee(), mentor(), ScoringConfig(forbid_same_team=True))[0]


def test_rule_previous_pairs():
    cfg = ScoringConfig(previous_pairs={("a", "b")})
    assert _forbidden(mentee(), mentor(), cfg)[0]
    cfg.allow_previous_pairs = True
    assert not _forbidden(mentee(), mentor(), cfg)[0]


def test_rule_coordinator_excluded():
    assert _forbidden(mentee(), mentor(), ScoringConfig(excluded_pairs={("a", "b")}))[0]


def test_rule_capacity_zero():
    assert _forbidden(mentee(), mentor(capacity=0))[0]


# ------------------------------------------------------------------------------ explanations


def test_explain_names_real_skills_and_interests():
    me = mentee(
        wants={1: (1, 3), 3: (2, 1)},
        interests={10, 11},
        project_skills={3},
        utc_offset=0,
    )
    mo = mentor(teaches={1: 4, 3: 3}, interests={10}, wants={2: (1, 2)}, utc_offset=-1)
    me.teaches = {2: 3}
    out = explain(me, mo, skill_names=SKILLS, interest_names=INTERESTS)
    reasons = out["reasons"]
    assert "teaches Python (level 4) — mentee wants Python (priority high)" in reasons
    assert any("Geospatial analysis" in r and "priority low" in r for r in reasons)
    assert "both interested in geospatial" in reasons
    assert any(r.startswith("mentee can teach SQL") for r in reasons)
    assert any("project" in r and "Geospatial analysis" in r for r in reasons)
    assert "grade gap 2 within window [1, 3]" in reasons
    assert "working hours overlap 7 h" in reasons
    total = sum(c["contribution"] for c in out["components"].values())
    assert out["total"] == pytest.approx(total, abs=1e-6)
    assert out["allowed"]


def test_explain_blocked_pair():
    out = explain(mentee(line_manager_email="b@x.org"), mentor())
    assert not out["allowed"] and out["total"] is None
    assert "not allowed: mentor is line manager" in out["reasons"]


def test_unmatched_reasons():
    mentees = [
        mentee(id=1, email="1@x"),
        mentee(id=2, email="2@x", line_manager_email="m@x"),
        mentee(id=3, email="3@x"),
    ]
    mentors = [mentor(id="m", email="m@x", capacity=1)]
    res = score_matrices(mentees, mentors)
    pairs = solve(res.scores, res.capacity)
    assert len(pairs) == 1
    reasons = unmatched_reasons(res.scores, res.capacity, pairs, rule_counts=res.rule_counts)
    assert reasons[1].startswith("no mentor passes the hard rules")
    assert "mentor is line manager (1 mentors)" in reasons[1]
    unmatched_other = ({0, 2} - {pairs[0][0]}).pop()
    assert reasons[unmatched_other].startswith("all eligible mentors' capacity is used")


# ------------------------------------------------------------------------------ shortlist / ranks


def test_shortlist():
    S = np.array([[0.2, np.nan, 0.9, 0.5, 0.9]])
    assert shortlist(S, 0, 3) == [(2, 0.9), (4, 0.9), (3, 0.5)]
    assert shortlist(np.array([[np.nan]]), 0, 3) == []


def test_mentee_ranks_change_the_solution():
    S = np.array([[0.6, 0.5], [0.6, 0.5]])
    base = solve(S, [1, 1])
    ranked = apply_mentee_ranks(S, {1: [0, 1]}, bonus=0.5)
    assert ranked[1, 0] == pytest.approx(1.1) and ranked[1, 1] == pytest.approx(0.75)
    assert (1, 0) in solve(ranked, [1, 1])
    assert base != [] and S[0, 0] == 0.6  # input untouched
    strict = apply_mentee_ranks(S, {0: [1]}, restrict=True)
    assert np.isnan(strict[0, 0]) and strict[0, 1] == pytest.approx(1.0)
