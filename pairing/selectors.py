"""Reads for pairs, check-ins and pairing runs, with the access rules in one place (404 for anyone
else). Each function's docstring says how many queries it makes; the page tests pin the totals."""

from dataclasses import dataclass, field

from django.db.models import Count, Max, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from programmes.models import (
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentMove,
    EnrolmentStatus,
    Programme,
    Role,
)

from . import risk
from .matching import remaining_capacity
from .models import (
    CheckIn,
    MatchRun,
    MenteeRanking,
    Pair,
    PairGoal,
    PairingSettings,
    PairViewer,
    ProposedPair,
)

PAIR_RELATED = ("cohort__programme", "mentor__user__profile", "mentee__user__profile")


def _pk(value) -> int | None:
    """A primary key from a form field; None (so: 404) for a missing or malformed one.

    ``isdecimal``, not ``isdigit``: "²" is a digit that ``int()`` refuses (a 500); 18 digits at
    most, so the number fits the database's integer."""
    text = str(value if value is not None else "")
    return int(text) if text.isdecimal() and len(text) <= 18 else None


# --- Pairs and check-ins -----------------------------------------------------------------------


def pair_for_user(*, user, pk: int) -> tuple[Pair, PairViewer]:
    """The pair and how the user sees it (one query): as its mentor, its mentee or a coordinator."""
    # The pair by its key, then who may see it, here: PostgreSQL planned the one query with the
    # three-way OR over seven joined tables in 1.5-4 ms, more than the rest of the page's SQL
    # (issue 19). A coordinator costs a second, small query. Anyone else: 404, as before. The
    # pair page names the two people; their profiles are not on it.
    pair = get_object_or_404(
        Pair.objects.select_related("cohort__programme", "mentor__user", "mentee__user"), pk=pk
    )
    if pair.mentor.user_id == user.pk:
        return pair, PairViewer.MENTOR
    if pair.mentee.user_id == user.pk:
        return pair, PairViewer.MENTEE
    coordinated = Programme.objects.coordinated_by(user)
    if user.is_staff or coordinated.filter(pk=pair.cohort.programme_id).exists():
        return pair, PairViewer.COORDINATOR
    raise Http404


def pair_checkins(*, pair: Pair, viewer_role: str, viewer=None):
    """The pair's check-ins (one query), with the notes hidden from a coordinator unless shared,
    and each wellbeing score shown only to the person who gave it and to coordinators (the
    check-in form promises that: "Coordinators see this score")."""
    checkins = list(pair.checkins.select_related("author").order_by("-met_on", "-created_at"))
    coordinator = viewer_role == PairViewer.COORDINATOR
    for checkin in checkins:
        checkin.notes_visible = not coordinator or checkin.shared_with_coordinator
        checkin.wellbeing_visible = coordinator or (
            viewer is not None and checkin.author_id == viewer.pk
        )
    return checkins


def checkin_for_author(*, user, pair_pk: int, pk: int) -> CheckIn:
    """A check-in of pair ``pair_pk`` that ``user`` logged (one query); 404 for anyone else,
    the other member of the pair and the coordinators included."""
    return get_object_or_404(
        CheckIn.objects.select_related("pair__cohort__programme", "author"),
        pk=pk,
        pair_id=pair_pk,
        author=user,
    )


def pair_checkin_changes(*, pair: Pair):
    """The pair's check-in change log, newest first (one query)."""
    return list(pair.checkin_changes.select_related("actor").order_by("-created_at", "-pk"))


def pair_at_risk(*, pair: Pair, checkins, today) -> list[str]:
    """Why the pair is at risk, in the dashboard's and digest's words (pairing/risk.py), from
    the check-ins already loaded: no query."""
    meetings = [
        risk.Meeting(c.met_on, c.rating, c.wellbeing, c.author_id, order=(c.created_at, c.pk))
        for c in checkins
    ]
    codes = risk.reasons(
        active=pair.status == Pair.Status.ACTIVE,
        started_on=pair.started_on,
        cadence_days=pair.cadence_days,
        today=today,
        scores=risk.scores(meetings, today),
    )
    return risk.labels(codes)


