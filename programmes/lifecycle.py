"""The person-in-cohort state model, written once (docs/lifecycle.md).

A person in a cohort has a *stored* status on their enrolment (invited, applied, accepted,
waitlisted, declined, withdrawn) and, once accepted, a *shown* state that follows from their pairs
(paired, unmatched, ended). This module says which moves exist, who makes them, and from which
status each may start; ``programmes.services.enrolment_move`` is the one place a status changes,
and it runs what follows from a move through the registries below.

Pairs are two floors up (pairing), so this module never reads them: pairing registers

- ``register_pair_facts(fn)``: ``fn(enrolment_ids) -> {id: (active pairs, ended pairs)}``, to
  show the derived state;
- ``register_on_leave(fn)``: ``fn(enrolment=, move=, ctx=) -> [str]``, called inside the move's
  transaction when an accepted person stops being accepted: it ends their active pairs, tells the
  other person, and removes them from draft pairing runs; it returns what it did, in words;
- ``register_leave_preview(fn)``: ``fn(enrolment) -> [Recipient]``, who would be emailed if the
  person left now (for the confirmation pages);
- ``register_capacity_floor(fn)``: ``fn(enrolment) -> int``, the fewest mentees a mentor's
  capacity may be set to (their active pairs).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import models

from .models import CohortStatus, EnrolmentStatus, Role


class State(models.TextChoices):
    """What a person and a coordinator are shown."""

    INVITED = "invited", "Invited"
    APPLIED = "applied", "Applied"
    ACCEPTED = "accepted", "Accepted"
    WAITLISTED = "waitlisted", "Waitlisted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"
    PAIRED = "paired", "Paired"
    UNMATCHED = "unmatched", "Waiting for a mentor"
    ENDED = "ended", "Pair ended"


class Move(models.TextChoices):
    """Every change of a person's stored status, and the two records that are not one."""

    INVITE = "invite", "Invited"
    APPLY = "apply", "Applied"
    ACCEPT = "accept", "Accepted"
    WAITLIST = "waitlist", "Put on the waiting list"
    DECLINE = "decline", "Declined"
    WITHDRAW = "withdraw", "Withdrew"
    UNDO = "undo", "Withdrawal or decline undone"
    CAPACITY = "capacity", "Mentor capacity changed"


S = EnrolmentStatus
#: Which stored statuses each move may start from, and where it goes (UNDO goes back to the
#: status before the withdrawal or decline, read from the person's history).
MOVES: dict[str, tuple[tuple[str, ...], str | None]] = {
    Move.INVITE: ((), S.INVITED),
    Move.APPLY: ((S.INVITED, S.APPLIED), S.APPLIED),
    Move.ACCEPT: ((S.APPLIED, S.WAITLISTED), S.ACCEPTED),
    Move.WAITLIST: ((S.APPLIED, S.ACCEPTED), S.WAITLISTED),
    Move.DECLINE: ((S.APPLIED, S.ACCEPTED, S.WAITLISTED), S.DECLINED),
    Move.WITHDRAW: ((S.INVITED, S.APPLIED, S.ACCEPTED, S.WAITLISTED), S.WITHDRAWN),
    Move.UNDO: ((S.WITHDRAWN, S.DECLINED), None),
}
#: How a refusal names the move: "Someone who is declined cannot be <verb>."
VERBS = {
    Move.INVITE: "invited again",
    Move.APPLY: "apply again",
    Move.ACCEPT: "accepted",
    Move.WAITLIST: "put on the waiting list",
    Move.DECLINE: "declined",
    Move.WITHDRAW: "withdrawn",
    Move.UNDO: "restored (only a withdrawal or a decline can be undone)",
}
#: The moves a coordinator makes (the others are the person's own).
COORDINATOR_MOVES = (Move.ACCEPT, Move.WAITLIST, Move.DECLINE, Move.UNDO, Move.CAPACITY)
#: The decision a coordinator picks on the review page, as a move.
DECISION_MOVES = {S.ACCEPTED: Move.ACCEPT, S.WAITLISTED: Move.WAITLIST, S.DECLINED: Move.DECLINE}


class MoveRefused(ValueError):
    """A move that the state model does not allow from the person's status."""


def can_move(status: str, move: str) -> bool:
    sources, _ = MOVES[move]
    return status in sources


def target(status: str, move: str, *, before: str | None = None) -> str:
    """The status a move leads to from ``status``; raises MoveRefused when it is not allowed."""
    if not can_move(status, move):
        raise MoveRefused(f"Someone who is {S(status).label.lower()} cannot be {VERBS[move]}.")
    _, to = MOVES[move]
    if to is None:  # undo
        return before or S.APPLIED
    return to


def moves_from(status: str) -> list[str]:
    return [m for m in MOVES if can_move(status, m)]


def state_of(
    *, status: str, role: str, cohort_status: str, active_pairs: int, ended_pairs: int
) -> State:
    """The state shown for a person: the stored status, or for an accepted person what their
    pairs say (paired; their pair ended; or, once the cohort runs, still waiting)."""
    if status != S.ACCEPTED:
        return State(status)
    if active_pairs:
        return State.PAIRED
    if ended_pairs:
        return State.ENDED
    if cohort_status in (CohortStatus.RUNNING, CohortStatus.FINISHED):
        return State.UNMATCHED
    return State.ACCEPTED


def is_waiting(*, status: str, role: str, cohort_status: str, active_pairs: int) -> bool:
    """An accepted mentee with no active pair in a running cohort: waiting for a mentor."""
    return (
        status == S.ACCEPTED
        and role == Role.MENTEE
        and cohort_status == CohortStatus.RUNNING
        and not active_pairs
    )


# --- Registries filled by higher apps ------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """Someone a move would email, and why (for a confirmation page)."""

    name: str
    email: str
    why: str


_pair_facts: list[Callable[[Iterable[int]], dict]] = []
_on_leave: list[Callable[..., list[str]]] = []
_leave_preview: list[Callable[..., list[Recipient]]] = []
_capacity_floor: list[Callable[..., int]] = []


def _add(registry: list, fn) -> None:
    if fn not in registry:
        registry.append(fn)


def register_pair_facts(fn) -> None:
    _add(_pair_facts, fn)


def register_on_leave(fn) -> None:
    _add(_on_leave, fn)


def register_leave_preview(fn) -> None:
    _add(_leave_preview, fn)


def register_capacity_floor(fn) -> None:
    _add(_capacity_floor, fn)


def pair_facts(enrolment_ids: Iterable[int]) -> dict[int, tuple[int, int]]:
    """{enrolment id: (active pairs, ended pairs)}; (0, 0) when nothing is registered."""
    ids = list(enrolment_ids)
    facts = dict.fromkeys(ids, (0, 0))
    for fn in _pair_facts:
        for pk, (active, ended) in fn(ids).items():
            a, e = facts.get(pk, (0, 0))
            facts[pk] = (a + active, e + ended)
    return facts


def on_leave(*, enrolment, move, ctx) -> list[str]:
    done: list[str] = []
    for fn in _on_leave:
        done.extend(fn(enrolment=enrolment, move=move, ctx=ctx))
    return done


def leave_preview(enrolment) -> list[Recipient]:
    return [r for fn in _leave_preview for r in fn(enrolment)]


def capacity_floor(enrolment) -> int:
    return max([0, *(fn(enrolment) for fn in _capacity_floor)])
