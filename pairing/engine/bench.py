"""Benchmark: ``python -m pairing.engine.bench [--sizes 100x50,1000x500,...]``.

Prints one JSON object per size.  ``peak_mb`` is the tracemalloc peak of scoring + solving
(numpy/Python allocations); ``rss_mb`` is ``resource.getrusage(RUSAGE_SELF).ru_maxrss`` of the
whole process so far (includes C++ allocations inside scipy and the benchmark's own checks).
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import time
import tracemalloc

import numpy as np

from .scoring import ScoringConfig, score_matrices
from .solver import assignment_value, solve_dense, solve_detailed, validate_assignment
from .synthetic import make_cohort

DEFAULT_SIZES = "100x50,1000x500,5000x2500,10000x5000"


def greedy(scores: np.ndarray, capacity) -> list[tuple[int, int]]:
    """Baseline: sort all allowed pairs by score, take each if both sides are still free."""
    S = np.asarray(scores, dtype=np.float64)
    n, m = S.shape
    cap = np.asarray(capacity, dtype=np.int64).copy()
    flat = S.ravel()
    valid = np.flatnonzero(~np.isnan(flat))
    order = valid[np.argsort(-flat[valid], kind="stable")]
    del valid
    free = np.ones(n, dtype=bool)
    pairs: list[tuple[int, int]] = []
    chunk = 200_000
    for c0 in range(0, order.size, chunk):
        idx = order[c0 : c0 + chunk]
        ii, jj = idx // m, idx % m
        sel = free[ii] & (cap[jj] > 0)
        for i, j in zip(ii[sel].tolist(), jj[sel].tolist(), strict=True):
            if free[i] and cap[j] > 0:
                free[i] = False
                cap[j] -= 1
                pairs.append((i, j))
        if not free.any() or not (cap > 0).any():
            break
    return pairs


def run_size(n: int, m: int, *, seed: int = 0, dense_limit: float = 3.0e7) -> dict:
    mentees, mentors = make_cohort(n, m, seed=seed, n_orgs=20)
    cfg = ScoringConfig(forbid_same_organisation=True)
    tracemalloc.start()
    t0 = time.perf_counter()
    res = score_matrices(mentees, mentors, cfg)
    score_s = time.perf_counter() - t0
    scores, cap = res.scores, res.capacity
    del res  # components are not needed by the solver
    t0 = time.perf_counter()
    sol = solve_detailed(scores, cap)
    solve_s = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    validate_assignment(scores, cap, sol.pairs)
    out = {
        "size": f"{n}x{m}",
        "score_s": round(score_s, 3),
        "solve_s": round(solve_s, 3),
        "peak_mb": round(peak / 2**20, 1),
        "pairs": sol.n_pairs,
        "total_score": round(sol.total_score, 6),
        "optimal": None,
        "greedy_ratio": None,
        "greedy_pairs": None,
        "slots": int(cap.sum()),
        "forbidden_frac": round(float(np.isnan(scores).mean()), 4),
        "certified": sol.certified,
        "method": sol.method,
        "rounds": sol.rounds,
        "candidate_edges": sol.candidate_edges,
        "quantum": sol.quantum,
        "dense_s": None,
    }
    if n * int(cap.sum()) <= dense_limit:
        t0 = time.perf_counter()
        dense = solve_dense(scores, cap)
        out["dense_s"] = round(time.perf_counter() - t0, 3)
        dn, dt = assignment_value(scores, dense)
        tol = max(1e-9, sol.n_pairs * sol.quantum)
        out["optimal"] = bool(dn == sol.n_pairs and sol.total_score >= dt - tol)
    g = greedy(scores, cap)
    gn, gt = assignment_value(scores, g)
    out["greedy_pairs"] = gn
    out["greedy_ratio"] = round(gt / sol.total_score, 6) if sol.total_score else None
    out["rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="pairing-benchmark", description=__doc__)
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="comma list of MENTEESxMENTORS")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--dense-limit",
        type=float,
        default=3.0e7,
        help="run the dense check when mentees * slots <= this (default 3e7, ~60 s)",
    )
    args = ap.parse_args(argv)
    for tok in args.sizes.split(","):
        n, m = (int(x) for x in tok.lower().split("x"))
        print(json.dumps(run_size(n, m, seed=args.seed, dense_limit=args.dense_limit)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
