"""Retention works per cohort (issue 15, item 9): one finished cohort with data in every app,
past the retention period; retention runs; its free text is gone from every table, its people's
links to it are anonymised whether or not they signed in since, and the dashboards' figures are
the same as before, read through the coordinator's pages."""

import dataclasses
import datetime as dt
import uuid

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse

from calendars.models import CalendarFeed, FeedEntry
from community.models import (
    Attendance,
    ContactMessage,
    DirectoryListing,
    Event,
    GroupMember,
    ProjectSummary,
    StandupGroup,
)
from feedback.models import Answer, QuestionType, Response, SurveyInvitation
from feedback.publication import release_ready
from feedback.tests.factories import (
    QuestionFactory,
    SurveyScheduleFactory,
    SurveyTemplateFactory,
    SurveyVersionFactory,
)
from pairing.models import CheckIn, MatchRun, Pair, PairGoal, ProposedPair, RunEvent
from people.models import Profile, User
from people.services import is_erased
from people.tests.factories import UserFactory
from programmes.models import Enrolment
from programmes.retention import cohort_rows, retention_anonymise, retention_run
from programmes.tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory
from recruitment.models import Project
from rhythm.models import PausedKind

from .test_erasure_everywhere import _everything_in_the_database

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 6, 1, 3, 0, tzinfo=dt.UTC)  # 26 months after the old cohort ended
SECRETS = {
    "goals": "Get better at talking to my manager about burnout",
    "notes": "Coordinator note: on a performance plan",
    "availability": "Not on Thursdays (hospital appointments)",
    "manager": "line.manager.secret@example.gov.uk",
    "checkin": "We talked about the divorce and the move",
    "next_step": "Write the section on data linkage",
    "goal": "Ship the lighthouse model",
    "end_note": "Ended because of long-term sickness",
    "project": "Predicting lighthouse failures from maintenance logs",
    "benefit": "Fewer lighthouse outages in winter",
    "message": "I will be off for surgery until March",
    "summary": "Our model halved the backlog of lighthouse repairs",
    "answer": "My mentor made me feel stupid",
    "anon_answer": "The stand-ups were a waste of time",
    "reasons": "Both like sailing",
    "run": "Ran the pairing for the spring",
    "feed": "Stand-up with the lighthouse team",
}


@pytest.fixture(autouse=True)
def _today(settings):
    settings.RETENTION_MONTHS = 24
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def old(programme):
    cohort = CohortFactory(
        programme=programme, name="Spring 2024", starts_on=dt.date(2024, 1, 8),
        ends_on=dt.date(2024, 4, 1), applications_open=None, applications_close=None,
    )  # fmt: skip
    cohort.status = "finished"
    cohort.save()
    return cohort


def _person(name, grade=None, last_login=None):
    user = UserFactory(full_name=name, last_login=last_login)
    Profile.objects.update_or_create(user=user, defaults={"grade": grade})
    return user


@pytest.fixture
def people(old, cohort, coordinator):
    """Who was in the old cohort, and why each is still around or not:

    - ``signed_in``: a mentee who signed in last month: keeps the account, loses the link;
    - ``gone``: a mentee nothing keeps: anonymised whole;
    - ``returning``: a mentor of the old cohort who mentors again in the programme's current
      cohort: the returning-mentor figure is that link, so it stays (the free text goes);
    - ``elsewhere``: a mentor now in another programme: keeps the account, loses the link.
    """
    recent = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    who = {
        "signed_in": _person("Sally Signedin", grade=3, last_login=recent),
        "gone": _person("Gary Gone", grade=4),
        "returning": _person("Rita Returning", grade=5),
        "elsewhere": _person("Ellis Elsewhere", grade=5, last_login=recent),
    }
    EnrolmentFactory(user=who["returning"], cohort=cohort, role="mentor")
    EnrolmentFactory(user=who["elsewhere"], cohort=CohortFactory(programme=ProgrammeFactory()))
    return who


