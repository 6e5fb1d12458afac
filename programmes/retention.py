"""Retention, per cohort (issue 15, item 9). Run daily from beat; idempotent.

A cohort is *due* once it has finished and ended more than ``RETENTION_MONTHS`` months ago
(default 24). Then, whether or not its people signed in since:

1. **Its free text is deleted.** Which rows belong to a cohort, and which of their fields are
   free text, is read from the personal-data registry (``people.personal_data.declare``), never
   listed here: every declared model whose foreign keys lead to a cohort (a check-in through its
   pair, an answer through its response and schedule, a project through its enrolment) has its
   free-text fields blanked, and its address fields (a line manager's email) too, for the due
   cohorts' rows; a model whose rows erasure deletes (a calendar feed) has the cohort's rows
   deleted. A new free-text field, or a new model that points at a cohort, is covered by
   declaring it, with no change here (``mentorship/tests/test_retention_per_cohort.py``
   checks what it finds).
2. **Its people's links to it are anonymised.** A participant none of whose cohorts is still
   running or recent, who coordinates nothing, is not staff, has not signed in since the
   cut-off and whom nothing a higher app registered keeps (recruitment: added to a talent pool
   since) is anonymised whole (``people.services.person_erase``). Anyone else keeps their
   account, and their rows in the due cohorts of a programme (enrolment, check-ins they wrote,
   survey answers, attendance, messages sent) move to a new anonymised stand-in account
   (``erased-<id>@invalid``, with their grade only), one per programme: the link between the
   person and those cohorts is gone.

   The stand-in takes all of a person's cohorts in a programme at once, so a person who is in
   a due cohort and in a later cohort of the *same programme* that is not due yet keeps the
   link to the old cohort (not its free text, which is gone) until the later one is due too.
   That is what keeps the programme's figures right: "returning mentors" and "alumni who became
   mentors" are the link between a person's cohorts, and a stand-in for the old cohort alone
   would turn a returning mentor into two people.

3. Higher apps hear of it (``register_on_retained``): recruitment drops its cached
   project-similarity index, which holds project descriptions.

Rows, dates, roles, statuses, ratings and survey scores stay, so every figure on the
dashboards is the same before and after (``mentorship/tests/test_retention_per_cohort.py``).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from people import personal_data
from people.models import User
from people.services import audit_record, erased_email, is_erased, person_erase, stand_in_create

from .models import Cohort, CohortStatus, Enrolment

logger = logging.getLogger(__name__)

#: Reasons to keep a person's account, registered by higher apps from their
#: ``AppConfig.ready()``: each takes ``OuterRef("pk")`` (the user) and the cut-off instant, and
#: returns a queryset that is not empty when the person must be kept.
_keepers: list[Callable] = []
#: Told the ids of the cohorts whose free text was just deleted (caches holding it).
_on_retained: list[Callable] = []


def register_keep(keeper: Callable) -> None:
    """Register a reason to keep a person past the retention period (see ``_keepers``)."""
    if keeper not in _keepers:
        _keepers.append(keeper)


def register_on_retained(callback: Callable) -> None:
    """Register ``callback(cohort_ids)``, called after the cohorts' free text is deleted."""
    if callback not in _on_retained:
        _on_retained.append(callback)


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def retention_cutoff(today: dt.date | None = None) -> dt.date:
    months = getattr(settings, "RETENTION_MONTHS", 24)
    return months_before(today or timezone.localdate(), months)


def _due_q(cutoff: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}status": CohortStatus.FINISHED}) & Q(**{f"{prefix}ends_on__lt": cutoff})


def cohorts_due(*, today: dt.date | None = None):
    """Cohorts finished more than RETENTION_MONTHS ago."""
    return Cohort.objects.filter(_due_q(retention_cutoff(today)))


# --- What belongs to a cohort, from the registry ----------------------------------------------


