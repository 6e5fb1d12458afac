"""Smoke test of the benchmark (bench/pairing.py, tiny sizes) and its greedy baseline."""

from __future__ import annotations

import json

import numpy as np

from bench.pairing import greedy, main
from pairing.engine import assignment_value, solve, validate_assignment


def test_bench_prints_one_json_line_per_size(capsys):
    assert main(["--sizes", "30x12,60x20", "--in-process"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 2
    for line in lines:
        row = json.loads(line)
        for key in (
            "size",
            "total_s",
            "cpu_s",
            "score_s",
            "solve_s",
            "rss_peak_mb",
            "pairs",
            "optimal",
            "dense_lsa_s",
            "solve_speedup",
            "greedy_ratio",
            "score_cpu_s",
            "match_cpu_s",
            "duals_cpu_s",
            "rescored_rows",
            "exact_rows",
            "load_avg_1m_before",
            "load_avg_1m_after",
        ):
            assert key in row
        assert row["optimal"] is True
        assert row["certified"] is True
        assert 0 < row["greedy_ratio"] <= 1 + 1e-12


def test_greedy_is_feasible_and_never_beats_optimum():
    rng = np.random.default_rng(7)
    S = rng.random((50, 20))
    S[rng.random(S.shape) < 0.2] = np.nan
    cap = rng.integers(0, 4, 20)
    g = greedy(S, cap)
    validate_assignment(S, cap, g)
    gk, gt = assignment_value(S, g)
    ok, ot = assignment_value(S, solve(S, cap))
    assert (gk, gt) <= (ok, ot + 1e-9)