def pair_goals(*, pair: Pair):
    """The pair's goals, in order (one query)."""
    return pair.goals.all()


def pair_goal(*, pair: Pair, pk: int) -> PairGoal:
    """One goal of this pair (one query); 404 for a goal of another pair."""
    return get_object_or_404(pair.goals, pk=pk)


def pairs_for_participant(*, user, enrolment_ids=None):
    """The person's pairs with their check-in figures, for their home page (the other person's
    user, not their profile: one query). Given the person's ``enrolment_ids``, the pairs are
    found by them, without joining the people.

    The figures are subqueries, not an aggregate over a join: with GROUP BY over the seven
    joined tables PostgreSQL spent 2-9 ms planning the query (issue 19)."""
    checkins = CheckIn.objects.filter(pair=OuterRef("pk")).order_by()
    pairs = (
        Pair.objects.for_user(user)
        if enrolment_ids is None
        else Pair.objects.filter(Q(mentor_id__in=enrolment_ids) | Q(mentee_id__in=enrolment_ids))
    )
    return (
        pairs.select_related("cohort__programme", "mentor__user", "mentee__user")
        .annotate(
            last_met_on=Subquery(checkins.order_by("-met_on").values("met_on")[:1]),
            checkin_count=Coalesce(
                Subquery(checkins.values("pair").annotate(n=Count("pk")).values("n")), 0
            ),
        )
        # What the home page shows (pairing/partials/my_pairs.html) and the states need:
        # compiling all ~90 columns of the seven tables was most of this query's cost.
        .only(
            "cohort",
            "mentor",
            "mentee",
            "status",
            "started_on",
            "ended_on",
            "cohort__name",
            "cohort__programme",
            "cohort__programme__name",
            "cohort__programme__checkin_cadence_days",
            *(
                f"{member}__user{field}"
                for member in ("mentor", "mentee")
                for field in ("", "__full_name", "__email")
            ),
        )
        .order_by("status", "-started_on")
    )


PAIRS_ORDER = ("status", "mentee__user__email", "pk")


def cohort_pair_ids(*, cohort):
    """The ids of a cohort's pairs in the pairs list's order: what the list pages through.
    No join on the check-ins, so counting and slicing stay cheap at 20,000 pairs."""
    return cohort.pairs.order_by(*PAIRS_ORDER).values_list("pk", flat=True)


def cohort_pairs(*, cohort, ids=None):
    """The pairs of a cohort (only ``ids`` if given, one page of the list) with their check-in
    figures, in a fixed number of queries (two)."""
    pairs = cohort.pairs.all() if ids is None else cohort.pairs.filter(pk__in=list(ids))
    return (
        pairs.select_related("mentor__user", "mentee__user", "cohort__programme")
        .annotate(last_met_on=Max("checkins__met_on"), checkin_count=Count("checkins"))
        .prefetch_related(
            Prefetch("checkins", queryset=CheckIn.objects.order_by("-met_on"), to_attr="recent")
        )
        .order_by(*PAIRS_ORDER)
    )


def cohort_pair(*, cohort: Cohort, pk: int) -> Pair:
    """One pair of the cohort with both people (one query); 404 for a pair of another cohort."""
    return get_object_or_404(cohort.pairs.select_related("mentor__user", "mentee__user"), pk=pk)


def mentee_has_active_pair(*, mentee: Enrolment) -> bool:
    """One query."""
    return Pair.objects.active().filter(mentee=mentee).exists()


# --- People of a cohort -------------------------------------------------------------------------


def cohort_mentee(*, cohort: Cohort, pk, accepted_only: bool = False) -> Enrolment:
    """A mentee of the cohort (one query); 404 otherwise, a missing pk included."""
    mentees = cohort.enrolments.filter(role=Role.MENTEE)
    if accepted_only:
        mentees = mentees.filter(status=EnrolmentStatus.ACCEPTED)
    return get_object_or_404(mentees.select_related("user"), pk=_pk(pk))


