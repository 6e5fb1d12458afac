"""Issue 17, item 2: a cohort whose pairs are published before its start date is "starting":
its pages count the days to go, and no figure goes negative."""

import datetime as dt

import pytest
from django.urls import reverse

from pairing.tests.factories import PairFactory
from programmes.models import Cohort

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))


def test_a_published_cohort_that_has_not_started_says_starting_without_negative_days(
    client, coordinator, cohort
):
    # Applications close after the pairs were published (as on the demo): never "-18 days".
    Cohort.objects.filter(pk=cohort.pk).update(
        status="running",
        applications_close=dt.date(2026, 12, 17),
        starts_on=dt.date(2027, 1, 10),
        ends_on=dt.date(2027, 4, 2),
    )
    cohort.refresh_from_db()
    PairFactory(cohort=cohort, started_on=cohort.starts_on)
    client.force_login(coordinator)
    dashboard = client.get(
        reverse("insights:cohort", args=[cohort.programme.slug, cohort.pk])
    ).content.decode()
    assert "Starting (starts in 42 days)" in dashboard
    assert "<dd>-" not in dashboard
    hub = client.get(cohort.get_absolute_url()).content.decode()
    assert ">Starting</span>" in hub
