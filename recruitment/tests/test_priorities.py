"""Coordinators keep the programme's business priorities on their own page, linked from the
programme page."""

import pytest
from django.urls import reverse

from people.models import AuditEvent
from recruitment.models import BusinessPriority

from .factories import BusinessPriorityFactory, ProjectFactory

pytestmark = pytest.mark.django_db


def test_the_coordinator_adds_and_removes_priorities(client, coordinator, programme):
    client.force_login(coordinator)
    url = reverse("recruitment:priorities", args=[programme.slug])
    assert url in client.get(programme.get_absolute_url()).content.decode()
    assert client.post(url, {"name": "  Net   zero "}).status_code == 302
    priority = BusinessPriority.objects.get(programme=programme)
    assert priority.name == "Net zero"
    again = client.post(url, {"name": "net ZERO"})
    assert again.status_code == 200 and "already a priority" in again.content.decode()
    assert BusinessPriority.objects.count() == 1

    project = ProjectFactory(enrolment__cohort__programme=programme)
    project.priorities.add(priority)
    page = client.get(url).content.decode()
    assert "Net zero" in page
    remove = reverse("recruitment:priority_remove", args=[programme.slug, priority.pk])
    assert client.get(remove).status_code == 405
    response = client.post(remove, follow=True)
    assert "from 1 proposal" in response.content.decode()
    assert not BusinessPriority.objects.exists() and project.priorities.count() == 0
    assert AuditEvent.objects.filter(action="business-priority-removed").exists()


def test_an_empty_or_too_long_name_keeps_what_was_typed(client, coordinator, programme):
    client.force_login(coordinator)
    url = reverse("recruitment:priorities", args=[programme.slug])
    assert client.post(url, {"name": ""}).status_code == 200
    response = client.post(url, {"name": "x" * 101})
    assert response.status_code == 200 and "x" * 101 in response.content.decode()
    assert not BusinessPriority.objects.exists()


def test_another_programmes_priority_is_404(client, coordinator, programme, other_programme):
    theirs = BusinessPriorityFactory(programme=other_programme)
    client.force_login(coordinator)
    url = reverse("recruitment:priority_remove", args=[programme.slug, theirs.pk])
    assert client.post(url).status_code == 404
    assert BusinessPriority.objects.filter(pk=theirs.pk).exists()


def test_the_priorities_list_is_one_query(programme, django_assert_num_queries):
    from recruitment.selectors import programme_priorities

    for name in ("A", "B", "C"):
        BusinessPriorityFactory(programme=programme, name=name)
    with django_assert_num_queries(1):
        assert [p.name for p in programme_priorities(programme=programme)] == ["A", "B", "C"]
