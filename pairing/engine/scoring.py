"""Vectorised compatibility scoring (pure numpy / scipy.sparse, no Django).

Every component is an (n_mentees, n_mentors) matrix in [0, 1]; the total is their weighted mean.
Hard rules produce a boolean ``forbidden`` mask and NaN in ``ScoreResult.scores``.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

__all__ = [
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "LEVEL_FIT",
    "PRIORITY_WEIGHT",
    "Person",
    "ScoringConfig",
    "ScoreResult",
    "score_matrices",
    "timezone_overlap_hours",
]

COMPONENTS = ("skill_fit", "mutual", "interests", "project_fit", "seniority", "practicalities")

DEFAULT_WEIGHTS: dict[str, float] = {
    "skill_fit": 0.35,
    "mutual": 0.10,
    "interests": 0.15,
    "project_fit": 0.15,
    "seniority": 0.10,
    "practicalities": 0.15,
}

# priority 1 (low) .. 3 (high) -> weight
PRIORITY_WEIGHT = {1: 1.0, 2: 2.0, 3: 3.0}

# LEVEL_FIT[teacher_level, learner_level] for levels 0..4 (0 = teacher does not know the skill):
# the teacher should know more than the learner; a gap of >= 2 is ideal, equal levels help a
# little, a weaker teacher hardly at all.
LEVEL_FIT = np.zeros((5, 5))
for _t in range(1, 5):
    for _l in range(0, 5):
        _g = _t - _l
        LEVEL_FIT[_t, _l] = 1.0 if _g >= 2 else 0.85 if _g == 1 else 0.4 if _g == 0 else 0.1


@dataclass
class Person:
    """Plain data for one mentee or mentor (ids are any hashable)."""

    id: Hashable
    email: str = ""
    teaches: dict[Hashable, int] = field(default_factory=dict)  # skill -> level 1-4
    wants: dict[Hashable, tuple[int, int]] = field(default_factory=dict)  # skill -> (level, prio)
    interests: set[Hashable] = field(default_factory=set)
    project_skills: set[Hashable] = field(default_factory=set)
    grade: int = 0
    team: Hashable | None = None
    organisation: Hashable | None = None
    line_manager_email: str | None = None
    utc_offset: float = 0.0
    work_start: float = 9.0  # local hours
    work_end: float = 17.0
    location: Hashable | None = None
    wants_in_person: bool = False
    capacity: int = 1  # mentors only


@dataclass
class ScoringConfig:
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    min_grade_gap: int = 1
    max_grade_gap: int = 3
    grade_decay: float = 0.5  # score multiplier per grade step outside the window
    full_overlap_hours: float = 6.0  # overlap giving a timezone score of 1
    forbid_same_team: bool = False
    forbid_same_organisation: bool = False
    previous_pairs: set[tuple[Hashable, Hashable]] = field(default_factory=set)
    allow_previous_pairs: bool = False
    excluded_pairs: set[tuple[Hashable, Hashable]] = field(default_factory=set)
    dtype: type = np.float32  # component matrices; the total is always float64


@dataclass
class ScoreResult:
    scores: np.ndarray  # float64 total, NaN where forbidden (feed this to solve())
    components: dict[str, np.ndarray]
    forbidden: np.ndarray
    rule_counts: dict[str, np.ndarray]  # rule -> per-mentee number of mentors it excludes
    capacity: np.ndarray
    mentee_ids: list
    mentor_ids: list


# --------------------------------------------------------------------------------------------


def timezone_overlap_hours(a_off, a_start, a_end, b_off, b_start, b_end):
    """Overlap (hours) of two daily working windows given in local time + UTC offsets."""
    a0 = np.asarray(a_start) - np.asarray(a_off)
    a1 = np.asarray(a_end) - np.asarray(a_off)
    b0 = np.asarray(b_start) - np.asarray(b_off)
    b1 = np.asarray(b_end) - np.asarray(b_off)
    best = None
    for shift in (-24.0, 0.0, 24.0):
        ov = np.minimum(a1, b1 + shift) - np.maximum(a0, b0 + shift)
        best = ov if best is None else np.maximum(best, ov)
    return np.maximum(best, 0.0)


class _Codes:
    def __init__(self):
        self.index: dict = {}

    def get(self, key) -> int:
        if key is None:
            return -1
        return self.index.setdefault(key, len(self.index))


def _skill_codes(mentees: Sequence[Person], mentors: Sequence[Person]) -> _Codes:
    """Codes of every skill anyone teaches, wants or has in a project (in first-seen order)."""
    skills = _Codes()
    index = skills.index
    for group in (mentees, mentors):
        for p in group:
            for attr in (p.teaches, p.wants, p.project_skills):
                for k in attr:
                    if k is not None and k not in index:
                        index[k] = len(index)
    return skills


def _interest_codes(mentees: Sequence[Person], mentors: Sequence[Person]) -> _Codes:
    table = _Codes()
    index = table.index
    for group in (mentees, mentors):
        for p in group:
            for x in p.interests:
                if x is not None and x not in index:
                    index[x] = len(index)
    return table


def _codes(values: Iterable, table: _Codes) -> np.ndarray:
    return np.array([table.get(v) for v in values], dtype=np.int64)


def _level_prio(people: Sequence[Person], skills: _Codes, attr: str):
    """Sparse (n, K) matrices of wanted level / priority weight, or taught level.

    Written as comprehensions over all (person, skill) items at once: this runs once per person
    and skill, 50,000+ people at the largest sizes."""
    index = skills.index
    if attr == "wants":
        items = [(r, k, v[0], v[1]) for r, p in enumerate(people) for k, v in p.wants.items()]
    else:
        items = [(r, k, v, 1) for r, p in enumerate(people) for k, v in getattr(p, attr).items()]
    if not items:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty, np.zeros(0, dtype=np.float64)
    rows, keys, levels, prios = zip(*items, strict=True)
    try:  # every key is registered already (the usual case): plain look-ups
        cols = [index[k] for k in keys]
    except KeyError:
        cols = [-1 if k is None else index.setdefault(k, len(index)) for k in keys]
    if attr == "wants":
        pw = PRIORITY_WEIGHT
        pri = np.array([pw.get(int(x), float(x)) for x in prios], dtype=np.float64)
    else:
        pri = np.ones(len(items), dtype=np.float64)
    return (
        np.array(rows, dtype=np.int64),
        np.array(cols, dtype=np.int64),
        np.clip(np.array([int(x) for x in levels], dtype=np.int64), 0, 4),
        pri,
    )


def _want_fit(learners, teachers, skills: _Codes, dtype) -> np.ndarray:
    """(n_learners, n_teachers): priority-weighted mean of LEVEL_FIT over the learner's wants.

    One sparse x dense product: learner row i has value prio/sum(prio) in column (b, k) for
    each wanted skill k at level b; teacher column j has LEVEL_FIT[t_jk, b] in row (b, k).
    """
    lr, lc, llev, lpri = _level_prio(learners, skills, "wants")
    tr, tc, tlev, _ = _level_prio(teachers, skills, "teaches")
    n, m, K = len(learners), len(teachers), max(len(skills.index), 1)
    if lr.size == 0 or tr.size == 0:
        return np.zeros((n, m), dtype=dtype)
    total_prio = np.bincount(lr, weights=lpri, minlength=n)
    P = sp.csr_matrix(
        (lpri / total_prio[lr], (lr, llev * K + lc)), shape=(n, 5 * K), dtype=np.float32
    )
    G = np.zeros((5 * K, m), dtype=np.float32)
    for b in range(5):
        G[b * K + tc, tr] = LEVEL_FIT[tlev, b]
    out = np.asarray(P @ G)
    np.clip(out, 0.0, 1.0, out=out)
    return out.astype(dtype, copy=False)


def _transpose(a: np.ndarray, tile: int = 512) -> np.ndarray:
    """Cache-friendly (tiled) transpose into a new C-contiguous array."""
    out = np.empty((a.shape[1], a.shape[0]), dtype=a.dtype)
    for r0 in range(0, a.shape[0], tile):
        for c0 in range(0, a.shape[1], tile):
            out[c0 : c0 + tile, r0 : r0 + tile] = a[r0 : r0 + tile, c0 : c0 + tile].T
    return out


def _equal_codes(a_vals, b_vals) -> np.ndarray:
    """Dense (len(a), len(b)) mask of equal non-None values, using small integer codes."""
    table = _Codes()
    ca = _codes(a_vals, table)
    cb = _codes(b_vals, table)
    ca[ca < 0] = -1  # None never matches: mentees -1, mentors -2
    cb[cb < 0] = -2
    dt = np.int16 if len(table.index) < 30000 else np.int64
    return ca.astype(dt)[:, None] == cb.astype(dt)[None, :]


def _set_matrix(people: Sequence[Person], attr: str, table: _Codes, n_cols=None):
    index = table.index
    pairs = [(r, x) for r, p in enumerate(people) for x in getattr(p, attr)]
    rows = [r for r, _ in pairs]
    cols = [-1 if x is None else index.setdefault(x, len(index)) for _, x in pairs]
    K = n_cols if n_cols is not None else max(len(index), 1)
    return sp.csr_matrix(
        (np.ones(len(rows)), (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64))),
        shape=(len(people), K),
    )


def _pair_mask(pairs, mentee_pos: dict, mentor_pos: dict, shape) -> np.ndarray:
    mask = np.zeros(shape, dtype=bool)
    for a, b in pairs:
        i, j = mentee_pos.get(a), mentor_pos.get(b)
        if i is not None and j is not None:
            mask[i, j] = True
    return mask


def score_matrices(
    mentees: Sequence[Person],
    mentors: Sequence[Person],
    config: ScoringConfig | None = None,
    *,
    capacity: Sequence[int] | None = None,
) -> ScoreResult:
    """Score every (mentee, mentor) pair; see module docstring.  ``capacity`` defaults to
    ``mentor.capacity``."""
    cfg = config or ScoringConfig()
    n, m = len(mentees), len(mentors)
    dt = cfg.dtype
    cap = np.array(
        [p.capacity for p in mentors] if capacity is None else list(capacity), dtype=np.int64
    )
    comps: dict[str, np.ndarray] = {}
    if n == 0 or m == 0:
        z = np.zeros((n, m))
        return ScoreResult(
            z, {c: z.astype(dt) for c in COMPONENTS}, z.astype(bool), {}, cap, [], []
        )

    skills = _skill_codes(mentees, mentors)
    comps["skill_fit"] = _want_fit(mentees, mentors, skills, dt)
    comps["mutual"] = _transpose(_want_fit(mentors, mentees, skills, dt))

    # interests: Jaccard
    it = _interest_codes(mentees, mentors)
    A = _set_matrix(mentees, "interests", it)
    B = _set_matrix(mentors, "interests", it)
    inter = np.asarray(A.astype(np.float32) @ B.T.toarray().astype(np.float32))
    na = np.asarray(A.sum(axis=1), dtype=np.float32).ravel()
    nb = np.asarray(B.sum(axis=1), dtype=np.float32).ravel()
    union = na[:, None] + nb[None, :]
    union -= inter
    np.maximum(union, 1.0, out=union)  # union == 0 implies inter == 0 -> score 0
    np.divide(inter, union, out=inter)
    comps["interests"] = inter.astype(dt, copy=False)
    del inter, union

    # project fit: share of the mentee's project topics the mentor teaches (level-weighted)
    Pm = _set_matrix(mentees, "project_skills", skills)
    tr, tc, tlev, _ = _level_prio(mentors, skills, "teaches")
    T = np.zeros((Pm.shape[1], m), dtype=np.float32)
    T[tc, tr] = np.minimum(tlev / 3.0, 1.0)  # level >= 3 counts fully
    npj = np.asarray(Pm.sum(axis=1)).ravel()
    Pm = sp.diags((1.0 / np.where(npj > 0, npj, 1.0)).astype(np.float32)) @ Pm.astype(np.float32)
    pf = np.asarray(Pm @ T)
    np.clip(pf, 0.0, 1.0, out=pf)
    comps["project_fit"] = pf.astype(dt, copy=False)
    del pf, T

    # seniority: grade gap (mentor - mentee) inside [min_gap, max_gap] -> 1, geometric decay.
    # Computed on the small table of distinct grades, then gathered.
    gi = np.array([p.grade for p in mentees], dtype=np.float64)
    gj = np.array([p.grade for p in mentors], dtype=np.float64)
    ugi, ci = np.unique(gi, return_inverse=True)
    ugj, cj = np.unique(gj, return_inverse=True)
    gap = ugj[None, :] - ugi[:, None]
    dist = np.maximum(cfg.min_grade_gap - gap, 0) + np.maximum(gap - cfg.max_grade_gap, 0)
    table = np.power(cfg.grade_decay, dist).astype(dt)
    comps["seniority"] = table[:, cj][ci]  # row gather: (distinct rows x m) -> (n x m)

    # practicalities: working-hours overlap, plus same location when the mentee wants in
    # person; also via a table over distinct (window, location[, in-person]) profiles.
    loc = _Codes()
    mi_prof = np.array(
        [
            (p.utc_offset, p.work_start, p.work_end, loc.get(p.location), float(p.wants_in_person))
            for p in mentees
        ],
        dtype=np.float64,
    ).reshape(-1, 5)
    mj_prof = np.array(
        [(p.utc_offset, p.work_start, p.work_end, loc.get(p.location)) for p in mentors],
        dtype=np.float64,
    ).reshape(-1, 4)
    upi, ci = np.unique(mi_prof, axis=0, return_inverse=True)
    upj, cj = np.unique(mj_prof, axis=0, return_inverse=True)
    ov = timezone_overlap_hours(
        upi[:, 0:1], upi[:, 1:2], upi[:, 2:3], upj[None, :, 0], upj[None, :, 1], upj[None, :, 2]
    )
    tz = np.minimum(ov / max(cfg.full_overlap_hours, 1e-9), 1.0)
    same_loc = (upi[:, 3:4] == upj[None, :, 3]) & (upi[:, 3:4] >= 0)
    table = np.where(upi[:, 4:5] > 0, 0.5 * tz + 0.5 * same_loc, tz).astype(dt)
    comps["practicalities"] = table[:, cj.ravel()][ci.ravel()]

    # weighted total
    weights = {c: float(cfg.weights.get(c, 0.0)) for c in COMPONENTS}
    wsum = sum(weights.values()) or 1.0
    total = np.zeros((n, m), dtype=np.float64)
    tmp = np.empty((n, m), dtype=np.float32)
    for c in COMPONENTS:
        if weights[c]:
            np.multiply(comps[c], np.float32(weights[c] / wsum), out=tmp)
            np.add(total, tmp, out=total)
    del tmp
    np.clip(total, 0.0, 1.0, out=total)

    # hard rules
    rules: dict[str, np.ndarray] = {}
    # sparse rules: dictionary look-ups, O(n + m) instead of dense comparisons
    by_id: dict = {}
    by_email: dict = {}
    for j, p in enumerate(mentors):
        by_id.setdefault(p.id, []).append(j)
        if p.email:
            by_email.setdefault(p.email.lower(), []).append(j)
    same = np.zeros((n, m), dtype=bool)
    manager = np.zeros((n, m), dtype=bool)
    for i, p in enumerate(mentees):
        same[i, by_id.get(p.id, [])] = True
        if p.email:
            same[i, by_email.get(p.email.lower(), [])] = True
        if p.line_manager_email:
            manager[i, by_email.get(p.line_manager_email.lower(), [])] = True
    rules["same person"] = same
    rules["mentor is line manager"] = manager
    if cfg.forbid_same_team:
        rules["same team"] = _equal_codes([p.team for p in mentees], [p.team for p in mentors])
    if cfg.forbid_same_organisation:
        rules["same organisation"] = _equal_codes(
            [p.organisation for p in mentees], [p.organisation for p in mentors]
        )
    mentee_pos = {p.id: i for i, p in enumerate(mentees)}
    mentor_pos = {p.id: j for j, p in enumerate(mentors)}
    if cfg.previous_pairs and not cfg.allow_previous_pairs:
        rules["previous pair"] = _pair_mask(cfg.previous_pairs, mentee_pos, mentor_pos, (n, m))
    if cfg.excluded_pairs:
        rules["excluded by coordinator"] = _pair_mask(
            cfg.excluded_pairs, mentee_pos, mentor_pos, (n, m)
        )
    rules["mentor capacity 0"] = np.broadcast_to((cap <= 0)[None, :], (n, m))

    forbidden = np.zeros((n, m), dtype=bool)
    rule_counts = {}
    for name, mask in rules.items():
        forbidden |= mask
        rule_counts[name] = np.count_nonzero(mask, axis=1)
    np.copyto(total, np.nan, where=forbidden)
    return ScoreResult(
        total,
        comps,
        forbidden,
        rule_counts,
        cap,
        [p.id for p in mentees],
        [p.id for p in mentors],
    )
