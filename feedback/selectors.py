"""Reads for surveys: access rules (404, never 403) and results.

Results pages run a fixed number of queries whatever the number of responses: counts are
aggregated in the database and the answers of a schedule are read in one query.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db.models import Avg, Count, Q
from django.shortcuts import get_object_or_404
from django.utils import timezone

from programmes.models import Programme
from programmes.selectors import cohort_for_coordinator  # noqa: F401 - re-exported for views

from .models import (
    ANONYMITY_THRESHOLD,
    NUMBER_RANGES,
    Answer,
    Question,
    QuestionType,
    Response,
    SurveyInvitation,
    SurveySchedule,
    SurveyTemplate,
    SurveyVersion,
)
from .publication import RELEASE_STEP, published_q

# --- Access -------------------------------------------------------------------------------------


def templates_for_coordinator(*, user, programme: Programme):
    return programme.survey_templates.order_by("name")


def template_for_coordinator(*, user, slug: str, pk: int) -> SurveyTemplate:
    return get_object_or_404(
        SurveyTemplate.objects.filter(
            programme__in=Programme.objects.coordinated_by(user)
        ).select_related("programme"),
        programme__slug=slug,
        pk=pk,
    )


def schedule_for_coordinator(*, user, slug: str, cohort_pk: int, pk: int) -> SurveySchedule:
    return get_object_or_404(
        SurveySchedule.objects.filter(
            cohort__programme__in=Programme.objects.coordinated_by(user)
        ).select_related("cohort__programme", "template"),
        cohort__programme__slug=slug,
        cohort_id=cohort_pk,
        pk=pk,
    )


def invitation_from_token(*, token: str) -> SurveyInvitation | None:
    """The invitation behind a signed link, or None. The caller checks who may use it."""
    pk = SurveyInvitation.pk_from_token(token)
    if pk is None:
        return None
    # Two small queries, not one over eleven joined tables: PostgreSQL took 8-10 ms planning
    # that one (issue 19), on every survey form and every answer sent.
    invitation = (
        SurveyInvitation.objects.select_related(
            "user", "schedule__template", "schedule__cohort__programme"
        )
        .filter(pk=pk)
        .first()
    )
    if invitation is not None and invitation.pair_id is not None:
        pairs = SurveyInvitation.pair.field.related_model.objects
        invitation.pair = pairs.select_related("mentor__user", "mentee__user").get(
            pk=invitation.pair_id
        )
    return invitation


def opened_version(*, template: SurveyTemplate, value) -> SurveyVersion | None:
    """The published version of ``template`` a participant's form was built from, named by the
    form's hidden ``version`` field (one query); None when missing, malformed or not this
    template's."""
    text = str(value if value is not None else "")
    if not text.isdigit() or len(text) > 18:
        return None
    return (
        template.versions.filter(pk=int(text), published=True).prefetch_related("questions").first()
    )


def open_invitations_for(*, user):
    """The surveys a person can answer now, soonest closing first."""
    if not user.is_authenticated:
        return SurveyInvitation.objects.none()
    return (
        SurveyInvitation.objects.open()
        .filter(user=user, schedule__active=True)
        .select_related(
            "schedule__template",
            "schedule__cohort__programme",
            "pair__mentor__user",
            "pair__mentee__user",
        )
        # What the list shows (feedback/_surveys_to_answer.html): ten tables are joined, and
        # compiling the query with every column of each cost more than the rest of the page.
        .only(*_LISTED)
        .order_by("closes_on", "pk")
    )


_LISTED = (
    "user",
    "pair",
    "schedule",
    "due_on",
    "closes_on",
    "answered_at",
    "schedule__template",
    "schedule__template__name",
    "schedule__template__anonymous",
    "schedule__cohort",
    "schedule__cohort__name",
    "schedule__cohort__programme",
    "schedule__cohort__programme__name",
    *(
        f"pair__{member}{field}"
        for member in ("mentor", "mentee")
        for field in ("", "__user", "__user__full_name", "__user__email")
    ),
)


# --- Builder ------------------------------------------------------------------------------------


def versions_with_questions(*, template: SurveyTemplate):
    return (
        template.versions.annotate(response_count=Count("responses"))
        .prefetch_related("questions")
        .order_by("-number")
    )


# --- Results ------------------------------------------------------------------------------------


def nps(scores: Counter) -> int | None:
    """Net promoter score: % promoters (9-10) minus % detractors (0-6), -100 to 100."""
    total = sum(scores.values())
    if not total:
        return None
    promoters = sum(n for s, n in scores.items() if s >= 9)
    detractors = sum(n for s, n in scores.items() if s <= 6)
    return round(100 * (promoters - detractors) / total)


