"""Survey pages. Coordinators build, schedule and read results of their programmes' surveys
(everyone else gets 404); participants answer through their signed link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_POST

from lib import once
from lib.audit import AuditContext
from lib.csvsafe import CSV_CONTENT_TYPE, iter_csv
from lib.forms import add_errors
from programmes.selectors import cohort_for_coordinator, programme_for_coordinator

from . import selectors, services
from .forms import (
    NewQuestionForm,
    NewScheduleForm,
    NewSurveyTemplateForm,
    QuestionForm,
    ScheduleForm,
    SurveyAnswerForm,
    SurveyTemplateForm,
    carry_answers,
)

# --- Participants -------------------------------------------------------------------------------


def my_surveys(request):
    return render(
        request,
        "feedback/my_surveys.html",
        {"invitations": selectors.open_invitations_for(user=request.user)},
    )


@login_not_required
def answer(request, token):
    """The survey form behind a signed link. An identified survey opens only for the signed-in
    invitee (anyone else: 404); an anonymous one for whoever holds the link, once."""
    invitation = selectors.invitation_from_token(token=token)
    if invitation is None:
        raise Http404
    schedule = invitation.schedule
    template = schedule.template
    if not template.anonymous:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if invitation.user_id != request.user.pk:
            raise Http404
    context = {"invitation": invitation, "template": template, "cohort": schedule.cohort}
    if request.method == "POST" and (done := once.replay(request, once.token_from(request.POST))):
        return done  # the same page sent again (back button, double click): already saved
    today = timezone.localdate()
    problem = ""
    if invitation.answered_at:
        if request.method == "GET" and request.GET.get("sent"):
            # Straight after sending: only the thank-you, not "already answered" as well.
            return render(request, "feedback/answer_thanks.html", context)
        problem = (
            "You have already answered this survey, so it cannot be answered again. Thank you!"
        )
    elif invitation.is_closed(today) or not schedule.active:
        problem = (
            f"This survey closed on {invitation.closes_on:%-d %B %Y}: answers are no longer taken."
        )
    elif invitation.is_not_open_yet(today):
        problem = f"This survey opens on {invitation.due_on:%-d %B %Y}."
    version = services.current_version(template)
    if not problem and version is None:
        problem = "This survey is not available at the moment."
    if problem:
        status = 409 if request.method == "POST" else 200
        return render(
            request, "feedback/answer_closed.html", {**context, "problem": problem}, status=status
        )

    if request.method == "POST":
        opened = selectors.opened_version(template=template, value=request.POST.get("version"))
        if opened is not None and opened.pk != version.pk:
            # The survey changed while they typed: nothing is recorded; the new form comes back
            # with what they typed carried over, and what has no place in it shown beside it.
            initial, dropped = carry_answers(request.POST, opened=opened, current=version)
            form = SurveyAnswerForm(version=version, initial=initial)
            return render(
                request,
                "feedback/answer.html",
                {**context, "form": form, "version": version, "changed": True, "dropped": dropped},
            )
    form = SurveyAnswerForm(request.POST or None, version=version)
    if request.method == "POST" and form.is_valid():

        def submit() -> once.Done:
            services.survey_submit(invitation=invitation, version=version, answers=form.answers())
            # The thank-you page says it; the message is kept for a resend ("already done").
            return once.Done(
                reverse("feedback:answer", args=[token]) + "?sent=1",
                "Thank you: your answers are saved.",
                show=False,
            )

        try:
            return once.run_once(request, token=once.token_from(request.POST), action=submit)
        except services.EmptyResponse as exc:
            add_errors(form, exc)
        except ValidationError as exc:
            return render(
                request,
                "feedback/answer_closed.html",
                {**context, "problem": " ".join(exc.messages)},
                status=409,
            )
    return render(request, "feedback/answer.html", {**context, "form": form, "version": version})


# --- Builder ------------------------------------------------------------------------------------


def template_list(request, slug):
    programme = programme_for_coordinator(user=request.user, slug=slug)
    services.survey_defaults_ensure(programme=programme)
    form = NewSurveyTemplateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def create() -> once.Done:
            template = services.template_create(programme=programme, data=form.model_data())
            return once.Done(
                reverse("feedback:builder", args=[slug, template.pk]),
                f"“{template.name}” created: now add its questions.",
            )

        try:
            return once.run_once(request, token=form.cleaned_data[once.FIELD], action=create)
        except ValidationError as exc:
            add_errors(form, exc)
    return render(
        request,
        "feedback/template_list.html",
        {
            "programme": programme,
            "templates": selectors.templates_for_coordinator(
                user=request.user, programme=programme
            ),
            "form": form,
        },
    )


def _builder_context(template, form=None):
    versions = list(selectors.versions_with_questions(template=template))
    return {
        "programme": template.programme,
        "template": template,
        "versions": versions,
        "latest": versions[0],
        "live": next((v for v in versions if v.published), None),
        "form": form or NewQuestionForm(),
    }


def builder(request, slug, pk):
    template = selectors.template_for_coordinator(user=request.user, slug=slug, pk=pk)
    form = None
    if request.method == "POST":
        form = NewQuestionForm(request.POST)
        if form.is_valid():

            def add() -> once.Done:
                services.question_add(template=template, data=form.question_data())
                return once.Done(
                    reverse("feedback:builder", args=[slug, pk]) + "#questions", "Question added."
                )

            try:
                return once.run_once(request, token=form.cleaned_data[once.FIELD], action=add)
            except ValidationError as exc:
                add_errors(form, exc)
    return render(request, "feedback/builder.html", _builder_context(template, form))


def template_edit(request, slug, pk):
    template = selectors.template_for_coordinator(user=request.user, slug=slug, pk=pk)
    form = SurveyTemplateForm.for_template(request.POST or None, template)
    if request.method == "POST" and form.is_valid():
        try:
            services.template_update(template=template, data=form.model_data())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Survey settings saved.")
            return redirect("feedback:builder", slug=slug, pk=pk)
    return render(
        request,
        "feedback/template_form.html",
        {"programme": template.programme, "template": template, "form": form},
    )


def question_edit(request, slug, pk, question_pk):
    template = selectors.template_for_coordinator(user=request.user, slug=slug, pk=pk)
    question = selectors.question_for_template(template=template, pk=question_pk)
    form = QuestionForm(request.POST or None, question=question)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_update(
                template=template, question_id=question.pk, data=form.question_data()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Question saved.")
            return redirect(reverse("feedback:builder", args=[slug, pk]) + "#questions")
    return render(
        request,
        "feedback/question_form.html",
        {"programme": template.programme, "template": template, "question": question, "form": form},
    )


@require_POST
def question_move(request, slug, pk, question_pk):
    token = once.token_from(request.POST)
    if answer := once.replay(request, token):  # a double click moves it once
        return answer
    template = selectors.template_for_coordinator(user=request.user, slug=slug, pk=pk)
    question = selectors.question_for_template(template=template, pk=question_pk)
    direction = "up" if request.POST.get("direction") == "up" else "down"

    def move() -> once.Done:
        moved = services.question_move(
            template=template, question_id=question.pk, direction=direction
        )
        return once.Done(
            reverse("feedback:builder", args=[slug, pk]) + f"#question-{moved.key}",
            f"Moved “{moved.text}” {direction}.",
        )

    return once.run_once(request, token=token, action=move)


@require_POST
def question_remove(request, slug, pk, question_pk):
    token = once.token_from(request.POST)
    if answer := once.replay(request, token):  # sent twice: the question is already gone
        return answer
    template = selectors.template_for_coordinator(user=request.user, slug=slug, pk=pk)
    question = selectors.question_for_template(template=template, pk=question_pk)

    def remove() -> once.Done:
        services.question_remove(template=template, question_id=question.pk)
        return once.Done(
            reverse("feedback:builder", args=[slug, pk]) + "#questions",
            f"Removed “{question.text}”.",
        )

    return once.run_once(request, token=token, action=remove)


@require_POST
def template_publish(request, slug, pk):
    template = selectors.template_for_coordinator(user=request.user, slug=slug, pk=pk)
    try:
        services.version_publish(template=template)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Published: scheduled invitations will use this version.")
    return redirect("feedback:builder", slug=slug, pk=pk)


def template_compare(request, slug, pk):
    template = selectors.template_for_coordinator(user=request.user, slug=slug, pk=pk)
    return render(
        request,
        "feedback/compare.html",
        {
            "programme": template.programme,
            "template": template,
            **selectors.template_comparison(template=template),
        },
    )


# --- Schedules and results ----------------------------------------------------------------------


def cohort_surveys(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    programme = cohort.programme
    services.survey_defaults_ensure(programme=programme, cohort=cohort)
    form = NewScheduleForm(request.POST or None, programme=programme)
    if request.method == "POST" and form.is_valid():

        def schedule() -> once.Done:
            services.schedule_create(cohort=cohort, data=form.model_data())
            return once.Done(reverse("feedback:cohort", args=[slug, pk]), "Survey scheduled.")

        try:
            return once.run_once(request, token=form.cleaned_data[once.FIELD], action=schedule)
        except ValidationError as exc:
            add_errors(form, exc)
    return render(
        request,
        "feedback/cohort_surveys.html",
        {
            "programme": programme,
            "cohort": cohort,
            "schedules": selectors.cohort_schedules(cohort=cohort),
            "form": form,
        },
    )


def schedule_edit(request, slug, pk, schedule_pk):
    schedule = selectors.schedule_for_coordinator(
        user=request.user, slug=slug, cohort_pk=pk, pk=schedule_pk
    )
    cohort = schedule.cohort
    form = ScheduleForm.for_schedule(request.POST or None, schedule, programme=cohort.programme)
    if request.method == "POST" and form.is_valid():
        try:
            services.schedule_update(schedule=schedule, data=form.model_data())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Schedule saved.")
            return redirect("feedback:cohort", slug=slug, pk=pk)
    return render(
        request,
        "feedback/schedule_form.html",
        {"programme": cohort.programme, "cohort": cohort, "schedule": schedule, "form": form},
    )


def schedule_results(request, slug, pk, schedule_pk):
    schedule = selectors.schedule_for_coordinator(
        user=request.user, slug=slug, cohort_pk=pk, pk=schedule_pk
    )
    return render(
        request,
        "feedback/results.html",
        {
            "programme": schedule.cohort.programme,
            "cohort": schedule.cohort,
            "schedule": schedule,
            **selectors.schedule_results(schedule=schedule),
        },
    )


def schedule_export(request, slug, pk, schedule_pk):
    schedule = selectors.schedule_for_coordinator(
        user=request.user, slug=slug, cohort_pk=pk, pk=schedule_pk
    )
    header, rows, count = selectors.export_rows(schedule=schedule)
    services.results_export_record(
        ctx=AuditContext.from_request(request), schedule=schedule, rows=count
    )
    name = slugify(f"{schedule.cohort.name}-{schedule.template.name}") or "survey"
    response = StreamingHttpResponse(
        iter_csv(header, rows, bom=True), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="{name}-responses.csv"'
    return response
