from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from people.forms import skills_for
from people.services import profile_get

from . import selectors, services
from .forms import (
    ApplicationFilterForm,
    CohortForm,
    CohortStatusForm,
    DecisionForm,
    EnrolmentFilterForm,
    MenteeApplicationForm,
    MentorApplicationForm,
    NotesForm,
    ProgrammeForm,
)
from .models import CohortStatus, Enrolment, EnrolmentStatus, Programme, Project, Role


@login_not_required
def landing(request):
    return render(request, "landing.html")


def home(request):
    """A participant's programmes, and the programmes a coordinator runs."""
    return render(
        request,
        "programmes/home.html",
        {
            "enrolments": selectors.enrolments_for_user(user=request.user),
            "coordinated": selectors.programmes_with_counts(user=request.user),
            "open_cohorts": selectors.open_cohorts_for(user=request.user),
        },
    )


def programme_list(request):
    return render(
        request,
        "programmes/programme_list.html",
        {
            "programmes": selectors.programmes_with_counts(user=request.user),
            "can_create": selectors.can_create_programmes(request.user),
        },
    )


def programme_create(request):
    selectors.require(selectors.can_create_programmes(request.user))
    form = ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "coordinator_emails"}
        programme = services.programme_create(
            created_by=request.user,
            data=data,
            coordinators=form.cleaned_data["coordinator_emails"],
            request=request,
        )
        messages.success(request, f"Programme “{programme.name}” created.")
        return redirect(programme)
    return render(request, "programmes/programme_form.html", {"form": form})


def programme_detail(request, slug):
    programme = selectors.programme_for_coordinator(user=request.user, slug=slug)
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "cohorts": selectors.cohorts_with_counts(programme=programme),
            "coordinators": programme.coordinators.order_by("email"),
        },
    )


def programme_edit(request, slug):
    programme = selectors.programme_for_coordinator(user=request.user, slug=slug)
    others = programme.coordinators.exclude(pk=request.user.pk).order_by("email")
    form = ProgrammeForm(
        request.POST or None,
        instance=programme,
        initial={"coordinator_emails": ", ".join(u.email for u in others)},
    )
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "coordinator_emails"}
        # The person editing stays a coordinator unless an admin removes them.
        keep = [request.user] if programme.coordinators.filter(pk=request.user.pk).exists() else []
        programme = services.programme_update(
            programme=Programme.objects.get(pk=programme.pk),
            data=data,
            coordinators=[*keep, *form.cleaned_data["coordinator_emails"]],
            actor=request.user,
            request=request,
        )
        messages.success(request, "Programme saved.")
        return redirect(programme)
    return render(request, "programmes/programme_form.html", {"form": form, "programme": programme})


def cohort_create(request, slug):
    programme = selectors.programme_for_coordinator(user=request.user, slug=slug)
    form = CohortForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cohort = services.cohort_create(programme=programme, data=form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Cohort “{cohort.name}” created as a draft.")
            return redirect(cohort)
    return render(request, "programmes/cohort_form.html", {"form": form, "programme": programme})


def cohort_detail(request, slug, pk):
    cohort = selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    filters = EnrolmentFilterForm(request.GET or None)
    role = status = ""
    if filters.is_valid():
        role, status = filters.cleaned_data["role"], filters.cleaned_data["status"]
    return render(
        request,
        "programmes/cohort_detail.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "filters": filters,
            "enrolments": selectors.cohort_enrolments(cohort=cohort, role=role, status=status),
            "undeliverable_people": selectors.cohort_undeliverable_people(cohort=cohort),
            "transitions": [
                (value, CohortStatus(value).label) for value in cohort.allowed_transitions
            ],
        },
    )


def cohort_edit(request, slug, pk):
    cohort = selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    form = CohortForm(request.POST or None, instance=cohort)
    if request.method == "POST" and form.is_valid():
        cohort = services.cohort_update(cohort=cohort, data=form.cleaned_data)
        messages.success(request, "Cohort saved.")
        return redirect(cohort)
    return render(
        request,
        "programmes/cohort_form.html",
        {"form": form, "programme": cohort.programme, "cohort": cohort},
    )


@require_POST
def cohort_status(request, slug, pk):
    cohort = selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    form = CohortStatusForm(request.POST)
    if form.is_valid():
        try:
            cohort = services.cohort_change_status(
                cohort=cohort, status=form.cleaned_data["status"]
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"The cohort is now {cohort.get_status_display().lower()}.")
    else:
        messages.error(request, "Choose a status the cohort can move to.")
    return redirect(cohort)


# --- Applications -----------------------------------------------------------------------------


def _application_form(role, cohort, user, data=None, initial=None):
    form_class = MenteeApplicationForm if role == Role.MENTEE else MentorApplicationForm
    return form_class(
        data,
        initial=initial,
        programme=cohort.programme,
        skills=skills_for(user),
        needs_manager=cohort.programme.requires_manager_signoff,
    )


def _initial_from(enrolment, user):
    initial = {"manager_email": user.profile.line_manager_email}
    if enrolment is None:
        return initial
    initial.update(
        goals=enrolment.goals,
        capacity=enrolment.capacity,
        availability=enrolment.availability,
        topics=list(enrolment.topics.all()),
    )
    if enrolment.manager_email:
        initial["manager_email"] = enrolment.manager_email
    project = getattr(enrolment, "project", None)
    if project is not None:
        initial.update(
            title=project.title,
            description=project.description,
            expected_benefit=project.expected_benefit,
            priorities=list(project.priorities.all()),
        )
    return initial


