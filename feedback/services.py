"""Writes for surveys: the builder, schedules and their defaults, invitations and answers."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from lib.audit import AuditContext
from lib.models import model_update
from notifications.services import email_recheck_on_commit
from pairing.models import Pair
from people.services import audit_record
from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Programme

from . import publication, scheduling
from .defaults import DEFAULT_SCHEDULES, DEFAULT_TEMPLATES
from .models import (
    OFFSET_DAYS_MAX,
    QUESTION_FIELDS,
    SCHEDULE_FIELDS,
    TEMPLATE_FIELDS,
    Answer,
    Question,
    Response,
    SurveyInvitation,
    SurveySchedule,
    SurveyTemplate,
    SurveyVersion,
    Trigger,
)

logger = logging.getLogger(__name__)


class SurveyClosed(ValidationError):
    pass


class AlreadyAnswered(ValidationError):
    pass


class EmptyResponse(ValidationError):
    pass


# --- Builder ------------------------------------------------------------------------------------


@transaction.atomic
def template_create(*, programme: Programme, data: dict, actor=None) -> SurveyTemplate:
    template = SurveyTemplate(programme=programme, **data)
    template.full_clean()
    template.save()
    SurveyVersion.objects.create(template=template, number=1, published=False)
    return template


def template_has_responses(template: SurveyTemplate) -> bool:
    return Response.objects.filter(version__template=template).exists()


@transaction.atomic
def template_update(*, template: SurveyTemplate, data: dict) -> SurveyTemplate:
    if (
        "anonymous" in data
        and data["anonymous"] != template.anonymous
        and template_has_responses(template)
    ):
        # Answers given in confidence must stay so, and identified answers cannot be hidden.
        raise ValidationError(
            {"anonymous": "People have answered this survey: its anonymity cannot change."}
        )
    model_update(instance=template, fields=TEMPLATE_FIELDS, data=data, save=False)
    template.full_clean()
    template.save()
    return template


def latest_version(template: SurveyTemplate) -> SurveyVersion:
    return template.versions.order_by("-number").first()


def _copy_version(version: SurveyVersion) -> SurveyVersion:
    """A draft copy of ``version`` with the next number: participants keep answering ``version``
    until the coordinator publishes the draft."""
    copy = SurveyVersion.objects.create(
        template=version.template, number=version.number + 1, published=False
    )
    Question.objects.bulk_create(
        [
            Question(
                version=copy,
                order=q.order,
                type=q.type,
                text=q.text,
                help_text=q.help_text,
                required=q.required,
                choices=list(q.choices),
                key=q.key,
            )
            for q in version.questions.all()
        ]
    )
    return copy


def version_for_editing(*, template: SurveyTemplate) -> SurveyVersion:
    """The version the builder changes: the latest one while it is a draft; once it is live
    (published, perhaps answered), a draft copy of it, which goes live only when published.

    A live version never changes under a participant who has it open. Call inside a
    transaction; the template row is locked so two editors do not both copy.
    """
    SurveyTemplate.objects.select_for_update().filter(pk=template.pk).first()
    version = latest_version(template)
    if version.published or version.responses.exists():
        version = _copy_version(version)
    return version


def _question_in(version: SurveyVersion, question_id: int) -> Question:
    """The question of ``version`` that is, or was copied from, question ``question_id``."""
    original = Question.objects.get(pk=question_id, version__template_id=version.template_id)
    return version.questions.get(key=original.key)


def _renumber(version: SurveyVersion, ordered: list[Question]) -> None:
    for i, question in enumerate(ordered, start=1):
        question.order = i
    Question.objects.bulk_update(ordered, ["order"])


def _clean_question(question: Question) -> None:
    question.full_clean(exclude=["version"])
    if question.is_choice:
        choices = [c.strip() for c in question.choices if c and c.strip()]
        if len(choices) < 2:
            raise ValidationError({"choices": "A choice question needs at least two choices."})
        if len(set(choices)) != len(choices):
            raise ValidationError({"choices": "Each choice must be different."})
        question.choices = choices
    else:
        question.choices = []


@transaction.atomic
def question_add(*, template: SurveyTemplate, data: dict) -> Question:
    version = version_for_editing(template=template)
    last = version.questions.aggregate(m=Max("order"))["m"] or 0
    question = Question(version=version, order=last + 1, **data)
    _clean_question(question)
    question.save()
    return question


@transaction.atomic
def question_update(*, template: SurveyTemplate, question_id: int, data: dict) -> Question:
    version = version_for_editing(template=template)
    question = _question_in(version, question_id)
    model_update(instance=question, fields=QUESTION_FIELDS, data=data, save=False)
    _clean_question(question)
    question.save()
    return question


@transaction.atomic
def question_move(*, template: SurveyTemplate, question_id: int, direction: str) -> Question:
    version = version_for_editing(template=template)
    question = _question_in(version, question_id)
    ordered = list(version.questions.order_by("order", "pk"))
    i = ordered.index(question)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(ordered):
        ordered[i], ordered[j] = ordered[j], ordered[i]
    _renumber(version, ordered)
    return question


@transaction.atomic
def question_remove(*, template: SurveyTemplate, question_id: int) -> None:
    version = version_for_editing(template=template)
    _question_in(version, question_id).delete()
    _renumber(version, list(version.questions.order_by("order", "pk")))


@transaction.atomic
def version_publish(*, template: SurveyTemplate) -> SurveyVersion:
    """Put the draft live: invitations and open links answer it from now on. Answers already
    given stay with the version they answered; a form opened on the older version is mapped to
    this one when it is sent (see docs/surveys.md)."""
    SurveyTemplate.objects.select_for_update().filter(pk=template.pk).first()
    version = latest_version(template)
    if version.published:
        return version
    if not version.questions.exists():
        raise ValidationError("Add at least one question before publishing the survey.")
    version.published = True
    version.save(update_fields=["published"])
    return version


# --- Schedules and defaults ---------------------------------------------------------------------


def _check_schedule(schedule: SurveySchedule) -> None:
    schedule.full_clean()
    if schedule.template.programme_id != schedule.cohort.programme_id:
        raise ValidationError({"template": "Choose a survey of this programme."})
    if schedule.trigger == Trigger.CHECKINS and schedule.every_n_checkins < 1:
        raise ValidationError({"every_n_checkins": "Say after how many check-ins (1 or more)."})


def _check_window_ahead(schedule: SurveySchedule) -> None:
    """A cohort-dated schedule whose answer window has already passed would invite nobody (a
    missed window is never sent late): refuse it in words instead of "Survey scheduled."."""
    if schedule.trigger not in (Trigger.COHORT_START, Trigger.COHORT_END):
        return
    cohort = schedule.cohort
    due = scheduling.due_date(
        scheduling.ScheduleData(
            id=0,
            trigger=schedule.trigger,
            audience=schedule.audience,
            offset_days=schedule.offset_days or 0,
            every_n_checkins=schedule.every_n_checkins or 0,
            close_after_days=schedule.close_after_days or 0,
            cohort_starts_on=cohort.starts_on,
            cohort_ends_on=cohort.ends_on,
        )
    )
    closes = due + dt.timedelta(days=schedule.close_after_days or 0)
    if closes <= timezone.localdate():
        raise ValidationError(
            {
                "offset_days": f"This survey would be due on {due:%-d %B %Y} and close on "
                f"{closes:%-d %B %Y}, which has passed: nobody would be invited. Choose a "
                "later day, or keep it open for longer."
            }
        )


@transaction.atomic
def schedule_create(*, cohort: Cohort, data: dict) -> SurveySchedule:
    schedule = SurveySchedule(cohort=cohort, **data)
    _check_schedule(schedule)
    _check_window_ahead(schedule)
    schedule.save()
    return schedule


@transaction.atomic
def schedule_update(*, schedule: SurveySchedule, data: dict) -> SurveySchedule:
    if (
        "template" in data
        and data["template"].pk != schedule.template_id
        and schedule.invitations.exists()
    ):
        # Whether an answer is anonymous was promised by the survey people were invited to:
        # pointing the schedule at another survey must never lift (or change) that promise.
        raise ValidationError(
            {
                "template": "Invitations to this survey have gone out, so it cannot be swapped "
                "for another. Pause this schedule and add a new one for the other survey."
            }
        )
    model_update(instance=schedule, fields=SCHEDULE_FIELDS, data=data, save=False)
    _check_schedule(schedule)
    schedule.save()
    return schedule


def _midpoint_days(cohort: Cohort) -> int:
    """Half the cohort's length, within the offsets a schedule may have."""
    return min(max((cohort.ends_on - cohort.starts_on).days // 2, 1), OFFSET_DAYS_MAX)


@transaction.atomic
def survey_defaults_ensure(*, programme: Programme, cohort: Cohort | None = None) -> dict:
    """Give the programme the default survey templates, and each of its cohorts (or just
    ``cohort``) the default schedules. Idempotent: what exists, by key, is left as it is (a
    coordinator's edits and paused schedules stay), so it is safe to call on every page view."""
    templates = {t.key: t for t in programme.survey_templates.exclude(key="")}
    created_templates = 0
    for spec in DEFAULT_TEMPLATES:
        if spec["key"] in templates:
            continue
        name = spec["name"]
        if programme.survey_templates.filter(name=name).exists():
            name = f"{name} (default)"
        template = SurveyTemplate.objects.create(
            programme=programme,
            key=spec["key"],
            name=name,
            description=spec["description"],
            anonymous=spec["anonymous"],
            audience=spec["audience"],
        )
        version = SurveyVersion.objects.create(template=template, number=1, published=True)
        Question.objects.bulk_create(
            [
                Question(version=version, order=i, type=t, text=text, required=req, choices=choices)
                for i, (t, text, req, choices) in enumerate(spec["questions"], start=1)
            ]
        )
        templates[spec["key"]] = template
        created_templates += 1

    cohorts = [cohort] if cohort is not None else list(programme.cohorts.all())
    existing = set(
        SurveySchedule.objects.filter(cohort__in=cohorts)
        .exclude(key="")
        .values_list("cohort_id", "key")
    )
    new = []
    for c in cohorts:
        for spec in DEFAULT_SCHEDULES:
            if (c.pk, spec["key"]) in existing:
                continue
            template = templates[spec["key"]]
            offset = spec["offset_days"]
            new.append(
                SurveySchedule(
                    cohort=c,
                    template=template,
                    key=spec["key"],
                    audience=template.audience,
                    trigger=spec["trigger"],
                    offset_days=_midpoint_days(c) if offset is None else offset,
                    close_after_days=spec["close_after_days"],
                )
            )
    SurveySchedule.objects.bulk_create(new, ignore_conflicts=True)
    return {"templates": created_templates, "schedules": len(new)}


def survey_defaults_for_new_cohorts() -> int:
    """Default schedules for cohorts that have started and have no survey schedule at all (so a
    coordinator who never opened the surveys page still gets them). A cohort whose schedules
    were all paused keeps them paused: they exist."""
    cohorts = list(
        Cohort.objects.filter(status__in=INVITING_STATUSES, survey_schedules__isnull=True)
        .select_related("programme")
        .distinct()
    )
    for cohort in cohorts:
        survey_defaults_ensure(programme=cohort.programme, cohort=cohort)
    return len(cohorts)


# --- Invitations --------------------------------------------------------------------------------

INVITING_STATUSES = (CohortStatus.RUNNING, CohortStatus.FINISHED)


def _checkin_counts(pair_ids) -> dict[int, int]:
    try:
        checkin = apps.get_model("pairing", "CheckIn")
    except LookupError:  # check-ins not installed: the check-in trigger waits
        return {}
    rows = (
        checkin.objects.filter(pair_id__in=pair_ids)
        .values("pair_id")
        .annotate(n=Count("id"))
        .values_list("pair_id", "n")
    )
    return dict(rows)


def _plan(schedules: list[SurveySchedule], today: dt.date) -> list[scheduling.Planned]:
    """Every invitation due today for these schedules, in a fixed number of queries."""
    cohort_ids = {s.cohort_id for s in schedules}
    people: dict[int, list[scheduling.Person]] = {}
    for cohort_id, user_id, role in Enrolment.objects.filter(
        cohort_id__in=cohort_ids, status=EnrolmentStatus.ACCEPTED
    ).values_list("cohort_id", "user_id", "role"):
        people.setdefault(cohort_id, []).append(scheduling.Person(user_id, role))

    pairs: dict[int, list[scheduling.PairData]] = {}
    pair_cohorts = {s.cohort_id for s in schedules if s.is_pair_based}
    if pair_cohorts:
        rows = list(
            Pair.objects.filter(cohort_id__in=pair_cohorts).values_list(
                "pk", "cohort_id", "mentor__user_id", "mentee__user_id", "started_on", "ended_on"
            )
        )
        counts = {}
        if any(s.trigger == Trigger.CHECKINS for s in schedules):
            counts = _checkin_counts([r[0] for r in rows])
        for pk, cohort_id, mentor_id, mentee_id, started_on, ended_on in rows:
            pairs.setdefault(cohort_id, []).append(
                scheduling.PairData(
                    pk, mentor_id, mentee_id, started_on, ended_on, counts.get(pk, 0)
                )
            )

    planned: list[scheduling.Planned] = []
    for s in schedules:
        data = scheduling.ScheduleData(
            id=s.pk,
            trigger=s.trigger,
            audience=s.audience,
            offset_days=s.offset_days,
            every_n_checkins=s.every_n_checkins,
            close_after_days=s.close_after_days,
            cohort_starts_on=s.cohort.starts_on,
            cohort_ends_on=s.cohort.ends_on,
        )
        planned += scheduling.plan(
            data, people=people.get(s.cohort_id, ()), pairs=pairs.get(s.cohort_id, ()), today=today
        )
    return planned


def due_schedules(*, today: dt.date):
    """Active schedules of running or finished cohorts whose template has a published version."""
    return (
        SurveySchedule.objects.filter(
            active=True,
            cohort__status__in=INVITING_STATUSES,
            template__versions__published=True,
        )
        .distinct()
        .select_related("cohort", "template")
        .order_by("pk")
    )


def survey_invitations_create(
    *, today: dt.date | None = None, schedules=None, send: bool = True
) -> list[int]:
    """Create the invitations that are due and email the new ones; return the new ids.

    Idempotent: the unique constraints make a second run (a second beat, a retried task) insert
    nothing, and only the rows this run inserted -- told apart by their batch id -- are emailed,
    each with the outbox key ``survey-invitation:<id>``. Rows and emails are written in one
    transaction, so a crash leaves neither.
    """
    from . import emails

    today = today or timezone.localdate()
    schedules = list(due_schedules(today=today) if schedules is None else schedules)
    if not schedules:
        return []
    planned = _plan(schedules, today)
    if not planned:
        return []
    batch = uuid.uuid4()
    with transaction.atomic():
        SurveyInvitation.objects.bulk_create(
            [
                SurveyInvitation(
                    schedule_id=p.schedule_id,
                    user_id=p.user_id,
                    role=p.role,
                    pair_id=p.pair_id,
                    occurrence=p.occurrence,
                    due_on=p.due_on,
                    closes_on=p.closes_on,
                    batch=batch,
                )
                for p in planned
            ],
            ignore_conflicts=True,
            batch_size=500,
        )
        created = list(
            SurveyInvitation.objects.filter(batch=batch).select_related(
                "user__profile",
                "schedule__template",
                "schedule__cohort__programme",
                # the email says which pair (about_pair_with), without a query per invitation
                "pair__mentor__user",
                "pair__mentee__user",
            )
        )
        if send:
            for invitation in created:
                emails.send_survey_invitation(invitation)
    if created:
        logger.info("Created %s survey invitations.", len(created))
    return [i.pk for i in created]


# --- Answers ------------------------------------------------------------------------------------


def current_version(template: SurveyTemplate) -> SurveyVersion | None:
    """The version participants answer: the latest published one."""
    return template.versions.filter(published=True).order_by("-number").first()


@transaction.atomic
def survey_submit(
    *,
    invitation: SurveyInvitation,
    version: SurveyVersion,
    answers: dict[int, object],
    today: dt.date | None = None,
) -> Response:
    """Store one person's answers, once.

    ``answers`` maps question ids of ``version`` to a cleaned value: an int for number
    questions, a string for single choice and free text, a list of strings for multiple choice;
    unanswered optional questions are left out. For an anonymous template the response carries
    no user, invitation, role or time; the invitation only records that it was answered.
    """
    today = today or timezone.localdate()
    if version.template_id != invitation.schedule.template_id or not version.published:
        raise ValidationError("This version of the survey is not the one being answered.")
    if invitation.is_closed(today):
        raise SurveyClosed(f"This survey closed on {invitation.closes_on:%-d %B %Y}.")
    if invitation.is_not_open_yet(today):
        raise SurveyClosed("This survey is not open yet.")
    now = timezone.now()
    claimed = SurveyInvitation.objects.filter(pk=invitation.pk, answered_at__isnull=True).update(
        answered_at=now
    )
    if claimed != 1:
        raise AlreadyAnswered("You have already answered this survey. Thank you!")
    if not any(value not in (None, "", []) for value in answers.values()):
        # An empty response would use up the invitation and could never be redone (the claim
        # above is rolled back with the transaction).
        raise EmptyResponse("Answer at least one question before sending.")
    invitation.answered_at = now
    # The invitation and its reminders still waiting in the outbox are cancelled now.
    email_recheck_on_commit(refs={"invitation": invitation.pk})
    template = invitation.schedule.template
    anonymous = template.anonymous
    response = Response.objects.create(
        schedule=invitation.schedule,
        version=version,
        role="" if anonymous else invitation.role,
        invitation=None if anonymous else invitation,
        user=None if anonymous else invitation.user,
        submitted_at=None if anonymous else now,
    )
    questions = {q.pk: q for q in version.questions.all()}
    rows = []
    for question_id, value in answers.items():
        question = questions[question_id]
        if value in (None, "", []):
            continue
        answer = Answer(response=response, question=question)
        if question.number_range:
            answer.number = int(value)
        elif question.is_choice:
            answer.choices = [value] if isinstance(value, str) else list(value)
        else:
            answer.text = str(value)
        rows.append(answer)
    Answer.objects.bulk_create(rows)
    # An anonymous answer is counted in figures only in steps of at least the threshold
    # (feedback/publication.py): this releases the group's step once it is complete.
    publication.release_ready(schedule_id=response.schedule_id, version_id=version.pk)
    return response


# --- Export -------------------------------------------------------------------------------------


def results_export_record(*, ctx: AuditContext, schedule: SurveySchedule, rows: int) -> None:
    audit_record(
        context=ctx,
        action="export",
        obj=schedule,
        programme_id=schedule.cohort.programme_id,
        summary=f"survey responses CSV: {schedule.template.name}, {schedule.cohort.name}, "
        f"{rows} responses",
    )
