"""A schedule's days are bounded (due within two years, open for at most a year): a typo such as
3000000 is refused in words on the form, keeping what was typed, and a row saved before the
bound existed neither breaks the cohort's surveys page nor the hourly invitations task."""

import datetime as dt
import re

import pytest
import time_machine
from django.urls import reverse

from feedback import services
from feedback.models import SurveySchedule

from .conftest import make_schedule, make_template, schedule_form

pytestmark = pytest.mark.django_db

OFFSET_MESSAGE = "Choose a number of days from 0 to 730 (two years)."
CLOSE_MESSAGE = "Keep it open for 1 to 365 days (a year at most)."


def _typed(html: str, name: str) -> str:
    return re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)


def test_a_new_schedule_days_away_is_refused_in_words_keeping_what_was_typed(
    client, coordinator, cohort
):
    template = make_template(cohort.programme, name="Weekly pulse")
    client.force_login(coordinator)
    url = reverse("feedback:cohort", args=[cohort.programme.slug, cohort.pk])
    response = client.post(url, schedule_form(template, offset_days=3000000))
    html = response.content.decode()
    assert response.status_code == 200
    assert OFFSET_MESSAGE in html
    assert 'value="3000000"' in _typed(html, "offset_days")
    assert not SurveySchedule.objects.filter(template=template).exists()


def test_editing_a_schedule_to_centuries_away_is_refused_for_both_fields(
    client, coordinator, cohort
):
    template = make_template(cohort.programme, name="Weekly pulse")
    schedule = make_schedule(cohort, template, offset_days=10, close_after_days=14)
    client.force_login(coordinator)
    url = reverse("feedback:schedule_edit", args=[cohort.programme.slug, cohort.pk, schedule.pk])
    response = client.post(
        url,
        schedule_form(
            template, trigger="cohort_start", offset_days=100000, close_after_days=100000
        ),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert OFFSET_MESSAGE in html and CLOSE_MESSAGE in html
    assert 'value="100000"' in _typed(html, "offset_days")
    assert 'value="100000"' in _typed(html, "close_after_days")
    assert 'max="730"' in _typed(html, "offset_days")
    schedule.refresh_from_db()
    assert (schedule.offset_days, schedule.close_after_days) == (10, 14)

    saved = client.post(
        url, schedule_form(template, trigger="cohort_start", offset_days=730, close_after_days=365)
    )
    assert saved.status_code == 302
    schedule.refresh_from_db()
    assert (schedule.offset_days, schedule.close_after_days) == (730, 365)


@time_machine.travel(dt.datetime(2027, 1, 22, 10, 0), tick=False)
def test_a_schedule_saved_centuries_away_before_the_bound_breaks_nothing(
    client, coordinator, running_cohort, pair
):
    from django.db import connection

    if connection.vendor != "sqlite":
        # PostgreSQL's smallint columns refuse such a value outright (at most 32,767 days,
        # about 90 years: no date overflows); SQLite stores whatever it is given.
        pytest.skip("only SQLite can hold a number of days past the last date")
    template = make_template(running_cohort.programme, name="Weekly pulse")
    far = make_schedule(running_cohort, template)
    SurveySchedule.objects.filter(pk=far.pk).update(offset_days=3000000, close_after_days=30000)
    paired = make_schedule(running_cohort, template, trigger="pair_start", offset_days=0)
    SurveySchedule.objects.filter(pk=paired.pk).update(close_after_days=3000000)
    client.force_login(coordinator)
    url = reverse("feedback:cohort", args=[running_cohort.programme.slug, running_cohort.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert "Weekly pulse" in response.content.decode()
    # The hourly task still invites the pair for the other schedule, and nobody for this one.
    services.survey_invitations_create(today=dt.date(2027, 1, 22), send=False)
    assert not far.invitations.exists()
    assert paired.invitations.filter(closes_on=dt.date.max).count() == 2
