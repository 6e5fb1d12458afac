import datetime as dt

import pytest

from programmes.tests.factories import CohortFactory, EnrolmentFactory
from recruitment import selectors
from recruitment.models import Project

pytestmark = pytest.mark.django_db


def _project(programme, title, description):
    cohort = CohortFactory(programme=programme, starts_on=dt.date(2025, 1, 1))
    return Project.objects.create(
        enrolment=EnrolmentFactory(cohort=cohort), title=title, description=description
    )


def test_the_fitted_index_is_reused_until_a_proposal_changes(programme, monkeypatch):
    crops = _project(programme, "Crop yields from satellite images", "Satellite imagery.")
    built = []
    real = selectors.SimilarityIndex
    monkeypatch.setattr(selectors, "SimilarityIndex", lambda p: built.append(p) or real(p))

    def ask():
        return selectors.similar_projects(
            programme=programme,
            title="Estimating crop yields with satellite imagery",
            description="Satellite images to estimate crop yields.",
        )

    assert [p for p, _ in ask()] == [crops]
    assert [p for p, _ in ask()] == [crops]
    assert len(built) == 1  # the second question used the cached index

    crops.title = "Forecasting A&E demand"
    crops.description = "Hospital attendances."
    crops.save()
    assert ask() == []  # the edit made a new version: rebuilt, and no longer similar
    assert len(built) == 2
