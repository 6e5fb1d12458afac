"""Block scoring and the certified solve without a dense matrix (pairing/engine/blocks.py)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.synthetic_pairing import make_cohort
from pairing.engine import assignment_value, solve_dense, validate_assignment
from pairing.engine.blocks import BlockScorer, solve_blocked
from pairing.engine.scoring import ScoringConfig, score_matrices


def _cohort(n, m, seed=3):
    mentees, mentors = make_cohort(n, m, seed=seed, n_orgs=6)
    mentees[0].line_manager_email = mentors[0].email
    mentors[1].email = mentees[1].email  # the same person on both sides
    mentors[2].capacity = 0
    cfg = ScoringConfig(
        forbid_same_organisation=True,
        previous_pairs={(mentees[2].id, mentors[3].id)},
        excluded_pairs={(mentees[3].id, mentors[4].id)},
    )
    return mentees, mentors, cfg


@pytest.mark.parametrize("forbid_team", [False, True])
def test_block_scores_are_score_matrices_to_float32_rounding(forbid_team):
    mentees, mentors, cfg = _cohort(120, 45)
    cfg.forbid_same_team = forbid_team
    reference = score_matrices(mentees, mentors, cfg).scores
    blocks = BlockScorer(mentees, mentors, cfg).dense()
    assert np.array_equal(np.isnan(reference), np.isnan(blocks))
    assert np.nanmax(np.abs(reference - blocks)) < 1e-5
    assert np.isnan(blocks[0, 0]) and np.isnan(blocks[1, 1]) and np.isnan(blocks[:, 2]).all()
    assert np.isnan(blocks[2, 3]) and np.isnan(blocks[3, 4])


def test_a_block_is_the_same_whatever_the_block_boundaries():
    mentees, mentors, cfg = _cohort(90, 30)
    scorer = BlockScorer(mentees, mentors, cfg)
    whole = scorer.scores(0, 90)
    parts = np.vstack([scorer.scores(r0, r0 + 7) for r0 in range(0, 90, 7)])
    assert np.array_equal(whole, parts, equal_nan=True)


@pytest.mark.parametrize(
    ("n", "m", "cache_bytes", "block_rows", "seed"),
    [
        (60, 25, 1e9, None, 0),
        (150, 40, 0, 16, 1),  # no cache: every round scores the blocks again
        (200, 120, 0, 33, 2),
        (300, 60, 1e9, 50, 3),
    ],
)
def test_solve_blocked_is_as_good_as_the_dense_formulation(n, m, cache_bytes, block_rows, seed):
    mentees, mentors, cfg = _cohort(n, m, seed=seed)
    scorer = BlockScorer(mentees, mentors, cfg)
    scores = scorer.dense().astype(np.float64)

    result = solve_blocked(scorer, cache_bytes=cache_bytes, block_rows=block_rows, top_k=3)

    validate_assignment(scores, scorer.capacity, result.pairs)
    assert result.certified
    dense = assignment_value(scores, solve_dense(scores, scorer.capacity))
    got = assignment_value(scores, result.pairs)
    assert got[0] == dense[0]
    assert got[1] >= dense[1] - max(1e-9, got[0] * result.quantum)


def test_solve_blocked_certificate_holds_over_every_allowed_pair():
    mentees, mentors, cfg = _cohort(80, 30, seed=5)
    scorer = BlockScorer(mentees, mentors, cfg)
    result = solve_blocked(scorer, top_k=2, cache_bytes=0, block_rows=9)
    scores = scorer.dense().astype(np.float64)
    w = np.rint(scores * 2**result.bits)
    big = min(80, int(scorer.capacity.sum())) * 2**result.bits + 1
    u = result.mentee_dual.astype(np.float64)
    v = result.mentor_dual.astype(np.float64)
    allowed = ~np.isnan(w)
    assert np.all((u[:, None] + v[None, :] >= w + big)[allowed])
    assert result.rounds >= 1


def test_solve_blocked_with_nobody_to_pair():
    mentees, mentors, cfg = _cohort(10, 5)
    for p in mentors:
        p.capacity = 0
    result = solve_blocked(BlockScorer(mentees, mentors, cfg))
    assert result.pairs == [] and result.certified


def test_scores_of_any_row_set_are_the_block_scores_bit_for_bit():
    mentees, mentors, cfg = _cohort(70, 30)
    scorer = BlockScorer(mentees, mentors, cfg)
    whole = scorer.scores(0, 70, fill=-np.inf)
    rows = np.array([0, 3, 4, 17, 40, 69])
    assert np.array_equal(scorer.scores(rows=rows, fill=-np.inf), whole[rows])
    assert np.array_equal(np.isneginf(whole), np.isnan(scorer.scores(0, 70)))


@pytest.mark.parametrize(
    "options",
    [
        # weak bounds: most rows are scored again, some checked pair by pair
        {"keep": 1, "groups": 1, "top_k": 1, "n_random": 0, "col_extra": 0},
        {"keep": 2, "groups": 1, "top_k": 1, "margin": 0.0},
        # no rescoring before the T lists are settled
        {"keep": 4, "groups": 3, "top_k": 2, "rescore_below": 0.0},
    ],
)
@pytest.mark.parametrize(("n", "m", "seed"), [(150, 40, 1), (200, 120, 2), (300, 60, 3)])
def test_every_certificate_path_gives_the_optimum(options, n, m, seed):
    mentees, mentors, cfg = _cohort(n, m, seed=seed)
    scorer = BlockScorer(mentees, mentors, cfg)
    scores = scorer.dense().astype(np.float64)
    timings: dict = {}
    result = solve_blocked(scorer, cache_bytes=0, block_rows=17, timings=timings, **options)
    validate_assignment(scores, scorer.capacity, result.pairs)
    assert result.certified
    dense = assignment_value(scores, solve_dense(scores, scorer.capacity))
    got = assignment_value(scores, result.pairs)
    assert got[0] == dense[0]
    assert got[1] >= dense[1] - max(1e-9, got[0] * result.quantum)
    assert abs(result.total_score - got[1]) < 1e-3  # float32 scores summed
    # the duals returned are feasible over every allowed pair
    w = np.rint(scores * 2**result.bits)
    big = min(n, int(scorer.capacity.sum())) * 2**result.bits + 1
    u = result.mentee_dual.astype(np.float64)
    v = result.mentor_dual.astype(np.float64)
    allowed = ~np.isnan(w)
    assert np.all((u[:, None] + v[None, :] >= w + big)[allowed])
    if options["keep"] == 1:
        assert timings["exact_rows"] > 0  # the pair-by-pair path ran
