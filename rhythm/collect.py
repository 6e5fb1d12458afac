"""Load the plain data the rules read, with a constant number of queries per batch.

Pairs, check-ins, participants, invitations and applications are read in batches of
``BATCH`` rows with ``values()`` (keyset pagination on the primary key), never one query per
person. A whole run is about 18 fixed queries plus 10 per batch of 500 pairs on PostgreSQL
(pairs, check-ins, two batches of participants and the write of the batch's emails): 117 for
5,000 pairs, 418 for 20,000 (docs/rhythm.md, "Benchmark").
"""

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone

from feedback.models import SurveyInvitation
from lib.urls import absolute_reverse
from notifications.models import Email, UndeliverableAddress
from pairing.models import CheckIn, Pair
from people.models import Profile, name_or_address
from programmes.models import (
    Cohort,
    CohortStatus,
    Enrolment,
    EnrolmentStatus,
    ManagerDecision,
    Programme,
    Role,
)
from recruitment.models import Project
from recruitment.services import manager_signoff_tokens

from .data import (
    ApplicationRow,
    CheckInRow,
    CohortRow,
    InvitationRow,
    PairRow,
    ParticipantRow,
    Person,
    ProgrammeRow,
    Snapshot,
)
from .models import PausedKind, RhythmSettings

BATCH = 500
FINISHED_LOOKBACK_DAYS = 30  # finished cohorts still get their closing email and survey nudges
LIVE = (CohortStatus.RECRUITING, CohortStatus.MATCHING, CohortStatus.RUNNING)


def _batches(queryset, size: int | None = None):
    """values() rows in primary-key order, one query per ``size`` (``BATCH``) rows."""
    size = size or BATCH
    last = 0
    while True:
        rows = list(queryset.filter(pk__gt=last).order_by("pk")[:size])
        if not rows:
            return
        yield rows
        last = rows[-1]["pk"]
        if len(rows) < size:
            return


def _person(row: dict, prefix: str) -> Person:
    email = row[f"{prefix}email"]
    return Person(
        user_id=row[f"{prefix}id"],
        email=email,
        name=name_or_address(row[f"{prefix}full_name"], email),
        time_zone=row[f"{prefix}profile__time_zone"] or settings.TIME_ZONE,
    )


def _user_fields(prefix: str) -> list[str]:
    return [f"{prefix}{f}" for f in ("id", "email", "full_name", "profile__time_zone")]


def _local_date(moment: dt.datetime) -> dt.date:
    return timezone.localtime(moment).date()


def _undeliverable_counts(cohort_pks) -> dict[int, int]:
    """People per cohort whose current address GOV.UK Notify reported undeliverable."""
    addresses = list(UndeliverableAddress.objects.values_list("address", flat=True)[:10000])
    if not addresses:
        return {}
    return dict(
        Enrolment.objects.filter(cohort_id__in=cohort_pks)
        .annotate(address=Lower("user__email"))
        .filter(address__in=addresses)
        .values("cohort_id")
        .annotate(n=Count("user_id", distinct=True))
        .values_list("cohort_id", "n")
    )


