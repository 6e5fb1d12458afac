"""The coordinator's pairing pages live under the cohort (and the programme); the old /pairs/runs/
and /pairs/settings/ addresses answer a permanent redirect, to the run's coordinators only."""

import pytest
from django.urls import reverse

from lib.audit import AuditContext
from pairing import services
from pairing.models import MatchRun, ProposedPair
from programmes.models import Cohort
from programmes.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def run(cohort, coordinator):
    Cohort.objects.filter(pk=cohort.pk).update(status="matching")
    run = MatchRun.objects.create(cohort=cohort, created_by=coordinator, status="draft")
    ProposedPair.objects.create(
        run=run,
        mentee=EnrolmentFactory(cohort=cohort, role="mentee"),
        mentor=EnrolmentFactory(cohort=cohort, role="mentor"),
        score=0.5,
    )
    return run


def test_a_run_lives_under_its_cohort(run):
    slug, pk = run.cohort.programme.slug, run.cohort_id
    url = reverse("pairing:run", args=[slug, pk, run.pk])
    assert url == f"/programmes/{slug}/cohorts/{pk}/pairing/runs/{run.pk}/"
    assert reverse("pairing:settings", args=[slug]) == f"/programmes/{slug}/pairing-settings/"


def test_old_run_and_settings_addresses_redirect_permanently(client, coordinator, run):
    slug, pk = run.cohort.programme.slug, run.cohort_id
    client.force_login(coordinator)
    new_run = f"/programmes/{slug}/cohorts/{pk}/pairing/runs/{run.pk}/"
    response = client.get(f"/pairs/runs/{run.pk}/")
    assert (response.status_code, response["Location"]) == (301, new_run)
    # A form posted from a page opened before the move changes nothing and lands on the run.
    response = client.post(f"/pairs/runs/{run.pk}/action/", {"action": "publish"})
    assert (response.status_code, response["Location"]) == (301, new_run)
    run.refresh_from_db()
    assert run.status == "draft"
    response = client.get(f"/pairs/settings/{slug}/")
    assert (response.status_code, response["Location"]) == (
        301,
        f"/programmes/{slug}/pairing-settings/",
    )
    assert client.get(new_run).status_code == 200


def test_the_old_run_address_does_not_say_where_a_run_lives_to_anyone_else(
    client, run, other_programme
):
    client.force_login(other_programme.coordinators.get())
    assert client.get(f"/pairs/runs/{run.pk}/").status_code == 404


def test_a_run_under_another_cohort_is_404(client, coordinator, run, programme):
    from programmes.tests.factories import CohortFactory

    other = CohortFactory(programme=programme, name="Another")
    client.force_login(coordinator)
    url = reverse("pairing:run", args=[programme.slug, other.pk, run.pk])
    assert client.get(url).status_code == 404


def test_lock_and_unlock_are_their_own_actions(client, coordinator, run):
    proposal = run.proposals.get()
    args = [run.cohort.programme.slug, run.cohort_id, run.pk, proposal.pk]
    client.force_login(coordinator)
    assert client.get(reverse("pairing:proposal_lock", args=args)).status_code == 405
    client.post(reverse("pairing:proposal_lock", args=args))
    proposal.refresh_from_db()
    assert proposal.locked
    client.post(reverse("pairing:proposal_unlock", args=args))
    proposal.refresh_from_db()
    assert not proposal.locked
    assert list(run.events.values_list("action", flat=True)) == ["locked", "unlocked"]


def test_a_published_run_refuses_changes(client, coordinator, run):
    services.match_run_publish(run=run, ctx=AuditContext(actor=coordinator))
    proposal = run.proposals.get()
    args = [run.cohort.programme.slug, run.cohort_id, run.pk, proposal.pk]
    client.force_login(coordinator)
    response = client.post(reverse("pairing:proposal_lock", args=args), follow=True)
    assert "no longer a draft" in response.content.decode()
    proposal.refresh_from_db()
    assert not proposal.locked
