"""The coordinators' survey pages moved under their programme and cohort; links and bookmarks to
the old addresses answer 301 to the new ones, query string kept."""

import pytest

pytestmark = pytest.mark.django_db

MOVED = [
    ("/surveys/alpha/", "/programmes/alpha/surveys/"),
    ("/surveys/alpha/4/", "/programmes/alpha/surveys/4/"),
    ("/surveys/alpha/4/settings/", "/programmes/alpha/surveys/4/settings/"),
    ("/surveys/alpha/4/publish/", "/programmes/alpha/surveys/4/publish/"),
    ("/surveys/alpha/4/compare/", "/programmes/alpha/surveys/4/compare/"),
    ("/surveys/alpha/4/questions/9/", "/programmes/alpha/surveys/4/questions/9/"),
    ("/surveys/alpha/4/questions/9/move/", "/programmes/alpha/surveys/4/questions/9/move/"),
    ("/surveys/alpha/4/questions/9/remove/", "/programmes/alpha/surveys/4/questions/9/remove/"),
    ("/surveys/alpha/cohorts/3/", "/programmes/alpha/cohorts/3/surveys/"),
    (
        "/surveys/alpha/cohorts/3/schedules/7/",
        "/programmes/alpha/cohorts/3/surveys/schedules/7/",
    ),
    (
        "/surveys/alpha/cohorts/3/schedules/7/results/",
        "/programmes/alpha/cohorts/3/surveys/schedules/7/results/",
    ),
    (
        "/surveys/alpha/cohorts/3/schedules/7/results.csv",
        "/programmes/alpha/cohorts/3/surveys/schedules/7/results.csv",
    ),
]


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_an_old_survey_address_answers_301_to_its_new_one(client, outsider, old, new):
    client.force_login(outsider)
    response = client.get(old + "?tab=2")
    assert response.status_code == 301
    assert response["Location"] == new + "?tab=2"


def test_participants_pages_stay_where_they_were(client, outsider):
    client.force_login(outsider)
    assert client.get("/surveys/").status_code == 200
    assert client.get("/surveys/answer/forged/").status_code == 404
