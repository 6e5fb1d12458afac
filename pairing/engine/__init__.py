"""Pure pairing engine (numpy/scipy only; imports nothing from Django).

Public API::

    solve(scores, capacity, *, locked=None, top_k=12, method="auto") -> list[(mentee, mentor)]
    solve_detailed(...) -> SolveResult          # same + certificate / duals / stats
    solve_dense(scores, capacity)               # independent dense formulation
    score_matrices(mentees, mentors, config=None, *, capacity=None) -> ScoreResult
    explain(mentee, mentor, config=None, *, skill_names=None, interest_names=None) -> dict
    unmatched_reasons(scores, capacity, pairs, *, rule_counts=None) -> {mentee: reason}
    shortlist(scores, i, k=5) -> [(mentor, score)]
    apply_mentee_ranks(scores, ranks, *, bonus=0.5, restrict=False) -> scores
"""

from .explain import (
    apply_mentee_ranks,
    component_table,
    explain,
    shortlist,
    unmatched_reasons,
)
from .scoring import (
    COMPONENTS,
    DEFAULT_WEIGHTS,
    Person,
    ScoreResult,
    ScoringConfig,
    score_matrices,
    timezone_overlap_hours,
)
from .solver import (
    PairingError,
    SolveResult,
    assignment_value,
    solve,
    solve_dense,
    solve_detailed,
    validate_assignment,
)

__all__ = [
    "COMPONENTS",
    "DEFAULT_WEIGHTS",
    "PairingError",
    "Person",
    "ScoreResult",
    "ScoringConfig",
    "SolveResult",
    "apply_mentee_ranks",
    "assignment_value",
    "component_table",
    "explain",
    "score_matrices",
    "shortlist",
    "solve",
    "solve_dense",
    "solve_detailed",
    "timezone_overlap_hours",
    "unmatched_reasons",
    "validate_assignment",
]
