"""Inputs that feed expensive work are bounded before the work (issue 15, item 13).

Before, the apply page ran the project-similarity search on the raw POSTed description, even
when the form had refused it: one request with a 2 MB description tied up a worker for 13 s.
"""

import pytest
from django.urls import reverse

from programmes.models import Cohort, Enrolment
from recruitment.similarity import SimilarityIndex
from recruitment.tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

HUGE = "forecast demand " * 131_072  # 2 MB


@pytest.fixture
def recruiting(cohort):
    Cohort.objects.filter(pk=cohort.pk).update(status="recruiting")
    cohort.refresh_from_db()
    ProjectFactory(enrolment__cohort=cohort)  # so the programme has an index to search
    return cohort


@pytest.fixture
def searched(monkeypatch):
    """The length of every text the similarity search was given."""
    lengths = []
    real = SimilarityIndex.similar

    def spy(self, title, description, **kwargs):
        lengths.append(len(title) + len(description))
        return real(self, title, description, **kwargs)

    monkeypatch.setattr(SimilarityIndex, "similar", spy)
    return lengths


def post_application(client, cohort, **data):
    return client.post(
        reverse("recruitment:apply", args=[cohort.pk, "mentee"]),
        {"goals": "Learn.", "title": "Forecasting", "expected_benefit": "Time.", **data},
    )


def test_a_2mb_application_is_refused_before_any_work(client, recruiting, outsider, searched):
    client.force_login(outsider)
    response = post_application(client, recruiting, description=HUGE)
    assert response.status_code == 400
    assert searched == [] and not Enrolment.objects.filter(user=outsider).exists()


def test_an_overlong_description_never_reaches_the_similarity_search(
    client, recruiting, outsider, searched, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024  # a deployment that raised the cap
    client.force_login(outsider)
    response = post_application(client, recruiting, description=HUGE)
    assert response.status_code == 200
    assert "at most 5000 characters" in response.content.decode()
    assert all(n <= 150 + 5000 for n in searched)  # the valid title alone, at most
    assert not Enrolment.objects.filter(user=outsider).exists()


def test_a_valid_draft_is_still_compared(client, recruiting, outsider, searched):
    client.force_login(outsider)
    post_application(client, recruiting, description="Forecast demand.", goals="")
    assert searched and max(searched) < 200


def test_the_preview_while_typing_cuts_the_text_to_the_forms_limits(
    client, recruiting, outsider, searched, settings
):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
    client.force_login(outsider)
    client.post(
        reverse("recruitment:apply_similar", args=[recruiting.pk]),
        {"title": HUGE, "description": HUGE},
    )
    assert searched and max(searched) <= 150 + 5000