@dataclass
class QuestionResult:
    question: Question
    answered: int = 0
    labels: list[str] = field(default_factory=list)
    counts: list[int] = field(default_factory=list)
    mean: float | None = None
    nps: int | None = None
    texts: list[str] = field(default_factory=list)

    @property
    def rows(self):
        total = self.answered or 1
        return [
            (label, n, round(100 * n / total))
            for label, n in zip(self.labels, self.counts, strict=True)
        ]

    @property
    def chart(self) -> dict:
        return {"label": self.question.text, "labels": self.labels, "counts": self.counts}

    @property
    def chart_id(self) -> str:
        return f"chart-data-{self.question.pk}"


@dataclass
class VersionResult:
    version: SurveyVersion
    responses: int
    hidden: bool
    questions: list[QuestionResult]
    # Anonymous responses not counted yet: released in steps of 3 (feedback/publication.py).
    held_back: int = 0

    @property
    def published(self) -> int:
        return self.responses - self.held_back


def _summarise(question: Question, answers: list[tuple]) -> QuestionResult:
    result = QuestionResult(question=question, answered=len(answers))
    bounds = NUMBER_RANGES.get(question.type)
    if bounds:
        scores = Counter(number for number, _text, _choices in answers if number is not None)
        low, high = bounds
        result.labels = [str(i) for i in range(low, high + 1)]
        result.counts = [scores.get(i, 0) for i in range(low, high + 1)]
        if scores:
            result.mean = round(sum(k * v for k, v in scores.items()) / sum(scores.values()), 2)
        if question.type == QuestionType.NPS_0_10:
            result.nps = nps(scores)
    elif question.is_choice:
        counts = Counter(c for _n, _t, choices in answers for c in choices or [])
        labels = list(question.choices) + sorted(set(counts) - set(question.choices))
        result.labels = labels
        result.counts = [counts.get(label, 0) for label in labels]
    else:
        result.texts = [text for _n, text, _c in answers if text]
    return result


def schedule_results(*, schedule: SurveySchedule) -> dict:
    """Response rate and, per version answered, each question's distribution, mean, NPS and
    free text, from the published responses only (feedback/publication.py): an anonymous
    survey's answers count in steps of at least 3 per version, so a version with fewer than 3
    is hidden whole and no figure moves by one answer. Five queries."""
    counts = schedule.invitations.aggregate(
        invited=Count("pk"), answered=Count("pk", filter=Q(answered_at__isnull=False))
    )
    by_version = {
        version_id: (n, shown)
        for version_id, n, shown in schedule.responses.values("version")
        .annotate(n=Count("pk"), shown=Count("pk", filter=published_q()))
        .order_by()
        .values_list("version", "n", "shown")
    }
    versions = list(
        SurveyVersion.objects.filter(pk__in=by_version)
        .select_related("template")
        .prefetch_related("questions")
        .order_by("-number")
    )
    # Anonymity is the answered version's (its survey's, frozen once answered), never the
    # schedule's current survey: re-pointing a schedule cannot lift it.
    shown = {v.pk for v in versions if by_version[v.pk][1]}
    answers: dict[int, list[tuple]] = defaultdict(list)
    if shown:
        rows = (
            Answer.objects.published()
            .filter(response__schedule=schedule, response__version__in=shown)
            .order_by("id")  # random ids: no order to read anything into
            .values_list("question_id", "number", "text", "choices")
        )
        for question_id, number, text, choices in rows:
            answers[question_id].append((number, text, choices))
    results = []
    for v in versions:
        hidden = v.pk not in shown
        n, published = by_version[v.pk]
        questions = [] if hidden else [_summarise(q, answers[q.pk]) for q in v.questions.all()]
        results.append(VersionResult(v, n, hidden, questions, held_back=n - published))
    invited, answered = counts["invited"], counts["answered"]
    return {
        "invited": invited,
        "answered": answered,
        "rate": round(100 * answered / invited) if invited else None,
        "versions": results,
        "threshold": ANONYMITY_THRESHOLD,
        "step": RELEASE_STEP,
    }


def cohort_schedules(*, cohort):
    """The cohort's schedules with invitation and response counts, in two queries."""
    return (
        cohort.survey_schedules.select_related("template")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count(
                "invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True
            ),
        )
        .order_by("trigger", "offset_days", "pk")
    )


