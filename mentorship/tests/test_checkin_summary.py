"""The check-in summaries the dashboards read (pairing.models.CheckInSummary) say what the
check-ins say, whatever people do.

A hypothesis test drives two pairs through random sequences of what their mentors and mentees
do through the services (log a check-in on a past day, correct its date, rating or wellbeing,
delete it, end the pair, be erased) and checks after every sequence:

- each pair's summary row equals its check-ins counted afresh (pairing.engagement);
- the dashboards' pair facts read from the summaries equal the facts counted from the
  check-ins, undated and as of every day of the pairs' lives (a dashboard as of an earlier day
  recounts the pairs that met after it);
- the migration that wrote the first summaries writes the same rows.

The cohort state machine (test_cohort_state_machine.py) checks the same after each of its
steps, among its other promises.
"""

import datetime as dt
import importlib
from unittest import mock

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from insights.definitions import Window
from insights.selectors import engagement as engagement_selectors
from insights.selectors import pair_facts
from lib.audit import AuditContext
from pairing import engagement
from pairing import services as pairing_services
from pairing.models import CheckIn, CheckInSummary, Pair
from pairing.tests.factories import PairFactory
from people.services import person_erase
from people.tests.factories import UserFactory
from programmes.tests.factories import CohortFactory

pytestmark = pytest.mark.django_db

DAYS = 40  # the pairs started this many days ago

action = st.one_of(
    st.tuples(
        st.just("log"),
        st.integers(0, 1),  # which pair
        st.booleans(),  # by the mentor (else the mentee)
        st.integers(0, DAYS),  # days ago
        st.integers(1, 5),
        st.integers(1, 5),
    ),
    st.tuples(
        st.just("correct"),
        st.integers(0, 50),  # which check-in (modulo how many there are)
        st.sampled_from(["met_on", "rating", "wellbeing"]),
        st.integers(0, DAYS),
        st.integers(1, 5),
    ),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("end"), st.integers(0, 1)),
    st.tuples(st.just("erase"), st.integers(0, 1), st.booleans()),
)


def summaries() -> dict[int, tuple]:
    return {
        pk: rest for pk, *rest in CheckInSummary.objects.values_list(*engagement.SUMMARY_FIELDS)
    }


def counted_afresh() -> dict[int, tuple]:
    checkins = CheckIn.objects.all()
    counts = engagement.checkin_counts(checkins)
    scores = engagement.latest_scores(checkins)
    return {pk: [*counted, engagement.scores_text(scores[pk])] for pk, counted in counts.items()}


def assert_summaries_agree() -> None:
    """Every pair's summary row is what its check-ins say now: the invariant that
    pairing.services keeps (also checked by the cohort state machine)."""
    assert summaries() == counted_afresh()


def log(pair, author, met_on, rating, wellbeing) -> None:
    """A check-in logged by ``author`` through the service, as the pair page does."""
    pairing_services.checkin_log(
        pair=pair,
        ctx=AuditContext(actor=author),
        data={
            "met_on": met_on,
            "duration_minutes": 45,
            "format": "video",
            "worked_on": "The model's features",
            "next_step": "",
            "rating": rating,
            "wellbeing": wellbeing,
            "protected_time_kept": True,
            "shared_with_coordinator": False,
        },
    )


