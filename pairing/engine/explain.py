"""Human-readable explanations, unmatched reasons, shortlists and mentee-rank blending."""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

import numpy as np

from .scoring import (
    COMPONENTS,
    Person,
    ScoreResult,
    ScoringConfig,
    score_matrices,
    timezone_overlap_hours,
)

__all__ = [
    "PRIORITY_LABEL",
    "apply_mentee_ranks",
    "explain",
    "shortlist",
    "unmatched_reasons",
]

PRIORITY_LABEL = {1: "low", 2: "medium", 3: "high"}


def _name(names: Mapping | None, key: Hashable) -> str:
    if names and key in names:
        return str(names[key])
    return str(key)


def explain(
    mentee: Person,
    mentor: Person,
    config: ScoringConfig | None = None,
    *,
    skill_names: Mapping | None = None,
    interest_names: Mapping | None = None,
    capacity: int | None = None,
) -> dict:
    """Explain one proposed pair.

    Returns ``{"total": float | None, "allowed": bool, "components": {name: {"score",
    "weight", "contribution"}}, "reasons": [str, ...], "facts": [dict, ...], "blocked_by":
    [rule, ...]}``. ``reasons`` are the engine's terse strings (for logs and engineers);
    ``facts`` say the same as plain data (``{"kind": "teaches_wanted", "skill": ...,
    "mentor_level": ..., "mentee_level": ..., "priority": ...}``, ``"mutual"``, ``"interest"``,
    ``"project"``, ``"grade"``, ``"overlap"``, ``"in_person"``, ``"blocked"``) for a wording
    layer that phrases them for its reader.
    Contributions sum to the total (weights are normalised).
    """
    cfg = config or ScoringConfig()
    cap = [mentor.capacity if capacity is None else capacity]
    res = score_matrices([mentee], [mentor], cfg, capacity=cap)
    weights = {c: float(cfg.weights.get(c, 0.0)) for c in COMPONENTS}
    wsum = sum(weights.values()) or 1.0
    comps = {}
    for c in COMPONENTS:
        s = float(res.components[c][0, 0])
        comps[c] = {
            "score": s,
            "weight": weights[c] / wsum,
            "contribution": weights[c] / wsum * s,
        }
    blocked = [rule for rule, cnt in res.rule_counts.items() if cnt[0] > 0]
    total = None if blocked else float(res.scores[0, 0])

    reasons: list[str] = []
    # The same findings as plain data, for a wording layer above the engine to phrase for its
    # reader (pairing/wording.py): the engine's own strings are for engineers and logs.
    facts: list[dict] = []
    for rule in blocked:
        reasons.append(f"not allowed: {rule}")
        facts.append({"kind": "blocked", "rule": rule})
    # skills the mentee wants that the mentor teaches
    wanted = sorted(
        (k for k in mentee.wants if k in mentor.teaches),
        key=lambda k: (-mentee.wants[k][1], -mentor.teaches[k]),
    )
    for k in wanted:
        lvl, prio = mentee.wants[k]
        nm = _name(skill_names, k)
        t = mentor.teaches[k]
        gap = "" if t > lvl else f" (mentor level {t} is not above mentee level {lvl})"
        reasons.append(
            f"teaches {nm} (level {t}) — mentee wants {nm} "
            f"(priority {PRIORITY_LABEL.get(prio, prio)}){gap}"
        )
        facts.append(
            {
                "kind": "teaches_wanted",
                "skill": nm,
                "mentor_level": int(t),
                "mentee_level": int(lvl),
                "priority": int(prio),
            }
        )
    for k in sorted((k for k in mentor.wants if k in mentee.teaches), key=str):
        nm = _name(skill_names, k)
        reasons.append(
            f"mentee can teach {nm} (level {mentee.teaches[k]}) — mentor wants to learn {nm}"
        )
        facts.append({"kind": "mutual", "skill": nm, "mentee_level": int(mentee.teaches[k])})
    for k in sorted(mentee.interests & mentor.interests, key=lambda x: _name(interest_names, x)):
        reasons.append(f"both interested in {_name(interest_names, k)}")
        facts.append({"kind": "interest", "interest": _name(interest_names, k)})
    for k in sorted(mentee.project_skills, key=str):
        if k in mentor.teaches:
            nm = _name(skill_names, k)
            reasons.append(
                f"mentee's project involves {nm} — mentor teaches it (level {mentor.teaches[k]})"
            )
            facts.append({"kind": "project", "skill": nm, "mentor_level": int(mentor.teaches[k])})
    gap = mentor.grade - mentee.grade
    window = f"[{cfg.min_grade_gap}, {cfg.max_grade_gap}]"
    within = cfg.min_grade_gap <= gap <= cfg.max_grade_gap
    if within:
        reasons.append(f"grade gap {gap} within window {window}")
    else:
        reasons.append(f"grade gap {gap} outside window {window}")
    facts.append(
        {
            "kind": "grade",
            "gap": int(gap),
            "within": bool(within),
            "min": int(cfg.min_grade_gap),
            "max": int(cfg.max_grade_gap),
        }
    )
    ov = float(
        timezone_overlap_hours(
            mentee.utc_offset,
            mentee.work_start,
            mentee.work_end,
            mentor.utc_offset,
            mentor.work_start,
            mentor.work_end,
        )
    )
    reasons.append(f"working hours overlap {ov:g} h")
    facts.append({"kind": "overlap", "hours": ov})
    if mentee.wants_in_person:
        same = mentee.location is not None and mentee.location == mentor.location
        if same:
            reasons.append(f"both based in {mentee.location} (in-person wanted)")
        else:
            reasons.append(
                f"mentee wants in-person but locations differ "
                f"({mentee.location or '?'} vs {mentor.location or '?'})"
            )
        facts.append(
            {
                "kind": "in_person",
                "same_place": bool(same),
                "mentee_location": str(mentee.location or ""),
                "mentor_location": str(mentor.location or ""),
            }
        )
    return {
        "total": total,
        "allowed": not blocked,
        "components": comps,
        "reasons": reasons,
        "facts": facts,
        "blocked_by": blocked,
    }


