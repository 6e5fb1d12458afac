from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from programmes.selectors import cohort_for_coordinator

from . import selectors, services
from .forms import CheckInForm, GoalForm, GoalProgressForm


def pair_detail(request, pk):
    pair, viewer = selectors.pair_for_user(user=request.user, pk=pk)
    form = None
    if viewer != "coordinator" and pair.status == pair.Status.ACTIVE:
        form = CheckInForm(
            request.POST or None,
            initial={"met_on": timezone.localdate(), "duration_minutes": 60},
        )
        if request.method == "POST" and form.is_valid():
            try:
                services.checkin_log(pair=pair, author=request.user, data=form.cleaned_data)
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, "Check-in logged. Thank you.")
                return redirect("pairing:detail", pair.pk)
    elif request.method == "POST":
        raise Http404
    checkins = selectors.pair_checkins(pair=pair, viewer_role=viewer)
    last = checkins[0].met_on if checkins else None
    today = timezone.localdate()
    return render(
        request,
        "pairing/pair_detail.html",
        {
            "pair": pair,
            "viewer": viewer,
            "form": form,
            "checkins": checkins,
            "last_met_on": last,
            "days_since": (today - last).days if last else None,
            "next_due": pair.next_checkin_due(last),
            "overdue": pair.status == pair.Status.ACTIVE and pair.next_checkin_due(last) < today,
            "goals": pair.goals.all(),
            "goal_form": GoalForm(),
            "progress_choices": GoalProgressForm.base_fields["progress"].choices,
        },
    )


def _add_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _pair_member(request, pk):
    pair, viewer = selectors.pair_for_user(user=request.user, pk=pk)
    if viewer == "coordinator":
        raise Http404
    return pair


@require_POST
def goal_add(request, pk):
    pair = _pair_member(request, pk)
    form = GoalForm(request.POST)
    if form.is_valid():
        services.pair_goal_add(pair=pair, text=form.cleaned_data["text"])
        messages.success(request, "Goal added.")
    else:
        messages.error(request, "Write the goal in 300 characters or fewer.")
    return redirect("pairing:detail", pair.pk)


@require_POST
def goal_progress(request, pk, goal_pk):
    pair = _pair_member(request, pk)
    goal = get_object_or_404(pair.goals, pk=goal_pk)
    form = GoalProgressForm(request.POST)
    if form.is_valid():
        services.pair_goal_progress(goal=goal, progress=form.cleaned_data["progress"])
        messages.success(request, f"Progress on “{goal.text}” saved.")
    return redirect("pairing:detail", pair.pk)


def cohort_pairs(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    today = timezone.localdate()
    pairs = list(selectors.cohort_pairs(cohort=cohort))
    for pair in pairs:
        pair.next_due = pair.next_checkin_due(pair.last_met_on)
        pair.days_since = (today - pair.last_met_on).days if pair.last_met_on else None
        pair.overdue = pair.status == pair.Status.ACTIVE and pair.next_due < today
        pair.latest = pair.recent[0] if pair.recent else None
    return render(
        request,
        "pairing/cohort_pairs.html",
        {"cohort": cohort, "programme": cohort.programme, "pairs": pairs},
    )
