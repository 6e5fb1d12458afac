"""Coordinators' pages for programmes and cohorts.

The programme page and the cohort hub compose several apps, so the project package serves them
(``mentorship/views.py``) under the names ``programmes:detail`` and ``programmes:cohort_detail``.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from lib import once
from lib.audit import AuditContext
from lib.forms import add_errors
from people.roles import is_coordinator
from people.selectors import skills_waiting_count

from . import lifecycle, selectors, services
from .forms import CohortForm, CohortStatusForm, MentorCapacityForm, ProgrammeForm
from .models import CohortStatus, EnrolmentStatus, Role


def programme_list(request):
    return render(
        request,
        "programmes/programme_list.html",
        {
            "programmes": selectors.programmes_with_counts(user=request.user),
            "can_create": selectors.can_create_programmes(request.user),
            "skills_waiting": (skills_waiting_count() if is_coordinator(request.user) else None),
        },
    )


def programme_create(request):
    selectors.require(selectors.can_create_programmes(request.user))
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            programme = services.programme_create(
                ctx=AuditContext.from_request(request),
                data=form.model_data(),
                coordinators=form.cleaned_data["coordinator_emails"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Programme “{programme.name}” created.")
            return redirect(programme)
    return render(request, "programmes/programme_form.html", {"form": form})


def programme_edit(request, slug):
    programme = selectors.programme_for_coordinator(user=request.user, slug=slug)
    others = programme.coordinators.exclude(pk=request.user.pk).order_by("email")
    form = ProgrammeForm.for_programme(
        request.POST or None,
        programme,
        coordinator_emails=", ".join(u.email for u in others),
    )
    if request.method == "POST" and form.is_valid():
        # The person editing stays a coordinator unless an admin removes them.
        keep = [request.user] if programme.coordinators.filter(pk=request.user.pk).exists() else []
        try:
            saved = services.programme_update(
                ctx=AuditContext.from_request(request),
                programme=programme,
                data=form.model_data(),
                coordinators=[*keep, *form.cleaned_data["coordinator_emails"]],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Programme saved.")
            return redirect(saved)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


def cohort_create(request, slug):
    programme = selectors.programme_for_coordinator(user=request.user, slug=slug)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(programme=programme, data=form.model_data())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Cohort “{cohort.name}” created as a draft.")
            return redirect(cohort)
    return render(request, "programmes/cohort_form.html", {"form": form, "programme": programme})


def cohort_edit(request, slug, pk):
    cohort = selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    form = CohortForm.for_cohort(request.POST or None, cohort)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.cohort_update(cohort=cohort, data=form.model_data())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Cohort saved.")
            return redirect(saved)
    return render(
        request,
        "programmes/cohort_form.html",
        {"form": form, "programme": cohort.programme, "cohort": cohort},
    )


# What each move means, said on the confirmation page before it is made.
STATUS_CONSEQUENCES = {
    "recruiting": [
        "The cohort is offered to everyone signed in, with “Apply as a mentee” and “Apply as a "
        "mentor”, until applications close.",
        "Nobody is emailed by this change; invitations are sent from “Invite from CSV” and the "
        "talent pool.",
    ],
    "draft": ["The cohort is no longer offered: nobody can apply until it recruits again."],
    "matching": [
        "Applications close: nobody can apply or change their application any more.",
        "You can then propose pairs. Nobody is emailed by this change.",
    ],
    "running": [
        "The cohort starts. Pairs are made and introduced by email when you publish a pairing "
        "run, not by this change.",
        "Reminders, check-in emails and surveys follow the programme's schedule from now on.",
    ],
    "finished": [
        "This cannot be undone: a finished cohort cannot run again.",
        "Check-in reminders stop; end-of-programme surveys and the dashboard stay available.",
    ],
}


def cohort_status(request, slug, pk):
    """GET: what moving the cohort to ``status`` does, to confirm; POST: the move, once."""
    cohort = selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    form = CohortStatusForm(request.POST if request.method == "POST" else request.GET)
    if not form.is_valid() or not cohort.can_transition_to(form.cleaned_data["status"]):
        messages.error(request, "Choose a status the cohort can move to.")
        return redirect(cohort)
    status = form.cleaned_data["status"]
    if request.method != "POST":
        return render(
            request,
            "programmes/cohort_status_confirm.html",
            {
                "cohort": cohort,
                "programme": cohort.programme,
                "status": status,
                "label": CohortStatus(status).label,
                "consequences": STATUS_CONSEQUENCES.get(status, []),
            },
        )

    def move() -> once.Done:
        moved = services.cohort_change_status(cohort=cohort, status=status)
        return once.Done(
            cohort.get_absolute_url(), f"The cohort is now {moved.get_status_display().lower()}."
        )

    try:
        return once.run_once(request, token=once.token_from(request.POST), action=move)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(cohort)


def mentor_capacity(request, slug, pk, enrolment_pk):
    """A coordinator changes how many mentees a mentor takes (with the mentor's agreement
    recorded when it goes up); never below the pairs the mentor already has."""
    cohort = selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    mentor = get_object_or_404(
        cohort.enrolments.select_related("user").filter(
            role=Role.MENTOR, status__in=[EnrolmentStatus.ACCEPTED, EnrolmentStatus.APPLIED,
                                          EnrolmentStatus.WAITLISTED]
        ),
        pk=enrolment_pk,
    )  # fmt: skip
    back = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = ""
    form = MentorCapacityForm(request.POST or None, initial={"capacity": mentor.capacity})
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_capacity_update(
                enrolment=mentor,
                capacity=form.cleaned_data["capacity"],
                agreement=form.cleaned_data["agreement"],
                ctx=AuditContext.from_request(request),
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                f"{mentor.user.display_name} can now take {form.cleaned_data['capacity']} mentees.",
            )
            return redirect(back or cohort.get_absolute_url())
    return render(
        request,
        "programmes/enrolment_capacity.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "mentor": mentor,
            "form": form,
            "back": back,
            "floor": lifecycle.capacity_floor(mentor),
        },
    )
