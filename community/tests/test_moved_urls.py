"""The coordinators' community pages moved under their programme and cohort; the old
``/community/programmes/...`` addresses answer 301 to the new ones, query string kept."""

import pytest

pytestmark = pytest.mark.django_db

MOVED = [
    ("/community/programmes/alpha/projects/", "/programmes/alpha/projects/"),
    ("/community/programmes/alpha/cohorts/3/groups/", "/programmes/alpha/cohorts/3/groups/"),
    (
        "/community/programmes/alpha/cohorts/3/groups/generate/",
        "/programmes/alpha/cohorts/3/groups/generate/",
    ),
    (
        "/community/programmes/alpha/cohorts/3/groups/move/",
        "/programmes/alpha/cohorts/3/groups/move/",
    ),
    (
        "/community/programmes/alpha/cohorts/3/groups/publish/",
        "/programmes/alpha/cohorts/3/groups/publish/",
    ),
    ("/community/programmes/alpha/cohorts/3/events/", "/programmes/alpha/cohorts/3/events/"),
    (
        "/community/programmes/alpha/cohorts/3/events/standups/",
        "/programmes/alpha/cohorts/3/events/standups/",
    ),
]


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_an_old_community_address_answers_301_to_its_new_one(client, outsider, old, new):
    client.force_login(outsider)
    response = client.get(old + "?page=2")
    assert response.status_code == 301
    assert response["Location"] == new + "?page=2"
