"""Reads for the dashboards: every figure from a fixed number of queries, whatever the data size.

The database does the counting (aggregates grouped by cohort, by role, by week, by score); the
classification of each pair (at risk, early ending, completed) is in :mod:`insights.definitions`
so it is written once. Pair facts are one grouped query that returns one row per pair plus one
window query for the latest three scores of active pairs: never a query per pair or per person.

By subject, each module saying how many queries its functions make:

- :mod:`.funnel`: interest, applications, decisions, pairs made;
- :mod:`.engagement`: pair facts, latest scores, check-ins and wellbeing;
- :mod:`.community`: returning mentors, alumni, talent pool, priorities, breakdowns;
- :mod:`insights.surveys`: response rates, scores, NPS and comments;
- :mod:`.dashboards`: the cohort and programme dashboards composed from the above.

Nothing here checks access: views call :func:`programmes.selectors.cohort_for_coordinator` or
:func:`programmes.selectors.programme_for_coordinator` first. Callers keep importing from
``insights.selectors``: the public names are re-exported here.
"""

from .community import (
    BreakdownRow,
    breakdowns,
    priorities_covered,
    retention_by_cohort,
    talent_pool_size,
)
from .dashboards import (
    CohortColumn,
    CohortDashboard,
    ProgrammeDashboard,
    cohort_dashboard,
    headline,
    programme_cohorts,
    programme_dashboard,
    window_for,
)
from .engagement import (
    CohortPairFacts,
    pair_facts,
    pair_names,
    wellbeing_figures,
)
from .funnel import (
    Funnel,
    build_funnel,
    funnel_counts_by_cohort,
    interest_by_cohort,
    interest_rounds,
)

__all__ = [
    "BreakdownRow",
    "CohortColumn",
    "CohortDashboard",
    "CohortPairFacts",
    "Funnel",
    "ProgrammeDashboard",
    "breakdowns",
    "build_funnel",
    "cohort_dashboard",
    "funnel_counts_by_cohort",
    "headline",
    "interest_by_cohort",
    "interest_rounds",
    "pair_facts",
    "pair_names",
    "priorities_covered",
    "programme_cohorts",
    "programme_dashboard",
    "retention_by_cohort",
    "talent_pool_size",
    "wellbeing_figures",
    "window_for",
]
