"""Writes for pairs: check-ins, goals, pairing runs, publication and later changes."""

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from lib.audit import AuditContext
from lib.models import model_update
from notifications.services import email_recheck_on_commit
from people.services import audit_record
from programmes.models import Cohort, CohortStatus, Enrolment, EnrolmentStatus, Role
from programmes.services import cohort_change_status

from . import emails, engagement, engine, matching
from .models import (
    CHECKIN_CORRECTION_DAYS,
    CHECKIN_FIELDS,
    SETTINGS_FIELDS,
    CheckIn,
    CheckInChange,
    ExcludedPair,
    MatchRun,
    MenteeRanking,
    Pair,
    PairGoal,
    PairingSettings,
    ProposedPair,
    RunEvent,
    RunEventAction,
)


@transaction.atomic
def checkin_log(*, pair: Pair, ctx: AuditContext, data: dict) -> CheckIn:
    """Log a meeting, written by the mentor or the mentee (the context's actor)."""
    author = ctx.actor
    if author is None or not pair.involves(author):
        raise ValidationError("Only the mentor or mentee of a pair can log its check-ins.")
    if pair.status != Pair.Status.ACTIVE:
        raise ValidationError("This pair has ended; its check-ins can no longer change.")
    if data["met_on"] > timezone.localdate():
        raise ValidationError({"met_on": "The meeting date cannot be in the future."})
    if data["met_on"] < pair.earliest_meeting:
        raise ValidationError(
            {
                "met_on": "The meeting date is before you were paired "
                f"({pair.earliest_meeting:%-d %B %Y})."
            }
        )
    same_day = _same_day(pair.pk, author.pk, data["met_on"]).first()
    if same_day is not None:
        # A form retyped after going Back (the page is not kept by the browser) would log the
        # meeting twice: one check-in per person per day, and the one there can be corrected.
        raise ValidationError({"met_on": _same_day_message(same_day, author)})
    checkin = CheckIn(pair=pair, author=author)
    model_update(instance=checkin, fields=CHECKIN_FIELDS, data=data, save=False)
    _validate(checkin)
    checkin.save()
    engagement.summaries_rebuild([pair.pk])
    # Reminders and nudges about this pair still waiting in the outbox are checked again (their
    # owner's "still wanted?" checks decide) once the check-in is committed.
    email_recheck_on_commit(refs={"pair": pair.pk})
    return checkin


def _same_day(pair_id: int, author_id: int, met_on) -> QuerySet[CheckIn]:
    """The author's check-ins of that day in the pair: one a person a day (a form retyped
    after Back, or a correction onto another's day, would count a meeting twice)."""
    return CheckIn.objects.filter(pair_id=pair_id, author_id=author_id, met_on=met_on).order_by(
        "-pk"
    )


def _same_day_message(checkin: CheckIn, author) -> str:
    logged = f"You have already logged a check-in for {checkin.met_on:%-d %B %Y}"
    if checkin.can_be_corrected_by(author):
        return f"{logged}. To change it, use Correct beside it under History."
    return f"{logged}, listed under History."


def _validate(checkin: CheckIn) -> None:
    """The check-in's fields, not its pair and author, which the service has just read (two
    queries fewer than ``full_clean()``)."""
    checkin.full_clean(exclude=["pair", "author"])


def _logged_value(value):
    return value.isoformat() if hasattr(value, "isoformat") else value


def _check_correctable(checkin: CheckIn, ctx: AuditContext) -> None:
    if not checkin.can_be_corrected_by(ctx.actor):
        raise ValidationError(
            "Only the person who logged a check-in can change it, and only for "
            f"{CHECKIN_CORRECTION_DAYS} days after logging it."
        )


