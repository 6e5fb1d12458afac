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
                # per code, the mentors holding it (CSR-like): a block sets its forbidden
                # cells code by code instead of comparing every pair
                order = np.argsort(cb, kind="stable")
                bounds = np.searchsorted(cb[order], np.arange(len(table.index) + 1))
                self._equal_rules.append((ca, order, bounds))
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

    def scores(
        self, r0: int = 0, r1: int | None = None, *, rows=None, fill: float = np.nan
    ) -> np.ndarray:
        """float32 ``(rows, n_mentors)`` total scores of mentees ``r0 .. r1 - 1`` (or of the
        mentee indices ``rows``), ``fill`` (NaN by default) for forbidden pairs. A row's
        scores are the same, bit for bit, whichever block or row set it is computed in."""
        if rows is None:
            r1 = self.n if r1 is None else min(r1, self.n)
            sel = slice(r0, r1)
            nb = max(r1 - r0, 0)
        else:
            sel = np.asarray(rows, dtype=np.int64)
            nb = sel.size
        total = np.asarray(self._left[sel] @ self._right)  # skill fit + project fit
        mutual = self._mentor_wants @ self._mentee_teach_t[sel].T  # (m, rows)
        for c0 in range(0, self.m, 4096):  # transposed add in tiles: twice as fast
            total[:, c0 : c0 + 4096] += mutual[c0 : c0 + 4096].T
        del mutual
        inter = np.asarray(self._int_a[sel] @ self._int_bt)
        union = self._int_na[sel, None] + self._int_nb[None, :]
        union -= inter
        np.maximum(union, 1.0, out=union)
        inter *= self._w_int
        inter /= union
        total += inter
        del inter, union
        total += np.take(self._table[self._prof_i[sel]], self._prof_j, axis=1)
        np.clip(total, 0.0, 1.0, out=total)
        fill = np.float32(fill)
        for ca, order, bounds in self._equal_rules:
            codes = ca[sel]
            for c in np.unique(codes[codes >= 0]):
                cols = order[bounds[c] : bounds[c + 1]]
                if cols.size:
                    total[np.ix_(np.flatnonzero(codes == c), cols)] = fill
        blk = self._forbid[sel]
        if blk.nnz:
            total[np.repeat(np.arange(nb), np.diff(blk.indptr)), blk.indices] = fill
        if self._cap0.size:
            total[:, self._cap0] = fill
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


def _dedup4(ei, ej, es, ew, m):
    _, first = np.unique(ei * m + ej, return_index=True)
    return ei[first], ej[first], es[first], ew[first]


def _worst(amount: np.ndarray, per_row: int):
    """Positions (into a (rows, L) table) of the ``per_row`` largest positive ``amount`` per
    row: the most violated pairs first."""
    bad = np.flatnonzero((amount > 0).any(axis=1))
    if bad.size == 0:
        return bad, np.zeros(0, dtype=np.int64)
    sub = amount[bad]
    if per_row < sub.shape[1]:
        idx = np.argpartition(-sub, per_row - 1, axis=1)[:, :per_row]
    else:
        idx = np.broadcast_to(np.arange(sub.shape[1]), sub.shape)
    keep = np.take_along_axis(sub, idx, axis=1) > 0
    return np.broadcast_to(bad[:, None], idx.shape)[keep], idx[keep]