def snapshot(*, today: dt.date, cohort_ids=None, parts=None) -> Snapshot:
    """Everything the rules need as of ``today``; ``cohort_ids`` narrows it to some cohorts (the
    schedule page), ``parts`` to some of: pairs, participants, invitations, applications."""
    parts = set(parts or ("pairs", "participants", "invitations", "applications"))
    snap = Snapshot(today=today)

    cohorts_qs = Cohort.objects.filter(
        Q(status__in=LIVE)
        | Q(
            status=CohortStatus.FINISHED,
            ends_on__gte=today - dt.timedelta(days=FINISHED_LOOKBACK_DAYS),
        )
    )
    if cohort_ids is not None:
        cohorts_qs = cohorts_qs.filter(pk__in=list(cohort_ids))
    cohort_rows = list(
        cohorts_qs.values(
            "pk",
            "programme_id",
            "name",
            "status",
            "starts_on",
            "ends_on",
            "applications_close",
        )
    )
    if not cohort_rows:
        return snap
    pks = [c["pk"] for c in cohort_rows]
    active_pair = Pair.objects.filter(mentee=OuterRef("pk"), status=Pair.Status.ACTIVE)
    unmatched = dict(
        Enrolment.objects.filter(
            cohort_id__in=pks, role=Role.MENTEE, status=EnrolmentStatus.ACCEPTED
        )
        .exclude(Exists(active_pair))
        .values("cohort_id")
        .annotate(n=Count("pk"))
        .values_list("cohort_id", "n")
    )
    waitlisted = dict(
        Enrolment.objects.filter(cohort_id__in=pks, status=EnrolmentStatus.WAITLISTED)
        .values("cohort_id")
        .annotate(n=Count("pk"))
        .values_list("cohort_id", "n")
    )
    undeliverable = _undeliverable_counts(pks)
    for c in cohort_rows:
        snap.cohorts[c["pk"]] = CohortRow(
            pk=c["pk"],
            programme_id=c["programme_id"],
            name=c["name"],
            status=c["status"],
            starts_on=c["starts_on"],
            ends_on=c["ends_on"],
            applications_close=c["applications_close"],
            unmatched_mentees=unmatched.get(c["pk"], 0)
            if c["status"] != CohortStatus.RECRUITING
            else 0,
            waitlisted=waitlisted.get(c["pk"], 0),
            undeliverable=undeliverable.get(c["pk"], 0),
        )
    cohort_pks = list(snap.cohorts)
    programme_ids = {c.programme_id for c in snap.cohorts.values()}

    coordinators = defaultdict(list)
    through = Programme.coordinators.through
    for row in (
        through.objects.filter(programme_id__in=programme_ids, user__is_active=True)
        .order_by("user__email")
        .values("programme_id", *_user_fields("user__"))
    ):
        coordinators[row["programme_id"]].append(_person(row, "user__"))
    rhythm = {
        s["programme_id"]: s
        for s in RhythmSettings.objects.filter(programme_id__in=programme_ids).values()
    }
    defaults = RhythmSettings()
    for p in Programme.objects.filter(pk__in=programme_ids).values(
        "pk", "name", "slug", "checkin_cadence_days", "requires_manager_signoff"
    ):
        s = rhythm.get(p["pk"], {})
        snap.programmes[p["pk"]] = ProgrammeRow(
            pk=p["pk"],
            name=p["name"],
            slug=p["slug"],
            cadence_days=p["checkin_cadence_days"],
            requires_signoff=p["requires_manager_signoff"],
            survey_first_days=s.get(
                "survey_reminder_first_days", defaults.survey_reminder_first_days
            ),
            survey_second_days=s.get(
                "survey_reminder_second_days", defaults.survey_reminder_second_days
            ),
            support_information=s.get("support_information", defaults.support_information),
            division=s.get("bank_holidays", defaults.bank_holidays),
            coordinators=tuple(coordinators[p["pk"]]),
        )
    snap.paused = frozenset(
        PausedKind.objects.filter(cohort_id__in=cohort_pks).values_list("cohort_id", "kind")
    )

    running = [
        c.pk
        for c in snap.cohorts.values()
        if c.status in (CohortStatus.RUNNING, CohortStatus.FINISHED)
    ]
    if "pairs" in parts and running:
        snap.pairs = list(_pairs(running))
    if "participants" in parts and running:
        snap.participants = list(_participants(running))
    if "invitations" in parts:
        snap.invitations = list(_invitations(cohort_pks, today))
    recruiting = [
        c.pk
        for c in snap.cohorts.values()
        if c.status in (CohortStatus.RECRUITING, CohortStatus.MATCHING) and c.starts_on > today
    ]
    if "applications" in parts and recruiting:
        snap.applications = list(_applications(recruiting))
    return snap


def _pairs(cohort_ids):
    qs = Pair.objects.filter(cohort_id__in=cohort_ids).filter(
        Q(status=Pair.Status.ACTIVE) | Q(end_reason=Pair.EndReason.COMPLETED)
    )
    fields = [
        "pk",
        "cohort_id",
        "status",
        "end_reason",
        "started_on",
        "mentor_id",
        "mentee_id",
        *_user_fields("mentor__user__"),
        *_user_fields("mentee__user__"),
    ]
    for rows in _batches(qs.values(*fields)):
        checkins = defaultdict(list)
        for c in (
            CheckIn.objects.filter(pair_id__in=[r["pk"] for r in rows])
            .order_by("met_on", "pk")
            .values("pk", "pair_id", "met_on", "rating", "wellbeing", "author_id", "created_at")
        ):
            checkins[c["pair_id"]].append(
                CheckInRow(
                    pk=c["pk"],
                    met_on=c["met_on"],
                    rating=c["rating"],
                    wellbeing=c["wellbeing"],
                    author_id=c["author_id"],
                    logged_on=_local_date(c["created_at"]),
                )
            )
        for r in rows:
            yield PairRow(
                pk=r["pk"],
                cohort_id=r["cohort_id"],
                mentor=_person(r, "mentor__user__"),
                mentee=_person(r, "mentee__user__"),
                started_on=r["started_on"],
                active=r["status"] == Pair.Status.ACTIVE,
                completed=r["end_reason"] == Pair.EndReason.COMPLETED,
                mentor_enrolment_id=r["mentor_id"],
                mentee_enrolment_id=r["mentee_id"],
                checkins=tuple(checkins[r["pk"]]),
            )


def _participants(cohort_ids):
    qs = Enrolment.objects.filter(
        cohort_id__in=cohort_ids, status=EnrolmentStatus.ACCEPTED, user__is_active=True
    ).values("pk", "cohort_id", "role", *_user_fields("user__"))
    for rows in _batches(qs):
        for r in rows:
            yield ParticipantRow(
                enrolment_id=r["pk"],
                cohort_id=r["cohort_id"],
                role=r["role"],
                person=_person(r, "user__"),
            )