@pytest.fixture
def old_cohort_data(old, people, coordinator):
    """Something in every app for the old cohort."""
    s = SECRETS
    e = {}
    for key, role in (("signed_in", "mentee"), ("gone", "mentee")):
        e[key] = EnrolmentFactory(
            user=people[key], cohort=old, role=role, goals=s["goals"],
            coordinator_notes=s["notes"], availability=s["availability"],
            manager_email=s["manager"], decided_by=coordinator,
        )  # fmt: skip
    for key in ("returning", "elsewhere"):
        e[key] = EnrolmentFactory(user=people[key], cohort=old, role="mentor", goals=s["goals"])
    pairs = []
    for mentee, mentor, status in (
        ("signed_in", "returning", "ended"),
        ("gone", "elsewhere", "active"),
    ):
        pair = Pair.objects.create(
            cohort=old, mentor=e[mentor], mentee=e[mentee], started_on=dt.date(2024, 1, 15),
            status=status, end_note=s["end_note"],
            ended_on=dt.date(2024, 3, 1) if status == "ended" else None,
            end_reason="completed" if status == "ended" else "",
        )  # fmt: skip
        pairs.append(pair)
        PairGoal.objects.create(pair=pair, text=s["goal"], progress=2)
        for author, rating, wellbeing in ((people[mentee], 4, 2), (people[mentor], 5, 4)):
            CheckIn.objects.create(
                pair=pair, author=author, met_on=dt.date(2024, 2, 1), worked_on=s["checkin"],
                next_step=s["next_step"], rating=rating, wellbeing=wellbeing,
                duration_minutes=60, protected_time_kept=True,
            )  # fmt: skip
    run = MatchRun.objects.create(
        cohort=old, created_by=coordinator, status="done", message=s["run"]
    )
    ProposedPair.objects.create(
        run=run, mentee=e["gone"], mentor=e["elsewhere"], score=0.7, reasons=[s["reasons"]],
        breakdown={"why": s["reasons"]}, warnings=[],
    )  # fmt: skip
    RunEvent.objects.create(run=run, actor=coordinator, action="published", detail=s["run"])
    for key in ("signed_in", "gone"):
        Project.objects.create(
            enrolment=e[key], title="Lighthouses", description=s["project"],
            expected_benefit=s["benefit"],
        )  # fmt: skip
    # Community
    group = StandupGroup.objects.create(cohort=old, name="Group 1", number=1, published=True)
    event = Event.objects.create(
        cohort=old, group=group, kind="standup", title="Stand-up",
        first_date=dt.date(2024, 1, 16), start_time=dt.time(9, 30), duration_minutes=15,
        created_by=coordinator, facilitator=people["returning"],
    )  # fmt: skip
    for key in e:
        GroupMember.objects.create(group=group, enrolment=e[key])
        DirectoryListing.objects.create(enrolment=e[key], opted_in=True)
        Attendance.objects.create(
            event=event, occurrence=event.first_date, user=people[key], source="self"
        )
    ContactMessage.objects.create(
        cohort=old, sender=people["signed_in"], recipient=e["returning"], subject="Hi",
        body=s["message"],
    )  # fmt: skip
    ProjectSummary.objects.create(
        enrolment=e["signed_in"], title="Backlog", summary=s["summary"], outcomes=s["summary"],
        published_at=dt.datetime(2024, 3, 20, tzinfo=dt.UTC),
    )  # fmt: skip
    # Surveys: an identified one with comments, an anonymous one answered by all four.
    for anonymous in (False, True):
        template = SurveyTemplateFactory(programme=old.programme, anonymous=anonymous)
        version = SurveyVersionFactory(template=template)
        score = QuestionFactory(version=version, type=QuestionType.SCALE_1_5)
        nps = QuestionFactory(version=version, type=QuestionType.NPS_0_10)
        text = QuestionFactory(version=version, type=QuestionType.FREE_TEXT)
        schedule = SurveyScheduleFactory(cohort=old, template=template, offset_days=14)
        for i, key in enumerate(e):
            invitation = SurveyInvitation.objects.create(
                schedule=schedule, user=people[key], role=e[key].role,
                due_on=dt.date(2024, 1, 22), closes_on=dt.date(2024, 2, 5),
                answered_at=dt.datetime(2024, 1, 23, tzinfo=dt.UTC), batch=uuid.uuid4(),
            )  # fmt: skip
            response = Response.objects.create(
                schedule=schedule, version=version,
                role="" if anonymous else e[key].role,
                invitation=None if anonymous else invitation,
                user=None if anonymous else people[key],
                submitted_at=None if anonymous else dt.datetime(2024, 1, 23, tzinfo=dt.UTC),
            )  # fmt: skip
            Answer.objects.create(response=response, question=score, number=3 + i % 3)
            Answer.objects.create(response=response, question=nps, number=6 + i)
            Answer.objects.create(
                response=response, question=text, text=s["anon_answer" if anonymous else "answer"]
            )
            release_ready(schedule_id=schedule.pk, version_id=version.pk)
    # The coordinator's calendar feed of the cohort; a paused kind of email.
    feed = CalendarFeed.objects.create(user=coordinator, cohort=old, nonce="n", token_hash="h")
    FeedEntry.objects.create(
        feed=feed, uid="standup-1", content_hash="x", data={"summary": s["feed"]},
        dtstamp=dt.datetime(2024, 1, 10, tzinfo=dt.UTC),
    )  # fmt: skip
    PausedKind.objects.create(cohort=old, kind="checkin-reminder", paused_by=coordinator)
    return e


