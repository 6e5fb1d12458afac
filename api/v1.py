"""Version 1 of the read-only API: every operation, its parameters and its access rule.

Each operation reads through :mod:`api.access` (the owner's reach) and, for survey results and
dashboard figures, through the same selector functions as the pages (feedback.selectors,
insights.selectors), so the anonymity and small-group rules and the numbers are the pages' own.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, Value
from django.shortcuts import get_object_or_404
from ninja import Field, Path, Query, Schema

from feedback import selectors as feedback
from people.models import Grade, name_or_address
from programmes.models import Programme

from . import access, figures
from .auth import TokenAuth
from .http import Api, BadRequest, install_error_handlers, page
from .models import Scope
from .schemas import (
    CheckInPage,
    CohortFiguresOut,
    CohortOut,
    CohortPage,
    EnrolmentPage,
    Error,
    PairPage,
    ProgrammeFiguresOut,
    ProgrammeOut,
    ProgrammePage,
    SurveyResultsOut,
    SurveyRoundPage,
)

api = Api(
    title="Mentorship API",
    version="1",
    description=(
        "Read-only access to programmes, cohorts, enrolments, pairs, check-in facts, survey "
        "results and dashboard figures. Authenticate with a personal API token "
        "(`Authorization: Bearer <token>`, created on your account page). A token sees what "
        "its owner sees in the browser. Lists are cursor pages in id order and answer CSV "
        "with `Accept: text/csv`. See docs/api.md."
    ),
    urls_namespace="api:v1",
    openapi_url="/schema",
    docs_url="/docs",
    auth=TokenAuth(),
)
install_error_handlers(api)

ERRORS = {400: Error, 401: Error, 403: Error, 404: Error, 422: Error, 429: Error}
# Every list also answers CSV (Accept: text/csv), declared in the schema.
CSV = {"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}}
GRADES = dict(Grade.choices)
MAX_ID = 2**63 - 1  # the largest id a database column holds: past it, a 422, never a 500


def Id(description: str):  # noqa: N802 - reads like the Field it is
    return Field(None, ge=1, le=MAX_ID, description=description)


ID_PATH = Path(..., ge=1, le=MAX_ID)


def _user(request):
    return request.auth.user


def _people(request) -> bool:
    return request.auth.has_scope(Scope.PEOPLE)


class ListParams(Schema):
    cursor: str | None = Field(
        None, pattern=r"^[0-9]{1,18}$", description="next_cursor of the previous page"
    )
    limit: int = Field(100, ge=1, le=1000, description="rows per page")


class DateParams(ListParams):
    start: dt.date | None = Field(None, description="ISO 8601 date: from (inclusive)")
    end: dt.date | None = Field(None, description="ISO 8601 date: to (inclusive)")


# A status or role filter is one of the model's choices: lower-case words (anything else, a NUL
# byte included, is answered 422 before it reaches the database).
CHOICE = r"^[a-z_]+$"


class CohortFilter(DateParams):
    programme: int | None = Id("programme id")
    status: str | None = Field(None, max_length=20, pattern=CHOICE)


class RowFilter(DateParams):
    programme: int | None = Id("programme id")
    cohort: int | None = Id("cohort id")


class EnrolmentFilter(RowFilter):
    role: str | None = Field(None, max_length=10, pattern=CHOICE)
    status: str | None = Field(None, max_length=20, pattern=CHOICE)


class PairFilter(RowFilter):
    status: str | None = Field(None, max_length=10, pattern=CHOICE)


class CheckInFilter(RowFilter):
    pair: int | None = Id("pair id")


class FigureParams(Schema):
    start: dt.date | None = Field(None, description="From: counts events on or after it")
    end: dt.date | None = Field(None, description="To: the as-of date (never after today)")


def _dates(q) -> tuple[dt.date | None, dt.date | None]:
    """A list's dates: an end before the start is an empty interval, so an empty list."""
    return q.start, q.end


def _figure_dates(q) -> tuple[dt.date | None, dt.date | None]:
    """The dashboards' filter: an end before the start is an error (the filter form's)."""
    if q.start and q.end and q.end < q.start:
        raise BadRequest("The end date must be on or after the start date.")
    return q.start, q.end


