"""One definition of a pair at risk (pairing/risk.py): the Monday digest, the cohort dashboard,
the pair page and the CSV export flag the same pairs for the same reasons on the same day, for
hand-built pairs covering each reason and each side of each boundary. Read as the coordinator
reads them: through the pages and the export, and the digest the rhythm writes."""

import csv
import datetime as dt
import io
import re

import pytest
import time_machine
from django.urls import reverse

from insights.definitions import REASON_LABELS
from pairing.models import Pair
from pairing.tests.factories import CheckInFactory, PairFactory
from programmes.models import Cohort
from rhythm import collect, rules

TODAY = dt.date(2027, 3, 15)  # a Monday: the digest's day
CADENCE = 14
DAY = dt.timedelta(days=1)

NEVER = REASON_LABELS["never met"]
SILENT = REASON_LABELS["silent"]
RATING = REASON_LABELS["falling rating"]
LOW = REASON_LABELS["low wellbeing"]
FALLING_WB = REASON_LABELS["falling wellbeing"]

# name -> (started_on, [(days ago, author "mentor"/"mentee", rating, wellbeing)], active,
# expected reasons)
CASES = {
    "never met, exactly two cadences": (TODAY - 28 * DAY, [], True, []),
    "never met, a day past two cadences": (TODAY - 29 * DAY, [], True, [NEVER]),
    "met exactly two cadences ago": (TODAY - 60 * DAY, [(28, "mentee", 4, 4)], True, []),
    "met a day past two cadences": (TODAY - 60 * DAY, [(29, "mentee", 4, 4)], True, [SILENT]),
    "rating down by one (noise)": (
        TODAY - 40 * DAY,
        [(14, "mentee", 4, 4), (1, "mentee", 3, 4)],
        True,
        [],
    ),
    "rating down by two": (
        TODAY - 40 * DAY,
        [(14, "mentee", 4, 4), (1, "mentee", 2, 4)],
        True,
        [RATING],
    ),
    "three ratings each lower": (
        TODAY - 40 * DAY,
        [(28, "mentor", 5, 4), (14, "mentee", 4, 4), (1, "mentor", 3, 4)],
        True,
        [RATING],
    ),
    "wellbeing exactly 2": (TODAY - 40 * DAY, [(1, "mentee", 4, 2)], True, [LOW]),
    "wellbeing 3": (TODAY - 40 * DAY, [(1, "mentee", 4, 3)], True, []),
    "mentor's 5 today does not hide mentee's 1": (
        TODAY - 40 * DAY,
        [(7, "mentee", 4, 1), (0, "mentor", 4, 5)],
        True,
        [LOW],
    ),
    "mentee's own wellbeing falls by two": (
        TODAY - 40 * DAY,
        [(14, "mentee", 4, 5), (7, "mentor", 4, 5), (1, "mentee", 4, 3)],
        True,
        [FALLING_WB],
    ),
    "low wellbeing recovered": (
        TODAY - 40 * DAY,
        [(14, "mentee", 4, 2), (1, "mentee", 4, 4)],
        True,
        [],
    ),
    "silent and low": (TODAY - 90 * DAY, [(45, "mentee", 4, 1)], True, [SILENT, LOW]),
    "ended with low wellbeing": (TODAY - 40 * DAY, [(1, "mentee", 4, 1)], False, []),
}

pytestmark = pytest.mark.django_db


def _build(programme):
    cohort = programme.cohorts.create(
        name="Spring 2027",
        starts_on=TODAY - 100 * DAY,
        ends_on=TODAY + 60 * DAY,
    )
    Cohort.objects.filter(pk=cohort.pk).update(status="running")
    programme.checkin_cadence_days = CADENCE
    programme.save()
    pairs = {}
    for name, (started_on, meetings, active, _expected) in CASES.items():
        pair = PairFactory(cohort=cohort, started_on=started_on)
        if not active:
            Pair.objects.filter(pk=pair.pk).update(
                status=Pair.Status.ENDED, ended_on=TODAY - DAY, end_reason="poor_fit"
            )
        for days_ago, who, rating, wellbeing in sorted(meetings, key=lambda m: -m[0]):
            author = pair.mentor.user if who == "mentor" else pair.mentee.user
            CheckInFactory(
                pair=pair,
                author=author,
                met_on=TODAY - days_ago * DAY,
                rating=rating,
                wellbeing=wellbeing,
            )
        pairs[name] = pair.pk
    return cohort, pairs


def _digest(programme) -> dict[int, list[str]]:
    snap = collect.snapshot(today=TODAY)
    (section,) = [s for s in rules.digest_sections(snap, programme.pk) if s["at_risk"]]
    return {int(r["url"].rstrip("/").rsplit("/", 1)[-1]): r["reasons"] for r in section["at_risk"]}


def _dashboard(client, programme, cohort) -> dict[int, list[str]]:
    html = client.get(reverse("insights:cohort", args=[programme.slug, cohort.pk])).content.decode()
    table = html.split('id="at-risk"', 1)[1].split("</table>", 1)[0]
    out = {}
    for pk, reasons in re.findall(r'href="/pairs/(\d+)/">[^<]*</a></td><td>([^<]*)</td>', table):
        out[int(pk)] = reasons.split("; ")
    return out


def _pair_page(client, pk) -> list[str]:
    html = client.get(reverse("pairing:detail", args=[pk])).content.decode()
    return re.findall(r'<li class="at-risk-reason">([^<]*)</li>', html)


def _export(client, programme, cohort) -> dict[int, list[str]]:
    response = client.get(reverse("insights:cohort_export", args=[programme.slug, cohort.pk]))
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    out = {}
    for _cohort, section, figure, value in csv.reader(io.StringIO(text)):
        if section == "Pairs at risk":
            out[int(re.search(r"\(pair (\d+)\)", figure).group(1))] = value.split("; ")
    return out


def test_digest_dashboard_pair_page_and_export_flag_the_same_pairs_for_the_same_reasons(
    client, coordinator, programme
):
    with time_machine.travel(dt.datetime(2027, 3, 15, 10, tzinfo=dt.UTC), tick=False):
        cohort, pairs = _build(programme)
        client.force_login(coordinator)
        expected = {pairs[name]: case[3] for name, case in CASES.items() if case[3]}

        digest = _digest(programme)
        dashboard = _dashboard(client, programme, cohort)
        export = _export(client, programme, cohort)
        page = {pk: _pair_page(client, pk) for pk in pairs.values()}

    names = {pk: name for name, pk in pairs.items()}
    assert {names[k]: v for k, v in digest.items()} == {names[k]: v for k, v in expected.items()}
    assert dashboard == expected
    assert export == expected
    assert {pk: r for pk, r in page.items() if r} == expected
