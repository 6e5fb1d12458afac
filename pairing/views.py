from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from programmes.models import Enrolment, Programme
from programmes.selectors import cohort_for_coordinator, programme_for_coordinator

from . import engine, selectors, services
from .forms import CheckInForm, EndPairForm, GoalForm, GoalProgressForm, PairingSettingsForm
from .matching import settings_for
from .models import MatchRun, MenteeRanking


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
    next_due = pair.next_checkin_due(last)
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
            "next_due": next_due,
            "overdue": pair.status == pair.Status.ACTIVE and next_due < today,
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


# --- Pairing runs (coordinators) -------------------------------------------------------------


def _run_for_coordinator(user, run_pk) -> MatchRun:
    coordinated = Programme.objects.coordinated_by(user)
    return get_object_or_404(
        MatchRun.objects.select_related("cohort__programme").filter(
            cohort__programme__in=coordinated
        ),
        pk=run_pk,
    )


def cohort_pairing(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    if request.method == "POST":
        try:
            run = services.match_run_start(cohort=cohort, actor=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("pairing_coord:cohort_pairing", slug, pk)
        return redirect("pairing:run", run.pk)
    runs = cohort.match_runs.select_related("created_by", "published_by")[:20]
    return render(
        request,
        "pairing/cohort_pairing.html",
        {"cohort": cohort, "programme": cohort.programme, "runs": runs},
    )


def run_detail(request, run_pk):
    run = _run_for_coordinator(request.user, run_pk)
    if request.htmx:
        response = render(request, "pairing/partials/run_progress.html", {"run": run})
        if run.status not in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING):
            response["HX-Refresh"] = "true"  # the draft is ready: show the whole table
        return response
    proposals = list(
        run.proposals.select_related(
            "mentee__user__profile", "mentor__user__profile", "mentee"
        ).order_by("-locked", "mentee__user__full_name", "mentee__user__email")
    )
    mentors = list(
        run.cohort.enrolments.filter(role="mentor", status="accepted")
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    load: dict[int, int] = {}
    for proposal in proposals:
        load[proposal.mentor_id] = load.get(proposal.mentor_id, 0) + 1
    for mentor in mentors:
        mentor.load = load.get(mentor.pk, 0)
    unmatched_ids = [int(k) for k in run.unmatched]
    unmatched = [
        (enrolment, run.unmatched[str(enrolment.pk)])
        for enrolment in run.cohort.enrolments.filter(pk__in=unmatched_ids).select_related(
            "user__profile"
        )
    ]
    return render(
        request,
        "pairing/run_detail.html",
        {
            "run": run,
            "cohort": run.cohort,
            "programme": run.cohort.programme,
            "proposals": proposals,
            "mentors": mentors,
            "unmatched": unmatched,
            "events": run.events.select_related("actor")[:50],
            "components": engine.COMPONENTS,
        },
    )


@require_POST
def run_action(request, run_pk):
    """Every change a coordinator makes to a draft, one small form each."""
    run = _run_for_coordinator(request.user, run_pk)
    action = request.POST.get("action")
    proposals = run.proposals.select_related("mentee__user", "mentor__user")
    mentees = run.cohort.enrolments.filter(role="mentee", status="accepted")
    mentors = run.cohort.enrolments.filter(role="mentor", status="accepted")
    try:
        if action in ("lock", "unlock"):
            proposal = get_object_or_404(proposals, pk=request.POST.get("proposal"))
            services.proposal_lock(
                run=run, proposal=proposal, actor=request.user, locked=action == "lock"
            )
        elif action == "exclude":
            proposal = get_object_or_404(proposals, pk=request.POST.get("proposal"))
            services.proposal_exclude(run=run, proposal=proposal, actor=request.user)
            messages.info(request, "Excluded. Re-run to find that mentee another mentor.")
        elif action == "reassign":
            mentee = get_object_or_404(mentees, pk=request.POST.get("mentee"))
            mentor = get_object_or_404(mentors, pk=request.POST.get("mentor"))
            proposal = services.proposal_reassign(
                run=run, mentee=mentee, mentor=mentor, actor=request.user
            )
            _report(request, proposal)
        elif action == "swap":
            first = get_object_or_404(proposals, pk=request.POST.get("proposal"))
            second = get_object_or_404(proposals, pk=request.POST.get("other"))
            for proposal in services.proposals_swap(
                run=run, first=first, second=second, actor=request.user
            ):
                _report(request, proposal)
        elif action == "rerun":
            new = services.match_run_start(
                cohort=run.cohort, actor=request.user, carry_locked_from=run
            )
            messages.success(request, "Re-run around the locked pairs.")
            return redirect("pairing:run", new.pk)
        elif action == "publish":
            pairs = services.match_run_publish(run=run, actor=request.user, request=request)
            messages.success(
                request,
                f"Published {len(pairs)} pairs; both sides of each pair are being emailed.",
            )
            return redirect("pairing_coord:cohort_pairs", run.cohort.programme.slug, run.cohort.pk)
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("pairing:run", run.pk)


def _report(request, proposal) -> None:
    score = "breaks a rule" if proposal.score is None else f"score {proposal.score:.2f}"
    text = f"{proposal.mentee.user.display_name} ↔ {proposal.mentor.user.display_name}: {score}."
    if proposal.warnings:
        messages.warning(request, f"{text} Warning: {'; '.join(proposal.warnings)}.")
    else:
        messages.success(request, text)


def pairing_settings(request, slug):
    programme = programme_for_coordinator(user=request.user, slug=slug)
    settings_row = settings_for(programme)
    form = PairingSettingsForm(request.POST or None, instance=settings_row)
    if request.method == "POST" and form.is_valid():
        services.pairing_settings_update(
            settings_row=settings_row, data=form.cleaned_data, weights=form.weights()
        )
        messages.success(request, "Pairing settings saved. They apply to the next run.")
        return redirect("pairing:settings", slug)
    return render(request, "pairing/settings.html", {"programme": programme, "form": form})


def pair_end(request, slug, pk, pair_pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    pair = get_object_or_404(
        cohort.pairs.select_related("mentor__user", "mentee__user"), pk=pair_pk
    )
    form = EndPairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.pair_end(
            pair=pair,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            request=request,
        )
        messages.success(request, "The pair has ended. You can re-pair the mentee below.")
        return redirect("pairing_coord:repair", slug, pk, pair.mentee_id)
    return render(request, "pairing/pair_end.html", {"cohort": cohort, "pair": pair, "form": form})


def repair(request, slug, pk, mentee_pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    mentee = get_object_or_404(
        cohort.enrolments.filter(role="mentee").select_related("user"), pk=mentee_pk
    )
    if request.method == "POST":
        mentor = get_object_or_404(
            cohort.enrolments.filter(role="mentor", status="accepted"),
            pk=request.POST.get("mentor"),
        )
        try:
            services.pair_create_by_hand(
                cohort=cohort, mentee=mentee, mentor=mentor, actor=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Paired. Both have been emailed an introduction.")
            return redirect("pairing_coord:cohort_pairs", slug, pk)
    return render(
        request,
        "pairing/repair.html",
        {
            "cohort": cohort,
            "mentee": mentee,
            "options": services.repair_shortlist(cohort=cohort, mentee=mentee),
            "has_active_pair": cohort.pairs.active().filter(mentee=mentee).exists(),
        },
    )


# --- Choice mode (mentees) -------------------------------------------------------------------


def choose(request, cohort_pk):
    """A mentee ranks their shortlist of mentors, when the programme lets mentees choose."""
    enrolment = get_object_or_404(
        Enrolment.objects.select_related("cohort__programme"),
        cohort_id=cohort_pk,
        user=request.user,
        role="mentee",
        status="accepted",
    )
    cohort = enrolment.cohort
    if not settings_for(cohort.programme).choice_mode or cohort.status not in (
        "recruiting",
        "matching",
    ):
        raise Http404
    options = services.repair_shortlist(cohort=cohort, mentee=enrolment, k=5)
    if request.method == "POST":
        allowed = {o["mentor"].pk for o in options}
        chosen = {
            pk: request.POST.get(f"rank-{pk}", "")
            for pk in allowed
            if request.POST.get(f"rank-{pk}", "").isdigit()
        }
        if len(set(chosen.values())) != len(chosen):
            messages.error(request, "Give each mentor a different rank.")
            return redirect("pairing:choose", cohort.pk)
        order = sorted(chosen, key=lambda pk: int(chosen[pk]))
        try:
            services.mentee_rankings_save(mentee=enrolment, mentor_ids=order, allowed=allowed)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Your ranking is saved. Thank you.")
            return redirect("pairing:choose", cohort.pk)
    ranks = dict(MenteeRanking.objects.filter(mentee=enrolment).values_list("mentor_id", "rank"))
    for option in options:
        option["rank"] = ranks.get(option["mentor"].pk)
    return render(
        request, "pairing/choose.html", {"cohort": cohort, "options": options, "n": len(options)}
    )
