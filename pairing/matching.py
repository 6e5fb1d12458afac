"""Between the database and the pure engine: read a cohort into plain data, and back.

Everything here reads; the writes are in ``services.py``. The number of queries is fixed, however
many people the cohort has.
"""

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils import timezone

from people.models import Profile, ProfileSkill, Skill
from programmes.models import Cohort, Enrolment, EnrolmentStatus, Role

from . import engine
from .models import ExcludedPair, MenteeRanking, Pair, PairingSettings


@dataclass
class CohortInputs:
    mentees: list  # Enrolment rows, in matrix row order
    mentors: list  # Enrolment rows, in matrix column order
    people_mentees: list  # engine.Person, same order
    people_mentors: list
    config: engine.ScoringConfig
    skill_names: dict
    interest_names: dict
    settings: PairingSettings
    ranks: dict = field(default_factory=dict)  # mentee row -> [mentor column, ...]

    def mentee_index(self) -> dict:
        return {e.pk: i for i, e in enumerate(self.mentees)}

    def mentor_index(self) -> dict:
        return {e.pk: j for j, e in enumerate(self.mentors)}


def settings_for(programme) -> PairingSettings:
    """The programme's pairing settings; the defaults (unsaved) until a coordinator saves some.

    Reading never writes, so looking at a page cannot change the database."""
    settings = PairingSettings.objects.filter(programme=programme).first()
    return settings or PairingSettings(programme=programme)


def _utc_offset(tz_name: str) -> float:
    try:
        tz = zoneinfo.ZoneInfo(tz_name or "Europe/London")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = zoneinfo.ZoneInfo("Europe/London")
    offset = dt.datetime.now(tz).utcoffset() or dt.timedelta()
    return offset.total_seconds() / 3600


def _person(enrolment: Enrolment, *, capacity: int = 1) -> engine.Person:
    profile = getattr(enrolment.user, "profile", None)
    teaches, wants = {}, {}
    for row in getattr(profile, "prefetched_skills", []) if profile else []:
        if row.direction == ProfileSkill.Direction.TEACH:
            teaches[row.skill_id] = row.level
        else:
            wants[row.skill_id] = (row.level, row.priority)
    project = getattr(enrolment, "project", None)
    project_skills = {s.pk for s in project.topics.all()} if project else set()
    if enrolment.role == Role.MENTOR:
        # What a mentor offers for this cohort counts as something they can teach.
        for skill in enrolment.topics.all():
            teaches.setdefault(skill.pk, 3)
    else:
        project_skills |= {s.pk for s in enrolment.topics.all()}
    return engine.Person(
        id=enrolment.pk,
        email=enrolment.user.email.lower(),
        teaches=teaches,
        wants=wants,
        interests={i.pk for i in profile.interests.all()} if profile else set(),
        project_skills=project_skills,
        grade=(profile.grade or 0) if profile else 0,
        team=(
            f"{profile.organisation}/{profile.team}".lower() if profile and profile.team else None
        ),
        organisation=(profile.organisation.lower() or None) if profile else None,
        line_manager_email=(profile.line_manager_email.lower() or None) if profile else None,
        utc_offset=_utc_offset(profile.time_zone if profile else ""),
        # Practicalities from the person's own profile: their working day (local time) and
        # whether they want to meet in person (the engine compares locations only then).
        work_start=Profile.hours(profile.work_start, 9.0) if profile else 9.0,
        work_end=Profile.hours(profile.work_end, 17.0) if profile else 17.0,
        location=(profile.location.strip() or None) if profile else None,
        wants_in_person=bool(profile.wants_in_person) if profile else False,
        capacity=capacity,
    )


def _enrolments(cohort: Cohort, role: str):
    rows = cohort.enrolments.filter(role=role, status=EnrolmentStatus.ACCEPTED)
    if role == Role.MENTEE:
        # Every existing pair is kept: a mentee who has a mentor is not paired again.
        rows = rows.exclude(pairs_as_mentee__status=Pair.Status.ACTIVE)
    return list(
        rows.select_related("user__profile", "project")
        .prefetch_related(
            "topics",
            "project__topics",
            "user__profile__interests",
            Prefetch(
                "user__profile__profile_skills",
                queryset=ProfileSkill.objects.all(),
                to_attr="prefetched_skills",
            ),
        )
        .order_by("pk")
    )


