"""Scoring in row blocks, for cohorts too large for a dense n x m matrix.

:class:`BlockScorer` prepares every per-person operand once (sparse skill, project and interest
matrices, one lookup table for seniority + practicalities over distinct profiles, the sparse hard
rules) and then computes the total score of any block of mentees against every mentor, as a
float32 ``(rows, n_mentors)`` array with NaN for forbidden pairs. Memory is O(n + m) plus one
block, so 50,000 x 25,000 (1.25e9 pairs, 10 GB as one float64 matrix) scores in a few hundred MB.

The components and their weights are those of :func:`score_matrices` (see its docstring and
docs/pairing-engine.md); the arithmetic is float32 and fused (skill fit and project fit are one
sparse product, the weights are folded into the operands), so a total differs from
``score_matrices(...).scores`` by float32 rounding only (below 1e-5). Solving with
:func:`pairing.engine.solve_blocked` is exact and certified *for these scores*.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from .scoring import (
    COMPONENTS,
    LEVEL_FIT,
    Person,
    ScoringConfig,
    _Codes,
    _interest_codes,
    _level_prio,
    _set_matrix,
    _skill_codes,
    timezone_overlap_hours,
)

__all__ = ["BlockScorer"]


def _wants_matrix(people: Sequence[Person], skills: _Codes, K: int, scale: float):
    """(len(people), 5K) CSR: priority share of each wanted (level, skill), times ``scale``."""
    r, c, lev, pri = _level_prio(people, skills, "wants")
    n = len(people)
    if r.size == 0:
        return sp.csr_matrix((n, 5 * K), dtype=np.float32)
    total = np.bincount(r, weights=pri, minlength=n)
    return sp.csr_matrix(
        ((pri / total[r] * scale).astype(np.float32), (r, lev * K + c)),
        shape=(n, 5 * K),
        dtype=np.float32,
    )


def _teaches_fit(people: Sequence[Person], skills: _Codes, K: int) -> np.ndarray:
    """(5K, len(people)) float32: LEVEL_FIT[taught level, wanted level b] in row (b, skill)."""
    r, c, lev, _ = _level_prio(people, skills, "teaches")
    G = np.zeros((5 * K, len(people)), dtype=np.float32)
    for b in range(5):
        G[b * K + c, r] = LEVEL_FIT[lev, b]
    return G


class BlockScorer:
    """Total scores of mentee blocks against all mentors (float32, NaN = forbidden)."""

    def __init__(
        self,
        mentees: Sequence[Person],
        mentors: Sequence[Person],
        config: ScoringConfig | None = None,
        *,
        capacity: Sequence[int] | None = None,
    ):
        cfg = config or ScoringConfig()
        self.n, self.m = n, m = len(mentees), len(mentors)
        self.capacity = np.array(
            [p.capacity for p in mentors] if capacity is None else list(capacity), dtype=np.int64
        )
        weights = {c: float(cfg.weights.get(c, 0.0)) for c in COMPONENTS}
        wsum = sum(weights.values()) or 1.0
        wt = {c: v / wsum for c, v in weights.items()}

        skills = _skill_codes(mentees, mentors)
        K = max(len(skills.index), 1)

        # skill fit + project fit: one sparse (n, 5K + K) @ dense (5K + K, m) product.
        P = _wants_matrix(mentees, skills, K, wt["skill_fit"])
        G = _teaches_fit(mentors, skills, K)
        Pm = _set_matrix(mentees, "project_skills", skills, n_cols=K).astype(np.float32)
        npj = np.asarray(Pm.sum(axis=1)).ravel()
        Pm = sp.diags((wt["project_fit"] / np.where(npj > 0, npj, 1.0)).astype(np.float32)) @ Pm
        tr, tc, tlev, _ = _level_prio(mentors, skills, "teaches")
        T = np.zeros((K, m), dtype=np.float32)
        T[tc, tr] = np.minimum(tlev / 3.0, 1.0)
        self._left = sp.hstack([P, Pm], format="csr", dtype=np.float32)
        self._right = np.ascontiguousarray(np.vstack([G, T]))
        del G, T

        # mutual: what the mentor wants to learn against what the mentee teaches.
        self._mentor_wants = _wants_matrix(mentors, skills, K, wt["mutual"])  # (m, 5K) CSR
        self._mentee_teach_t = np.ascontiguousarray(_teaches_fit(mentees, skills, K).T)  # (n,5K)

        # interests: Jaccard (weighted afterwards).
        it = _interest_codes(mentees, mentors)
        A = _set_matrix(mentees, "interests", it)
        B = _set_matrix(mentors, "interests", it)
        self._int_a = A.astype(np.float32).tocsr()
        self._int_bt = np.ascontiguousarray(B.T.toarray().astype(np.float32))
        self._int_na = np.asarray(A.sum(axis=1), dtype=np.float32).ravel()
        self._int_nb = np.asarray(B.sum(axis=1), dtype=np.float32).ravel()
        self._w_int = np.float32(wt["interests"])

        # seniority + practicalities: one table over distinct (grade, hours, location) profiles.
        loc = _Codes()
        mi = np.array(
            [
                (
                    p.grade,
                    p.utc_offset,
                    p.work_start,
                    p.work_end,
                    loc.get(p.location),
                    float(p.wants_in_person),
                )
                for p in mentees
            ],
            dtype=np.float64,
        ).reshape(-1, 6)
        mj = np.array(
            [
                (p.grade, p.utc_offset, p.work_start, p.work_end, loc.get(p.location))
                for p in mentors
            ],
            dtype=np.float64,
        ).reshape(-1, 5)
        ui, self._prof_i = np.unique(mi, axis=0, return_inverse=True)
        uj, self._prof_j = np.unique(mj, axis=0, return_inverse=True)
        self._prof_i = self._prof_i.ravel()
        self._prof_j = self._prof_j.ravel()
        gap = uj[None, :, 0] - ui[:, 0:1]
        dist = np.maximum(cfg.min_grade_gap - gap, 0) + np.maximum(gap - cfg.max_grade_gap, 0)
        seniority = np.power(cfg.grade_decay, dist).astype(np.float32).astype(np.float64)
        ov = timezone_overlap_hours(
            ui[:, 1:2], ui[:, 2:3], ui[:, 3:4], uj[None, :, 1], uj[None, :, 2], uj[None, :, 3]
        )
        tz = np.minimum(ov / max(cfg.full_overlap_hours, 1e-9), 1.0)
        same_loc = (ui[:, 4:5] == uj[None, :, 4]) & (ui[:, 4:5] >= 0)
        practical = np.where(ui[:, 5:6] > 0, 0.5 * tz + 0.5 * same_loc, tz)
        practical = practical.astype(np.float32).astype(np.float64)
        self._table = (wt["seniority"] * seniority + wt["practicalities"] * practical).astype(
            np.float32
        )

        # hard rules: equal-code rules (team, organisation) as small int codes per side, the
        # rest as one sparse (n, m) mask.
        self._equal_rules: list[tuple[np.ndarray, np.ndarray]] = []
        for flag, attr in (
            (cfg.forbid_same_team, "team"),
            (cfg.forbid_same_organisation, "organisation"),
        ):
            if flag:
                table = _Codes()
                ca = np.array([table.get(getattr(p, attr)) for p in mentees], dtype=np.int64)
                cb = np.array([table.get(getattr(p, attr)) for p in mentors], dtype=np.int64)
                ca[ca < 0] = -1
                cb[cb < 0] = -2
                dt = np.int16 if len(table.index) < 30000 else np.int64
                self._equal_rules.append((ca.astype(dt), cb.astype(dt)))
        rows: list[int] = []
        cols: list[int] = []
        by_id: dict = {}
        by_email: dict = {}
        for j, p in enumerate(mentors):
            by_id.setdefault(p.id, []).append(j)
            if p.email:
                by_email.setdefault(p.email.lower(), []).append(j)
        for i, p in enumerate(mentees):
            js = list(by_id.get(p.id, []))
            if p.email:
                js += by_email.get(p.email.lower(), [])
            if p.line_manager_email:
                js += by_email.get(p.line_manager_email.lower(), [])
            rows += [i] * len(js)
            cols += js
        mentee_pos = {p.id: i for i, p in enumerate(mentees)}
        mentor_pos = {p.id: j for j, p in enumerate(mentors)}
        pairs = set(cfg.excluded_pairs)
        if not cfg.allow_previous_pairs:
            pairs |= set(cfg.previous_pairs)
        for a, b in pairs:
            i, j = mentee_pos.get(a), mentor_pos.get(b)
            if i is not None and j is not None:
                rows.append(i)
                cols.append(j)
        self._forbid = sp.csr_matrix(
            (
                np.ones(len(rows), dtype=np.int8),
                (np.array(rows, np.int64), np.array(cols, np.int64)),
            ),
            shape=(n, m),
        )
        self._cap0 = np.flatnonzero(self.capacity <= 0)

    def scores(self, r0: int, r1: int) -> np.ndarray:
        """float32 ``(r1 - r0, n_mentors)`` total scores of mentees ``r0 .. r1 - 1``."""
        r1 = min(r1, self.n)
        total = np.asarray(self._left[r0:r1] @ self._right)  # skill fit + project fit
        mutual = self._mentor_wants @ self._mentee_teach_t[r0:r1].T  # (m, rows)
        total += mutual.T
        del mutual
        inter = np.asarray(self._int_a[r0:r1] @ self._int_bt)
        union = self._int_na[r0:r1, None] + self._int_nb[None, :]
        union -= inter
        np.maximum(union, 1.0, out=union)
        inter *= self._w_int
        inter /= union
        total += inter
        del inter, union
        total += np.take(self._table[self._prof_i[r0:r1]], self._prof_j, axis=1)
        np.clip(total, 0.0, 1.0, out=total)
        for ca, cb in self._equal_rules:
            total[ca[r0:r1, None] == cb[None, :]] = np.nan
        blk = self._forbid[r0:r1]
        if blk.nnz:
            total[np.repeat(np.arange(r1 - r0), np.diff(blk.indptr)), blk.indices] = np.nan
        if self._cap0.size:
            total[:, self._cap0] = np.nan
        return total

    def dense(self) -> np.ndarray:
        """The whole float32 matrix (small inputs, tests and the benchmark's checks)."""
        out = np.empty((self.n, self.m), dtype=np.float32)
        step = max(1, int(4e6 // max(self.m, 1)))
        for r0 in range(0, self.n, step):
            out[r0 : r0 + step] = self.scores(r0, r0 + step)
        return out


# --------------------------------------------------------------------------------------------
# exact solve without the dense matrix
# --------------------------------------------------------------------------------------------


def _block_rows(m: int) -> int:
    """Rows per block: about 2 M cells (8 MB of float32), so temporaries stay in cache sizes."""
    return int(max(16, min(4096, 2_000_000 // max(m, 1))))


def _quantise32(s: np.ndarray, q) -> np.ndarray:
    """Exact integer weights (as float64; -inf forbidden) of a float32 score block in [0, 1]."""
    w = s.astype(np.float64)
    w *= q.wmax  # a power of two: exact
    np.rint(w, out=w)
    np.minimum(w, q.wmax, out=w)
    w[np.isnan(w)] = -np.inf
    return w


def solve_blocked(
    scorer: BlockScorer,
    *,
    top_k: int = 12,
    col_extra: int = 4,
    n_random: int = 3,
    viol_per_row: int = 30,
    margin: float = 0.0,
    max_rounds: int = 30,
    cache_bytes: float = 1.0e9,
    block_rows: int | None = None,
    timings: dict | None = None,
):
    """Exactly optimal assignment (max pairs, then max total score) for ``scorer``'s scores,
    certified over all n x m pairs, without ever holding the n x m matrix when it is larger
    than ``cache_bytes`` (as float32; below that the blocks are kept between rounds).

    1. One pass over the blocks keeps, for every mentee, its ``top_k`` mentors plus
       ``n_random`` random allowed ones, and for every mentor its ``col_extra + 2 * cap_max``
       best mentees (a running top list merged block by block).
    2. The candidate graph is solved exactly and LP duals are recovered (as in
       :func:`pairing.engine.solve_detailed`: same integer objective, same residual shortest
       paths).
    3. One pass over the blocks checks ``u_i + v_j >= W_ij`` for every allowed pair, in exact
       integer arithmetic (float64 holding integers below 2**52); violated pairs (the
       ``viol_per_row`` worst per mentee) join the candidate graph and 2-3 repeat. No violation
       = a dual certificate of optimality over the full matrix.

    Scores are in [0, 1] by construction, so the quantiser uses ``s_max = 1``: ``w = rint(s *
    2**b)``, ``b`` from the sizes as in the dense solver (29 at 50,000 x 25,000).
    """
    import time

    from .solver import (
        SolveResult,
        _dedup,
        _duals,
        _edge_weights,
        _match_candidates,
        _Quant,
    )

    clock = time.perf_counter
    t_all = clock()
    tm = timings if timings is not None else {}
    n, m, cap = scorer.n, scorer.m, scorer.capacity
    if n == 0 or m == 0 or not (cap > 0).any():
        return SolveResult([], 0, 0.0, True, "blocked-certified")
    kmax = int(min(n, int(cap.sum())))
    bits = int(min(40, np.floor(61 - np.log2(n + m + 2) - np.log2(kmax + 2))))
    wmax = 2**bits
    q = _Quant(1.0, bits, wmax, kmax * wmax + 1, 1.0 / wmax)
    step = block_rows or _block_rows(m)
    cache: list[np.ndarray] | None = [] if n * m * 4 <= cache_bytes else None

    def blocks():
        for b, r0 in enumerate(range(0, n, step)):
            if cache is not None and b < len(cache):
                yield r0, cache[b]
                continue
            t, c = clock(), time.process_time()
            s = scorer.scores(r0, r0 + step)
            tm["score_s"] = tm.get("score_s", 0.0) + clock() - t
            tm["score_cpu_s"] = tm.get("score_cpu_s", 0.0) + time.process_time() - c
            if cache is not None:
                cache.append(s)
            yield r0, s

    # 1. candidates
    t = clock()
    k = min(top_k, m)
    lcol = int(min(n, col_extra + 2 * int(cap.max(initial=0))))
    ei, ej, es = [], [], []
    col_best_s = np.full((0, m), -1.0, dtype=np.float32)
    col_best_i = np.zeros((0, m), dtype=np.int64)
    rng = np.random.default_rng(0)
    for r0, s in blocks():
        nb = s.shape[0]
        key = np.where(np.isnan(s), np.float32(-1.0), s)
        idx = (
            np.argpartition(key, m - k, axis=1)[:, m - k :]
            if k < m
            else np.tile(np.arange(m), (nb, 1))
        )
        rows = np.repeat(np.arange(r0, r0 + nb), idx.shape[1])
        vals = np.take_along_axis(key, idx, axis=1).ravel()
        keep = vals >= 0
        ei.append(rows[keep])
        ej.append(idx.ravel()[keep])
        es.append(vals[keep])
        if n_random:
            ridx = rng.integers(0, m, size=(nb, n_random))
            vals = np.take_along_axis(key, ridx, axis=1).ravel()
            keep = vals >= 0
            ei.append(np.repeat(np.arange(r0, r0 + nb), n_random)[keep])
            ej.append(ridx.ravel()[keep])
            es.append(vals[keep])
        if lcol:
            both_s = np.concatenate([col_best_s, key])
            both_i = np.concatenate(
                [col_best_i, np.broadcast_to(np.arange(r0, r0 + nb)[:, None], key.shape)]
            )
            if both_s.shape[0] > lcol:
                top = np.argpartition(both_s, both_s.shape[0] - lcol, axis=0)[-lcol:]
                col_best_s = np.take_along_axis(both_s, top, axis=0)
                col_best_i = np.take_along_axis(both_i, top, axis=0)
            else:
                col_best_s, col_best_i = both_s, both_i
    if lcol:
        # per mentor j only its col_extra + 2 * cap_j best
        order = np.argsort(-col_best_s, axis=0, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(order.shape[0])[:, None], axis=0)
        keep = (col_best_s >= 0) & (rank < (col_extra + 2 * cap)[None, :])
        ei.append(col_best_i[keep])
        ej.append(np.broadcast_to(np.arange(m)[None, :], keep.shape)[keep])
        es.append(col_best_s[keep])
    ei_a = np.concatenate(ei).astype(np.int64)
    ej_a = np.concatenate(ej).astype(np.int64)
    ew_a = np.minimum(np.rint(np.concatenate(es).astype(np.float64) * wmax), wmax)
    ei_a, ej_a, ew_a = _dedup(ei_a, ej_a, ew_a.astype(np.int64), m)
    tm["candidates_s"] = clock() - t - tm.get("score_s", 0.0)

    match_s = duals_s = cert_s = 0.0
    for rnd in range(1, max_rounds + 1):
        t = clock()
        assign = _match_candidates(n, cap, ei_a, ej_a, ew_a, q)
        match_s += clock() - t
        t = clock()
        u, v = _duals(n, m, cap, ei_a, ej_a, ew_a, assign, q)
        duals_s += clock() - t
        t = clock()
        score_before = tm.get("score_s", 0.0)
        matched = np.flatnonzero(assign >= 0)
        load = np.bincount(assign[matched], minlength=m)
        w_match = _edge_weights(ei_a, ej_a, ew_a, matched, assign[matched], m)
        slack_ok = (
            not np.any(u < 0)
            and not np.any(v < 0)
            and not np.any(load > cap)
            and not np.any(u[assign < 0] != 0)
            and not np.any(v[load < cap] != 0)
            and not np.any(u[matched] + v[assign[matched]] != w_match + q.big)
        )
        if not slack_ok:  # pragma: no cover - would mean the duals are inconsistent
            raise RuntimeError("certificate failed: complementary slackness")
        uf = u.astype(np.float64) - float(q.big)  # exact: integers below 2**52
        vf = v.astype(np.float64)
        vi, vj, vw = [], [], []
        pair_scores = []
        violated = False
        thr = -margin * q.wmax
        for r0, s in blocks():
            a = assign[r0 : r0 + s.shape[0]]
            mine = np.flatnonzero(a >= 0)
            pair_scores.append(s[mine, a[mine]].astype(np.float64))
            w = _quantise32(s, q)
            w -= vf[None, :]  # w_ij - v_j; a violation is w_ij - v_j > u_i - M
            w -= uf[r0 : r0 + s.shape[0], None]
            rowmax = w.max(axis=1) if w.size else np.zeros(0)
            if rowmax.size and rowmax.max() > 0:
                violated = True
            bad = np.flatnonzero(rowmax > thr)
            if bad.size == 0:
                continue
            sub = w[bad]
            kk = min(viol_per_row, m)
            idx = (
                np.argpartition(-sub, kk - 1, axis=1)[:, :kk]
                if kk < m
                else np.tile(np.arange(m), (bad.size, 1))
            )
            vals = np.take_along_axis(sub, idx, axis=1)
            keep = vals > thr
            rr = np.broadcast_to(bad[:, None], idx.shape)[keep]
            cc = idx[keep]
            vi.append(rr + r0)
            vj.append(cc)
            vw.append(np.rint(s[rr, cc].astype(np.float64) * q.wmax).astype(np.int64))
        cert_s += clock() - t - (tm.get("score_s", 0.0) - score_before)
        if not violated:
            rows = np.flatnonzero(assign >= 0)
            pairs = [(int(i), int(j)) for i, j in zip(rows, assign[rows], strict=True)]
            tm.update(match_s=match_s, duals_s=duals_s, certificate_s=cert_s)
            tm["total_s"] = clock() - t_all
            tm["cached"] = cache is not None
            return SolveResult(
                pairs,
                len(pairs),
                math.fsum(np.concatenate(pair_scores).tolist()),
                True,
                "blocked-certified",
                rounds=rnd,
                candidate_edges=int(ei_a.size),
                bits=q.bits,
                quantum=q.quantum,
                mentee_dual=u,
                mentor_dual=v,
            )
        ei_a = np.concatenate([ei_a, *vi])
        ej_a = np.concatenate([ej_a, *vj])
        ew_a = np.concatenate([ew_a, *vw])
        ei_a, ej_a, ew_a = _dedup(ei_a, ej_a, ew_a, m)
    raise RuntimeError("no certificate after max_rounds")  # pragma: no cover
