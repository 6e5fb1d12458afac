"""What pairing does when a person's state in a cohort changes (programmes/lifecycle.py).

Registered from ``PairingConfig.ready()``: programmes never reads pairs, so it asks through
these functions which pairs a person has, who a move would email, and what to do when an
accepted person stops being accepted (withdrawn, declined, waitlisted).
"""

from collections import Counter

from django.db.models import Q

from lib.audit import AuditContext
from programmes import lifecycle
from programmes.models import Enrolment, Role

from . import emails
from .models import MatchRun, Pair, ProposedPair, RunEvent, RunEventAction

#: How a pair ended because one side left, by the move that made them leave.
NOTES = {
    lifecycle.Move.WITHDRAW: "withdrew from the cohort",
    lifecycle.Move.DECLINE: "was declined by the coordinators",
    lifecycle.Move.WAITLIST: "was moved to the waiting list",
}


def pair_facts(enrolment_ids, *, pairs=None) -> dict[int, tuple[int, int]]:
    """{enrolment id: (active pairs, ended pairs)} as mentor or mentee (one query; none given
    ``pairs``, every pair of those enrolments already loaded, as a person's home page has)."""
    ids = list(enrolment_ids)
    active, ended = Counter(), Counter()
    if pairs is None:
        rows = Pair.objects.filter(Q(mentor_id__in=ids) | Q(mentee_id__in=ids)).values_list(
            "mentor_id", "mentee_id", "status"
        )
    else:
        rows = [(p.mentor_id, p.mentee_id, p.status) for p in pairs]
    for mentor_id, mentee_id, status in rows:
        counter = active if status == Pair.Status.ACTIVE else ended
        for pk in (mentor_id, mentee_id):
            counter[pk] += 1
    return {pk: (active[pk], ended[pk]) for pk in ids}


def _active_pairs(enrolment: Enrolment):
    return (
        Pair.objects.active()
        .filter(Q(mentor=enrolment) | Q(mentee=enrolment))
        .select_related("mentor__user", "mentee__user", "cohort__programme")
    )


def leave_preview(enrolment: Enrolment) -> list[lifecycle.Recipient]:
    """The other side of each active pair: they would be told the pair has ended."""
    recipients = []
    for pair in _active_pairs(enrolment):
        other, role = (
            (pair.mentee, "mentee") if pair.mentor_id == enrolment.pk else (pair.mentor, "mentor")
        )
        recipients.append(
            lifecycle.Recipient(
                name=other.user.display_name,
                email=other.user.email,
                why=f"their {role}: the pair ends",
            )
        )
    return recipients


def on_leave(*, enrolment: Enrolment, move: str, ctx: AuditContext) -> list[str]:
    """End the person's active pairs (the other side is told) and take them out of draft runs;
    a mentor's place frees with the pair. Returns what was done, in words."""
    from .services import pair_end

    done = []
    note = NOTES.get(move, "left the cohort")
    for pair in _active_pairs(enrolment):
        as_mentor = pair.mentor_id == enrolment.pk
        reason = Pair.EndReason.MENTOR_LEFT if as_mentor else Pair.EndReason.MENTEE_LEFT
        pair_end(pair=pair, ctx=ctx, reason=reason, note=f"{enrolment.user.display_name} {note}")
        pair.refresh_from_db()
        other = pair.mentee if as_mentor else pair.mentor
        emails.send_pair_ended(pair, left=enrolment, told=other, note=note)
        done.append(
            f"the pair {pair.mentor.user.display_name} → {pair.mentee.user.display_name} ended; "
            f"{other.user.display_name} was emailed"
            + (f" and {other.user.display_name} now waits for a mentor" if as_mentor else "")
        )
    done.extend(_remove_from_drafts(enrolment, ctx))
    return done


def _remove_from_drafts(enrolment: Enrolment, ctx: AuditContext) -> list[str]:
    done = []
    drafts = MatchRun.objects.select_for_update().filter(
        cohort_id=enrolment.cohort_id, status=MatchRun.Status.DRAFT
    )
    name = enrolment.user.display_name
    for run in drafts:
        unmatched = dict(run.unmatched)
        if enrolment.role == Role.MENTEE:
            removed = ProposedPair.objects.filter(run=run, mentee=enrolment).delete()[0]
            removed += unmatched.pop(str(enrolment.pk), None) is not None
        else:
            orphans = list(ProposedPair.objects.filter(run=run, mentor=enrolment))
            for proposal in orphans:
                unmatched[str(proposal.mentee_id)] = (
                    f"their proposed mentor {name} left the cohort: re-run or reassign"
                )
            removed = ProposedPair.objects.filter(pk__in=[p.pk for p in orphans]).delete()[0]
        if removed:
            MatchRun.objects.filter(pk=run.pk).update(unmatched=unmatched)
            RunEvent.objects.create(
                run=run,
                actor=ctx.actor,
                action=RunEventAction.REMOVED,
                detail=f"{name} is no longer accepted"[:300],
            )
            done.append(f"{name} was taken out of draft pairing run {run.pk}")
    return done


def capacity_floor(enrolment: Enrolment) -> int:
    return Pair.objects.active().filter(mentor=enrolment).count()


def register() -> None:
    lifecycle.register_pair_facts(pair_facts)
    lifecycle.register_on_leave(on_leave)
    lifecycle.register_leave_preview(leave_preview)
    lifecycle.register_capacity_floor(capacity_floor)
