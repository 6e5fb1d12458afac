"""The reminder settings and a cohort's automated emails moved under their programme and cohort;
the old addresses answer 301 to the new ones, query string kept."""

import pytest

pytestmark = pytest.mark.django_db

MOVED = [
    ("/rhythm/alpha/settings/", "/programmes/alpha/reminders/"),
    ("/rhythm/alpha/cohorts/3/", "/programmes/alpha/cohorts/3/emails/"),
]


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_an_old_rhythm_address_answers_301_to_its_new_one(client, outsider, old, new):
    client.force_login(outsider)
    response = client.get(old + "?x=1")
    assert response.status_code == 301
    assert response["Location"] == new + "?x=1"
