"""Pairing benchmark: ``make bench-pairing`` (``python -m bench.pairing [--national]``).

One JSON line per size, each measured in a fresh process (so ``rss_peak_mb``, the process's
``ru_maxrss`` right after the solve, is that size's own peak, C++ buffers included):

- ``total_s``: preparing the scorer + scoring every pair in blocks + the certified exact solve
  (``pairing.engine.blocks``), wall clock; ``cpu_s`` the same in process CPU time, which the
  other jobs on these two shared cores disturb much less; ``score_s`` / ``solve_s`` split it
  (``solve_s`` = candidates, matching, duals and certificate, excluding the scoring inside them).
- at sizes up to ``--dense-limit`` mentees x slots: ``dense_lsa_s`` / ``dense_lsa_cpu_s``, scipy's
  ``linear_sum_assignment`` on the dense capacity-expanded matrix of the same scores, in the same
  run, ``solve_speedup`` = dense / ours, and ``optimal`` (same pairs count, total within the
  quantum); ``greedy_ratio`` = greedy total / optimal total.
- ``load_avg_1m`` before and after: the machine is shared, so a slow line can be told from a slow
  build; ``targets`` and ``met`` state the issue's targets for that size.

Sizes: 100x50, 1000x500, 5000x2500, 10000x5000; ``--national`` adds 50000x25000 (a few minutes).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import sys
import time

import numpy as np

# The compiled min-cost-flow solver loads in about a second, once per process: before any clock.
import ortools.graph.python.min_cost_flow  # noqa: F401

from bench.synthetic_pairing import make_cohort
from pairing.engine.blocks import BlockScorer, solve_blocked
from pairing.engine.scoring import ScoringConfig
from pairing.engine.solver import assignment_value, solve_dense, validate_assignment

DEFAULT_SIZES = "100x50,1000x500,5000x2500,10000x5000"
NATIONAL = "50000x25000"
TARGETS = {
    "10000x5000": {"total_s": 10.0},
    "50000x25000": {"total_s": 120.0, "rss_peak_mb": 4096.0},
    "5000x2500": {"solve_speedup": 5.0},
}


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


def _load() -> float:
    return round(os.getloadavg()[0], 2)


def run_size(n: int, m: int, *, seed: int = 0, dense_limit: float = 3.0e7) -> dict:
    mentees, mentors = make_cohort(n, m, seed=seed, n_orgs=20)
    cfg = ScoringConfig(forbid_same_organisation=True)
    load_before = _load()
    timings: dict = {}
    t0, c0 = time.perf_counter(), time.process_time()
    scorer = BlockScorer(mentees, mentors, cfg)
    prep_s = time.perf_counter() - t0
    prep_cpu_s = time.process_time() - c0
    sol = solve_blocked(scorer, timings=timings)
    total_s = time.perf_counter() - t0
    cpu_s = time.process_time() - c0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = f"{n}x{m}"
    score_s = prep_s + timings.get("score_s", 0.0)
    out = {
        "size": size,
        "total_s": round(total_s, 3),
        "cpu_s": round(cpu_s, 3),
        "score_s": round(score_s, 3),
        "solve_s": round(total_s - score_s, 3),
        "candidates_s": round(timings.get("candidates_s", 0.0), 3),
        "match_s": round(timings.get("match_s", 0.0), 3),
        "duals_s": round(timings.get("duals_s", 0.0), 3),
        "certificate_s": round(timings.get("certificate_s", 0.0), 3),
        "score_cpu_s": round(prep_cpu_s + timings.get("score_cpu_s", 0.0), 3),
        "match_cpu_s": round(timings.get("match_cpu_s", 0.0), 3),
        "duals_cpu_s": round(timings.get("duals_cpu_s", 0.0), 3),
        "rescored_rows": timings.get("rescored_rows"),
        "exact_rows": timings.get("exact_rows"),
        "rss_peak_mb": round(rss, 1),
        "pairs": sol.n_pairs,
        "total_score": round(sol.total_score, 6),
        "certified": sol.certified,
        "method": sol.method,
        "rounds": sol.rounds,
        "candidate_edges": sol.candidate_edges,
        "blocks_cached": timings.get("cached"),
        "quantum": sol.quantum,
        "slots": int(scorer.capacity.sum()),
        "optimal": None,
        "dense_lsa_s": None,
        "dense_lsa_cpu_s": None,
        "solve_speedup": None,
        "solve_speedup_cpu": None,
        "greedy_ratio": None,
    }
    if n * int(scorer.capacity.sum()) <= dense_limit:
        scores = scorer.dense().astype(np.float64)
        validate_assignment(scores, scorer.capacity, sol.pairs)
        t, c = time.perf_counter(), time.process_time()
        dense = solve_dense(scores, scorer.capacity)
        out["dense_lsa_s"] = round(time.perf_counter() - t, 3)
        out["dense_lsa_cpu_s"] = round(time.process_time() - c, 3)
        dn, dt = assignment_value(scores, dense)
        tol = max(1e-9, sol.n_pairs * sol.quantum)
        out["optimal"] = bool(dn == sol.n_pairs and sol.total_score >= dt - tol)
        solve_cpu = cpu_s - prep_cpu_s - timings.get("score_cpu_s", 0.0)
        out["solve_speedup"] = round(out["dense_lsa_s"] / max(out["solve_s"], 1e-9), 2)
        out["solve_speedup_cpu"] = round(out["dense_lsa_cpu_s"] / max(solve_cpu, 1e-9), 2)
        g = greedy(scores, scorer.capacity)
        out["greedy_ratio"] = round(assignment_value(scores, g)[1] / sol.total_score, 6)
    out["load_avg_1m_before"] = load_before
    out["load_avg_1m_after"] = _load()
    targets = TARGETS.get(size)
    if targets:
        out["targets"] = targets
        out["met"] = all(
            out[k] is not None and (out[k] >= v if k == "solve_speedup" else out[k] <= v)
            for k, v in targets.items()
        )
    return out


def _child(n, m, seed, dense_limit, queue):
    queue.put(run_size(n, m, seed=seed, dense_limit=dense_limit))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="bench.pairing", description=__doc__)
    ap.add_argument("--sizes", default=DEFAULT_SIZES, help="comma list of MENTEESxMENTORS")
    ap.add_argument("--national", action="store_true", help=f"add {NATIONAL} (minutes)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument(
        "--dense-limit",
        type=float,
        default=3.0e7,
        help="compare with dense linear_sum_assignment when mentees * slots <= this (3e7)",
    )
    ap.add_argument("--in-process", action="store_true", help="no child process per size")
    args = ap.parse_args(argv)
    sizes = args.sizes.split(",") + ([NATIONAL] if args.national else [])
    ctx = multiprocessing.get_context("fork")
    for tok in sizes:
        n, m = (int(x) for x in tok.lower().split("x"))
        if args.in_process:
            row = run_size(n, m, seed=args.seed, dense_limit=args.dense_limit)
        else:
            queue = ctx.Queue()
            proc = ctx.Process(target=_child, args=(n, m, args.seed, args.dense_limit, queue))
            proc.start()
            row = queue.get()
            proc.join()
        print(json.dumps(row), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