def _running(qs, q, prefix=""):
    """Rows of cohorts running at some point between start and end (the dashboards' rule)."""
    start, end = _dates(q)
    if start:
        qs = qs.filter(**{f"{prefix}ends_on__gte": start})
    if end:
        qs = qs.filter(**{f"{prefix}starts_on__lte": end})
    return qs


def _by(qs, **filters):
    return qs.filter(**{k: v for k, v in filters.items() if v is not None})


# --- Programmes and cohorts -----------------------------------------------------------------------


def _programme_row(p) -> dict:
    return {
        "id": p.pk,
        "slug": p.slug,
        "name": p.name,
        "organisation": p.organisation,
        "checkin_cadence_days": p.checkin_cadence_days,
        "length_weeks": p.length_weeks,
        "coordinator": p.coordinator,
    }


def _programmes(user):
    qs = access.programmes(user)
    if user.is_staff:
        return qs.annotate(coordinator=Value(True))
    mine = Programme.coordinators.through.objects.filter(programme=OuterRef("pk"), user=user)
    return qs.annotate(coordinator=Exists(mine))


@api.get(
    "/programmes",
    response={200: ProgrammePage, **ERRORS},
    url_name="programmes",
    openapi_extra=CSV,
    tags=["programmes"],
)
def programmes_list(request, q: Query[ListParams]):
    """Programmes the token's owner coordinates or takes part in (one query)."""
    return page(request, _programmes(_user(request)), cursor=q.cursor, limit=q.limit,
                row=_programme_row)  # fmt: skip


@api.get(
    "/programmes/{int:programme_id}",
    response={200: ProgrammeOut, **ERRORS},
    url_name="programme",
    tags=["programmes"],
)
def programme_detail(request, programme_id: int = ID_PATH):
    return _programme_row(get_object_or_404(_programmes(_user(request)), pk=programme_id))


def _cohort_row(c) -> dict:
    return {
        "id": c.pk,
        "programme_id": c.programme_id,
        "name": c.name,
        "status": c.status,
        "applications_open": c.applications_open,
        "applications_close": c.applications_close,
        "starts_on": c.starts_on,
        "ends_on": c.ends_on,
        "capacity": c.capacity,
    }


@api.get(
    "/cohorts",
    response={200: CohortPage, **ERRORS},
    url_name="cohorts",
    openapi_extra=CSV,
    tags=["cohorts"],
)
def cohorts_list(request, q: Query[CohortFilter]):
    """Cohorts of those programmes; `start`/`end` keep cohorts running at some point between
    them, as the programme dashboard's filter does (one query)."""
    qs = _by(access.cohorts(_user(request)), programme_id=q.programme, status=q.status)
    return page(request, _running(qs, q), cursor=q.cursor, limit=q.limit, row=_cohort_row)


@api.get(
    "/cohorts/{int:cohort_id}",
    response={200: CohortOut, **ERRORS},
    url_name="cohort",
    tags=["cohorts"],
)
def cohort_detail(request, cohort_id: int = ID_PATH):
    return _cohort_row(get_object_or_404(access.cohorts(_user(request)), pk=cohort_id))


# --- Rows about people ----------------------------------------------------------------------------


def _row_filters(qs, q, cohort_path="cohort__"):
    qs = _by(qs, **{f"{cohort_path}programme_id": q.programme, f"{cohort_path}id": q.cohort})
    return _running(qs, q, prefix=cohort_path)


@api.get(
    "/enrolments",
    response={200: EnrolmentPage, **ERRORS},
    url_name="enrolments",
    openapi_extra=CSV,
    tags=["people"],
)
def enrolments_list(request, q: Query[EnrolmentFilter]):
    """People in cohorts: role, status, organisation and grade; name and email only with the
    `people` scope. `start`/`end` keep enrolments of cohorts running between them (one query)."""
    people = _people(request)
    qs = _by(access.enrolments(_user(request)), role=q.role, status=q.status)
    qs = _row_filters(qs, q).values(
        "id", "cohort_id", "cohort__programme_id", "user_id", "role", "status", "capacity",
        "applied_at", "decided_at", "user__profile__organisation", "user__profile__grade",
        "user__full_name", "user__email",
    )  # fmt: skip

    def row(e: dict) -> dict:
        email = e["user__email"]
        return {
            "id": e["id"],
            "cohort_id": e["cohort_id"],
            "programme_id": e["cohort__programme_id"],
            "person_id": e["user_id"],
            "role": e["role"],
            "status": e["status"],
            "capacity": e["capacity"],
            "organisation": e["user__profile__organisation"] or "",
            "grade": GRADES.get(e["user__profile__grade"], ""),
            "applied_at": e["applied_at"],
            "decided_at": e["decided_at"],
            # User.display_name, from the row
            "name": name_or_address(e["user__full_name"], email) if people else None,
            "email": email if people else None,
        }

    return page(request, qs, cursor=q.cursor, limit=q.limit, row=row)