@transaction.atomic
def checkin_correct(*, checkin: CheckIn, ctx: AuditContext, data: dict) -> CheckIn:
    """Correct a check-in: its author, within CHECKIN_CORRECTION_DAYS of logging it.

    The change log keeps the values before and after. At-risk flags and reminders read the
    check-in rows themselves, and the dashboards the pair's summary rewritten here, so all follow
    the corrected values at once.
    """
    checkin = CheckIn.objects.select_for_update().select_related("pair").get(pk=checkin.pk)
    _check_correctable(checkin, ctx)
    met_on = data.get("met_on", checkin.met_on)
    if met_on > timezone.localdate():
        raise ValidationError({"met_on": "The meeting date cannot be in the future."})
    if met_on < checkin.pair.started_on:
        raise ValidationError({"met_on": "The meeting date is before the pair started."})
    # Only a move onto another day is checked: an older pair of same-day check-ins (logged
    # before the rule) can still be corrected.
    if met_on != checkin.met_on and _same_day(checkin.pair_id, checkin.author_id, met_on).exists():
        raise ValidationError(
            {"met_on": f"You have already logged another check-in for {met_on:%-d %B %Y}."}
        )
    before = {f: _logged_value(getattr(checkin, f)) for f in CHECKIN_FIELDS}
    changed = model_update(instance=checkin, fields=CHECKIN_FIELDS, data=data, save=False)
    if not changed:
        return checkin
    _validate(checkin)
    checkin.save(update_fields=changed)
    engagement.summaries_rebuild([checkin.pair_id])
    CheckInChange.objects.create(
        checkin=checkin,
        pair=checkin.pair,
        actor=ctx.actor,
        action=CheckInChange.Action.CORRECTED,
        before={f: before[f] for f in changed},
        after={f: _logged_value(getattr(checkin, f)) for f in changed},
    )
    audit_record(
        context=ctx,
        action="checkin-corrected",
        obj=checkin,
        programme_id=checkin.pair.cohort.programme_id,
        summary=f"check-in corrected: {', '.join(changed)}",
    )
    return checkin


@transaction.atomic
def checkin_delete(*, checkin: CheckIn, ctx: AuditContext) -> None:
    """Delete a check-in logged by mistake: its author, within CHECKIN_CORRECTION_DAYS.

    The change log keeps what it said; the meeting no longer counts anywhere.
    """
    checkin = CheckIn.objects.select_for_update().select_related("pair__cohort").get(pk=checkin.pk)
    _check_correctable(checkin, ctx)
    CheckInChange.objects.create(
        checkin=None,
        pair=checkin.pair,
        actor=ctx.actor,
        action=CheckInChange.Action.DELETED,
        before={f: _logged_value(getattr(checkin, f)) for f in CHECKIN_FIELDS},
    )
    audit_record(
        context=ctx,
        action="checkin-deleted",
        obj=checkin,
        programme_id=checkin.pair.cohort.programme_id,
        summary=f"check-in of {checkin.met_on:%Y-%m-%d} deleted by its author",
    )
    checkin.delete()
    engagement.summaries_rebuild([checkin.pair_id])


@transaction.atomic
def pair_goals_from_application(*, pair: Pair) -> list[PairGoal]:
    """Turn the mentee's application goals (one per line) into the pair's goals, once."""
    if pair.goals.exists():
        return list(pair.goals.all())
    lines = [line.strip(" -•*\t") for line in pair.mentee.goals.splitlines()]
    goals = [PairGoal(pair=pair, text=line[:300], order=i) for i, line in enumerate(lines) if line]
    return PairGoal.objects.bulk_create(goals)


@transaction.atomic
def pair_goal_add(*, pair: Pair, text: str) -> PairGoal:
    goal = PairGoal(pair=pair, text=text, order=pair.goals.count())
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def pair_goal_progress(*, goal: PairGoal, progress: str) -> PairGoal:
    goal.progress = progress
    goal.full_clean()
    goal.save(update_fields=["progress", "updated_at"])
    return goal


# --- Pairing runs ----------------------------------------------------------------------------

# Runs up to this many mentee x mentor cells are solved in the request; bigger ones in a worker.
INLINE_RUN_CELLS = 40_000


def _event(run: MatchRun, ctx: AuditContext, action: RunEventAction, detail: str = "") -> None:
    RunEvent.objects.create(run=run, actor=ctx.actor, action=action, detail=detail[:300])


def _breakdown(result, i: int, j: int, weights: dict) -> dict:
    total_weight = sum(weights.get(c, 0.0) for c in engine.COMPONENTS) or 1.0
    return {
        c: {
            "score": round(float(result.components[c][i, j]), 4),
            "weight": round(weights.get(c, 0.0) / total_weight, 4),
        }
        for c in engine.COMPONENTS
    }