def remaining_capacity(mentors: list, *, exclude_pairs_of=None) -> dict:
    """Each mentor's capacity less the active pairs they already have in the cohort."""
    taken: dict[int, int] = {}
    active = Pair.objects.active().filter(mentor__in=mentors)
    if exclude_pairs_of is not None:
        active = active.exclude(pk__in=exclude_pairs_of)
    for mentor_id in active.values_list("mentor_id", flat=True):
        taken[mentor_id] = taken.get(mentor_id, 0) + 1
    return {m.pk: max(0, m.capacity - taken.get(m.pk, 0)) for m in mentors}


def cohort_inputs(cohort: Cohort) -> CohortInputs:
    """Accepted mentees with no active pair and accepted mentors of a cohort (each with the
    capacity they have left), with every rule the programme applies. In matching that is the
    whole cohort; in a running cohort it is the mentees waiting for a mentor and the spare
    places."""
    settings = settings_for(cohort.programme)
    mentees = _enrolments(cohort, Role.MENTEE)
    mentors = _enrolments(cohort, Role.MENTOR)
    # Pairs from earlier cohorts of the programme, as (mentee user, mentor user), mapped onto
    # this cohort's enrolments: one pass over the earlier pairs, not over every mentee x mentor.
    mentee_of = {e.user_id: e.pk for e in mentees}
    mentor_of = {e.user_id: e.pk for e in mentors}
    earlier = Pair.objects.filter(
        cohort__programme=cohort.programme, cohort__starts_on__lt=cohort.starts_on
    ).values_list("mentee__user_id", "mentor__user_id")
    previous = {
        (mentee_of[a], mentor_of[b]) for a, b in earlier if a in mentee_of and b in mentor_of
    }
    excluded = set(ExcludedPair.objects.filter(cohort=cohort).values_list("mentee_id", "mentor_id"))
    config = engine.ScoringConfig(
        weights={**engine.DEFAULT_WEIGHTS, **(settings.weights or {})},
        min_grade_gap=settings.min_grade_gap,
        max_grade_gap=settings.max_grade_gap,
        forbid_same_team=settings.forbid_same_team,
        forbid_same_organisation=settings.forbid_same_organisation,
        previous_pairs=previous,
        allow_previous_pairs=settings.allow_previous_pairs,
        excluded_pairs=excluded,
    )
    capacity = remaining_capacity(mentors)
    inputs = CohortInputs(
        mentees=mentees,
        mentors=mentors,
        people_mentees=[_person(e) for e in mentees],
        people_mentors=[_person(e, capacity=capacity[e.pk]) for e in mentors],
        config=config,
        skill_names=dict(Skill.objects.values_list("pk", "name")),
        interest_names={
            i.pk: i.name
            for e in [*mentees, *mentors]
            if getattr(e.user, "profile", None)
            for i in e.user.profile.interests.all()
        },
        settings=settings,
    )
    if settings.choice_mode:
        rows, cols = inputs.mentee_index(), inputs.mentor_index()
        for ranking in MenteeRanking.objects.filter(mentee__in=mentees).order_by("rank"):
            if ranking.mentor_id in cols:
                inputs.ranks.setdefault(rows[ranking.mentee_id], []).append(cols[ranking.mentor_id])
    return inputs


def explain_pair(inputs: CohortInputs, mentee: Enrolment, mentor: Enrolment) -> dict:
    i, j = inputs.mentee_index()[mentee.pk], inputs.mentor_index()[mentor.pk]
    return engine.explain(
        inputs.people_mentees[i],
        inputs.people_mentors[j],
        inputs.config,
        skill_names=inputs.skill_names,
        interest_names=inputs.interest_names,
        capacity=max(1, inputs.people_mentors[j].capacity),
    )


def today() -> dt.date:
    return timezone.localdate()