def _duals_high(n, m, cap, ei, ej, ew, assign, q):
    """Optimal LP duals with every mentor's ``v_j`` as HIGH (and ``u_i`` as low) as possible.

    The same difference constraints as :func:`pairing.engine.solver._duals` (``u_i + v_j >=
    W_ij`` on candidate edges, equality on matched ones, ``u, v >= 0``, ``u_i = 0`` unmatched,
    ``v_j = 0`` below capacity), but their *least* solution in ``u`` (iterated from below:
    ``u_i = max(0, max_j W_ij - v_j)``, ``v_j = min over j's mentees of W_ij - u_i``) rather
    than the greatest. Both are optimal duals; this one keeps ``M`` (the value of a pair) on
    the mentor side wherever it can, so mentor duals differ by prices in score units only and
    serve as prices for the bounds of :func:`solve_blocked`. Returns None if the iteration
    does not settle (then the caller uses the other extreme)."""
    big = q.big
    W = ew + big
    matched = assign >= 0
    mi = np.flatnonzero(matched)
    mj = assign[mi]
    from .solver import _edge_weights

    w_match = _edge_weights(ei, ej, ew, mi, mj, m) + big
    load = np.bincount(mj, minlength=m)
    full = (load >= cap) & (cap > 0)
    # mentees grouped by mentor (matched pairs), candidate edges grouped by mentee
    om = np.argsort(mj, kind="stable")
    smi, smj, sw = mi[om], mj[om], w_match[om]
    mstart = np.flatnonzero(np.r_[True, smj[1:] != smj[:-1]]) if smj.size else smj[:0]
    mhead = smj[mstart]
    oe = np.argsort(ei, kind="stable")
    si, sj, sW = ei[oe], ej[oe], W[oe]
    estart = np.flatnonzero(np.r_[True, si[1:] != si[:-1]]) if si.size else si[:0]
    ehead = si[estart]
    u = np.zeros(n, dtype=np.int64)
    v = np.zeros(m, dtype=np.int64)
    for _ in range(n + m + 2):
        # mentors: v_j = min over matched mentees (W_ij - u_i); 0 below capacity
        v_new = np.zeros(m, dtype=np.int64)
        if smi.size:
            v_new[mhead] = np.minimum.reduceat(sw - u[smi], mstart)
        v_new[~full] = 0
        # mentees: u_i = max(0, max over candidates W_ij - v_j)
        u_new = np.zeros(n, dtype=np.int64)
        if si.size:
            u_new[ehead] = np.maximum(0, np.maximum.reduceat(sW - v_new[sj], estart))
        if np.array_equal(u_new, u) and np.array_equal(v_new, v):
            break
        u, v = u_new, v_new
    else:
        return None
    if np.any(u[~matched] != 0) or np.any(v < 0):
        return None
    return u, v


