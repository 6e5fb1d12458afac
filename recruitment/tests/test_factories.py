"""The factories build valid rows (full_clean passes), so tests built on them test real data."""

import pytest

from recruitment.tests.factories import (
    BusinessPriorityFactory,
    ProjectFactory,
    TalentPoolEntryFactory,
)

pytestmark = pytest.mark.django_db


def test_a_project_is_a_valid_proposal_of_an_applied_mentee_with_its_priorities():
    priority = BusinessPriorityFactory()
    project = ProjectFactory(enrolment__cohort__programme=priority.programme, priorities=[priority])
    project.full_clean()
    assert project.enrolment.role == "mentee" and project.enrolment.status == "applied"
    assert list(project.priorities.all()) == [priority]
    assert priority.programme.business_priorities.get() == priority


def test_talent_pool_entries_are_valid_and_distinct():
    first, second = TalentPoolEntryFactory.create_batch(2)
    for entry in (first, second):
        entry.full_clean()
    assert first.email != second.email
