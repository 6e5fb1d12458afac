"""A corrected or deleted check-in is what the dashboards and at-risk flags see: nothing caches
the old values (they read the check-in rows each time)."""

import datetime as dt

import pytest
from django.urls import reverse

from insights import selectors
from insights.definitions import REASON_WELLBEING_LOW, Window
from pairing.models import CheckIn
from pairing.tests.factories import PairFactory
from programmes.models import Enrolment

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)


def _risk(cohort, pair):
    d = selectors.cohort_dashboard(cohort=cohort, window=Window(as_of=TODAY.date()))
    return d, {p.pk: r for p, r in d.pairs.at_risk}.get(pair.pk, [])


def test_a_corrected_wellbeing_score_clears_the_flag_and_a_deleted_check_in_stops_counting(
    client, cohort, mentor, mentee, time_machine
):
    time_machine.move_to(TODAY)
    pair = PairFactory(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
        started_on=dt.date(2026, 11, 1),
    )
    client.force_login(mentee)
    data = {
        "met_on": "2026-11-25",
        "duration_minutes": 60,
        "format": "video",
        "worked_on": "Cleaning the data",
        "rating": 4,
        "wellbeing": 1,  # meant 4
        "protected_time_kept": "on",
    }
    client.post(reverse("pairing:detail", args=[pair.pk]), data)
    checkin = CheckIn.objects.get()
    d, reasons = _risk(cohort, pair)
    assert REASON_WELLBEING_LOW in reasons and d.wellbeing["total"] == 1

    client.post(
        reverse("pairing:checkin_edit", args=[pair.pk, checkin.pk]), {**data, "wellbeing": 4}
    )
    d, reasons = _risk(cohort, pair)
    assert REASON_WELLBEING_LOW not in reasons
    assert d.pairs.checkins == 1

    client.post(reverse("pairing:checkin_delete", args=[pair.pk, checkin.pk]))
    d, _ = _risk(cohort, pair)
    assert d.pairs.checkins == 0 and d.wellbeing["total"] == 0