@api.get(
    "/pairs",
    response={200: PairPage, **ERRORS},
    url_name="pairs",
    openapi_extra=CSV,
    tags=["people"],
)
def pairs_list(request, q: Query[PairFilter]):
    """Pairs: start, end, end reason and status; names only with the `people` scope.
    `start`/`end` keep pairs that were running at some point between them (one query)."""
    people = _people(request)
    qs = _by(access.pairs(_user(request)), status=q.status)
    qs = _by(qs, cohort__programme_id=q.programme, cohort_id=q.cohort)
    start, end = _dates(q)
    if start:
        qs = qs.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    if end:
        qs = qs.filter(started_on__lte=end)
    fields = ["id", "cohort_id", "mentor_id", "mentee_id", "status", "started_on",
              "ended_on", "end_reason"]  # fmt: skip
    names = ["mentor__user__full_name", "mentor__user__email", "mentee__user__full_name",
             "mentee__user__email"]  # fmt: skip
    qs = qs.values(*fields, *(names if people else []))

    def display(p, side):  # User.display_name, from the row
        return name_or_address(p[f"{side}__user__full_name"], p[f"{side}__user__email"])

    def row(p: dict) -> dict:
        return {
            "id": p["id"],
            "cohort_id": p["cohort_id"],
            "mentor_enrolment_id": p["mentor_id"],
            "mentee_enrolment_id": p["mentee_id"],
            "status": p["status"],
            "started_on": p["started_on"],
            "ended_on": p["ended_on"],
            "end_reason": p["end_reason"],
            "mentor_name": display(p, "mentor") if people else None,
            "mentee_name": display(p, "mentee") if people else None,
        }

    return page(request, qs, cursor=q.cursor, limit=q.limit, row=row)


@api.get(
    "/checkins",
    response={200: CheckInPage, **ERRORS},
    url_name="checkins",
    openapi_extra=CSV,
    tags=["people"],
)
def checkins_list(request, q: Query[CheckInFilter]):
    """Check-in facts: date, duration, format, ratings, wellbeing. Never the notes. A
    participant gets the wellbeing score only of the check-ins they logged themselves (empty for
    the other person's). `start`/`end` filter on the meeting date (one query)."""
    reader = _user(request)
    qs = _by(access.checkins(reader), pair_id=q.pair)
    qs = _by(qs, pair__cohort__programme_id=q.programme, pair__cohort_id=q.cohort)
    start, end = _dates(q)
    if start:
        qs = qs.filter(met_on__gte=start)
    if end:
        qs = qs.filter(met_on__lte=end)
    qs = qs.values(  # never the notes: only these columns are read
        "id", "pair_id", "pair__cohort_id", "met_on", "duration_minutes", "format", "rating",
        "wellbeing", "protected_time_kept", "author_id", "pair__mentor__user_id",
        "pair__mentee__user_id",
    )  # fmt: skip

    def row(c: dict) -> dict:
        logged_by = ""
        if c["author_id"] and c["author_id"] == c["pair__mentor__user_id"]:
            logged_by = "mentor"
        elif c["author_id"] and c["author_id"] == c["pair__mentee__user_id"]:
            logged_by = "mentee"
        in_pair = reader.pk in (c["pair__mentor__user_id"], c["pair__mentee__user_id"])
        wellbeing = None if in_pair and c["author_id"] != reader.pk else c["wellbeing"]
        return {
            "id": c["id"],
            "pair_id": c["pair_id"],
            "cohort_id": c["pair__cohort_id"],
            "met_on": c["met_on"],
            "duration_minutes": c["duration_minutes"],
            "format": c["format"],
            "rating": c["rating"],
            "wellbeing": wellbeing,
            "protected_time_kept": c["protected_time_kept"],
            "logged_by": logged_by,
        }

    return page(request, qs, cursor=q.cursor, limit=q.limit, row=row)


