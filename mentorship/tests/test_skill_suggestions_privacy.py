"""Skill suggestions are seen and decided only by coordinators of programmes the suggester is in
(issue 15, item 12).

A suggested skill names its suggester and is often personal ("Managing my dyslexia"); before,
every coordinator of any programme saw every suggestion with the person's name, and could
approve or delete it.
"""

import pytest
from django.urls import reverse

from people.models import AuditEvent, Skill
from programmes.tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

SUGGESTIONS = reverse("people:skill_suggestions")


@pytest.fixture
def suggestion(client, mentee):
    client.force_login(mentee)
    client.post(
        reverse("people:skill_suggest"), {"name": "Managing my dyslexia", "category": "data"}
    )
    client.logout()
    return Skill.objects.get(name="Managing my dyslexia")


def test_a_coordinator_of_another_programme_does_not_see_the_suggestion(
    client, suggestion, other_programme
):
    client.force_login(other_programme.coordinators.get())
    page = client.get(SUGGESTIONS).content.decode()
    assert "Managing my dyslexia" not in page and "Mina Mentee" not in page


def test_a_coordinator_of_another_programme_cannot_approve_or_remove_it(
    client, suggestion, other_programme
):
    client.force_login(other_programme.coordinators.get())
    client.post(SUGGESTIONS, {"approve": [suggestion.pk]})
    client.post(SUGGESTIONS, {"reject": [suggestion.pk]})
    suggestion.refresh_from_db()
    assert not suggestion.approved
    assert not AuditEvent.objects.filter(action="skills-reviewed").exists()


def test_the_suggesters_own_coordinator_sees_and_decides_it(client, suggestion, coordinator):
    client.force_login(coordinator)
    page = client.get(SUGGESTIONS).content.decode()
    assert "Managing my dyslexia" in page and "Mina Mentee" in page
    client.post(SUGGESTIONS, {"reject": [suggestion.pk]})
    assert not Skill.objects.filter(pk=suggestion.pk).exists()


def test_inviting_someone_does_not_open_their_suggestions(
    client, suggestion, mentee, other_programme
):
    """An invitation alone shares nothing: the other coordinator invites the suggester."""
    cohort = CohortFactory(programme=other_programme)
    EnrolmentFactory(user=mentee, cohort=cohort, role="mentee", status="invited")
    client.force_login(other_programme.coordinators.get())
    assert "Managing my dyslexia" not in client.get(SUGGESTIONS).content.decode()


def test_staff_see_every_suggestion(client, suggestion, staff):
    client.force_login(staff)
    assert "Managing my dyslexia" in client.get(SUGGESTIONS).content.decode()


def test_a_hostile_id_list_is_ignored(client, suggestion, coordinator):
    client.force_login(coordinator)
    response = client.post(SUGGESTIONS, {"approve": ["1 OR 1=1", "-5", ""], "reject": ["x"]})
    assert response.status_code == 302
    suggestion.refresh_from_db()
    assert not suggestion.approved
