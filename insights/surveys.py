"""Survey figures for the dashboards: response rates, scores, NPS and comments.

Reads the feedback app's models (insights sits above feedback in the import order). A fixed
number of queries: schedules with invitation counts, responses per group, answer aggregates per
group and, for one cohort, the latest comments.

A *group* is the responses to one version of one schedule (a survey round). Figures are computed
from the published responses only, by the feedback app's one rule (feedback/publication.py):
anonymous answers count in steps of at least 3 per group, so a group of fewer than 3 is in no
score, NPS or comment, and no figure moves by a single answer between two views.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

from django.db.models import Count, IntegerField, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from .definitions import Window, nps, rate

COMMENT_LIMIT = 10


@functools.cache
def available() -> bool:
    """True once the feedback app has its survey models and their migration."""
    try:
        from feedback import models
    except ImportError:
        return False
    if not all(hasattr(models, name) for name in ("SurveySchedule", "Response", "Answer")):
        return False
    migrations = Path(models.__file__).parent / "migrations"
    return any(p.name[:4].isdigit() for p in migrations.glob("0*.py"))


@dataclass
class Round:
    """One survey schedule of a cohort (e.g. "mid-point survey") and its results."""

    schedule_id: int
    name: str
    on: dt.date | None
    anonymous: bool
    invited: int = 0
    answered: int = 0
    responses: int = 0
    hidden_groups: int = 0
    held_back: int = 0  # anonymous responses not counted yet (feedback/publication.py)
    score_sum: int = 0
    score_n: int = 0
    promoters: int = 0
    detractors: int = 0
    nps_n: int = 0

    @property
    def response_rate(self):
        return rate(self.answered, self.invited)

    @property
    def score(self):
        return round(self.score_sum / self.score_n, 2) if self.score_n else None

    @property
    def nps(self):
        return nps(self.promoters, self.detractors, self.nps_n)

    @property
    def hidden(self) -> bool:
        """Every group of the round is hidden by the anonymity rule."""
        return self.hidden_groups > 0 and self.score_n == 0 and self.nps_n == 0


@dataclass
class SurveyFigures:
    available: bool = False
    rounds: list[Round] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)

    @property
    def invited(self) -> int:
        return sum(r.invited for r in self.rounds)

    @property
    def answered(self) -> int:
        return sum(r.answered for r in self.rounds)

    @property
    def response_rate(self):
        return rate(self.answered, self.invited)

    @property
    def score(self):
        n = sum(r.score_n for r in self.rounds)
        return round(sum(r.score_sum for r in self.rounds) / n, 2) if n else None

    @property
    def nps(self):
        return nps(
            sum(r.promoters for r in self.rounds),
            sum(r.detractors for r in self.rounds),
            sum(r.nps_n for r in self.rounds),
        )


def _nominal_date(schedule) -> dt.date:
    cohort = schedule.cohort
    if schedule.trigger == "cohort_end":
        return cohort.ends_on + dt.timedelta(days=schedule.offset_days)
    if schedule.trigger in ("cohort_start", "pair_start"):
        return cohort.starts_on + dt.timedelta(days=schedule.offset_days)
    return cohort.starts_on


def _figures(cohort_ids, window: Window, *, comments: bool) -> dict[int, SurveyFigures]:
    from feedback.models import Answer, QuestionType, Response, SurveyInvitation, SurveySchedule
    from feedback.publication import published_q

    due = Q(due_on__lte=window.as_of)
    if window.start:
        due &= Q(due_on__gte=window.start)
    # Each schedule's invitations counted apart (correlated subqueries, through the index on
    # the schedule), not joined to the schedules, cohorts and surveys and grouped: a national
    # programme's 64,000 invitations no longer carry those rows through the grouping.
    invitations = SurveyInvitation.objects.filter(schedule_id=OuterRef("pk")).order_by()

    def count(q):
        n = invitations.filter(q).values("schedule_id").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(n, output_field=IntegerField()), Value(0))

    schedules = list(
        SurveySchedule.objects.filter(cohort_id__in=list(cohort_ids))
        .select_related("template", "cohort")
        .annotate(
            invited_n=count(due),
            answered_n=count(due & Q(answered_at__isnull=False)),
            first_due=Subquery(
                invitations.values("schedule_id").annotate(m=Min("due_on")).values("m")
            ),
        )
        .order_by("pk")
    )
    result: dict[int, SurveyFigures] = {pk: SurveyFigures(available=True) for pk in cohort_ids}
    rounds: dict[int, Round] = {}
    cohort_of: dict[int, int] = {}
    for s in schedules:
        on = s.first_due or _nominal_date(s)
        if on > window.as_of or (window.start and on < window.start):
            continue
        rounds[s.pk] = Round(
            schedule_id=s.pk,
            name=s.template.name,
            on=on,
            anonymous=s.template.anonymous,
            invited=s.invited_n,
            answered=s.answered_n,
        )
        cohort_of[s.pk] = s.cohort_id
    if rounds:
        # Counts of every response, and figures from the published ones only: the one rule of
        # feedback/publication.py (anonymous answers in steps of at least 3 per group).
        groups = (
            Response.objects.filter(schedule_id__in=list(rounds))
            .values("schedule_id", "version_id", "version__template__anonymous")
            .annotate(n=Count("pk"), shown=Count("pk", filter=published_q()))
            .order_by()
            .values_list("schedule_id", "version_id", "version__template__anonymous", "n", "shown")
        )
        any_shown = False
        for schedule_id, _version_id, version_anonymous, n, shown in groups:
            r = rounds[schedule_id]
            r.responses += n
            r.held_back += n - shown
            # Anonymity is the answered version's, never the schedule's current survey.
            r.anonymous = r.anonymous or version_anonymous
            if not shown:
                r.hidden_groups += 1
            any_shown = any_shown or bool(shown)
        if any_shown:
            in_shown = Q(response__schedule_id__in=list(rounds))
            numbers = (
                Answer.objects.published()
                .filter(in_shown, number__isnull=False)
                .filter(question__type__in=[QuestionType.SCALE_1_5, QuestionType.NPS_0_10])
                .values("response__schedule_id", "question__type")
                .annotate(
                    n=Count("pk"),
                    total=Sum("number"),
                    promoters=Count("pk", filter=Q(number__gte=9)),
                    detractors=Count("pk", filter=Q(number__lte=6)),
                )
                .order_by()
            )
            for row in numbers:
                r = rounds[row["response__schedule_id"]]
                if row["question__type"] == QuestionType.NPS_0_10:
                    r.nps_n += row["n"]
                    r.promoters += row["promoters"]
                    r.detractors += row["detractors"]
                else:
                    r.score_n += row["n"]
                    r.score_sum += row["total"] or 0
            if comments:
                _add_comments(result, rounds, cohort_of, in_shown, Answer, QuestionType)
    for schedule_id, r in sorted(rounds.items(), key=lambda item: (item[1].on, item[0])):
        result.setdefault(cohort_of[schedule_id], SurveyFigures(available=True)).rounds.append(r)
    return result


def _add_comments(result, rounds, cohort_of, in_shown, Answer, QuestionType) -> None:
    """The latest free-text answers of the shown groups: identified answers by the time they
    were submitted, anonymous ones (which carry no time) by their round's date."""
    rows = (
        Answer.objects.published()
        .filter(in_shown, question__type=QuestionType.FREE_TEXT)
        .exclude(text="")
        .values_list(
            "response__schedule_id", "response__role", "response__submitted_at", "text", "pk"
        )
        .order_by("-response__schedule__pk", "-response__submitted_at", "id")[:200]
    )
    items = []
    for schedule_id, role, submitted_at, text, pk in rows:
        r = rounds[schedule_id]
        when = submitted_at.date() if (submitted_at and not r.anonymous) else r.on
        items.append(
            {
                "cohort_id": cohort_of[schedule_id],
                "survey": r.name,
                "on": when,
                "role": role if not r.anonymous else "",
                "text": text,
                "answer_id": pk,
            }
        )
    items.sort(key=lambda c: c["on"] or dt.date.min, reverse=True)
    for item in items:
        figures = result[item["cohort_id"]]
        if len(figures.comments) < COMMENT_LIMIT:
            figures.comments.append(item)


def comment_texts(answer_ids) -> dict[int, str]:
    """The text of each still published, non-empty answer of ``answer_ids`` (one query): what
    a comment shows when the figures kept in the cache hold only its answer's id."""
    from feedback.models import Answer

    if not answer_ids or not available():
        return {}
    return dict(
        Answer.objects.published()
        .filter(pk__in=list(answer_ids))
        .exclude(text="")
        .values_list("pk", "text")
    )


def cohort_survey_figures(*, cohort, window: Window) -> SurveyFigures:
    if not available():
        return SurveyFigures(available=False)
    return _figures([cohort.pk], window, comments=True).get(cohort.pk, SurveyFigures(True))


def programme_survey_figures(*, cohort_ids, window: Window) -> dict[int, SurveyFigures]:
    if not available():
        return {pk: SurveyFigures(available=False) for pk in cohort_ids}
    if not cohort_ids:
        return {}
    return _figures(cohort_ids, window, comments=False)