@dataclass(frozen=True)
class CohortRows:
    """A declared model whose rows belong to a cohort: the lookup from it to the cohort, and
    what retention does to its fields."""

    model: type[models.Model]
    path: str  # e.g. "pair__cohort"
    blank: dict[str, object]  # free text and addresses -> their empty value
    people: tuple[str, ...]  # links to an account, moved to the stand-in
    delete: bool  # erasure deletes these rows: retention deletes the cohort's


def _cohort_path(model, limit: int = 4) -> str | None:
    """The shortest chain of foreign keys from ``model`` to the cohort, or None. Never through
    an account (a user's rows are not the cohort's) nor a programme (a programme's are not)."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    programme = apps.get_model("programmes", "Programme")
    frontier = [(model, "")]
    seen = {model}
    for _ in range(limit):
        following = []
        for current, path in frontier:
            for f in current._meta.concrete_fields:
                if not f.is_relation or f.many_to_many:
                    continue
                target = f.related_model
                here = f"{path}{f.name}"
                if target is Cohort:
                    return here
                if target in seen or target in (user_model, programme):
                    continue
                seen.add(target)
                following.append((target, here + "__"))
        frontier = following
    return None


def _empty(f):
    if f.has_default():
        return f.get_default()
    return None if f.null else ""


@cache
def cohort_rows() -> tuple[CohortRows, ...]:
    """Every declared model with personal data whose rows belong to a cohort."""
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    out = []
    for d in personal_data.declarations():
        kinds = d.fields
        if not any(k in (personal_data.FREE_TEXT, personal_data.PERSON) for k in kinds.values()):
            continue
        model = apps.get_model(d.model)
        if model is Cohort:
            continue
        path = _cohort_path(model)
        if path is None:
            continue
        blank, people = {}, []
        for name, kind in kinds.items():
            f = model._meta.get_field(name)
            if kind == personal_data.FREE_TEXT and f.concrete:
                blank[name] = _empty(f)
            elif kind == personal_data.PERSON and f.concrete and not f.is_relation:
                blank[name] = _empty(f)  # an address or a name written in
            elif kind == personal_data.PERSON and f.is_relation and f.related_model is user_model:
                people.append(name)
        out.append(
            CohortRows(
                model=model,
                path=path,
                blank=blank,
                people=tuple(people),
                delete=d.on_erase == personal_data.ROW_DELETED,
            )
        )
    return tuple(out)


# --- 1. Free text -----------------------------------------------------------------------------


def _free_text_delete(cohort_ids: list[int]) -> int:
    """Blank the free text of the cohorts' rows (delete the rows erasure deletes). Only rows
    that still hold something are touched, so a second run changes nothing."""
    changed = 0
    for rows in cohort_rows():
        qs = rows.model._default_manager.filter(**{f"{rows.path}__in": cohort_ids})
        if rows.delete:
            changed += qs.delete()[0]
            continue
        if not rows.blank:
            continue
        holding = Q()
        for name, empty in rows.blank.items():
            holding |= ~Q(**{name: empty}) if empty is not None else Q(**{f"{name}__isnull": False})
        changed += qs.filter(holding).update(**rows.blank)
    return changed


# --- 2. Links ---------------------------------------------------------------------------------


def retention_candidates(*, today: dt.date | None = None):
    """People to anonymise whole: every cohort they were in is due, they have not signed in
    since the cut-off, coordinate nothing, are not staff, and nothing keeps them."""
    cutoff = retention_cutoff(today)
    cutoff_at = dt.datetime.combine(cutoff, dt.time.min, tzinfo=dt.UTC)
    recent = Enrolment.objects.filter(user=OuterRef("pk")).exclude(_due_q(cutoff, "cohort__"))
    candidates = (
        User.objects.filter(is_staff=False, is_superuser=False)
        .filter(coordinated_programmes__isnull=True)
        .filter(Exists(Enrolment.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(recent))
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff_at))
        .exclude(email__startswith="erased-", email__endswith="@invalid")
    )
    for keeper in _keepers:
        candidates = candidates.exclude(Exists(keeper(OuterRef("pk"), cutoff_at)))
    return candidates.distinct()


def _links_to_move(cutoff: dt.date) -> dict[tuple[int, int], list[int]]:
    """(person, programme) -> the due cohorts whose links move to a stand-in: the person's
    every cohort of that programme is due. Erased accounts and stand-ins are left alone."""
    rows = (
        Enrolment.objects.filter(cohort__in=Cohort.objects.filter(_due_q(cutoff)))
        .exclude(user__email__startswith="erased-", user__email__endswith="@invalid")
        .values_list("user_id", "cohort__programme_id", "cohort_id")
        .order_by("user_id", "cohort__programme_id", "cohort_id")
    )
    due: dict[tuple[int, int], list[int]] = defaultdict(list)
    for user_id, programme_id, cohort_id in rows:
        due[(user_id, programme_id)].append(cohort_id)
    if not due:
        return {}
    still_in = set(
        Enrolment.objects.filter(user_id__in={u for u, _ in due})
        .exclude(_due_q(cutoff, "cohort__"))
        .values_list("user_id", "cohort__programme_id")
    )
    return {key: ids for key, ids in due.items() if key not in still_in}


@transaction.atomic
def links_anonymise(*, user: User, cohort_ids: list[int]) -> User:
    """Move a person's rows in these cohorts (all of one programme) to a new stand-in account:
    afterwards nothing ties the person to them. Returns the stand-in."""
    stand_in = stand_in_create(like=user)
    for rows in cohort_rows():
        if rows.delete:
            continue
        qs = rows.model._default_manager.filter(**{f"{rows.path}__in": cohort_ids})
        for name in rows.people:
            qs.filter(**{name: user}).update(**{name: stand_in})
    return stand_in


# --- The daily run ----------------------------------------------------------------------------


def retention_run(*, today: dt.date | None = None) -> dict:
    """Apply retention to every due cohort. Returns counts; a second run the same day changes
    nothing."""
    cutoff = retention_cutoff(today)
    cohort_ids = list(cohorts_due(today=today).values_list("pk", flat=True))
    counts = {"cohorts": len(cohort_ids), "free_text": 0, "erased": 0, "links": 0}
    if not cohort_ids:
        return counts
    for user in retention_candidates(today=today).iterator():
        if user.email == erased_email(user):
            continue
        person_erase(user=user, actor=None, reason="retention period ended")
        counts["erased"] += 1
    # After erasure, which marks some of the text it erases ("[erased]"): all of it goes.
    with transaction.atomic():
        counts["free_text"] = _free_text_delete(cohort_ids)
    moves = _links_to_move(cutoff)
    people = User.objects.in_bulk({user_id for user_id, _ in moves})
    for (user_id, _programme_id), ids in moves.items():
        person = people[user_id]
        if is_erased(person):
            continue
        links_anonymise(user=person, cohort_ids=ids)
        counts["links"] += 1
    if counts["free_text"] or counts["links"]:
        for callback in _on_retained:
            callback(cohort_ids)
    if counts["free_text"] or counts["erased"] or counts["links"]:
        audit_record(
            action="retention",
            summary=f"retention: free text of {counts['free_text']} rows deleted in "
            f"{len(cohort_ids)} cohorts finished before {cutoff:%-d %B %Y}; "
            f"{counts['erased']} people anonymised; {counts['links']} people's links to "
            "their cohorts anonymised",
        )
        logger.info("retention: %s", counts)
    return counts


def retention_anonymise(*, today: dt.date | None = None) -> int:
    """The daily task's entry point (kept name): runs :func:`retention_run`; returns how many
    people were anonymised whole or had their links to a cohort anonymised."""
    counts = retention_run(today=today)
    return counts["erased"] + counts["links"]
