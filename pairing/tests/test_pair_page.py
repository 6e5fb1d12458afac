"""The pair page as each person reads it: their own wellbeing score only (coordinators see
both, as the check-in form promises), and the check-in form before the history."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from programmes.models import Enrolment

from .factories import CheckInFactory, PairFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))


@pytest.fixture
def pair(cohort, mentor, mentee):
    pair = PairFactory(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
        started_on=dt.date(2026, 10, 1),
    )
    CheckInFactory(pair=pair, author=mentee, wellbeing=1, met_on=dt.date(2026, 11, 2))
    CheckInFactory(pair=pair, author=mentor, wellbeing=5, met_on=dt.date(2026, 11, 9))
    return pair


def _wellbeing_cells(html: str) -> list[str]:
    rows = re.findall(r"<tr>\s*<td>.*?</tr>", html, re.S)
    return [re.findall(r"<td>(.*?)</td>", row, re.S)[4] for row in rows]


def test_each_person_sees_only_their_own_wellbeing_score(client, pair, mentor, mentee):
    client.force_login(mentee)
    cells = _wellbeing_cells(client.get(reverse("pairing:detail", args=[pair.pk])).content.decode())
    assert cells[1] == "1"  # her own (the older check-in, listed second)
    assert cells[0].startswith('<span class="text-body-secondary">private</span>')
    client.force_login(mentor)
    cells = _wellbeing_cells(client.get(reverse("pairing:detail", args=[pair.pk])).content.decode())
    assert cells[0] == "5" and "private" in cells[1]


def test_coordinators_see_every_wellbeing_score_as_the_form_promises(client, pair, coordinator):
    client.force_login(coordinator)
    cells = _wellbeing_cells(client.get(reverse("pairing:detail", args=[pair.pk])).content.decode())
    assert cells == ["5", "1"]


def test_the_check_in_form_comes_before_the_history(client, pair, mentee):
    client.force_login(mentee)
    html = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
    assert html.index("Log a check-in") < html.index('id="history"')
