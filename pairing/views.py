"""Pages of the pairing app: a pair's page and goals (participants), the cohort's pairs and
pairing runs (coordinators), the mentee's ranking in choice mode.

Thin views: an access helper that 404s (selectors), a form, one service, a redirect. Every change
a coordinator makes to a draft run is its own URL and view (lock, unlock, exclude, reassign,
swap, re-run, publish).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lib import once
from lib.audit import AuditContext
from lib.formcache import crispy_unbound
from lib.forms import add_errors
from lib.pagination import paginate
from programmes.models import CohortStatus
from programmes.selectors import cohort_for_coordinator, programme_for_coordinator

from . import engine, selectors, services
from .forms import (
    CheckInForm,
    EndPairForm,
    GoalForm,
    GoalProgressForm,
    MenteeRankingForm,
    PairingSettingsForm,
)
from .matching import settings_for
from .models import CHECKIN_CORRECTION_DAYS, MatchRun, PairViewer

# --- A pair (its mentor and mentee; coordinators read) -----------------------------------------


def pair_detail(request, pk):
    pair, viewer = selectors.pair_for_user(user=request.user, pk=pk)
    form = None
    if viewer != PairViewer.COORDINATOR and pair.status == pair.Status.ACTIVE:
        form = CheckInForm(
            request.POST or None,
            initial={"met_on": timezone.localdate(), "duration_minutes": 60},
        )
        if request.method == "POST" and form.is_valid():
            data = form.model_data()

            def log() -> once.Done:
                services.checkin_log(pair=pair, ctx=AuditContext.from_request(request), data=data)
                return once.Done(
                    reverse("pairing:detail", args=[pair.pk]), "Check-in logged. Thank you."
                )

            try:
                return once.run_once(request, token=form.cleaned_data[once.FIELD], action=log)
            except ValidationError as exc:
                add_errors(form, exc)
    elif request.method == "POST":
        raise Http404
    checkins = selectors.pair_checkins(pair=pair, viewer_role=viewer, viewer=request.user)
    today = timezone.localdate()
    for checkin in checkins:
        checkin.correctable = checkin.can_be_corrected_by(request.user, today)
    last = checkins[0].met_on if checkins else None
    rhythm = pair.cadence_status(last, timezone.localdate())
    at_risk = []
    if viewer == PairViewer.COORDINATOR:
        at_risk = selectors.pair_at_risk(pair=pair, checkins=checkins, today=timezone.localdate())
    return render(
        request,
        "pairing/pair_detail.html",
        {
            "pair": pair,
            "viewer": viewer,
            "form": form,
            # The empty form's layout is the same for everyone on a given day: rendered once
            # per process (lib/formcache.py); a form with errors is rendered in full.
            "form_html": crispy_unbound(form) if form is not None and not form.is_bound else None,
            "checkins": checkins,
            "last_met_on": last,
            "days_since": rhythm.days_since,
            "next_due": rhythm.next_due,
            "overdue": rhythm.overdue,
            "at_risk": at_risk,
            "goals": selectors.pair_goals(pair=pair),
            "changes": _changes_for(pair, viewer, request.user),
            "correction_days": CHECKIN_CORRECTION_DAYS,
            "goal_form": GoalForm(),
            "progress_choices": GoalProgressForm.base_fields["progress"].choices,
        },
    )


def _changes_for(pair, viewer, user) -> list:
    """The pair's check-in change log as this viewer may read it: a wellbeing score is its
    author's and the coordinators' only, so the other member of the pair sees that it changed,
    not its values."""
    changes = selectors.pair_checkin_changes(pair=pair)
    for change in changes:
        hidden = viewer != PairViewer.COORDINATOR and change.actor_id != user.pk
        change.visible_items = change.items(hide=("wellbeing",) if hidden else ())
    return changes


def _correctable_checkin(request, pk, checkin_pk):
    """The check-in the signed-in person logged (404 for anyone else) while it may still change;
    past the correction window, None."""
    checkin = selectors.checkin_for_author(user=request.user, pair_pk=pk, pk=checkin_pk)
    if not checkin.can_be_corrected_by(request.user):
        messages.error(
            request,
            f"This check-in was logged more than {CHECKIN_CORRECTION_DAYS} days ago: "
            "it can no longer be changed.",
        )
        return None
    return checkin


def checkin_edit(request, pk, checkin_pk):
    checkin = _correctable_checkin(request, pk, checkin_pk)
    if checkin is None:
        return redirect("pairing:detail", pk)
    form = CheckInForm.for_checkin(request.POST or None, checkin)
    if request.method == "POST" and form.is_valid():
        try:
            services.checkin_correct(
                checkin=checkin, ctx=AuditContext.from_request(request), data=form.model_data()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Check-in corrected.")
            return redirect("pairing:detail", pk)
    return render(
        request,
        "pairing/checkin_edit.html",
        {"pair": checkin.pair, "checkin": checkin, "form": form},
    )


def checkin_delete(request, pk, checkin_pk):
    checkin = _correctable_checkin(request, pk, checkin_pk)
    if checkin is None:
        return redirect("pairing:detail", pk)
    if request.method == "POST":
        try:
            services.checkin_delete(checkin=checkin, ctx=AuditContext.from_request(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Check-in deleted.")
        return redirect("pairing:detail", pk)
    return render(
        request, "pairing/checkin_delete.html", {"pair": checkin.pair, "checkin": checkin}
    )


def _pair_member(request, pk):
    pair, viewer = selectors.pair_for_user(user=request.user, pk=pk)
    if viewer == PairViewer.COORDINATOR:
        raise Http404
    return pair


@require_POST
def goal_add(request, pk):
    pair = _pair_member(request, pk)
    form = GoalForm(request.POST)
    if not form.is_valid():
        messages.error(request, form.error_text())
        return redirect("pairing:detail", pair.pk)

    def add() -> once.Done:
        services.pair_goal_add(pair=pair, text=form.cleaned_data["text"])
        return once.Done(reverse("pairing:detail", args=[pair.pk]), "Goal added.")

    # Sent again (Back, a double click): added once, "already done" said.
    return once.run_once(request, token=once.token_from(request.POST), action=add)


@require_POST
def goal_progress(request, pk, goal_pk):
    pair = _pair_member(request, pk)
    goal = selectors.pair_goal(pair=pair, pk=goal_pk)
    form = GoalProgressForm(request.POST)
    if form.is_valid():
        services.pair_goal_progress(goal=goal, progress=form.cleaned_data["progress"])
        messages.success(request, f"Progress on “{goal.text}” saved.")
    return redirect("pairing:detail", pair.pk)


# --- A cohort's pairs (coordinators) -----------------------------------------------------------


def cohort_pairs(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    today = timezone.localdate()
    # One page of the list (lib/pagination.py): a count and the page's ids, then the page's
    # pairs with their check-in figures; four queries whatever the cohort's size.
    page = paginate(request, selectors.cohort_pair_ids(cohort=cohort))
    pairs = list(selectors.cohort_pairs(cohort=cohort, ids=page.object_list)) if page else []
    for pair in pairs:
        rhythm = pair.cadence_status(pair.last_met_on, today)
        pair.next_due, pair.days_since, pair.overdue = (
            rhythm.next_due,
            rhythm.days_since,
            rhythm.overdue,
        )
        pair.latest = pair.recent[0] if pair.recent else None
    return render(
        request,
        "pairing/cohort_pairs.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "pairs": pairs,
            "page": page,
            "waiting": selectors.cohort_waiting(cohort=cohort),
            "draft": cohort.match_runs.filter(status=MatchRun.Status.DRAFT).first(),
        },
    )


def pair_end(request, slug, pk, pair_pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    pair = selectors.cohort_pair(cohort=cohort, pk=pair_pk)
    form = EndPairForm(request.POST or None)
    if request.method == "POST" and form.is_valid():

        def end() -> once.Done:
            services.pair_end(
                pair=pair,
                ctx=AuditContext.from_request(request),
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
            return once.Done(
                reverse("pairing:repair", args=[slug, pk, pair.mentee_id]),
                "The pair has ended. You can re-pair the mentee below.",
            )

        return once.run_once(request, token=form.cleaned_data[once.FIELD], action=end)
    return render(request, "pairing/pair_end.html", {"cohort": cohort, "pair": pair, "form": form})


def repair(request, slug, pk, mentee_pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    mentee = selectors.cohort_mentee(cohort=cohort, pk=mentee_pk)
    if request.method == "POST":
        mentor = selectors.cohort_mentor(cohort=cohort, pk=request.POST.get("mentor"))

        def pair() -> once.Done:
            services.pair_create_by_hand(
                cohort=cohort, mentee=mentee, mentor=mentor, ctx=AuditContext.from_request(request)
            )
            return once.Done(
                reverse("pairing:cohort_pairs", args=[slug, pk]),
                "Paired. Both have been emailed an introduction.",
            )

        try:
            return once.run_once(request, token=once.token_from(request.POST), action=pair)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return render(
        request,
        "pairing/repair.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "mentee": mentee,
            "options": services.repair_shortlist(cohort=cohort, mentee=mentee),
            "has_active_pair": selectors.mentee_has_active_pair(mentee=mentee),
        },
    )


# --- Pairing runs (coordinators) ---------------------------------------------------------------


def cohort_pairing(request, slug, pk):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    if request.method == "POST":
        try:
            run = services.match_run_start(cohort=cohort, ctx=AuditContext.from_request(request))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("pairing:cohort_pairing", slug, pk)
        return redirect("pairing:run", slug, pk, run.pk)
    return render(
        request,
        "pairing/cohort_pairing.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "runs": selectors.cohort_runs(cohort=cohort),
        },
    )


def run_detail(request, slug, pk, run_pk):
    run = selectors.run_for_coordinator(user=request.user, slug=slug, pk=pk, run_pk=run_pk)
    if request.htmx:
        response = render(request, "pairing/partials/run_progress.html", {"run": run})
        if run.status not in (MatchRun.Status.QUEUED, MatchRun.Status.RUNNING):
            response["HX-Refresh"] = "true"  # the draft is ready: show the whole table
        return response
    proposals = selectors.run_proposals(run=run)
    unmatched = selectors.run_unmatched(run=run)
    return render(
        request,
        "pairing/run_detail.html",
        {
            "run": run,
            "cohort": run.cohort,
            "programme": run.cohort.programme,
            "proposals": proposals,
            "mentors": selectors.cohort_mentors_with_load(cohort=run.cohort, proposals=proposals),
            "unmatched": unmatched,
            "summary": selectors.run_summary(run=run, proposals=proposals, unmatched=unmatched),
            "events": selectors.run_events(run=run),
            "components": engine.COMPONENTS,
        },
    )


def _run(request, slug, pk, run_pk) -> MatchRun:
    return selectors.run_for_coordinator(user=request.user, slug=slug, pk=pk, run_pk=run_pk)


def _back_to_run(run: MatchRun):
    return redirect("pairing:run", run.cohort.programme.slug, run.cohort_id, run.pk)


def _report(request, proposal) -> None:
    score = "breaks a rule" if proposal.score is None else f"score {proposal.score:.2f}"
    text = f"{proposal.mentee.user.display_name} ↔ {proposal.mentor.user.display_name}: {score}."
    if proposal.warnings:
        messages.warning(request, f"{text} Warning: {'; '.join(proposal.warnings)}.")
    else:
        messages.success(request, text)


def _lock(request, slug, pk, run_pk, proposal_pk, *, locked: bool):
    run = _run(request, slug, pk, run_pk)
    proposal = selectors.run_proposal(run=run, pk=proposal_pk)
    try:
        services.proposal_lock(
            run=run, proposal=proposal, ctx=AuditContext.from_request(request), locked=locked
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return _back_to_run(run)


@require_POST
def proposal_lock(request, slug, pk, run_pk, proposal_pk):
    """Keep this pair when the run is re-run."""
    return _lock(request, slug, pk, run_pk, proposal_pk, locked=True)


@require_POST
def proposal_unlock(request, slug, pk, run_pk, proposal_pk):
    return _lock(request, slug, pk, run_pk, proposal_pk, locked=False)


@require_POST
def proposal_exclude(request, slug, pk, run_pk, proposal_pk):
    """Never pair these two in this cohort."""
    run = _run(request, slug, pk, run_pk)
    proposal = selectors.run_proposal(run=run, pk=proposal_pk)
    try:
        services.proposal_exclude(
            run=run, proposal=proposal, ctx=AuditContext.from_request(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.info(request, "Excluded. Re-run to find that mentee another mentor.")
    return _back_to_run(run)


@require_POST
def proposal_swap(request, slug, pk, run_pk, proposal_pk):
    """Swap this pair's mentor with the mentor of the pair posted as ``other``."""
    run = _run(request, slug, pk, run_pk)
    first = selectors.run_proposal(run=run, pk=proposal_pk)
    second = selectors.run_proposal(run=run, pk=request.POST.get("other"))
    try:
        swapped = services.proposals_swap(
            run=run, first=first, second=second, ctx=AuditContext.from_request(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        for proposal in swapped:
            _report(request, proposal)
    return _back_to_run(run)


@require_POST
def run_reassign(request, slug, pk, run_pk):
    """Give the posted ``mentee`` the posted ``mentor`` by hand (also pairs an unmatched mentee)."""
    run = _run(request, slug, pk, run_pk)
    mentee = selectors.cohort_mentee(
        cohort=run.cohort, pk=request.POST.get("mentee"), accepted_only=True
    )
    mentor = selectors.cohort_mentor(cohort=run.cohort, pk=request.POST.get("mentor"))
    try:
        proposal = services.proposal_reassign(
            run=run, mentee=mentee, mentor=mentor, ctx=AuditContext.from_request(request)
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        _report(request, proposal)
    return _back_to_run(run)


@require_POST
def run_rerun(request, slug, pk, run_pk):
    """A new run around this one's locked pairs; this one is discarded."""
    run = _run(request, slug, pk, run_pk)
    try:
        new = services.match_run_start(
            cohort=run.cohort, ctx=AuditContext.from_request(request), carry_locked_from=run
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_to_run(run)
    messages.success(request, "Re-run around the locked pairs.")
    return _back_to_run(new)


def run_publish(request, slug, pk, run_pk):
    """GET: what publishing would do now (who is paired and emailed, who changed since the run);
    POST: the coordinator confirms, and only people still accepted are paired."""
    run = _run(request, slug, pk, run_pk)
    if request.method != "POST":
        if not run.is_editable:
            return _back_to_run(run)
        return render(
            request,
            "pairing/run_publish.html",
            {
                "run": run,
                "cohort": run.cohort,
                "programme": run.cohort.programme,
                "plan": selectors.publication_plan(run=run),
            },
        )

    def publish() -> once.Done:
        pairs = services.match_run_publish(run=run, ctx=AuditContext.from_request(request))
        return once.Done(
            reverse("pairing:cohort_pairs", args=[slug, pk]),
            f"Published {len(pairs)} pairs; both sides of each pair are being emailed.",
        )

    try:
        return once.run_once(request, token=once.token_from(request.POST), action=publish)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _back_to_run(run)


@require_POST
def pair_waiting(request, slug, pk):
    """One click on a running cohort: a run for the mentees waiting for a mentor, with the
    mentors' spare places only; it is reviewed and published like any run."""
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    if cohort.status != CohortStatus.RUNNING:
        messages.error(request, "Only a running cohort has mentees waiting for a mentor.")
        return redirect("pairing:cohort_pairs", slug, pk)
    run = services.match_run_start(cohort=cohort, ctx=AuditContext.from_request(request))
    messages.success(
        request,
        f"{run.message or 'Run started'}. Existing pairs are kept; check each proposal, then "
        "publish.",
    )
    return redirect("pairing:run", slug, pk, run.pk)


def pairing_settings(request, slug):
    programme = programme_for_coordinator(user=request.user, slug=slug)
    settings_row = settings_for(programme)
    form = PairingSettingsForm.for_settings(request.POST or None, settings_row)
    if request.method == "POST" and form.is_valid():
        try:
            services.pairing_settings_update(
                settings_row=settings_row, data=form.model_data(), weights=form.weights()
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, "Pairing settings saved. They apply to the next run.")
            return redirect("pairing:settings", slug)
    return render(request, "pairing/settings.html", {"programme": programme, "form": form})


# --- Old addresses (301 to where the page lives now) -------------------------------------------


def old_run(request, run_pk):
    """/pairs/runs/<pk>/ (links in old emails and bookmarks) -> the run under its cohort."""
    run = selectors.run_for_coordinator_by_pk(user=request.user, run_pk=run_pk)
    return HttpResponsePermanentRedirect(
        reverse("pairing:run", args=[run.cohort.programme.slug, run.cohort_id, run.pk])
    )


def old_run_action(request, run_pk):
    """The old one-URL form target: each change has its own URL now, so a form posted from a page
    opened before the move changes nothing and lands back on the run, to be done again."""
    return old_run(request, run_pk)


# --- Choice mode (mentees) ---------------------------------------------------------------------


def choose(request, cohort_pk):
    """A mentee ranks their shortlist of mentors, when the programme lets mentees choose."""
    enrolment = selectors.mentee_enrolment(user=request.user, cohort_pk=cohort_pk)
    cohort = enrolment.cohort
    if not settings_for(cohort.programme).choice_mode or cohort.status not in (
        CohortStatus.RECRUITING,
        CohortStatus.MATCHING,
    ):
        raise Http404
    options = services.repair_shortlist(cohort=cohort, mentee=enrolment, k=5)
    if request.method == "POST":
        form = MenteeRankingForm(request.POST, options=options)
        if not form.is_valid():
            messages.error(request, " ".join(form.non_field_errors()) or "Choose a listed rank.")
            return redirect("pairing:choose", cohort.pk)
        try:
            services.mentee_rankings_save(
                mentee=enrolment,
                mentor_ids=form.mentor_ids(),
                allowed={o["mentor"].pk for o in options},
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, "Your ranking is saved. Thank you.")
            return redirect("pairing:choose", cohort.pk)
    ranks = selectors.mentee_ranks(mentee=enrolment)
    for option in options:
        option["rank"] = ranks.get(option["mentor"].pk)
    return render(
        request, "pairing/choose.html", {"cohort": cohort, "options": options, "n": len(options)}
    )
