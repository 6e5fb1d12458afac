"""The shapes of the API's answers (pydantic, through django-ninja): the OpenAPI schema is
generated from these, and every answer is validated against them before it leaves."""

from __future__ import annotations

import datetime as dt

# Plain pydantic models: validated by pydantic-core alone (ninja's Schema wraps every value in a
# getter for ORM objects; these answers are built from dicts), three times faster on 1,000 rows.
from pydantic import BaseModel as Schema


class Error(Schema):
    detail: str


class Page(Schema):
    """Every list: one page of rows in id order, and the cursor of the next page."""

    next_cursor: str | None
    next: str | None


class ProgrammeOut(Schema):
    id: int
    slug: str
    name: str
    organisation: str
    checkin_cadence_days: int
    length_weeks: int
    coordinator: bool  # does the token's owner coordinate it (else: they take part in it)


class ProgrammePage(Page):
    results: list[ProgrammeOut]


class CohortOut(Schema):
    id: int
    programme_id: int
    name: str
    status: str
    applications_open: dt.date | None
    applications_close: dt.date | None
    starts_on: dt.date
    ends_on: dt.date
    capacity: int


class CohortPage(Page):
    results: list[CohortOut]


class EnrolmentOut(Schema):
    id: int
    cohort_id: int
    programme_id: int
    person_id: int  # stable across cohorts: the same person has the same id
    role: str
    status: str
    capacity: int
    organisation: str
    grade: str
    applied_at: dt.datetime | None
    decided_at: dt.datetime | None
    # Contact details: only for tokens with the `people` scope (null otherwise).
    name: str | None = None
    email: str | None = None


class EnrolmentPage(Page):
    results: list[EnrolmentOut]


class PairOut(Schema):
    id: int
    cohort_id: int
    mentor_enrolment_id: int
    mentee_enrolment_id: int
    status: str
    started_on: dt.date
    ended_on: dt.date | None
    end_reason: str
    # Only for tokens with the `people` scope (null otherwise).
    mentor_name: str | None = None
    mentee_name: str | None = None


class PairPage(Page):
    results: list[PairOut]


class CheckInOut(Schema):
    """The facts of a meeting. Never its notes (what they worked on, the next step)."""

    id: int
    pair_id: int
    cohort_id: int
    met_on: dt.date
    duration_minutes: int
    format: str
    rating: int
    wellbeing: int | None  # a participant reads only their own; null for the other person's
    protected_time_kept: bool
    logged_by: str  # "mentor", "mentee" or "" (the author left)


class CheckInPage(Page):
    results: list[CheckInOut]


class SurveyRoundOut(Schema):
    id: int
    cohort_id: int
    template: str
    anonymous: bool
    trigger: str
    offset_days: int
    invited: int
    answered: int


class SurveyRoundPage(Page):
    results: list[SurveyRoundOut]


class QuestionResultOut(Schema):
    question_id: int
    key: str
    text: str
    type: str
    answered: int
    labels: list[str]
    counts: list[int]
    mean: float | None
    nps: int | None
    free_text_answers: int  # how many; the texts themselves are not in the API


class VersionResultOut(Schema):
    version: int
    anonymous: bool
    responses: int
    # Anonymous responses not counted yet: published in steps of 3 (feedback/publication.py).
    held_back: int = 0
    hidden: bool  # anonymous and nothing published yet (fewer than 3): nothing shown
    questions: list[QuestionResultOut]


class SurveyResultsOut(Schema):
    id: int
    cohort_id: int
    template: str
    anonymous: bool
    invited: int
    answered: int
    response_rate: int | None
    anonymity_threshold: int
    versions: list[VersionResultOut]


# --- Dashboard figures ----------------------------------------------------------------------------


class Headline(Schema):
    """The "at a glance" figures of a cohort, as on both dashboards."""

    applied_mentees: int
    accepted_mentees: int
    matched: int
    match_rate: float | None
    mentor_utilisation: float | None
    pairs: int
    checkins_per_pair: float | None
    checkins_against_plan: float | None
    at_risk_now: int
    completed: int
    ended_early: int
    median_relationship_days: float | None
    mean_wellbeing: float | None
    survey_response_rate: float | None
    nps: int | None


class FunnelOut(Schema):
    interest: int
    invited: int
    applied: int
    accepted: int
    waitlisted: int
    declined: int
    withdrawn: int
    mentors_applied: int
    mentors_accepted: int
    mentor_capacity: int
    matched: int
    match_rate: float | None
    mentor_utilisation: float | None
    days_to_first_pair: int | None


class AtRiskOut(Schema):
    pair_id: int
    reasons: list[str]


class PairFiguresOut(Schema):
    pairs: int
    active: int
    completed: int
    early: int
    ended_other: int
    checkins: int
    expected: int
    pairs_on_plan: int
    checkins_per_pair: float | None
    plan_rate: float | None
    days_to_first_median: float | None
    never_met: int
    length_median: float | None
    length_mean: float | None
    repaired_mentees: int
    early_rate: float | None
    completion_rate: float | None
    end_reasons: dict[str, int]
    last_checkin_bands: dict[str, int]
    length_bands: dict[str, int]
    at_risk: list[AtRiskOut]


class WeekOut(Schema):
    week: dt.date
    checkins: int
    wellbeing: float | None
    rating: float | None


class ScoreCount(Schema):
    score: int
    checkins: int


class WellbeingOut(Schema):
    distribution: list[ScoreCount]
    total: int
    mean: float | None
    weeks: list[WeekOut]


class SurveyRoundFiguresOut(Schema):
    survey_id: int
    name: str
    on: dt.date | None
    anonymous: bool
    invited: int
    answered: int
    responses: int
    response_rate: float | None
    score: float | None
    nps: int | None
    hidden: bool


class SurveyFiguresOut(Schema):
    available: bool
    invited: int
    answered: int
    response_rate: float | None
    score: float | None
    nps: int | None
    rounds: list[SurveyRoundFiguresOut]


class WindowOut(Schema):
    start: dt.date | None
    as_of: dt.date


class CohortFiguresOut(Schema):
    cohort_id: int
    programme_id: int
    window: WindowOut
    cadence_days: int
    headline: Headline
    funnel: FunnelOut
    pairs: PairFiguresOut
    wellbeing: WellbeingOut
    surveys: SurveyFiguresOut


class ColumnOut(Schema):
    cohort_id: int
    name: str
    headline: Headline
    returning_mentors: int
    alumni_mentors: int


class RetentionCohortOut(Schema):
    cohort_id: int
    mentors: int
    returning: int
    alumni: int


class RetentionOut(Schema):
    """Returning mentors and alumni who came back as mentors (docs/metrics.md)."""

    mentors: int
    returning: int
    alumni: int
    returning_rate: float | None
    alumni_rate: float | None
    per_cohort: list[RetentionCohortOut]


class TalentPoolOut(Schema):
    interest: int
    added: int
    alumni: int
    total: int


class PriorityOut(Schema):
    name: str
    projects: int


class BreakdownOut(Schema):
    """A group of fewer than 5 people shows no figures (hidden); within a shown group a count
    of 1 to 4 is null ("fewer than 5"), as on the dashboard."""

    label: str
    hidden: bool
    people: int | None
    mentees: int | None
    mentors: int | None
    completion_rate: float | None


class ProgrammeFiguresOut(Schema):
    programme_id: int
    window: WindowOut
    cohorts: list[ColumnOut]
    retention: RetentionOut
    talent_pool: TalentPoolOut
    priorities: list[PriorityOut]
    by_organisation: list[BreakdownOut]
    by_grade: list[BreakdownOut]