@transaction.atomic
def match_run_start(
    *, cohort: Cohort, ctx: AuditContext, carry_locked_from: MatchRun | None = None
) -> MatchRun:
    """Start a pairing run; small runs finish before this returns.

    In matching it proposes pairs for the cohort; in a running cohort it pairs the mentees who
    are waiting for a mentor (accepted, no active pair) using only the mentors' spare capacity,
    keeping every existing pair: the same engine, review and publication."""
    if cohort.status not in (CohortStatus.MATCHING, CohortStatus.RUNNING):
        raise ValidationError(
            "Pairs can be proposed only while the cohort is in matching, or for the mentees "
            "waiting for a mentor once it runs."
        )
    locked = []
    if carry_locked_from is not None:
        locked = list(
            carry_locked_from.proposals.filter(locked=True).values_list("mentee_id", "mentor_id")
        )
    MatchRun.objects.filter(cohort=cohort, status=MatchRun.Status.DRAFT).update(
        status=MatchRun.Status.DISCARDED
    )
    waiting = cohort.status == CohortStatus.RUNNING
    run = MatchRun.objects.create(
        cohort=cohort,
        created_by=ctx.actor,
        settings_snapshot={"locked": locked, "waiting": waiting},
    )
    _event(
        run,
        ctx,
        RunEventAction.STARTED,
        "; ".join(
            ["pairing the waiting mentees"] * waiting
            + [f"{len(locked)} locked pairs carried over"] * bool(locked)
        ),
    )
    size = cohort.enrolments.filter(status=EnrolmentStatus.ACCEPTED, role=Role.MENTEE).count()
    size *= cohort.enrolments.filter(status=EnrolmentStatus.ACCEPTED, role=Role.MENTOR).count()
    if size <= INLINE_RUN_CELLS:
        match_run_execute(run_id=run.pk)
        run.refresh_from_db()
    else:
        from .tasks import match_run_task

        transaction.on_commit(lambda: match_run_task.delay(run.pk))
    return run


def match_run_execute(*, run_id: int) -> None:
    """Score the cohort, solve it exactly around the locked pairs and store the draft."""
    claimed = MatchRun.objects.filter(pk=run_id, status=MatchRun.Status.QUEUED).update(
        status=MatchRun.Status.RUNNING, progress=5
    )
    if not claimed:
        return  # another worker has it, or it already ran
    run = MatchRun.objects.select_related("cohort__programme").get(pk=run_id)
    try:
        _execute(run)
    except Exception as exc:
        MatchRun.objects.filter(pk=run_id).update(
            status=MatchRun.Status.FAILED, message=f"The run failed: {exc}"[:300]
        )
        raise


def _execute(run: MatchRun) -> None:
    inputs = matching.cohort_inputs(run.cohort)
    capacity = [p.capacity for p in inputs.people_mentors]
    MatchRun.objects.filter(pk=run.pk).update(progress=20, message="Scoring every pair")
    result = engine.score_matrices(
        inputs.people_mentees, inputs.people_mentors, inputs.config, capacity=capacity
    )
    scores = result.scores
    if inputs.ranks:
        scores = engine.apply_mentee_ranks(scores, inputs.ranks)
    rows, cols = inputs.mentee_index(), inputs.mentor_index()
    locked, dropped = [], []
    for mentee_id, mentor_id in run.settings_snapshot.get("locked", []):
        i, j = rows.get(mentee_id), cols.get(mentor_id)
        if i is None or j is None or scores.shape[1] == 0 or np.isnan(scores[i, j]):
            dropped.append((mentee_id, mentor_id))
        else:
            locked.append((i, j))
    MatchRun.objects.filter(pk=run.pk).update(progress=60, message="Finding the best pairing")
    try:
        pairs = engine.solve(scores, capacity, locked=locked) if inputs.mentees else []
    except engine.PairingError:
        dropped.extend((inputs.mentees[i].pk, inputs.mentors[j].pk) for i, j in locked)
        locked = []
        pairs = engine.solve(scores, capacity) if inputs.mentees else []
    locked_set = set(locked)
    weights = inputs.config.weights
    proposals = []
    for i, j in pairs:
        explanation = engine.explain(
            inputs.people_mentees[i],
            inputs.people_mentors[j],
            inputs.config,
            skill_names=inputs.skill_names,
            interest_names=inputs.interest_names,
            capacity=max(1, capacity[j]),
        )
        proposals.append(
            ProposedPair(
                run=run,
                mentee=inputs.mentees[i],
                mentor=inputs.mentors[j],
                score=float(result.scores[i, j]),
                breakdown=_breakdown(result, i, j, weights),
                reasons=explanation["facts"],
                locked=(i, j) in locked_set,
            )
        )
    reasons = engine.unmatched_reasons(scores, capacity, pairs, rule_counts=result.rule_counts)
    unmatched = {str(inputs.mentees[i].pk): reason for i, reason in reasons.items()}
    stats = {
        "mentees": len(inputs.mentees),
        "mentors": len(inputs.mentors),
        "capacity": int(sum(capacity)),
        "pairs": len(pairs),
        "total_score": round(float(sum(result.scores[i, j] for i, j in pairs)), 4),
        "dropped_locks": len(dropped),
    }
    with transaction.atomic():
        ProposedPair.objects.bulk_create(proposals)
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.DRAFT,
            progress=100,
            message=(
                f"{len(pairs)} pairs proposed for {len(inputs.mentees)} mentees"
                + (f"; {len(dropped)} locked pairs no longer pass the rules" if dropped else "")
            ),
            unmatched=unmatched,
            stats=stats,
        )