def _do(step, pairs, today) -> None:
    kind, *args = step
    checkins = list(CheckIn.objects.order_by("pk"))
    try:
        if kind == "log":
            i, by_mentor, ago, rating, wellbeing = args
            pair = pairs[i]
            author = (pair.mentor if by_mentor else pair.mentee).user
            log(
                Pair.objects.get(pk=pair.pk),
                author,
                today - dt.timedelta(days=ago),
                rating,
                wellbeing,
            )
        elif kind == "correct" and checkins:
            n, field, ago, score = args
            checkin = checkins[n % len(checkins)]
            value = today - dt.timedelta(days=ago) if field == "met_on" else score
            pairing_services.checkin_correct(
                checkin=checkin, ctx=AuditContext(actor=checkin.author), data={field: value}
            )
        elif kind == "delete" and checkins:
            checkin = checkins[args[0] % len(checkins)]
            pairing_services.checkin_delete(checkin=checkin, ctx=AuditContext(actor=checkin.author))
        elif kind == "end":
            pair = Pair.objects.get(pk=pairs[args[0]].pk)
            if pair.status == Pair.Status.ACTIVE:
                pairing_services.pair_end(
                    pair=pair,
                    ctx=AuditContext(actor=UserFactory(is_staff=True)),
                    reason=Pair.EndReason.COMPLETED,
                )
        elif kind == "erase":
            i, mentor = args
            person_erase(user=(pairs[i].mentor if mentor else pairs[i].mentee).user)
    except ValidationError:
        pass  # refused (an ended pair, an erased author): nothing changed


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(action, min_size=1, max_size=12))
def test_summaries_say_what_the_checkins_say_after_anything_people_do(steps):
    today = timezone.localdate()
    start = today - dt.timedelta(days=DAYS)
    with transaction.atomic():  # each example in a savepoint of its own, rolled back
        cohort = CohortFactory(starts_on=start, ends_on=today + dt.timedelta(days=60))
        pairs = [PairFactory(cohort=cohort, started_on=start) for _ in range(2)]
        for step in steps:
            _do(step, pairs, today)
        assert_summaries_agree()
        for as_of in [today - dt.timedelta(days=d) for d in range(0, DAYS + 1, 3)]:
            for begin in (None, dt.date.min, today - dt.timedelta(days=10), as_of):
                window = Window(as_of=as_of, start=begin)
                expected = facts_from_checkins(cohort, window)
                # A few pairs that met after the as-of date are read by id, many by cohort.
                for by_id in (1000, 0):
                    with mock.patch.object(engagement_selectors, "RECOUNT_BY_ID", by_id):
                        assert facts_read(cohort, window) == expected, (window, by_id)
        transaction.set_rollback(True)


def facts_read(cohort, window: Window) -> dict[int, tuple]:
    """What the dashboards read of each pair (insights.selectors.pair_facts)."""
    return {
        f.pk: (f.checkins, f.wellbeing_total, f.first_met, f.last_met, f.ratings)
        + (f.wellbeing_by_person, f.status, f.ended_on, f.end_reason)
        for f in pair_facts([cohort.pk], window)
    }


def facts_from_checkins(cohort, window: Window) -> dict[int, tuple]:
    """The same counted from the check-ins alone, whatever the summaries say: the reference.
    A pair is as it was on the as-of date: one ended after it was still active then."""
    checkins = CheckIn.objects.filter(pair__cohort=cohort)
    counts = engagement.checkin_counts(checkins, upto=window.as_of, since=window.start)
    facts = {}
    for pair in Pair.objects.filter(cohort=cohort):
        status, ended_on, end_reason = pair.status, pair.ended_on, pair.end_reason
        if ended_on and ended_on > window.as_of:
            status, ended_on, end_reason = Pair.Status.ACTIVE, None, ""
        latest = None
        if status == Pair.Status.ACTIVE:
            latest = engagement.latest_scores(checkins.filter(pair=pair), window.as_of).get(pair.pk)
        facts[pair.pk] = (
            *counts.get(pair.pk, (0, 0, None, None)),
            latest.ratings if latest else (),
            latest.wellbeing_by_person if latest else (),
            status,
            ended_on,
            end_reason,
        )
    return facts


def test_the_migration_writes_the_summaries_the_services_keep():
    today = timezone.localdate()
    cohort = CohortFactory(starts_on=today - dt.timedelta(days=DAYS))
    pairs = [PairFactory(cohort=cohort, started_on=cohort.starts_on) for _ in range(3)]
    for n, (pair, author) in enumerate(
        (p, who) for p in pairs[:2] for who in (p.mentor.user, p.mentee.user, p.mentee.user)
    ):
        log(pair, author, today - dt.timedelta(days=n), 5 - n % 4, 1 + n % 5)
    kept = summaries()
    assert set(kept) == {pairs[0].pk, pairs[1].pk}  # no row for a pair that never met
    CheckInSummary.objects.all().delete()
    migration = importlib.import_module("pairing.migrations.0008_checkin_summary_wellbeing_total")
    migration.backfill(django_apps, None)
    assert summaries() == kept