# --- Survey results -------------------------------------------------------------------------------


@api.get(
    "/surveys",
    response={200: SurveyRoundPage, **ERRORS},
    url_name="surveys",
    openapi_extra=CSV,
    tags=["surveys"],
)
def surveys_list(request, q: Query[RowFilter]):
    """Survey rounds of the cohorts the owner coordinates, with invitation counts (one query).
    Participants get an empty list, as they have no results pages."""
    qs = _row_filters(access.survey_schedules(_user(request)), q)
    qs = qs.select_related("template").annotate(
        invited=Count("invitations", distinct=True),
        answered=Count(
            "invitations", filter=Q(invitations__answered_at__isnull=False), distinct=True
        ),
    )

    def row(s) -> dict:
        return {
            "id": s.pk,
            "cohort_id": s.cohort_id,
            "template": s.template.name,
            "anonymous": s.template.anonymous,
            "trigger": s.trigger,
            "offset_days": s.offset_days,
            "invited": s.invited,
            "answered": s.answered,
        }

    return page(request, qs, cursor=q.cursor, limit=q.limit, row=row)


@api.get(
    "/surveys/{int:survey_id}/results",
    response={200: SurveyResultsOut, **ERRORS},
    url_name="survey_results",
    tags=["surveys"],
)
def survey_results(request, survey_id: int = ID_PATH):
    """The results page's figures (feedback.selectors.schedule_results): an anonymous survey's
    answers count in steps of at least 3 per version (feedback/publication.py), so a version
    with fewer than 3 responses is hidden whole. Counts, means and NPS; no free text."""
    schedule = get_object_or_404(
        access.survey_schedules(_user(request)).select_related("template", "cohort"),
        pk=survey_id,
    )
    results = feedback.schedule_results(schedule=schedule)
    return {
        "id": schedule.pk,
        "cohort_id": schedule.cohort_id,
        "template": schedule.template.name,
        # Anonymity is each answered version's own (feedback.selectors), never lifted by
        # re-pointing the schedule at another survey.
        "anonymous": schedule.template.anonymous
        or any(v.version.template.anonymous for v in results["versions"]),
        "invited": results["invited"],
        "answered": results["answered"],
        "response_rate": results["rate"],
        "anonymity_threshold": results["threshold"],
        "versions": [
            {
                "version": v.version.number,
                "anonymous": v.version.template.anonymous,
                "responses": v.responses,
                "held_back": v.held_back,
                "hidden": v.hidden,
                "questions": [
                    {
                        "question_id": r.question.pk,
                        "key": str(r.question.key),
                        "text": r.question.text,
                        "type": r.question.type,
                        "answered": r.answered,
                        "labels": r.labels,
                        "counts": r.counts,
                        "mean": r.mean,
                        "nps": r.nps,
                        "free_text_answers": len(r.texts),
                    }
                    for r in v.questions
                ],
            }
            for v in results["versions"]
        ],
    }


# --- Dashboard figures ----------------------------------------------------------------------------


@api.get(
    "/figures/cohorts/{int:cohort_id}",
    response={200: CohortFiguresOut, **ERRORS},
    url_name="cohort_figures",
    tags=["figures"],
)
def cohort_figures(request, q: Query[FigureParams], cohort_id: int = ID_PATH):
    """The cohort dashboard's figures (insights.selectors.cohort_dashboard), for the
    programme's coordinators and staff."""
    start, end = _figure_dates(q)
    cohort = get_object_or_404(
        access.coordinated_cohorts(_user(request)).select_related("programme"), pk=cohort_id
    )
    return figures.cohort_figures(cohort=cohort, start=start, end=end)


@api.get(
    "/figures/programmes/{int:programme_id}",
    response={200: ProgrammeFiguresOut, **ERRORS},
    url_name="programme_figures",
    tags=["figures"],
)
def programme_figures(request, q: Query[FigureParams], programme_id: int = ID_PATH):
    """The programme dashboard's figures (insights.selectors.programme_dashboard), for the
    programme's coordinators and staff; `start`/`end` choose the cohorts as on the page."""
    start, end = _figure_dates(q)
    programme = get_object_or_404(access.coordinated_programmes(_user(request)), pk=programme_id)
    return figures.programme_figures(programme=programme, start=start, end=end)