def cohort_mentor(*, cohort: Cohort, pk) -> Enrolment:
    """An accepted mentor of the cohort (one query); 404 otherwise, a missing pk included."""
    return get_object_or_404(
        cohort.enrolments.filter(role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED).select_related(
            "user"
        ),
        pk=_pk(pk),
    )


def cohort_mentors_with_load(*, cohort: Cohort, proposals) -> list[Enrolment]:
    """The cohort's accepted mentors (two queries), each with ``load`` (its proposed mentees),
    ``taken`` (its active pairs) and ``spare`` (capacity less active pairs)."""
    mentors = list(
        cohort.enrolments.filter(role=Role.MENTOR, status=EnrolmentStatus.ACCEPTED)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    load: dict[int, int] = {}
    for proposal in proposals:
        load[proposal.mentor_id] = load.get(proposal.mentor_id, 0) + 1
    taken = dict(
        Pair.objects.active()
        .filter(mentor__in=mentors)
        .values("mentor_id")
        .annotate(n=Count("pk"))
        .values_list("mentor_id", "n")
    )
    for mentor in mentors:
        mentor.load = load.get(mentor.pk, 0)
        mentor.taken = taken.get(mentor.pk, 0)  # active pairs: kept by any run
        mentor.spare = max(0, mentor.capacity - mentor.taken)
    return mentors


def run_summary(*, run: MatchRun, proposals, unmatched) -> dict:
    """The draft as it stands now, after every exclude, reassign and swap (no query): the number
    of pairs, of mentees without a mentor, and the total score of the pairs that pass the rules.
    (The run's own ``message`` is what the engine found, before the coordinator's changes.)"""
    scores = [p.score for p in proposals if p.score is not None]
    return {
        "pairs": len(proposals),
        "unmatched": len(unmatched),
        "mentees": len(proposals) + len(unmatched),
        "total_score": sum(scores) if scores else None,
        "changed": any(p.manual for p in proposals)
        or len(proposals) != (run.stats or {}).get("pairs", len(proposals)),
    }


# --- Pairing runs (coordinators) ---------------------------------------------------------------


def cohort_runs(*, cohort: Cohort, limit: int = 20):
    """The cohort's latest pairing runs, newest first (one query)."""
    return cohort.match_runs.select_related("created_by", "published_by")[:limit]


def run_for_coordinator(*, user, slug: str, pk: int, run_pk: int) -> MatchRun:
    """A run of this cohort of a programme the user coordinates (one query); 404 otherwise."""
    coordinated = Programme.objects.coordinated_by(user)
    return get_object_or_404(
        MatchRun.objects.select_related("cohort__programme").filter(
            cohort__programme__in=coordinated, cohort__programme__slug=slug, cohort_id=pk
        ),
        pk=run_pk,
    )


def run_for_coordinator_by_pk(*, user, run_pk: int) -> MatchRun:
    """A run by its number alone (one query), for the old /pairs/runs/<pk>/ links; 404 otherwise."""
    coordinated = Programme.objects.coordinated_by(user)
    return get_object_or_404(
        MatchRun.objects.select_related("cohort__programme").filter(
            cohort__programme__in=coordinated
        ),
        pk=run_pk,
    )


def run_proposals(*, run: MatchRun) -> list[ProposedPair]:
    """The run's proposed pairs with both people's profiles, locked first (one query)."""
    return list(
        run.proposals.select_related(
            "mentee__user__profile", "mentor__user__profile", "mentee"
        ).order_by("-locked", "mentee__user__full_name", "mentee__user__email")
    )


def run_proposal(*, run: MatchRun, pk) -> ProposedPair:
    """One proposed pair of the run with both people (one query); 404 otherwise."""
    return get_object_or_404(
        run.proposals.select_related("mentee__user", "mentor__user"),
        pk=_pk(pk),
    )


def run_unmatched(*, run: MatchRun) -> list[tuple[Enrolment, str]]:
    """The mentees the run left without a mentor, each with the reason (one query)."""
    ids = [int(k) for k in run.unmatched]
    return [
        (enrolment, run.unmatched[str(enrolment.pk)])
        for enrolment in run.cohort.enrolments.filter(pk__in=ids).select_related("user__profile")
    ]


def run_events(*, run: MatchRun, limit: int = 50):
    """What was done to the run, in order (one query)."""
    return run.events.select_related("actor")[:limit]


# --- Choice mode (mentees) ---------------------------------------------------------------------


def mentee_enrolment(*, user, cohort_pk: int) -> Enrolment:
    """The user's accepted mentee place in the cohort (one query); 404 otherwise."""
    return get_object_or_404(
        Enrolment.objects.select_related("cohort__programme"),
        cohort_id=cohort_pk,
        user=user,
        role=Role.MENTEE,
        status=EnrolmentStatus.ACCEPTED,
    )


def cohorts_to_rank_for(*, user, enrolments=None) -> list[Enrolment]:
    """The user's accepted mentee places in cohorts whose programme lets mentees rank their
    shortlist, while the cohort recruits or is being matched (two queries; one, or none when
    there is no such place, given the user's ``enrolments`` with ``cohort__programme``): where
    the "rank your mentors" page (``pairing:choose``) is linked from their home page."""
    ranking = (CohortStatus.RECRUITING, CohortStatus.MATCHING)
    if enrolments is None:
        places = list(
            Enrolment.objects.filter(
                user=user,
                role=Role.MENTEE,
                status=EnrolmentStatus.ACCEPTED,
                cohort__status__in=ranking,
            ).select_related("cohort__programme")
        )
    else:
        places = [
            e
            for e in enrolments
            if e.user_id == user.pk
            and e.role == Role.MENTEE
            and e.status == EnrolmentStatus.ACCEPTED
            and e.cohort.status in ranking
        ]
    if not places:
        return []
    choosing = set(
        PairingSettings.objects.filter(
            programme__in={e.cohort.programme_id for e in places}, choice_mode=True
        ).values_list("programme_id", flat=True)
    )
    return [e for e in places if e.cohort.programme_id in choosing]


def mentee_ranks(*, mentee: Enrolment) -> dict[int, int]:
    """Mentor enrolment id -> the rank this mentee gave them (one query)."""
    return dict(MenteeRanking.objects.filter(mentee=mentee).values_list("mentor_id", "rank"))


# --- What changed since a run, and who waits for a mentor ----------------------------------------


@dataclass
class PublicationPlan:
    """What publishing a draft would do now: the pairs that still stand, those left out and why,
    accepted mentees the run never saw, and everyone who would be emailed."""

    publish: list = field(default_factory=list)  # ProposedPair
    skipped: list = field(default_factory=list)  # (ProposedPair, why)
    newcomers: list = field(default_factory=list)  # (Enrolment, why)
    recipients: list = field(default_factory=list)  # (name, email, why)


def _since(enrolment: Enrolment, moves: dict) -> str:
    move = moves.get(enrolment.pk)
    when = f" on {move.created_at:%-d %B %Y}" if move else ""
    return f"{enrolment.user.display_name} is now {enrolment.get_status_display().lower()}{when}"


def publication_plan(*, run: MatchRun) -> PublicationPlan:
    """Check each proposal against the cohort as it is now (five queries): both people still
    accepted, the mentee without a mentor, the mentor with a place left. Anything else is left
    out, with what happened since the run."""
    plan = PublicationPlan()
    proposals = list(
        run.proposals.select_related("mentee__user", "mentor__user").order_by(
            "-locked", "-score", "pk"
        )
    )
    people = {p.mentee_id for p in proposals} | {p.mentor_id for p in proposals}
    moves = {}
    for move in EnrolmentMove.objects.filter(enrolment_id__in=people).order_by("created_at", "pk"):
        moves[move.enrolment_id] = move
    paired = set(
        Pair.objects.active()
        .filter(mentee__cohort_id=run.cohort_id)
        .values_list("mentee_id", flat=True)
    )
    mentors = {p.mentor_id: p.mentor for p in proposals}
    places = remaining_capacity(list(mentors.values()))
    accepted = EnrolmentStatus.ACCEPTED
    for proposal in proposals:
        mentee, mentor = proposal.mentee, proposal.mentor
        if mentee.status != accepted:
            plan.skipped.append((proposal, _since(mentee, moves)))
        elif mentor.status != accepted:
            plan.skipped.append((proposal, f"mentor {_since(mentor, moves)}"))
        elif mentee.pk in paired:
            plan.skipped.append((proposal, f"{mentee.user.display_name} already has a mentor"))
        elif places.get(mentor.pk, 0) < 1:
            plan.skipped.append(
                (
                    proposal,
                    f"mentor {mentor.user.display_name} has no place left "
                    f"(capacity {mentor.capacity})",
                )
            )
        else:
            places[mentor.pk] -= 1
            plan.publish.append(proposal)
            for me in (mentee, mentor):
                role = "mentee" if me is mentee else "mentor"
                plan.recipients.append(
                    (me.user.display_name, me.user.email, f"introduction, as {role}")
                )
    in_run = {p.mentee_id for p in proposals} | {int(k) for k in run.unmatched}
    for enrolment in (
        run.cohort.enrolments.filter(role=Role.MENTEE, status=accepted)
        .exclude(pk__in=in_run | paired)
        .select_related("user")
    ):
        plan.newcomers.append(
            (enrolment, "accepted after this run: they will be listed as waiting for a mentor")
        )
    return plan


def cohort_waiting(*, cohort: Cohort) -> list[tuple[Enrolment, str]]:
    """Accepted mentees with no active pair while the cohort runs, each with why they wait
    (one query when nobody waits, six otherwise). The same rule as
    programmes.lifecycle.is_waiting."""
    if cohort.status != CohortStatus.RUNNING:
        return []
    # Who waits, first without the people's names: at 20,000 paired mentees the join on
    # every user cost more than the anti-join itself, and usually nobody waits.
    ids = list(
        cohort.enrolments.filter(role=Role.MENTEE, status=EnrolmentStatus.ACCEPTED)
        .exclude(pairs_as_mentee__status=Pair.Status.ACTIVE)
        .values_list("pk", flat=True)
    )
    if not ids:
        return []
    waiting = list(
        cohort.enrolments.filter(pk__in=ids)
        .select_related("user")
        .order_by("user__full_name", "user__email")
    )
    ended = {}
    for pair in (
        Pair.objects.filter(mentee__in=waiting, status=Pair.Status.ENDED)
        .select_related("mentor__user")
        .order_by("ended_on", "pk")
    ):
        ended[pair.mentee_id] = pair
    published = (
        cohort.match_runs.filter(status=MatchRun.Status.PUBLISHED).order_by("-published_at").first()
    )
    first_pair = cohort.pairs.order_by("created_at").values_list("created_at", flat=True).first()
    in_run = set()
    if published:
        in_run = {int(k) for k in published.unmatched}
        in_run |= set(published.proposals.values_list("mentee_id", flat=True))
    rows = []
    for enrolment in waiting:
        pair = ended.get(enrolment.pk)
        if pair is not None:
            why = (
                f"their pair with {pair.mentor.user.display_name} ended on "
                f"{pair.ended_on:%-d %B %Y} ({pair.get_end_reason_display().lower()})"
            )
        elif published and str(enrolment.pk) in published.unmatched:
            why = f"not paired at publication: {published.unmatched[str(enrolment.pk)]}"
        elif (published and enrolment.pk not in in_run) or (
            not published
            and first_pair
            and enrolment.decided_at
            and enrolment.decided_at > first_pair
        ):
            why = "accepted after the pairs were published"
        else:
            why = "not paired yet"
        rows.append((enrolment, why))
    return rows