def template_comparison(*, template: SurveyTemplate) -> dict:
    """The same template across the programme's cohorts: response rate, NPS and the mean of
    each number question (matched across versions by question key), from the published
    responses only (feedback/publication.py): a version's answers that are held back are in no
    mean, so a new version's first answer cannot be read off the difference of two views.
    Anonymous rounds with nothing published show counts only."""
    schedules = list(
        template.schedules.select_related("cohort")
        .annotate(
            invited=Count("invitations", distinct=True),
            answered=Count(
                "invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True
            ),
        )
        .order_by("-cohort__starts_on", "pk")
    )
    # Only answers to this survey's own versions: a schedule re-pointed from or to another
    # survey must not mix in answers given under another promise of anonymity.
    responses = {
        schedule_id: (n, shown)
        for schedule_id, n, shown in Response.objects.filter(
            schedule__in=schedules, version__template=template
        )
        .values("schedule")
        .annotate(n=Count("pk"), shown=Count("pk", filter=published_q()))
        .order_by()
        .values_list("schedule", "n", "shown")
    }
    latest = template.versions.order_by("-number").first()
    columns = [q for q in latest.questions.all() if q.type in NUMBER_RANGES] if latest else []
    stats = {}
    for row in (
        Answer.objects.published()
        .filter(
            response__schedule__in=schedules,
            response__version__template=template,
            question__key__in=[q.key for q in columns],
            number__isnull=False,
        )
        .values("response__schedule", "question__key")
        .annotate(
            mean=Avg("number"),
            n=Count("pk"),
            promoters=Count("pk", filter=Q(number__gte=9)),
            detractors=Count("pk", filter=Q(number__lte=6)),
        )
        .order_by()
    ):
        stats[(row["response__schedule"], row["question__key"])] = row
    rows = []
    for s in schedules:
        n, shown = responses.get(s.pk, (0, 0))
        hidden = template.anonymous and shown < ANONYMITY_THRESHOLD
        cells = []
        for q in columns:
            st = None if hidden else stats.get((s.pk, q.key))
            if st is None:
                cells.append(None)
            elif q.type == QuestionType.NPS_0_10:
                cells.append(round(100 * (st["promoters"] - st["detractors"]) / st["n"]))
            else:
                cells.append(round(st["mean"], 2))
        rows.append(
            {
                "schedule": s,
                "responses": n,
                "held_back": n - shown,
                "rate": round(100 * s.answered / s.invited) if s.invited else None,
                "hidden": hidden,
                "cells": cells,
            }
        )
    return {"columns": columns, "rows": rows, "threshold": ANONYMITY_THRESHOLD}


EXPORT_CHUNK = 200


def batched(items: Iterable, size: int) -> Iterator[list]:
    """``itertools.batched`` (Python 3.12) for 3.11: lists of ``size`` items, the last shorter."""
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def export_rows(*, schedule: SurveySchedule) -> tuple[list[str], Iterator[list], int]:
    """CSV header, rows and their number: one row per response, one column per question
    (matched across versions by key). Identified surveys add the respondent's email; anonymous
    ones never do. The rows are a generator reading the responses in chunks of
    ``EXPORT_CHUNK`` with their answers (one query a chunk), so a streamed export holds one
    chunk in memory whatever the number of responses; four queries before the first row."""
    # Anonymity is the answered version's, never the schedule's current survey.
    anonymous = (
        schedule.template.anonymous
        or schedule.responses.filter(version__template__anonymous=True).exists()
    )
    # Published responses only (feedback/publication.py): anonymous ones in steps of at least
    # 3 per version, so two downloads a minute apart never differ by one person's row.
    published = schedule.responses.published()
    per_version = dict(
        published.order_by()
        .values("version_id")
        .annotate(n=Count("id"))
        .values_list("version_id", "n")
    )
    questions = list(
        Question.objects.filter(version__in=list(per_version)).order_by("-version__number", "order")
    )
    columns: dict = {}
    for q in questions:  # the newest version's wording and order first
        columns.setdefault(q.key, q)
    keys = list(columns)
    by_question = {q.pk: q.key for q in questions}
    header = ["response", "cohort", "survey version"]
    if not anonymous:
        header += ["role", "respondent", "submitted at"]
    header += [columns[k].text for k in keys]
    # Plain tuples, not model instances: a chunk of them weighs a few hundred kilobytes.
    responses = (
        published.order_by("version__number", "id")
        .values_list("id", "version__number", "role", "user__email", "submitted_at")
        .iterator(chunk_size=EXPORT_CHUNK)
    )

    def rows() -> Iterator[list]:
        for chunk in batched(responses, EXPORT_CHUNK):
            cells: dict = defaultdict(dict)
            for response_id, question_id, number, text, choices in (
                Answer.objects.published()
                .filter(response__in=[r[0] for r in chunk])
                .order_by("id")
                .values_list("response_id", "question_id", "number", "text", "choices")
            ):
                value = number if number is not None else ("; ".join(choices) if choices else text)
                cells[response_id][by_question[question_id]] = value
            for response_id, version_number, role, email, submitted_at in chunk:
                row = [str(response_id), schedule.cohort.name, version_number]
                if not anonymous:
                    submitted = timezone.localtime(submitted_at).isoformat() if submitted_at else ""
                    row += [role, email or "", submitted]
                row += [cells[response_id].get(k, "") for k in keys]
                yield row

    return header, rows(), sum(per_version.values())


def question_for_template(*, template: SurveyTemplate, pk: int) -> Question:
    return get_object_or_404(Question, pk=pk, version__template=template)
