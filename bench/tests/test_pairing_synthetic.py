"""Pairing engine scoring on synthetic cohorts (bench/synthetic_pairing.py); here because the
apps may not import bench (mentorship/tests/test_layering.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.synthetic_pairing import make_cohort
from pairing.engine import COMPONENTS, ScoringConfig, score_matrices


def test_total_is_weighted_mean_in_unit_interval():
    mentees, mentors = make_cohort(60, 30, seed=4)
    cfg = ScoringConfig(weights={"skill_fit": 2.0, "interests": 1.0})
    res = score_matrices(mentees, mentors, cfg)
    expect = (2 * res.components["skill_fit"] + res.components["interests"]) / 3
    ok = ~res.forbidden
    assert np.allclose(res.scores[ok], expect[ok], atol=1e-6)
    assert np.all(np.isnan(res.scores[res.forbidden]))
    for c in COMPONENTS:
        assert res.components[c].min() >= 0 and res.components[c].max() <= 1


def test_scoring_on_synthetic_cohort_is_vectorised_and_consistent():
    mentees, mentors = make_cohort(40, 20, seed=2)
    res = score_matrices(mentees, mentors)
    for i, j in [(0, 0), (5, 7), (39, 19)]:
        single = score_matrices([mentees[i]], [mentors[j]])
        for c in COMPONENTS:
            assert res.components[c][i, j] == pytest.approx(single.components[c][0, 0], abs=1e-6)