def _plain(value):
    if dataclasses.is_dataclass(value):
        return _plain(dataclasses.asdict(value))
    if isinstance(value, dict):
        # Names (the at-risk list's) are not figures: they become "erased-<id>" by design.
        return {k: _plain(v) for k, v in value.items() if not k.endswith("_name")}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def dashboards(client, coordinator, old) -> dict:
    """The figures a coordinator reads on the programme and cohort dashboards (and the survey
    results page): everything but free text, which retention deletes."""
    slug = old.programme.slug
    client.force_login(coordinator)
    programme = client.get(reverse("insights:programme", args=[slug])).context["d"]
    cohort = client.get(reverse("insights:cohort", args=[slug, old.pk])).context["d"]
    results = []
    for schedule in old.survey_schedules.order_by("pk"):
        page = client.get(reverse("feedback:results", args=[slug, old.pk, schedule.pk]))
        results.append(
            [
                [(q.answered, q.counts, q.mean, q.nps) for q in v.questions]
                for v in page.context["versions"]
            ]
        )
    client.logout()
    return {
        "programme headline": [c.headline for c in programme.columns],
        "returning and alumni": [
            (c.returning_mentors, c.alumni_mentors) for c in programme.columns
        ],
        "retention": programme.retention,
        "talent pool": programme.talent_pool,
        "people by grade": [(b.label, b.people, b.mentees, b.mentors) for b in programme.by_grade],
        "people by organisation (total)": sum(b.people for b in programme.by_organisation),
        "cohort headline": cohort.headline,
        "cohort pairs": _plain(cohort.pairs),
        "cohort wellbeing": cohort.wellbeing,
        "cohort surveys": (
            cohort.surveys.score, cohort.surveys.nps, cohort.surveys.response_rate,
            [(r.responses, r.score, r.nps) for r in cohort.surveys.rounds],
        ),
        "survey results": results,
    }  # fmt: skip


def _found(needles) -> set[str]:
    hits = set()
    for place, text in _everything_in_the_database():
        low = text.lower()
        hits |= {f"{place}: {n}" for n in needles if n.lower() in low}
    return hits


