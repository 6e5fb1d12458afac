"""A participant reads their own wellbeing scores through the API, never the other person's
(the pair page does the same; coordinators see both)."""

import datetime as dt

import pytest

from api.services import api_token_create
from lib.audit import AuditContext
from pairing.tests.factories import CheckInFactory, PairFactory
from programmes.models import Enrolment

pytestmark = pytest.mark.django_db


def _bearer(user) -> dict:
    _token, raw = api_token_create(
        user=user, name="test", scopes=["figures"], days=30, ctx=AuditContext()
    )
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_gives_a_participant_only_their_own_wellbeing(client, cohort, mentor, mentee):
    pair = PairFactory(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
        started_on=dt.date(2026, 10, 1),
    )
    CheckInFactory(pair=pair, author=mentee, wellbeing=1, met_on=dt.date(2026, 11, 2))
    CheckInFactory(pair=pair, author=mentor, wellbeing=5, met_on=dt.date(2026, 11, 9))
    rows = client.get("/api/v1/checkins", headers=_bearer(mentee)).json()["results"]
    assert {r["logged_by"]: r["wellbeing"] for r in rows} == {"mentee": 1, "mentor": None}