def _invitations(cohort_ids, today):
    qs = SurveyInvitation.objects.filter(
        schedule__cohort_id__in=cohort_ids,
        answered_at__isnull=True,
        closes_on__gte=today,
        user__is_active=True,
    ).values(
        "pk",
        "schedule__cohort_id",
        "schedule__template__name",
        "schedule__template__anonymous",
        "due_on",
        "closes_on",
        "created_at",
        *_user_fields("user__"),
        *_PAIR_PEOPLE,
    )
    for rows in _batches(qs):
        delivered = _invitation_delivery([r["pk"] for r in rows])
        for r in rows:
            yield InvitationRow(
                pk=r["pk"],
                cohort_id=r["schedule__cohort_id"],
                person=_person(r, "user__"),
                survey_name=r["schedule__template__name"],
                anonymous=r["schedule__template__anonymous"],
                invited_on=delivered.get(r["pk"], max(r["due_on"], _local_date(r["created_at"]))),
                closes_on=r["closes_on"],
                url=absolute_reverse("feedback:answer", args=[SurveyInvitation.token_for(r["pk"])]),
                about_pair_with=_other_in_pair(r),
            )


# The pair an invitation is about (none for a cohort-wide survey): its two people, in the
# invitations' own query.
_PAIR_PEOPLE = tuple(
    f"pair__{side}__user__{field}"
    for side in ("mentor", "mentee")
    for field in ("id", "full_name", "email")
)


def _other_in_pair(r: dict) -> str:
    """The other person's name (SurveyInvitation.about_pair_with's rule), or ""."""
    if r["pair__mentor__user__id"] is None:
        return ""
    other = "mentee" if r["pair__mentor__user__id"] == r["user__id"] else "mentor"
    return name_or_address(r[f"pair__{other}__user__full_name"], r[f"pair__{other}__user__email"])


def _invitation_delivery(invitation_ids) -> dict[int, dt.date | None]:
    """When each invitation's email actually arrived (its outbox row's ``sent_at``, local
    date), so reminders count from delivery, not from the due date: an invitation held for the
    recipient's working hours (or retrying) has None, and gets no reminder yet. Invitations
    whose email was cancelled, failed or is gone (retention) are left out: the caller counts
    from the day the invitation was made. One query."""
    keys = {f"survey-invitation:{pk}": pk for pk in invitation_ids}
    out: dict[int, dt.date | None] = {}
    for key, status, sent_at in Email.objects.filter(idempotency_key__in=list(keys)).values_list(
        "idempotency_key", "status", "sent_at"
    ):
        if status == Email.Status.SENT and sent_at is not None:
            out[keys[key]] = _local_date(sent_at)
        elif status in (Email.Status.PENDING, Email.Status.SENDING):
            out[keys[key]] = None
    return out


def _applications(cohort_ids):
    qs = (
        Enrolment.objects.filter(
            cohort_id__in=cohort_ids,
            status__in=[EnrolmentStatus.INVITED, EnrolmentStatus.APPLIED],
            user__is_active=True,
        )
        .annotate(has_project=Exists(Project.objects.filter(enrolment=OuterRef("pk"))))
        .values(
            "pk",
            "cohort_id",
            "role",
            "status",
            "has_project",
            "manager_email",
            "manager_decision",
            "applied_at",
            *_user_fields("user__"),
        )
    )
    for rows in _batches(qs):
        profiles = {
            p.user_id: p
            for p in Profile.objects.filter(user_id__in=[r["user__id"] for r in rows])
            .select_related("user")
            .annotate(interest_count=Count("interests", distinct=True))
            .prefetch_related("profile_skills")
        }
        tokens = manager_signoff_tokens(
            (r["pk"], r["manager_email"])
            for r in rows
            if r["manager_decision"] == ManagerDecision.PENDING and r["manager_email"]
        )
        for r in rows:
            profile = profiles.get(r["user__id"])
            missing = ()
            if profile is not None:
                _, missing = profile.completeness(
                    skills=list(profile.profile_skills.all()), interest_count=profile.interest_count
                )
            pending = r["manager_decision"] == ManagerDecision.PENDING
            token = tokens.get(r["pk"], "")
            yield ApplicationRow(
                enrolment_id=r["pk"],
                cohort_id=r["cohort_id"],
                role=r["role"],
                status=r["status"],
                person=_person(r, "user__"),
                has_project=r["has_project"],
                profile_missing=tuple(missing),
                manager_email=r["manager_email"],
                manager_pending=pending,
                applied_on=_local_date(r["applied_at"]) if r["applied_at"] else None,
                signoff_url=absolute_reverse("recruitment:manager_signoff", args=[token])
                if token
                else "",
            )