def test_retention_deletes_a_finished_cohorts_free_text_and_links_and_the_figures_stand(
    client, coordinator, old, people, old_cohort_data
):
    before = dashboards(client, coordinator, old)
    assert before["cohort surveys"][0] is not None and before["retention"]["returning"] == 1
    needles = list(SECRETS.values())
    assert {h.split(": ", 1)[1] for h in _found(needles)} == set(needles)  # all findable
    from recruitment.selectors import programme_similarity_index

    programme_similarity_index(programme=old.programme)  # the cache holds the descriptions

    counts = retention_run()

    # Free text (and line managers' addresses) of the old cohort: nowhere in the database.
    assert _found(needles) == set()
    assert cache.get(f"similarity:{old.programme_id}") is None
    # The person nothing kept is anonymised whole; the others keep their accounts.
    assert is_erased(User.objects.get(pk=people["gone"].pk))
    for key in ("signed_in", "returning", "elsewhere"):
        assert not is_erased(User.objects.get(pk=people[key].pk))
    # No row of the old cohort points at the people who signed in again or moved on.
    for key in ("signed_in", "elsewhere"):
        for rows in cohort_rows():
            qs = rows.model._default_manager.filter(**{f"{rows.path}": old})
            for field in rows.people:
                assert not qs.filter(**{field: people[key]}).exists(), (rows.model, field, key)
    # The returning mentor's link stays while they mentor in the programme (see the docstring
    # of programmes/retention.py), without its free text.
    kept = Enrolment.objects.get(user=people["returning"], cohort=old)
    assert kept.goals == ""
    # Every figure on the dashboards and the results page is as it was.
    assert dashboards(client, coordinator, old) == before
    assert counts["links"] == 2 and counts["erased"] == 1
    # Idempotent: a second run finds nothing to do.
    assert retention_run() == {**counts, "free_text": 0, "erased": 0, "links": 0}
    assert retention_anonymise() == 0


def test_signing_in_does_not_keep_a_finished_cohorts_free_text(old, people, old_cohort_data):
    """The person-level rule kept everything of someone who signed in within the period."""
    retention_anonymise()
    enrolment = Enrolment.objects.get(pk=old_cohort_data["signed_in"].pk)
    assert enrolment.goals == enrolment.coordinator_notes == enrolment.manager_email == ""
    assert enrolment.user != people["signed_in"] and is_erased(enrolment.user)
    assert enrolment.user.profile.grade == 3  # the stand-in keeps the grade, for the figures
    assert not CheckIn.objects.filter(pair__cohort=old).exclude(worked_on="").exists()


def test_a_cohort_still_inside_the_period_is_untouched(old, people, old_cohort_data, settings):
    settings.RETENTION_MONTHS = 36  # the old cohort ended 26 months ago
    assert retention_run()["free_text"] == 0
    assert Enrolment.objects.get(pk=old_cohort_data["signed_in"].pk).goals == SECRETS["goals"]


def test_which_rows_are_a_cohorts_is_read_from_the_registry():
    """Retention lists no model: it follows the declared models' foreign keys to a cohort.
    A person's own rows (profile, account, emails, audit log, tokens, talent pool) are not a
    cohort's; every free-text field of a cohort's model is blanked."""
    from people import personal_data

    paths = {r.model._meta.label: r.path for r in cohort_rows()}
    assert paths["pairing.CheckIn"] == "pair__cohort"
    assert paths["feedback.Answer"] == "response__schedule__cohort"
    assert paths["community.ContactMessage"] == "cohort"
    assert paths["recruitment.Project"] == "enrolment__cohort"
    for label in (
        "people.User", "people.Profile", "notifications.Email", "people.AuditEvent",
        "api.ApiToken", "recruitment.TalentPoolEntry",
    ):  # fmt: skip
        assert label not in paths
    declared = {d.model: d for d in personal_data.declarations()}
    for rows in cohort_rows():
        rows.model._default_manager.filter(**{rows.path: None}).exists()  # the path resolves
        free_text = {
            n for n, k in declared[rows.model._meta.label].fields.items()
            if k == personal_data.FREE_TEXT
        }  # fmt: skip
        assert rows.delete or free_text <= set(rows.blank), rows.model