def test_a_dashboard_counts_a_pair_without_a_summary_as_never_met():
    pair = PairFactory(started_on=timezone.localdate() - dt.timedelta(days=30))
    (facts,) = pair_facts([pair.cohort_id], Window(as_of=timezone.localdate()))
    assert (facts.checkins, facts.first_met, facts.last_met, facts.ratings) == (0, None, None, ())


def test_staff_putting_a_check_in_right_in_the_admin_moves_its_summary(client, staff):
    from django.urls import reverse

    from pairing.tests.factories import CheckInFactory

    pair = PairFactory(started_on=timezone.localdate() - dt.timedelta(days=30))
    kept = CheckInFactory(pair=pair, met_on=pair.started_on, rating=4, wellbeing=4)
    wrong = CheckInFactory(pair=pair, met_on=pair.started_on + dt.timedelta(days=7), wellbeing=1)
    client.force_login(staff)
    url = reverse("admin:pairing_checkin_change", args=[wrong.pk])
    response = client.post(
        url,
        {
            "pair": pair.pk,
            "author": wrong.author_id,
            "met_on": wrong.met_on.isoformat(),
            "duration_minutes": 60,
            "format": "video",
            "worked_on": "Cleaned the survey data",
            "next_step": "",
            "rating": 4,
            "wellbeing": 3,  # was 1: typed wrong
            "protected_time_kept": "on",
        },
    )
    assert response.status_code == 302
    assert CheckInSummary.objects.get(pair=pair).scores == "44/34"
    assert_summaries_agree()
    delete = reverse("admin:pairing_checkin_delete", args=[wrong.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 302
    assert CheckInSummary.objects.get(pair=pair).last_met == kept.met_on
    assert_summaries_agree()


def test_the_command_finds_and_mends_summaries_of_check_ins_loaded_behind_its_back():
    from django.core.management import CommandError, call_command

    pair = PairFactory(started_on=timezone.localdate() - dt.timedelta(days=30))
    call_command("checkin_summaries", "--check")  # nothing to differ
    CheckIn.objects.bulk_create(  # a restore of the check-in table, outside the application
        [
            CheckIn(
                pair=pair,
                author=pair.mentee.user,
                met_on=pair.started_on,
                duration_minutes=30,
                worked_on="Restored",
                rating=2,
                wellbeing=1,
                protected_time_kept=True,
            )
        ]
    )
    with pytest.raises(CommandError, match="1 of 1 pairs' summaries differ"):
        call_command("checkin_summaries", "--check")
    assert not CheckInSummary.objects.exists()  # --check wrote nothing
    call_command("checkin_summaries", "--cohort", str(pair.cohort_id))
    assert_summaries_agree()
    call_command("checkin_summaries", "--check")


@pytest.mark.parametrize("by_id", [1000, 0], ids=["read-by-id", "read-by-cohort"])
def test_a_dated_dashboard_counts_each_pair_inside_the_window(by_id):
    """One pair met after the as-of date (counted from its check-ins), one did not (its
    summary, and its check-ins inside the window counted): both as the check-ins say."""
    today = timezone.localdate()
    cohort = CohortFactory(starts_on=today - dt.timedelta(days=DAYS))
    late, settled = (PairFactory(cohort=cohort, started_on=cohort.starts_on) for _ in range(2))
    for pair, ago, score in ((late, 0, 5), (late, 6, 2), (settled, 5, 4), (settled, 15, 1)):
        log(pair, pair.mentee.user, today - dt.timedelta(days=ago), score, score)
    window = Window(as_of=today - dt.timedelta(days=2), start=today - dt.timedelta(days=10))
    with mock.patch.object(engagement_selectors, "RECOUNT_BY_ID", by_id):
        read = facts_read(cohort, window)
    assert read == facts_from_checkins(cohort, window)
    assert read[late.pk][:4] == (1, 2, today - dt.timedelta(days=6), today - dt.timedelta(days=6))
    assert read[settled.pk][:4] == (
        1,
        4,
        today - dt.timedelta(days=15),
        today - dt.timedelta(days=5),
    )