def _editable(run: MatchRun) -> MatchRun:
    run = MatchRun.objects.select_for_update().get(pk=run.pk)
    if not run.is_editable:
        raise ValidationError("This run is no longer a draft.")
    return run


def _recheck(run: MatchRun, proposal: ProposedPair, inputs, moving=()) -> None:
    """Score a hand-made pair and warn about any rule it breaks.

    ``moving`` are the proposals being changed together (a swap's two): their mentors are counted
    as they will be, not as the database still has them."""
    explanation = matching.explain_pair(inputs, proposal.mentee, proposal.mentor)
    proposal.score = explanation["total"]
    proposal.reasons = explanation["facts"]
    proposal.breakdown = {
        c: {"score": round(v["score"], 4), "weight": round(v["weight"], 4)}
        for c, v in explanation["components"].items()
    }
    warnings = [f"breaks a hard rule: {rule}" for rule in explanation["blocked_by"]]
    changing = list({id(p): p for p in (*moving, proposal)}.values())
    saved = [p.pk for p in changing if p.pk]
    load = run.proposals.filter(mentor=proposal.mentor).exclude(pk__in=saved).count()
    load += sum(1 for p in changing if p.mentor_id == proposal.mentor_id)
    remaining = matching.remaining_capacity([proposal.mentor])[proposal.mentor.pk]
    if load > remaining:
        warnings.append(f"mentor over capacity ({load} mentees for {remaining} places)")
    proposal.warnings = warnings


@transaction.atomic
def proposal_lock(*, run: MatchRun, proposal: ProposedPair, ctx: AuditContext, locked: bool):
    """Lock a proposed pair (a re-run keeps it) or unlock it."""
    _editable(run)
    proposal.locked = locked
    proposal.save(update_fields=["locked"])
    action = RunEventAction.LOCKED if locked else RunEventAction.UNLOCKED
    _event(run, ctx, action, str(proposal))
    return proposal


@transaction.atomic
def proposal_reassign(
    *, run: MatchRun, mentee: Enrolment, mentor: Enrolment, ctx: AuditContext
) -> ProposedPair:
    """Give a mentee another mentor by hand (locked, so a re-run keeps it)."""
    run = _editable(run)
    inputs = matching.cohort_inputs(run.cohort)
    if mentee.pk not in inputs.mentee_index():
        raise ValidationError(f"{mentee.user.display_name} already has a mentor.")
    if mentor.pk not in inputs.mentor_index():
        raise ValidationError(f"{mentor.user.display_name} is not an accepted mentor.")
    proposal = run.proposals.filter(mentee=mentee).first() or ProposedPair(run=run, mentee=mentee)
    load = run.proposals.filter(mentor=mentor).exclude(mentee=mentee).count() + 1
    places = matching.remaining_capacity([mentor])[mentor.pk]
    if load > places:
        raise ValidationError(
            f"{mentor.user.display_name} has {places} place{'s' if places != 1 else ''} left "
            f"and {load - 1} already proposed: raise their capacity (with their agreement) or "
            "choose another mentor."
        )
    proposal.mentor = mentor
    proposal.manual = proposal.locked = True
    _recheck(run, proposal, inputs)
    proposal.save()
    unmatched = dict(run.unmatched)
    if unmatched.pop(str(mentee.pk), None) is not None:
        MatchRun.objects.filter(pk=run.pk).update(unmatched=unmatched)
    _event(
        run, ctx, RunEventAction.REASSIGNED, f"mentee {mentee.user.display_name} → {mentor.user}"
    )
    return proposal


