"""Coordinators' schedule of upcoming automated emails per cohort, with pause/resume per kind;
and the alumni's "I would mentor next time" link."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from lib.forms import add_errors
from notifications.kinds import get_kind
from programmes.models import Programme
from programmes.selectors import cohort_for_coordinator, programme_for_coordinator

from . import services
from .emails import PAUSABLE_KINDS, mentor_next_time_load
from .forms import RhythmSettingsForm
from .models import PausedKind


@require_http_methods(["GET", "POST"])
def cohort_schedule(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        if kind not in PAUSABLE_KINDS:
            raise Http404
        label = get_kind(kind).label
        if request.POST.get("action") == "resume":
            services.kind_resume(cohort=cohort, kind=kind)
            messages.success(request, f"{label} are on again for {cohort.name}.")
        else:
            services.kind_pause(cohort=cohort, kind=kind, actor=request.user)
            messages.success(request, f"{label} are paused for {cohort.name}.")
        return redirect("rhythm:cohort_schedule", slug=slug, pk=pk)

    paused = set(PausedKind.objects.filter(cohort=cohort).values_list("kind", flat=True))
    kinds = [
        {
            "name": k,
            "label": get_kind(k).label,
            "essential": get_kind(k).essential,
            "paused": k in paused,
        }
        for k in PAUSABLE_KINDS
    ]
    return render(
        request,
        "rhythm/cohort_schedule.html",
        {
            "programme": cohort.programme,
            "cohort": cohort,
            "planned": services.rhythm_preview(cohort=cohort),
            "kinds": kinds,
            "days": services.PREVIEW_DAYS,
        },
    )


@require_http_methods(["GET", "POST"])
def mentor_next_time(request, token):
    """GET asks (mail scanners follow links), POST adds the person to the talent pool. Only
    the person the link was made for may use it; anyone else gets 404."""
    loaded = mentor_next_time_load(token)
    if loaded is None or loaded[1] != request.user.pk:
        raise Http404
    programme = get_object_or_404(Programme, pk=loaded[0])
    if request.method == "POST":
        services.talent_pool_volunteer(programme=programme, user=request.user)
        return render(
            request, "rhythm/mentor_next_time.html", {"programme": programme, "done": True}
        )
    return render(request, "rhythm/mentor_next_time.html", {"programme": programme, "done": False})


@require_http_methods(["GET", "POST"])
def programme_settings(request, slug):
    """The programme's reminder timing, support text and bank holidays, for its coordinators."""
    programme = programme_for_coordinator(user=request.user, slug=slug)
    settings_row = services.rhythm_settings_get(programme=programme)
    form = RhythmSettingsForm.for_settings(request.POST or None, settings_row)
    if request.method == "POST" and form.is_valid():
        try:
            services.rhythm_settings_update(settings_row=settings_row, data=form.model_data())
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(
                request, "Reminder settings saved. The next run of the rhythm uses them."
            )
            return redirect("rhythm:programme_settings", slug=slug)
    return render(request, "rhythm/programme_settings.html", {"programme": programme, "form": form})
