"""What pairing holds about a person, for their data export and for erasure.

Registered with people.personal_data from PairingConfig.ready(). Pairs and check-ins stay (the
dashboards count meetings, ratings and wellbeing from them), attached to the anonymised account;
the notes the person wrote, the goals of their pairs and the end notes of their pairs are removed.
"""

from people import personal_data

from .models import CheckIn, CheckInChange, Pair, PairGoal

# The free text a check-in's change log may repeat; erasure removes it from the log too.
CHANGE_TEXT_FIELDS = ("worked_on", "next_step")

ERASED = personal_data.ERASED


def pairs_export(user) -> list[dict]:
    rows = (
        Pair.objects.for_user(user)
        .select_related("cohort", "mentor__user", "mentee__user")
        .prefetch_related("goals")
        .order_by("started_on", "pk")
    )
    return [
        {
            "cohort": p.cohort.name,
            "your_role": "mentor" if p.mentor.user_id == user.pk else "mentee",
            "mentor": p.mentor.user.display_name,
            "mentee": p.mentee.user.display_name,
            "status": p.status,
            "started_on": p.started_on.isoformat(),
            "ended_on": p.ended_on.isoformat() if p.ended_on else None,
            "end_reason": p.end_reason,
            "goals": [{"text": g.text, "progress": g.progress} for g in p.goals.all()],
        }
        for p in rows
    ]


def checkins_export(user) -> list[dict]:
    return [
        {
            "pair": c.pair_id,
            "met_on": c.met_on.isoformat(),
            "duration_minutes": c.duration_minutes,
            "format": c.format,
            "worked_on": c.worked_on,
            "next_step": c.next_step,
            "rating": c.rating,
            "wellbeing": c.wellbeing,
            "protected_time_kept": c.protected_time_kept,
            "shared_with_coordinator": c.shared_with_coordinator,
            "created_at": c.created_at.isoformat(),
        }
        for c in CheckIn.objects.filter(author=user).order_by("met_on", "pk")
    ]


def checkin_changes_export(user) -> list[dict]:
    return [
        {
            "pair": c.pair_id,
            "checkin": c.checkin_id,
            "action": c.action,
            "before": c.before,
            "after": c.after,
            "created_at": c.created_at.isoformat(),
        }
        for c in CheckInChange.objects.filter(actor=user).order_by("created_at", "pk")
    ]


def _without_text(values: dict) -> dict:
    return {k: (ERASED if k in CHANGE_TEXT_FIELDS else v) for k, v in values.items()}


def pairing_erase(user, erasure) -> None:
    changes = list(CheckInChange.objects.filter(actor=user))
    for change in changes:
        change.before, change.after = _without_text(change.before), _without_text(change.after)
    CheckInChange.objects.bulk_update(changes, ["before", "after"])
    erasure.count("checkin_changes", len(changes))
    erasure.count(
        "checkins",
        CheckIn.objects.filter(author=user).update(
            worked_on=ERASED, next_step="", shared_with_coordinator=False
        ),
    )
    pairs = Pair.objects.for_user(user)
    erasure.count("pairs", pairs.update(end_note=""))
    erasure.count("pair_goals", PairGoal.objects.filter(pair__in=pairs).update(text=ERASED))


def register() -> None:
    personal_data.register("pairs", export=pairs_export, erase=pairing_erase)
    personal_data.register("checkins", export=checkins_export)
    personal_data.register("checkin_changes", export=checkin_changes_export)
    declare_fields()


def declare_fields() -> None:
    d, anon = personal_data.declare, personal_data.ROW_ANONYMISED
    d(
        "pairing.Pair",
        on_erase=anon,
        exported_in="pairs",
        person=["mentor", "mentee"],
        free_text=["end_note"],
        facts=["status", "started_on", "ended_on", "end_reason", "created_at"],
        not_personal=["cohort"],
    )
    d(
        "pairing.CheckIn",
        on_erase=anon,
        exported_in="checkins",
        person=["author"],
        free_text=["worked_on", "next_step"],
        facts=[
            "met_on",
            "duration_minutes",
            "format",
            "rating",
            "wellbeing",
            "protected_time_kept",
            "shared_with_coordinator",
            "created_at",
        ],
        not_personal=["pair"],
    )
    d(
        "pairing.CheckInSummary",
        on_erase=personal_data.ROW_KEPT,
        exported_in="checkins (the check-ins it counts)",
        facts=["checkins", "wellbeing_total", "first_met", "last_met", "scores"],
        not_personal=["pair", "updated_at"],
        note="what a pair's check-ins add up to (count, wellbeing sum, first and last meeting, "
        "latest scores)",
    )
    d(
        "pairing.CheckInChange",
        on_erase=anon,
        exported_in="checkin_changes",
        person=["actor"],
        free_text=["before", "after"],
        facts=["action", "created_at"],
        not_personal=["checkin", "pair"],
        note="the change log of check-ins: values before and after each correction or deletion",
    )
    d(
        "pairing.PairGoal",
        on_erase=anon,
        exported_in="pairs.goals",
        free_text=["text"],
        facts=["progress", "order", "updated_at"],
        not_personal=["pair"],
    )
    d(
        "pairing.PairingSettings",
        not_personal=[
            "programme",
            "weights",
            "min_grade_gap",
            "max_grade_gap",
            "forbid_same_team",
            "forbid_same_organisation",
            "allow_previous_pairs",
            "choice_mode",
        ],
    )
    d(
        "pairing.MatchRun",
        on_erase=personal_data.ROW_KEPT,
        exported_in="(coordinators' working data; names scrubbed from text)",
        person=["created_by", "published_by"],
        free_text=["message", "unmatched"],
        not_personal=[
            "cohort",
            "created_at",
            "status",
            "progress",
            "settings_snapshot",
            "stats",
            "published_at",
        ],
    )
    d(
        "pairing.ProposedPair",
        on_erase=personal_data.ROW_KEPT,
        exported_in="(coordinators' working data; names scrubbed from text)",
        person=["mentee", "mentor"],
        free_text=["reasons", "warnings", "breakdown"],
        not_personal=["run", "score", "locked", "manual"],
    )
    d(
        "pairing.ExcludedPair",
        on_erase=personal_data.ROW_KEPT,
        exported_in="(coordinators' working data)",
        person=["mentee", "mentor", "created_by"],
        not_personal=["cohort", "created_at"],
    )
    d(
        "pairing.RunEvent",
        on_erase=personal_data.ROW_KEPT,
        exported_in="(coordinators' working data; names scrubbed from text)",
        person=["actor"],
        free_text=["detail"],
        not_personal=["run", "action", "created_at"],
    )
    d(
        "pairing.MenteeRanking",
        on_erase=anon,
        exported_in="(choice-mode rankings)",
        person=["mentee", "mentor"],
        facts=["rank"],
    )
