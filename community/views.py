import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lib import once
from lib.forms import add_errors
from programmes.models import CohortStatus, Role
from programmes.selectors import cohort_for_coordinator

from . import emails, selectors, services
from .forms import (
    ContactForm,
    DirectoryListingForm,
    DirectorySearchForm,
    EventForm,
    GenerateGroupsForm,
    MoveForm,
    ProjectSummaryForm,
    StandupScheduleForm,
)
from .models import DirectoryListing, ProjectSummary


def _errors(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _running_cohort_for_coordinator(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    return cohort


# --- Coordinators: stand-up groups and events ---------------------------------------------------


def groups(request, slug, pk):
    cohort = _running_cohort_for_coordinator(request, slug, pk)
    overview = selectors.groups_overview(cohort=cohort)
    group_list = [row.group for row in overview["rows"]]
    for row in overview["rows"]:
        for member in row.members:
            member.move_form = MoveForm(
                initial={"enrolment": member.pk, "group": row.group.pk},
                groups=group_list,
                prefix=f"m{member.pk}",
            )
    for member in overview["unassigned"]:
        member.move_form = MoveForm(
            initial={"enrolment": member.pk}, groups=group_list, prefix=f"m{member.pk}"
        )
    return render(
        request,
        "community/groups.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "overview": overview,
            "generate_form": GenerateGroupsForm(),
            "running": cohort.status == CohortStatus.RUNNING,
        },
    )


@require_POST
def groups_generate(request, slug, pk):
    cohort = _running_cohort_for_coordinator(request, slug, pk)
    form = GenerateGroupsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("community:groups", slug, pk)
    try:
        result = services.groups_generate(cohort=cohort, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            f"Draft: {len(result.groups)} groups, mix score {result.objective:.2f}. "
            "Adjust them, then publish.",
        )
    return redirect("community:groups", slug, pk)


@require_POST
def groups_move(request, slug, pk):
    cohort = _running_cohort_for_coordinator(request, slug, pk)
    enrolment_id = request.POST.get("enrolment", "")
    group_list = list(cohort.standup_groups.all())
    form = MoveForm(request.POST, groups=group_list, prefix=f"m{enrolment_id}")
    if not enrolment_id.isdecimal() or not form.is_valid():
        messages.error(request, "Choose a group.")
        return redirect("community:groups", slug, pk)
    try:
        services.group_member_move(
            cohort=cohort,
            enrolment_id=form.cleaned_data["enrolment"],
            group_id=form.cleaned_data["group"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "Moved.")
    return redirect("community:groups", slug, pk)


@require_POST
def groups_publish(request, slug, pk):
    cohort = _running_cohort_for_coordinator(request, slug, pk)
    try:
        count = services.groups_publish(cohort=cohort, by=request.user)
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(
            request,
            f"{count} group{'s' if count != 1 else ''} published."
            if count
            else "The groups were already published.",
        )
    return redirect("community:groups", slug, pk)


def events(request, slug, pk):
    cohort = _running_cohort_for_coordinator(request, slug, pk)
    form = EventForm(request.POST or None, cohort=cohort, prefix="event")
    if request.method == "POST" and form.is_valid():
        data = form.model_data()

        def create() -> once.Done:
            event = services.event_create(cohort=cohort, by=request.user, data=data)
            return once.Done(
                reverse("community:events", args=[slug, pk]),
                f"“{event.title}” created; invitations are on their way.",
            )

        try:
            return once.run_once(request, token=form.cleaned_data[once.FIELD], action=create)
        except ValidationError as exc:
            add_errors(form, exc)
    standup_form = StandupScheduleForm(
        initial={"first_date": max(timezone.localdate(), cohort.starts_on)}, prefix="standup"
    )
    return _events_page(request, cohort, form, standup_form)


def _events_page(request, cohort, form, standup_form):
    event_list = list(cohort.community_events.select_related("group", "facilitator"))
    for event in event_list:
        event.next_date = selectors.next_occurrence(event)
    return render(
        request,
        "community/events.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "events": event_list,
            "form": form,
            "standup_form": standup_form,
            "has_groups": cohort.standup_groups.exists(),
        },
    )


@require_POST
def standups_schedule(request, slug, pk):
    cohort = _running_cohort_for_coordinator(request, slug, pk)
    form = StandupScheduleForm(request.POST, prefix="standup")
    if form.is_valid():
        data = form.schedule_data()

        def schedule() -> once.Done:
            made = services.standups_schedule(cohort=cohort, by=request.user, **data)
            return once.Done(
                reverse("community:events", args=[slug, pk]),
                f"Weekly stand-ups scheduled for {len(made)} groups.",
            )

        try:
            return once.run_once(request, token=form.cleaned_data[once.FIELD], action=schedule)
        except ValidationError as exc:
            add_errors(form, exc)
    return _events_page(request, cohort, EventForm(cohort=cohort, prefix="event"), form)


# --- Participants -------------------------------------------------------------------------------


def cohort_home(request, pk):
    access = selectors.cohort_for_member(user=request.user, pk=pk)
    cohort = access.cohort
    group = selectors.group_for_enrolment(access.enrolment)
    event_list = list(
        selectors.events_for_cohort_member(
            cohort=cohort, enrolment=access.enrolment, everything=False
        )
    )
    for event in event_list:
        event.next_date = selectors.next_occurrence(event)
    summary = None
    if access.enrolment is not None:
        summary = ProjectSummary.objects.filter(enrolment=access.enrolment).first()
    return render(
        request,
        "community/cohort_home.html",
        {
            "access": access,
            "cohort": cohort,
            "group": group,
            "members": list(selectors.group_members(group=group)) if group else [],
            "events": event_list,
            "listing": DirectoryListing.objects.filter(enrolment=access.enrolment).first()
            if access.enrolment
            else None,
            "can_summarise": access.enrolment is not None
            and access.enrolment.role == Role.MENTEE
            and selectors.show_and_tell_open(cohort),
            "summary": summary,
        },
    )


def event_detail(request, pk):
    event, role = selectors.event_for_user(user=request.user, pk=pk)
    today = timezone.localdate()
    # Attendance can be taken from the day itself (during the session); "coming up" starts with
    # the next occurrence that has not ended, so today's session is listed there until it ends.
    past = selectors.occurrences(event, end=today)
    following = selectors.next_occurrence(event)
    upcoming = selectors.occurrences(event, start=following)[:4] if following else []
    chosen = request.GET.get("date")
    occurrence = None
    if chosen:
        try:
            occurrence = dt.date.fromisoformat(chosen)
        except ValueError:
            raise Http404 from None
        if occurrence not in past:
            raise Http404
    elif past:
        occurrence = past[-1]
    sheet = None
    mine = None
    if occurrence is not None:
        sheet = selectors.attendance_sheet(event=event, occurrence=occurrence)
        mine = next((r for r in sheet if r["user"].pk == request.user.pk), None)
    return render(
        request,
        "community/event_detail.html",
        {
            "event": event,
            "role": role,
            "can_take": role in ("coordinator", "facilitator"),
            "past": past[::-1],
            "upcoming": upcoming,
            "today": today,
            "occurrence": occurrence,
            "sheet": sheet if role in ("coordinator", "facilitator") else None,
            "attended": sheet is not None and sum(1 for r in sheet if r["attendance"]),
            "mine": mine,
        },
    )


def _occurrence(request) -> dt.date:
    try:
        return dt.date.fromisoformat(request.POST.get("occurrence", ""))
    except ValueError:
        raise Http404 from None


@require_POST
def event_attended(request, pk):
    event, role = selectors.event_for_user(user=request.user, pk=pk)
    occurrence = _occurrence(request)
    attended = request.POST.get("attended", "yes") == "yes"
    try:
        services.attendance_self_report(
            event=event, occurrence=occurrence, user=request.user, attended=attended
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, "Thank you." if attended else "Attendance removed.")
    return redirect(f"{event.get_absolute_url()}?date={occurrence.isoformat()}")


@require_POST
def event_attendance(request, pk):
    event, role = selectors.event_for_user(user=request.user, pk=pk)
    if role not in ("coordinator", "facilitator"):
        raise Http404
    occurrence = _occurrence(request)
    try:
        count = services.attendance_take(
            event=event,
            occurrence=occurrence,
            present_user_ids=[
                v for v in request.POST.getlist("present") if v.isdecimal() and len(v) <= 18
            ],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, _errors(exc))
    else:
        messages.success(request, f"Attendance saved: {count} present.")
    return redirect(f"{event.get_absolute_url()}?date={occurrence.isoformat()}")


def event_ics(request, pk):
    event, _ = selectors.event_for_user(user=request.user, pk=pk)
    file = emails.event_ics_file(event)
    response = HttpResponse(file["content"], content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def directory(request, pk):
    access = selectors.cohort_for_member(user=request.user, pk=pk)
    form = DirectorySearchForm(request.GET or None)
    q, skill = "", None
    if form.is_valid():
        q = form.cleaned_data["q"] or ""
        skill = form.cleaned_data["skill"]
    entries = list(
        selectors.directory_entries(cohort=access.cohort, q=q, skill_id=skill.pk if skill else None)
    )
    return render(
        request,
        "community/directory.html",
        {
            "access": access,
            "cohort": access.cohort,
            "form": form,
            "entries": entries,
            "searching": bool(q or skill),
        },
    )


def directory_listing(request, pk):
    access = selectors.cohort_for_member(user=request.user, pk=pk)
    if access.enrolment is None:
        raise Http404
    listing = DirectoryListing.objects.filter(enrolment=access.enrolment).first()
    form = DirectoryListingForm.for_listing(request.POST or None, listing)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.directory_listing_save(
                enrolment=access.enrolment, **form.model_data()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request,
                "You are listed in the directory."
                if listing.opted_in
                else "You are not listed in the directory.",
            )
            return redirect("community:directory", pk)
    return render(
        request,
        "community/directory_listing.html",
        {"cohort": access.cohort, "form": form},
    )


def contact(request, pk, enrolment_pk):
    access = selectors.cohort_for_member(user=request.user, pk=pk)
    listing = selectors.directory_listing_for(cohort=access.cohort, enrolment_pk=enrolment_pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def send() -> once.Done:
            services.contact_send(
                cohort=access.cohort,
                sender=request.user,
                listing=listing,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                reply_to_me=form.cleaned_data["reply_to_me"],
            )
            return once.Done(reverse("community:directory", args=[pk]), "Message sent by email.")

        try:
            return once.run_once(request, token=form.cleaned_data[once.FIELD], action=send)
        except ValidationError as exc:
            form.add_error(None, exc)
    return render(
        request,
        "community/contact.html",
        {"cohort": access.cohort, "listing": listing, "form": form},
    )


def show_and_tell(request, pk):
    access = selectors.cohort_for_member(user=request.user, pk=pk)
    enrolment = access.enrolment
    if enrolment is None or enrolment.role != Role.MENTEE:
        raise Http404
    if not selectors.show_and_tell_open(access.cohort):
        raise Http404
    summary = ProjectSummary.objects.filter(enrolment=enrolment).first()
    title = ""
    if summary is None:
        project = getattr(enrolment, "project", None)
        title = project.title if project else ""
    form = ProjectSummaryForm.for_summary(request.POST or None, summary, title=title)
    if request.method == "POST" and form.is_valid():
        publish = request.POST.get("action") == "publish"
        try:
            services.project_summary_save(
                enrolment=enrolment, data=form.model_data(), publish=publish
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, "Summary published." if publish else "Summary saved, not published."
            )
            return redirect("community:cohort", pk)
    return render(
        request,
        "community/show_and_tell.html",
        {"cohort": access.cohort, "form": form, "summary": summary},
    )


def past_projects(request, slug):
    programme = selectors.programme_for_member(user=request.user, slug=slug)
    return render(
        request,
        "community/past_projects.html",
        {"programme": programme, "summaries": list(selectors.past_projects(programme=programme))},
    )