@transaction.atomic
def proposals_swap(
    *, run: MatchRun, first: ProposedPair, second: ProposedPair, ctx: AuditContext
) -> tuple[ProposedPair, ProposedPair]:
    """Swap the mentors of two proposed pairs."""
    run = _editable(run)
    inputs = matching.cohort_inputs(run.cohort)
    first.mentor, second.mentor = second.mentor, first.mentor
    for proposal in (first, second):
        proposal.manual = proposal.locked = True
        _recheck(run, proposal, inputs, moving=(first, second))
        proposal.save()
    _event(
        run,
        ctx,
        RunEventAction.SWAPPED,
        f"{first.mentee.user.display_name} ↔ {second.mentee.user.display_name}",
    )
    return first, second


@transaction.atomic
def proposal_exclude(*, run: MatchRun, proposal: ProposedPair, ctx: AuditContext) -> None:
    """Never pair these two in this cohort; the mentee waits for a re-run or a hand pairing."""
    run = _editable(run)
    ExcludedPair.objects.get_or_create(
        cohort=run.cohort,
        mentee=proposal.mentee,
        mentor=proposal.mentor,
        defaults={"created_by": ctx.actor},
    )
    unmatched = dict(run.unmatched)
    unmatched[str(proposal.mentee_id)] = "the coordinator excluded the proposed mentor; re-run"
    MatchRun.objects.filter(pk=run.pk).update(unmatched=unmatched)
    _event(run, ctx, RunEventAction.EXCLUDED, str(proposal))
    proposal.delete()


@transaction.atomic
def match_run_publish(*, run: MatchRun, ctx: AuditContext) -> list[Pair]:
    """Turn a draft into pairs, start the cohort (in matching) and introduce each pair by email.

    Only pairs whose two people are still accepted at this moment are made, never past a
    mentor's capacity, never a second mentor for a mentee (``selectors.publication_plan``, the
    same check the confirmation page shows); each pair left out is recorded on the run with
    what happened. The cohort and the run are locked first, so a withdrawal committed before
    this transaction is seen and one after it finds the pair to end. Publishing twice does
    nothing the second time.
    """
    from .selectors import publication_plan

    Cohort.objects.select_for_update().filter(pk=run.cohort_id).first()
    run = MatchRun.objects.select_for_update().select_related("cohort__programme").get(pk=run.pk)
    if run.status == MatchRun.Status.PUBLISHED:
        return []
    if run.status != MatchRun.Status.DRAFT:
        raise ValidationError("Only a draft run can be published.")
    cohort = run.cohort
    start = max(cohort.starts_on, matching.today())
    plan = publication_plan(run=run)
    pairs = Pair.objects.bulk_create(
        [
            Pair(cohort=cohort, mentor=p.mentor, mentee=p.mentee, started_on=start)
            for p in plan.publish
        ]
    )
    reasons = {p.mentee_id: p for p in plan.publish}
    for pair in Pair.objects.filter(pk__in=[p.pk for p in pairs]).select_related(
        "mentee__user__profile", "mentor__user__profile", "cohort__programme"
    ):
        pair_goals_from_application(pair=pair)
        emails.send_introductions(pair, reasons[pair.mentee_id].reasons)
    unmatched = dict(run.unmatched)
    for proposal, why in plan.skipped:
        unmatched[str(proposal.mentee_id)] = f"left out at publication: {why}"
        names = f"{proposal.mentee.user.display_name} ↔ {proposal.mentor.user.display_name}"
        _event(run, ctx, RunEventAction.SKIPPED, f"{names}: {why}")
    run.status = MatchRun.Status.PUBLISHED
    run.published_at = timezone.now()
    run.published_by = ctx.actor
    run.unmatched = unmatched
    run.save(update_fields=["status", "published_at", "published_by", "unmatched"])
    if cohort.status == CohortStatus.MATCHING:
        cohort_change_status(cohort=cohort, status=CohortStatus.RUNNING)
    _event(run, ctx, RunEventAction.PUBLISHED, f"{len(pairs)} pairs")
    audit_record(
        action="pairs-published",
        obj=run,
        programme_id=cohort.programme_id,
        summary=f"{len(pairs)} pairs in {cohort}"
        + (f"; {len(plan.skipped)} left out" if plan.skipped else ""),
        context=ctx,
    )
    return pairs