def unmatched_reasons(
    scores: np.ndarray,
    capacity: Sequence[int],
    pairs: Sequence[tuple[int, int]],
    *,
    rule_counts: Mapping[str, np.ndarray] | None = None,
    top_rules: int = 3,
) -> dict[int, str]:
    """Reason for every unmatched mentee index.

    ``scores`` is the NaN-masked matrix given to ``solve``; ``rule_counts`` (from
    :class:`ScoreResult`) lets the message name the hard rules that excluded most mentors.
    """
    S = np.asarray(scores, dtype=np.float64)
    n, m = S.shape
    cap = np.asarray(capacity, dtype=np.int64)
    matched = np.zeros(n, dtype=bool)
    for i, _ in pairs:
        matched[i] = True
    out: dict[int, str] = {}
    for i in np.flatnonzero(~matched):
        eligible = np.flatnonzero(~np.isnan(S[i]) & (cap > 0))
        if eligible.size == 0:
            msg = "no mentor passes the hard rules"
            if rule_counts:
                counts = sorted(
                    ((int(c[i]), r) for r, c in rule_counts.items() if c[i] > 0), reverse=True
                )
                if counts:
                    parts = ", ".join(f"{r} ({c} mentors)" for c, r in counts[:top_rules])
                    msg += f" (most excluded by: {parts})"
            out[int(i)] = msg
        else:
            out[int(i)] = (
                f"all eligible mentors' capacity is used ({eligible.size} eligible mentors; "
                "matching another pair instead would reduce the number of pairs or the total "
                "score)"
            )
    return out


def shortlist(scores: np.ndarray, i: int, k: int = 5) -> list[tuple[int, float]]:
    """Top-``k`` allowed mentors ``[(mentor_index, score), ...]`` for mentee ``i``, best first
    (ties broken by mentor index)."""
    row = np.asarray(scores, dtype=np.float64)[i]
    allowed = np.flatnonzero(~np.isnan(row))
    if allowed.size == 0 or k <= 0:
        return []
    order = np.lexsort((allowed, -row[allowed]))[:k]
    return [(int(allowed[o]), float(row[allowed[o]])) for o in order]


def apply_mentee_ranks(
    scores: np.ndarray,
    ranks: Mapping[int, Sequence[int]],
    *,
    bonus: float = 0.5,
    restrict: bool = False,
) -> np.ndarray:
    """Choice mode: blend mentees' rankings of their shortlists into the scores.

    ``ranks[i]`` is mentee ``i``'s ordered list of preferred mentor indices (best first).  The
    mentor at position ``r`` of a list of length ``L`` gets ``bonus * (L - r) / L`` added (so
    the first choice gets the full bonus).  With ``restrict=True`` unranked mentors become
    forbidden for mentees who submitted a ranking.  Forbidden (NaN) cells stay forbidden.
    Returns a new array.
    """
    S = np.array(scores, dtype=np.float64, copy=True)
    for i, lst in ranks.items():
        lst = [int(j) for j in lst]
        if not lst:
            continue
        L = len(lst)
        add = np.zeros(S.shape[1])
        for r, j in enumerate(lst):
            add[j] = max(add[j], bonus * (L - r) / L)
        row = S[i] + add
        if restrict:
            keep = np.zeros(S.shape[1], dtype=bool)
            keep[lst] = True
            row[~keep] = np.nan
        S[i] = row
    return S


def component_table(result: ScoreResult, i: int, j: int) -> dict[str, float]:
    """Component scores of pair (i, j) taken from a precomputed :class:`ScoreResult`."""
    return {c: float(result.components[c][i, j]) for c in COMPONENTS}
