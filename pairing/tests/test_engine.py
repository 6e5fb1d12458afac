"""Tests for the pure pairing engine (run with plain pytest: ``-p no:django``)."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.engine import (
    PairingError,
    assignment_value,
    solve,
    solve_dense,
    solve_detailed,
    validate_assignment,
)

NAN = float("nan")


def brute_force(S: np.ndarray, cap) -> tuple[int, float]:
    """Best (cardinality, score) by enumerating every mentor-or-nobody choice per mentee."""
    n, m = S.shape
    best = (0, 0.0)
    for choice in itertools.product(range(-1, m), repeat=n):
        load = [0] * m
        ok = True
        tot, k = 0.0, 0
        for i, j in enumerate(choice):
            if j < 0:
                continue
            if math.isnan(S[i, j]):
                ok = False
                break
            load[j] += 1
            if load[j] > cap[j]:
                ok = False
                break
            tot += S[i, j]
            k += 1
        if ok and (k, tot) > best:
            best = (k, tot)
    return best


# ------------------------------------------------------------------------------ contract cases


def test_empty_inputs():
    assert solve(np.zeros((0, 3)), [1, 1, 1]) == []
    assert solve(np.zeros((3, 0)), []) == []
    assert solve(np.zeros((0, 0)), []) == []


def test_simple_best_score():
    S = np.array([[0.9, 0.1], [0.8, 0.7]])
    assert solve(S, [1, 1]) == [(0, 0), (1, 1)]


def test_capacity_limits_and_more_mentees_than_capacity():
    S = np.array([[0.9, 0.2], [0.8, 0.3], [0.7, 0.1], [0.6, 0.5]])
    pairs = solve(S, [2, 1])
    validate_assignment(S, [2, 1], pairs)
    assert len(pairs) == 3
    assert assignment_value(S, pairs)[1] == pytest.approx(0.9 + 0.8 + 0.5)


def test_nan_cells_never_used():
    S = np.array([[NAN, 0.5], [0.4, NAN], [NAN, NAN]])
    pairs = solve(S, [5, 5])
    assert pairs == [(0, 1), (1, 0)]


def test_zero_capacity_mentor():
    S = np.array([[1.0, 0.1], [0.9, 0.2]])
    assert solve(S, [0, 2]) == [(0, 1), (1, 1)]
    assert solve(S, [0, 0]) == []


def test_cardinality_beats_score():
    # greedy takes (0, 0) = 1.0 and then mentee 1 has nobody; optimum pairs both.
    S = np.array([[1.0, 0.9], [0.95, NAN]])
    pairs = solve(S, [1, 1])
    assert pairs == [(0, 1), (1, 0)]
    # a longer chain: max score alone would leave someone out
    S = np.array([[1.0, 0.0, NAN], [1.0, NAN, NAN], [NAN, 1.0, 0.0]])
    assert len(solve(S, [1, 1, 1])) == 3


def test_ties_and_all_zero_scores():
    S = np.zeros((4, 2))
    pairs = solve(S, [1, 2])
    validate_assignment(S, [1, 2], pairs)
    assert len(pairs) == 3


def test_locked_pairs():
    S = np.array([[0.9, 0.1], [0.8, 0.7], [0.1, 0.6]])
    pairs = solve(S, [1, 2], locked=[(0, 1)])
    assert (0, 1) in pairs
    validate_assignment(S, [1, 2], pairs)
    assert len(pairs) == 3
    assert set(pairs) == {(0, 1), (1, 0), (2, 1)}


def test_locked_pairs_validation():
    S = np.array([[NAN, 0.1], [0.8, 0.7]])
    with pytest.raises(PairingError):
        solve(S, [1, 1], locked=[(0, 0)])  # forbidden
    with pytest.raises(PairingError):
        solve(S, [1, 1], locked=[(1, 0), (1, 1)])  # mentee twice
    with pytest.raises(PairingError):
        solve(S, [1, 0], locked=[(0, 1)])  # over capacity
    with pytest.raises(PairingError):
        solve(S, [1, 1], locked=[(5, 0)])


def test_input_validation():
    with pytest.raises(PairingError):
        solve(np.array([[-0.1]]), [1])
    with pytest.raises(PairingError):
        solve(np.array([[np.inf]]), [1])
    with pytest.raises(PairingError):
        solve(np.array([[0.1, 0.2]]), [1])
    with pytest.raises(PairingError):
        solve(np.array([[0.1]]), [-1])


def test_dense_method_agrees():
    S = np.array([[0.9, 0.1, NAN], [0.8, 0.7, 0.2], [0.1, 0.6, 0.3]])
    a = solve(S, [1, 1, 1])
    b = solve(S, [1, 1, 1], method="dense")
    assert assignment_value(S, a) == pytest.approx(assignment_value(S, b))


def test_tiny_score_differences_respected():
    # differences of 1e-9 must still be resolved exactly
    S = np.array([[0.5, 0.5 + 1e-9], [0.5 + 2e-9, 0.5]])
    assert solve(S, [1, 1]) == [(0, 1), (1, 0)]


# ------------------------------------------------------------------------------ properties


@st.composite
def instances(draw):
    n = draw(st.integers(0, 5))
    m = draw(st.integers(0, 4))
    cells = draw(
        st.lists(
            st.one_of(
                st.just(NAN),
                st.floats(0, 1, allow_nan=False),
                st.sampled_from([0.0, 0.5, 1.0]),
            ),
            min_size=n * m,
            max_size=n * m,
        )
    )
    S = np.array(cells, dtype=np.float64).reshape(n, m)
    cap = draw(st.lists(st.integers(0, 2), min_size=m, max_size=m))
    return S, cap


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(instances())
def test_matches_brute_force(inst):
    S, cap = inst
    pairs = solve(S, cap)
    validate_assignment(S, cap, pairs)
    k, tot = assignment_value(S, pairs)
    bk, btot = brute_force(S, cap)
    assert k == bk
    assert tot == pytest.approx(btot, abs=1e-9)
    dk, dtot = assignment_value(S, solve(S, cap, method="dense"))
    assert (dk, dtot) == (k, pytest.approx(tot, abs=1e-9))


@settings(max_examples=60, deadline=None)
@given(instances(), st.data())
def test_locked_matches_brute_force(inst, data):
    S, cap = inst
    n, m = S.shape
    allowed = [(i, j) for i in range(n) for j in range(m) if not np.isnan(S[i, j]) and cap[j] > 0]
    if not allowed:
        return
    i, j = data.draw(st.sampled_from(allowed))
    pairs = solve(S, cap, locked=[(i, j)])
    assert (i, j) in pairs
    validate_assignment(S, cap, pairs)
    # brute force with the locked pair removed
    S2 = np.delete(S, i, axis=0)
    cap2 = list(cap)
    cap2[j] -= 1
    bk, btot = brute_force(S2, cap2)
    k, tot = assignment_value(S, pairs)
    assert k == bk + 1
    assert tot == pytest.approx(btot + S[i, j], abs=1e-9)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("shape", [(60, 25), (150, 90), (300, 120), (200, 400)])
def test_medium_random_against_dense_lsa(seed, shape):
    rng = np.random.default_rng(seed)
    n, m = shape
    a, b = rng.random((n, 5)), rng.random((m, 5))
    S = 0.6 * (a @ b.T) / 5 + 0.4 * rng.random((n, m))
    S[rng.random((n, m)) < [0.05, 0.3, 0.9][seed % 3]] = NAN
    cap = rng.integers(0 if seed % 2 else 1, 4, m)
    res = solve_detailed(S, cap, top_k=4)
    assert res.certified
    validate_assignment(S, cap, res.pairs)
    dense = solve_dense(S, cap)
    dk, dtot = assignment_value(S, dense)
    assert res.n_pairs == dk
    assert res.total_score == pytest.approx(dtot, abs=1e-9)


def test_certificate_duals_are_feasible():
    rng = np.random.default_rng(3)
    S = rng.random((80, 30))
    S[rng.random(S.shape) < 0.1] = NAN
    cap = rng.integers(0, 4, 30)
    res = solve_detailed(S, cap, top_k=3)
    assert res.certified and res.rounds >= 1
    assert res.mentee_dual is not None and (res.mentee_dual >= 0).all()
    assert (res.mentor_dual >= 0).all()


def test_large_scores_scale_invariant():
    rng = np.random.default_rng(1)
    S = rng.random((40, 10)) * 1000
    cap = [4] * 10
    a = solve(S, cap)
    b = solve(S / 1000, cap)
    assert a == b