@transaction.atomic
def pair_end(*, pair: Pair, ctx: AuditContext, reason: str, note: str = "") -> Pair:
    pair = Pair.objects.select_for_update().get(pk=pair.pk)
    if pair.status == Pair.Status.ENDED:
        return pair
    pair.status = Pair.Status.ENDED
    pair.ended_on = matching.today()
    pair.end_reason = reason
    pair.end_note = note
    pair.full_clean()
    pair.save(update_fields=["status", "ended_on", "end_reason", "end_note"])
    email_recheck_on_commit(refs={"pair": pair.pk})
    audit_record(
        action="pair-ended",
        obj=pair,
        programme_id=pair.cohort.programme_id,
        summary=f"{pair.get_end_reason_display()}",
        context=ctx,
    )
    return pair


def repair_shortlist(*, cohort: Cohort, mentee: Enrolment, k: int = 5) -> list[dict]:
    """The best mentors with capacity left for a mentee who needs a (new) mentor."""
    inputs = matching.cohort_inputs(cohort)
    rows = inputs.mentee_index()
    if mentee.pk not in rows:
        return []
    # A mentor this mentee's pair already ended with in this cohort ("not a good fit", or any
    # other reason) is never suggested again.
    ended = Pair.objects.filter(cohort=cohort, mentee=mentee, status=Pair.Status.ENDED)
    inputs.config.excluded_pairs = set(inputs.config.excluded_pairs) | {
        (mentee.pk, mentor_id) for mentor_id in ended.values_list("mentor_id", flat=True)
    }
    capacity = [p.capacity for p in inputs.people_mentors]
    result = engine.score_matrices(
        inputs.people_mentees, inputs.people_mentors, inputs.config, capacity=capacity
    )
    options = []
    for j, score in engine.shortlist(result.scores, rows[mentee.pk], k):
        mentor = inputs.mentors[j]
        explanation = matching.explain_pair(inputs, mentee, mentor)
        options.append({"mentor": mentor, "score": score, "facts": explanation["facts"]})
    return options


@transaction.atomic
def pair_create_by_hand(
    *, cohort: Cohort, mentee: Enrolment, mentor: Enrolment, ctx: AuditContext
) -> Pair:
    """Re-pair a mentee with a mentor who has capacity left, and introduce them."""
    if Pair.objects.active().filter(mentee=mentee).exists():
        raise ValidationError("This mentee already has an active pair.")
    inputs = matching.cohort_inputs(cohort)
    if mentor.pk not in inputs.mentor_index() or mentee.pk not in inputs.mentee_index():
        raise ValidationError("Both people must be accepted in this cohort.")
    explanation = matching.explain_pair(inputs, mentee, mentor)
    if not explanation["allowed"]:
        raise ValidationError(f"This pair breaks a rule: {', '.join(explanation['blocked_by'])}.")
    if matching.remaining_capacity([mentor])[mentor.pk] < 1:
        raise ValidationError("This mentor has no capacity left.")
    pair = Pair.objects.create(
        cohort=cohort, mentor=mentor, mentee=mentee, started_on=matching.today()
    )
    pair_goals_from_application(pair=pair)
    emails.send_introductions(pair, explanation["facts"])
    audit_record(
        action="pair-created",
        obj=pair,
        programme_id=cohort.programme_id,
        summary=f"re-paired {mentee.user.display_name}",
        context=ctx,
    )
    return pair


@transaction.atomic
def pairing_settings_update(
    *, settings_row: PairingSettings, data: dict, weights: dict
) -> PairingSettings:
    """Change a programme's pairing rules and weights; they apply to the next run."""
    model_update(
        instance=settings_row,
        fields=SETTINGS_FIELDS,
        data=data,
        save=False,
    )
    settings_row.weights = weights
    settings_row.full_clean()
    settings_row.save()
    return settings_row


@transaction.atomic
def mentee_rankings_save(*, mentee: Enrolment, mentor_ids: list[int], allowed: set[int]):
    if len(set(mentor_ids)) != len(mentor_ids):
        raise ValidationError("Rank each mentor once.")
    if not set(mentor_ids) <= allowed:
        raise ValidationError("You can rank only the mentors on your shortlist.")
    MenteeRanking.objects.filter(mentee=mentee).delete()
    MenteeRanking.objects.bulk_create(
        [
            MenteeRanking(mentee=mentee, mentor_id=mentor_id, rank=rank)
            for rank, mentor_id in enumerate(mentor_ids, start=1)
        ]
    )