def solve_blocked(
    scorer: BlockScorer,
    *,
    top_k: int = 12,
    col_extra: int = 4,
    n_random: int = 3,
    keep: int = 64,
    groups: int = 1024,
    viol_per_row: int = 30,
    rescore_below: float = 1.0,
    margin: float = 0.01,
    max_rounds: int = 50,
    cache_bytes: float = 1.0e9,
    block_rows: int | None = None,
    timings: dict | None = None,
):
    """Exactly optimal assignment (max pairs, then max total score) for ``scorer``'s scores,
    certified over all n x m pairs, scoring every pair once, then each row once more with
    prices (plus the few rows whose bound later fails), and never holding the n x m matrix
    when it is larger than ``cache_bytes`` (as float32; below that the scores are kept and
    "scoring a row again" is a copy).

    Each mentee row ``i`` is summarised by ``T_i``, its ``keep`` best mentors by
    ``s_ij - p_j`` with their exact scores, and ``R_ig``, for each of ``groups`` contiguous
    groups of mentors, ``max s_ij - p_j`` over the mentors ``j`` of group ``g`` *outside*
    ``T_i`` (float32, forbidden = -inf), for the prices ``p`` of a snapshot.

    1. **One pass over the blocks** keeps ``T_i`` at ``p = 0`` (no bound yet), ``n_random``
       random allowed mentors per mentee and ``2 cap_j + n_random`` random mentees per mentor
       (so the first solve already has the most pairs).
    2. The candidate graph (each mentee's ``top_k`` from ``T_i``, the random pairs, each
       mentor's ``col_extra + 2 * cap_j`` best mentees among the ``T`` lists) is solved exactly
       (min-cost flow) and LP duals ``u, v`` recovered at their high-``v`` extreme
       (:func:`_duals_high`); ``p = (v - median v) / 2^b`` are this round's prices.
    3. **Certificate, every pair, exactly** (``W_ij = w_ij + M``, integers):

       - pairs in ``T_i``: ``u_i + v_j >= W_ij`` checked one by one (int64);
       - all other pairs of row ``i``, group by group: ``w_ij - P_j <= R_ig 2^b + slack``
         (``P_j = p_j 2^b`` of the snapshot the row was summarised with; ``slack`` bounds the
         float32 rounding of ``s - p`` and the rounding of ``w``), so
         ``(u_i - M) + min_{j in g} (v_j - P_j) >= R_ig 2^b + slack`` implies the constraint
         for every such pair;
       - a row the bound cannot settle is scored again and summarised afresh with the current
         duals as prices (which makes the bound tight: at the optimum
         ``max_j w_ij - v_j = u_i - M``, found in ``T_i``); a row still unsettled then is
         checked pair by pair against its scores.

       Violated pairs (the ``viol_per_row`` worst per mentee, plus pairs of the ``T`` lists
       within ``margin`` of violation) join the graph and 2-3 repeat.
       No violation = a dual certificate of optimality over the full matrix.

    Scores are in [0, 1] by construction, so the quantiser uses ``s_max = 1``: ``w = rint(s *
    2**b)``, ``b`` from the sizes as in the dense solver (29 at 50,000 x 25,000).

    ``rescore_below``: rows are scored again only in rounds whose T lists show at most this
    share of n violated pairs (1.0: from the first round on, measured best; 0.05 gave the
    same CPU time at 50,000 x 25,000 with one round more). ``timings`` receives the phases'
    wall and CPU seconds, ``rescored_rows``, ``exact_rows`` and a per-round log.
    """
    import time

    from .solver import (
        SolveResult,
        _duals,
        _edge_weights,
        _match_candidates,
        _Quant,
    )

    clock, cpu = time.perf_counter, time.process_time
    t_all = clock()
    tm = timings if timings is not None else {}
    tm.setdefault("score_s", 0.0)
    tm.setdefault("score_cpu_s", 0.0)
    n, m, cap = scorer.n, scorer.m, scorer.capacity
    if n == 0 or m == 0 or not (cap > 0).any():
        return SolveResult([], 0, 0.0, True, "blocked-certified")
    kmax = int(min(n, int(cap.sum())))
    bits = int(min(40, np.floor(61 - np.log2(n + m + 2) - np.log2(kmax + 2))))
    wmax = 2**bits
    q = _Quant(1.0, bits, wmax, kmax * wmax + 1, 1.0 / wmax)
    # float32 rounding of s - p (|s - p| < 8 with p clipped to [-4, 4]) is below 2^-22;
    # rint adds half a unit; the float64 sums of integers near 2^47 lose below 1/16.
    slack = wmax * 2.0**-20 + 4.0
    step = block_rows or _block_rows(m)
    near = int(margin * wmax)
    cache = np.empty((n, m), dtype=np.float32) if n * m * 4 <= cache_bytes else None
    cap_ok = cap > 0
    rng = np.random.default_rng(0)

    def quant(x):
        return np.minimum(np.rint(x.astype(np.float64) * wmax), wmax).astype(np.int64)

    def score(r0=0, r1=None, rows=None):
        if cache is not None and rows is not None:
            return cache[rows]
        t, c = clock(), cpu()
        s = scorer.scores(r0, r1, rows=rows, fill=-np.inf)
        tm["score_s"] += clock() - t
        tm["score_cpu_s"] += cpu() - c
        return s

    # mentor groups for the row bounds: contiguous ranges of mentors (with the current duals
    # as prices the grouping hardly matters; more groups = tighter bounds, n x G floats)
    G = int(max(1, min(groups, m // 8)))
    gstart = (np.arange(G, dtype=np.int64) * m) // G

    L = int(min(keep, m))
    Tj = np.empty((n, L), dtype=np.int64)
    Ts = np.empty((n, L), dtype=np.float32)
    Tw = np.empty((n, L), dtype=np.int64)  # Ts quantised, -1 = forbidden
    R = np.full((n, G), np.inf, dtype=np.float32)  # +inf: no bound yet (score the row again)
    snap = np.zeros(n, dtype=np.int64)  # the price snapshot each row was summarised with
    prices = [np.zeros(m, dtype=np.float32)]

    def summarise(rows, s, p32):
        """T_i and R_i of ``rows`` from their scores ``s`` (modified) at prices ``p32``."""
        key = s if p32 is None else s - p32[None, :]
        if m > L:
            idx = np.argpartition(key, m - L, axis=1)[:, m - L :]
        else:
            idx = np.broadcast_to(np.arange(m), key.shape)
        Tj[rows] = idx
        vals = np.take_along_axis(s, idx, axis=1)
        Ts[rows] = vals
        fin = np.isfinite(vals)
        Tw[rows] = np.where(fin, quant(np.where(fin, vals, 0)), -1)
        if p32 is None:
            return  # the first pass: no prices yet, so no useful bound either
        if m > L:
            np.put_along_axis(key, idx, -np.inf, axis=1)
            R[rows] = np.maximum.reduceat(key, gstart, axis=1)
        else:
            R[rows] = -np.inf

    # 1. one pass: T lists, random candidates: n_random per mentee, and 2 cap_j + n_random per
    # mentor (so that every mentor can be filled: the first solve reaches the maximum number
    # of pairs, and the duals keep the value of a pair on one side)
    t = clock()
    ri, rj, rs = [], [], []
    per = (2 * cap + n_random) * (cap > 0)
    col_j = np.repeat(np.arange(m), per)
    col_i = rng.integers(0, n, size=col_j.size)
    order = np.argsort(col_i, kind="stable")
    col_i, col_j = col_i[order], col_j[order]
    for r0 in range(0, n, step):
        s = score(r0, r0 + step)
        nb = s.shape[0]
        if cache is not None:
            cache[r0 : r0 + nb] = s
        if n_random:
            ridx = rng.integers(0, m, size=(nb, n_random))
            vals = np.take_along_axis(s, ridx, axis=1).ravel()
            ok = np.isfinite(vals)
            ri.append(np.repeat(np.arange(r0, r0 + nb), n_random)[ok])
            rj.append(ridx.ravel()[ok])
            rs.append(vals[ok])
            a, b = np.searchsorted(col_i, [r0, r0 + nb])
            vals = s[col_i[a:b] - r0, col_j[a:b]]
            ok = np.isfinite(vals)
            ri.append(col_i[a:b][ok])
            rj.append(col_j[a:b][ok])
            rs.append(vals[ok])
        summarise(np.arange(r0, r0 + nb), s, None)
    t_pass = clock() - t

    # initial candidate graph
    t = clock()
    kk = min(top_k, L)
    sel = np.argpartition(Ts, L - kk, axis=1)[:, L - kk :] if kk < L else np.arange(L)[None, :]
    sel = np.broadcast_to(sel, (n, sel.shape[1]))
    cand_j = np.take_along_axis(Tj, sel, axis=1)
    cand_s = np.take_along_axis(Ts, sel, axis=1)
    ok = np.isfinite(cand_s)
    ei = [np.broadcast_to(np.arange(n)[:, None], ok.shape)[ok]]
    ej = [cand_j[ok]]
    es = [cand_s[ok]]
    if col_extra >= 0:
        fin = np.isfinite(Ts)
        ci = np.broadcast_to(np.arange(n)[:, None], Ts.shape)[fin]
        cj, cs = Tj[fin], Ts[fin]
        order = np.lexsort((-cs, cj))
        ci, cj, cs = ci[order], cj[order], cs[order]
        rank = np.arange(cj.size) - np.searchsorted(cj, cj, side="left")
        top = rank < (col_extra + 2 * cap[cj])
        ei.append(ci[top])
        ej.append(cj[top])
        es.append(cs[top])
    ei_a = np.concatenate(ei + ri).astype(np.int64)
    ej_a = np.concatenate(ej + rj).astype(np.int64)
    es_a = np.concatenate(es + rs).astype(np.float32)
    ei_a, ej_a, es_a, ew_a = _dedup4(ei_a, ej_a, es_a, quant(es_a), m)
    tm["candidates_s"] = t_pass - tm["score_s"] + clock() - t

    match_s = duals_s = cert_s = 0.0
    rescored = exact_rows = 0
    big = q.big
    for rnd in range(1, max_rounds + 1):
        t = t0_match = clock()
        c = cpu()
        assign = _match_candidates(n, cap, ei_a, ej_a, ew_a, q)
        match_s += clock() - t
        tm["match_cpu_s"] = tm.get("match_cpu_s", 0.0) + cpu() - c
        t, c = clock(), cpu()
        uv = _duals_high(n, m, cap, ei_a, ej_a, ew_a, assign, q)
        u, v = uv if uv is not None else _duals(n, m, cap, ei_a, ej_a, ew_a, assign, q)
        duals_s += clock() - t
        tm["duals_cpu_s"] = tm.get("duals_cpu_s", 0.0) + cpu() - c
        t = clock()
        score_before = tm["score_s"]
        matched = np.flatnonzero(assign >= 0)
        load = np.bincount(assign[matched], minlength=m)
        w_match = _edge_weights(ei_a, ej_a, ew_a, matched, assign[matched], m)
        slack_ok = (
            not np.any(u < 0)
            and not np.any(v < 0)
            and not np.any(load > cap)
            and not np.any(u[assign < 0] != 0)
            and not np.any(v[load < cap] != 0)
            and not np.any(u[matched] + v[assign[matched]] != w_match + big)
        )
        if not slack_ok:  # pragma: no cover - would mean the duals are inconsistent
            raise RuntimeError("certificate failed: complementary slackness")
        um = u.astype(np.float64) - float(big)  # exact: integers below 2**52
        vf = v.astype(np.float64)
        # this round's prices: the mentor duals in score units (any constant shift is fine)
        base = float(np.median(vf[cap_ok]))
        p32 = np.clip((vf - base) / wmax, -4.0, 4.0).astype(np.float32)
        p32[~cap_ok] = 0.0
        prices.append(p32)
        cur = len(prices) - 1
        D = np.empty((len(prices), G))
        for k, pk in enumerate(prices):
            x = vf - pk.astype(np.float64) * wmax
            x[~cap_ok] = np.inf  # columns with no allowed pair constrain nothing
            D[k] = np.minimum.reduceat(x, gstart)

        def t_check(rows, u=u, v=v):
            # violated pairs of the T lists, and those within ``margin`` of violation (they
            # tend to be violated once the duals move; adding them now saves rounds)
            amount = Tw[rows] + (big + near) - (u[rows, None] + v[Tj[rows]])
            amount[Tw[rows] < 0] = -1
            r, c = _worst(amount, viol_per_row)
            rr = rows[r]
            n_true = int(np.count_nonzero(amount[r, c] > near))
            return rr, Tj[rr, c], Ts[rr, c], n_true

        def bound_ok(rows, um=um, D=D):
            out = np.empty(rows.size, dtype=bool)
            for c0 in range(0, rows.size, 4096):
                rr = rows[c0 : c0 + 4096]
                a = R[rr].astype(np.float64)
                a *= wmax
                a += slack
                a -= D[snap[rr]]
                out[c0 : c0 + 4096] = a.max(axis=1) <= um[rr]
            return out

        all_rows = np.arange(n)
        found = [t_check(all_rows)]
        n_found = found[0][3]
        fail = all_rows[~bound_ok(all_rows)]
        log = tm.setdefault("rounds_log", [])
        log.append(
            {
                "edges": int(ei_a.size),
                "match_s": round(clock() - t0_match, 2),
                "t_viol": int(n_found),
                "t_viol_rows": int(np.unique(found[0][0]).size),
                "bound_fail": int(fail.size),
                "not_full": int(np.count_nonzero(load < cap)),
                "unmatched": int(n - matched.size),
            }
        )
        if n_found > rescore_below * n:
            fail = fail[:0]  # far from the optimum yet: settle the T lists first
        # rows the bound cannot settle: score again, summarise with this round's prices
        still = []
        fstep = max(16, step)
        for c0 in range(0, fail.size, fstep):
            rows = fail[c0 : c0 + fstep]
            s = score(rows=rows)
            summarise(rows, s, p32)
            snap[rows] = cur
            rescored += rows.size
            found.append(t_check(rows))
            still.append(rows[~bound_ok(rows)])
        still = np.concatenate(still) if still else np.zeros(0, dtype=np.int64)
        log[-1]["rescored"] = int(fail.size)
        log[-1]["still"] = int(still.size)
        if sum(f[3] for f in found):
            still = still[:0]  # not certifiable this round anyway: check them next round
        # rows still unsettled: every pair checked against its exact weight
        for c0 in range(0, still.size, fstep):
            rows = still[c0 : c0 + fstep]
            s = score(rows=rows)
            exact_rows += rows.size
            w = _quantise32(s, q)
            w -= vf[None, :]
            w -= um[rows, None]
            r, c = _worst(w, viol_per_row)
            found.append((rows[r], c, s[r, c], r.size))
        cert_s += clock() - t - (tm["score_s"] - score_before)
        vi = np.concatenate([f[0] for f in found]).astype(np.int64)
        if sum(f[3] for f in found) == 0:
            rows = np.flatnonzero(assign >= 0)
            pairs = [(int(i), int(j)) for i, j in zip(rows, assign[rows], strict=True)]
            pair_s = _edge_weights(ei_a, ej_a, es_a, rows, assign[rows], m)
            tm.update(match_s=match_s, duals_s=duals_s, certificate_s=cert_s)
            tm.update(rescored_rows=rescored, exact_rows=exact_rows)
            tm["total_s"] = clock() - t_all
            tm["cached"] = cache is not None
            return SolveResult(
                pairs,
                len(pairs),
                math.fsum(pair_s.astype(np.float64).tolist()),
                True,
                "blocked-certified",
                rounds=rnd,
                candidate_edges=int(ei_a.size),
                bits=q.bits,
                quantum=q.quantum,
                mentee_dual=u,
                mentor_dual=v,
            )
        vj = np.concatenate([f[1] for f in found]).astype(np.int64)
        vs = np.concatenate([f[2] for f in found]).astype(np.float32)
        ei_a = np.concatenate([ei_a, vi])
        ej_a = np.concatenate([ej_a, vj])
        es_a = np.concatenate([es_a, vs])
        ew_a = np.concatenate([ew_a, quant(vs)])
        ei_a, ej_a, es_a, ew_a = _dedup4(ei_a, ej_a, es_a, ew_a, m)
    raise RuntimeError("no certificate after max_rounds")  # pragma: no cover