def apply(request, pk, role):
    selectors.require(role in (Role.MENTEE, Role.MENTOR))
    cohort = selectors.cohort_open_for_applications(pk=pk)
    existing = Enrolment.objects.filter(user=request.user, cohort=cohort).first()
    if existing and existing.status not in (EnrolmentStatus.INVITED, EnrolmentStatus.APPLIED):
        messages.info(request, "Your application to this cohort has already been decided.")
        return redirect("programmes:application", existing.pk)
    profile_get(user=request.user)
    form = _application_form(
        role, cohort, request.user, request.POST or None, _initial_from(existing, request.user)
    )
    similar = []
    if request.method == "POST":
        if form.is_valid():
            try:
                enrolment = services.application_submit(
                    user=request.user, cohort=cohort, role=role, data=form.cleaned_data
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(request, "Your application is sent.")
                return redirect("programmes:application", enrolment.pk)
        if role == Role.MENTEE:
            similar = selectors.similar_projects(
                programme=cohort.programme,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                exclude_project_id=getattr(getattr(existing, "project", None), "pk", None),
            )
    return render(
        request,
        "programmes/apply.html",
        {"cohort": cohort, "form": form, "role": role, "similar": similar, "existing": existing},
    )


@require_POST
def apply_similar(request, pk):
    """The htmx partial that warns a mentee about similar projects while they write."""
    cohort = selectors.cohort_open_for_applications(pk=pk)
    existing = Enrolment.objects.filter(user=request.user, cohort=cohort).first()
    similar = selectors.similar_projects(
        programme=cohort.programme,
        title=request.POST.get("title", "")[:150],
        description=request.POST.get("description", "")[:5000],
        exclude_project_id=getattr(getattr(existing, "project", None), "pk", None),
    )
    return render(request, "programmes/partials/similar_projects.html", {"similar": similar})


def application_detail(request, pk):
    enrolment = selectors.application_for_user(user=request.user, pk=pk)
    return render(
        request,
        "programmes/application_detail.html",
        {
            "enrolment": enrolment,
            "cohort": enrolment.cohort,
            "project": getattr(enrolment, "project", None),
            "can_edit": enrolment.cohort.is_open_for_applications
            and enrolment.status in (EnrolmentStatus.INVITED, EnrolmentStatus.APPLIED),
        },
    )


@require_POST
def application_withdraw(request, pk):
    enrolment = selectors.application_for_user(user=request.user, pk=pk)
    services.application_withdraw(enrolment=enrolment)
    messages.success(request, "Your application is withdrawn.")
    return redirect("programmes:application", enrolment.pk)


@login_not_required
def manager_signoff(request, token):
    """A line manager approves or declines, once, through the signed link in their email."""
    enrolment = services.manager_signoff_load(token)
    if enrolment is None:
        raise Http404
    if request.method == "POST":
        decision = request.POST.get("decision")
        if decision in ("approve", "decline"):
            recorded = services.manager_signoff_record(
                enrolment=enrolment, approve=decision == "approve"
            )
            enrolment.refresh_from_db()
            if not recorded:
                messages.info(request, "A decision was already recorded for this application.")
        else:
            messages.error(request, "Choose approve or decline.")
    project = Project.objects.filter(enrolment=enrolment).first()
    return render(
        request,
        "programmes/manager_signoff.html",
        {"enrolment": enrolment, "project": project, "token": token},
    )


def review(request, slug, pk):
    cohort = selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    filters = ApplicationFilterForm(request.GET or None)
    role = status = ""
    duplicates_only = False
    if filters.is_valid():
        role, status = filters.cleaned_data["role"], filters.cleaned_data["status"]
        duplicates_only = filters.cleaned_data["duplicates"]
    if request.method == "POST":
        ids = list(cohort.enrolments.values_list("pk", flat=True))
        form = DecisionForm(request.POST, enrolment_ids=ids)
        if form.is_valid():
            changed = services.applications_decide(
                actor=request.user,
                cohort=cohort,
                enrolment_ids=form.cleaned_data["enrolments"],
                decision=form.cleaned_data["decision"],
                request=request,
            )
            label = dict(DecisionForm.DECISIONS)[form.cleaned_data["decision"]].lower()
            messages.success(
                request, f"{changed} applicant{'s' if changed != 1 else ''} updated ({label})."
            )
            return redirect(request.get_full_path())
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    rows = selectors.review_rows(
        cohort=cohort, role=role, status=status, duplicates_only=duplicates_only
    )
    return render(
        request,
        "programmes/review.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "filters": filters,
            "rows": rows,
            "decisions": DecisionForm.DECISIONS,
        },
    )


@require_POST
def review_notes(request, slug, pk, enrolment_pk):
    cohort = selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    enrolment = get_object_or_404(cohort.enrolments, pk=enrolment_pk)
    form = NotesForm(request.POST)
    if form.is_valid():
        services.enrolment_notes_update(
            enrolment=enrolment, notes=form.cleaned_data["coordinator_notes"]
        )
        messages.success(request, f"Notes on {enrolment.user.display_name} saved.")
    else:
        messages.error(request, "Notes are limited to 5,000 characters.")
    return redirect(f"{reverse('programmes:review', args=[slug, pk])}#e{enrolment.pk}")
