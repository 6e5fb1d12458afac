"""People change their plans (issue 16, items 1-5): each move of a person in a cohort does
everything that follows, tried through the pages as the person or coordinator would."""

import datetime as dt

import pytest
from django.urls import reverse

from lib.audit import AuditContext
from notifications.models import Email
from pairing import selectors as pairing_selectors
from pairing import services as pairing_services
from pairing.matching import remaining_capacity
from pairing.models import MatchRun, Pair, ProposedPair
from programmes.models import Cohort, Enrolment
from programmes.tests.factories import EnrolmentFactory
from recruitment import services as recruitment_services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2027, 1, 20, 12, tzinfo=dt.UTC))


def _status(cohort, status):
    Cohort.objects.filter(pk=cohort.pk).update(status=status)
    cohort.refresh_from_db()


def _slug_pk(cohort):
    return [cohort.programme.slug, cohort.pk]


def graded(enrolment, grade):
    """Give the person a grade and a team of their own: the pairing rules need the mentor a grade
    or more above, and never from the mentee's team."""
    profile = enrolment.user.profile
    profile.grade, profile.team = grade, f"Team {enrolment.pk}"
    profile.save()
    return enrolment


def mentee_at(cohort, **kwargs):
    return graded(EnrolmentFactory(cohort=cohort, role="mentee", **kwargs), 4)


def mentor_at(cohort, **kwargs):
    return graded(EnrolmentFactory(cohort=cohort, role="mentor", **kwargs), 7)


def decisions(enrolment):
    return list(
        Email.objects.filter(kind="application-decision", to=enrolment.user.email)
        .order_by("pk")
        .values_list("subject", flat=True)
    )


@pytest.fixture
def paired(cohort, mentor, mentee):
    """The running cohort's mentor (capacity 2) paired with its mentee."""
    _status(cohort, "running")
    m, e = Enrolment.objects.get(user=mentor), Enrolment.objects.get(user=mentee)
    return Pair.objects.create(cohort=cohort, mentor=m, mentee=e, started_on=cohort.starts_on)


def test_withdrawing_after_pairing_confirms_then_ends_the_pair_and_tells_everyone(
    client, coordinator, paired
):
    mentee = paired.mentee
    draft = MatchRun.objects.create(cohort=paired.cohort, status="draft")
    ProposedPair.objects.create(run=draft, mentee=mentee, mentor=paired.mentor, score=0.5)
    client.force_login(mentee.user)
    url = reverse("recruitment:application_withdraw", args=[mentee.pk])
    page = client.get(url).content.decode()
    # The confirmation names everyone who will be emailed; nothing has happened yet.
    for who in (mentee.user.email, paired.mentor.user.email, coordinator.email):
        assert who in page
    assert Pair.objects.get(pk=paired.pk).status == "active"

    client.post(url, {"reason": "New job"})

    mentee.refresh_from_db()
    paired.refresh_from_db()
    assert mentee.status == "withdrawn"
    assert (paired.status, paired.end_reason) == ("ended", "mentee_left")
    assert "withdrew" in paired.end_note
    assert remaining_capacity([paired.mentor])[paired.mentor.pk] == 2  # the place is free
    assert not ProposedPair.objects.filter(run=draft).exists()
    assert draft.events.filter(action="removed").exists()
    told = Email.objects.get(kind="pair-ended")
    assert told.to == paired.mentor.user.email and "has left" in told.subject
    notice = Email.objects.get(kind="withdrawal-notice")
    assert notice.to == coordinator.email and "ended" in notice.body_text
    assert "has withdrawn" in notice.subject
    assert decisions(mentee) == ["You have withdrawn from Data Science Accelerator"]
    assert mentee.moves.get(move="withdraw").reason == "New job"
    # Withdrawing again does nothing and emails nobody.
    client.post(url, {"reason": "again"})
    assert Email.objects.count() == 3


def test_a_mentor_who_withdraws_leaves_their_mentees_waiting_with_a_reason(
    client, coordinator, paired
):
    client.force_login(paired.mentor.user)
    client.post(reverse("recruitment:application_withdraw", args=[paired.mentor.pk]))
    paired.refresh_from_db()
    assert paired.end_reason == "mentor_left"
    assert Email.objects.get(kind="pair-ended").to == paired.mentee.user.email
    client.force_login(coordinator)
    page = client.get(reverse("pairing:cohort_pairs", args=_slug_pk(paired.cohort)))
    [(waiting, why)] = page.context["waiting"]
    assert waiting == paired.mentee and "ended" in why and "mentor left" in why
    hub = client.get(reverse("programmes:cohort_detail", args=_slug_pk(paired.cohort)))
    assert "1 mentee waiting for a mentor" in hub.content.decode()
    client.force_login(paired.mentee.user)
    mine = client.get(reverse("recruitment:application", args=[paired.mentee.pk]))
    assert "Pair ended" in mine.content.decode()


def test_a_coordinator_undoes_a_withdrawal_with_a_reason(client, coordinator, paired):
    mentee = paired.mentee
    recruitment_services.application_withdraw(enrolment=mentee, ctx=AuditContext(actor=mentee.user))
    client.force_login(coordinator)
    url = reverse("recruitment:enrolment_restore", args=[*_slug_pk(paired.cohort), mentee.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and "Say why" in refused.content.decode()
    client.post(url, {"reason": "Withdrew by mistake, said so by phone"})
    mentee.refresh_from_db()
    assert mentee.status == "accepted"
    assert decisions(mentee)[-1] == "You have a place in Data Science Accelerator"
    # The ended pair does not come back: the mentee waits for a mentor.
    assert not Pair.objects.active().filter(mentee=mentee).exists()
    page = client.get(reverse("pairing:cohort_pairs", args=_slug_pk(paired.cohort)))
    assert [e for e, _ in page.context["waiting"]] == [mentee]
    # Only a withdrawal or a decline can be undone: the page is not there for others.
    assert client.get(url).status_code == 404


def test_undo_goes_to_the_waiting_list_when_no_place_is_left(client, coordinator, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(capacity=1)
    declined = EnrolmentFactory(cohort=cohort, status="applied")
    other = EnrolmentFactory(cohort=cohort, status="applied")
    ctx = AuditContext(actor=coordinator)
    recruitment_services.applications_decide(
        ctx=ctx, cohort=cohort, enrolment_ids=[declined.pk], decision="declined"
    )
    recruitment_services.applications_decide(
        ctx=ctx, cohort=cohort, enrolment_ids=[other.pk], decision="accepted"
    )
    recruitment_services.enrolment_restore(enrolment=declined, ctx=ctx, reason="Appeal upheld")
    declined.refresh_from_db()
    assert declined.status == "applied"  # back to where it was before the decline
    result = recruitment_services.applications_decide(
        ctx=ctx, cohort=cohort, enrolment_ids=[declined.pk], decision="accepted"
    )
    declined.refresh_from_db()
    assert declined.status == "waitlisted" and result.waitlisted_for_places


def test_places_are_enforced_at_acceptance_with_a_clear_message(client, coordinator, cohort):
    Cohort.objects.filter(pk=cohort.pk).update(capacity=2)
    applicants = EnrolmentFactory.create_batch(3, cohort=cohort, status="applied")
    mentor = EnrolmentFactory(cohort=cohort, status="applied", role="mentor")
    client.force_login(coordinator)
    response = client.post(
        reverse("recruitment:review_decide", args=_slug_pk(cohort)),
        {"decision": "accepted", "enrolments": [e.pk for e in applicants] + [mentor.pk]},
        follow=True,
    )
    statuses = sorted(Enrolment.objects.filter(cohort=cohort).values_list("status", flat=True))
    assert statuses == ["accepted", "accepted", "accepted", "waitlisted"]  # the mentor too
    page = response.content.decode()
    assert "On the waiting list, not accepted" in page and "All 2 mentee places are taken" in page
    waitlisted = Enrolment.objects.get(cohort=cohort, status="waitlisted")
    assert decisions(waitlisted) == ["You are on the waiting list for Data Science Accelerator"]


def test_each_re_decision_sends_the_email_of_the_new_state_once(client, coordinator, cohort):
    person = EnrolmentFactory(cohort=cohort, status="applied")
    client.force_login(coordinator)
    url = reverse("recruitment:review_decide", args=_slug_pk(cohort))
    for decision in ("accepted", "waitlisted", "accepted", "accepted"):
        client.post(url, {"decision": decision, "enrolments": [person.pk]})
    assert decisions(person) == [
        "You have a place in Data Science Accelerator",
        "You are on the waiting list for Data Science Accelerator",
        "You have a place in Data Science Accelerator",
    ]
    assert [m.to_status for m in person.moves.all()] == ["accepted", "waitlisted", "accepted"]


def test_declining_a_paired_mentee_confirms_then_ends_their_pair(client, coordinator, paired):
    client.force_login(coordinator)
    choice = {"decision": "declined", "enrolments": [paired.mentee.pk]}
    page = client.post(reverse("recruitment:review_confirm", args=_slug_pk(paired.cohort)), choice)
    assert page.status_code == 200 and paired.mentor.user.email in page.content.decode()
    assert "their pair ends" in page.content.decode()
    assert Pair.objects.get(pk=paired.pk).status == "active"  # nothing yet
    client.post(reverse("recruitment:review_decide", args=_slug_pk(paired.cohort)), choice)
    paired.refresh_from_db()
    assert paired.status == "ended"
    assert Email.objects.filter(kind="pair-ended", to=paired.mentor.user.email).count() == 1


def test_publication_pairs_only_people_still_accepted_after_confirming(client, coordinator, cohort):
    _status(cohort, "matching")
    mentor = mentor_at(cohort, capacity=3)
    stays, leaves = mentee_at(cohort), mentee_at(cohort)
    run = pairing_services.match_run_start(cohort=cohort, ctx=AuditContext(actor=coordinator))
    assert run.proposals.count() == 2
    # After the run, one mentee withdraws (her proposal goes) and a late one is accepted.
    recruitment_services.application_withdraw(enrolment=leaves, ctx=AuditContext(actor=None))
    late = mentee_at(cohort)
    # A proposal that went stale some other way (declined by a database edit) is caught too.
    declined = EnrolmentFactory(cohort=cohort, role="mentee", status="declined")
    ProposedPair.objects.create(run=run, mentee=declined, mentor=mentor, score=0.1)
    client.force_login(coordinator)
    url = reverse("pairing:run_publish", args=[*_slug_pk(cohort), run.pk])
    page = client.get(url)
    plan = page.context["plan"]
    assert [p.mentee for p in plan.publish] == [stays]
    assert [p.mentee for p, _ in plan.skipped] == [declined]
    assert [e for e, _ in plan.newcomers] == [late]
    text = page.content.decode()
    assert stays.user.email in text and mentor.user.email in text and "Changed since" in text
    assert not Pair.objects.exists()  # looking changes nothing
    client.post(url)
    assert list(Pair.objects.values_list("mentee", flat=True)) == [stays.pk]
    assert not Email.objects.filter(kind="introduction", to=declined.user.email).exists()
    run.refresh_from_db()
    assert "left out at publication" in run.unmatched[str(declined.pk)]
    # The cohort is running: the late mentee is waiting, with why.
    waiting = client.get(reverse("pairing:cohort_pairs", args=_slug_pk(cohort))).context["waiting"]
    assert [(e, why) for e, why in waiting] == [(late, "accepted after the pairs were published")]


def test_pair_the_waiting_keeps_every_pair_and_uses_spare_places_only(client, coordinator, paired):
    cohort = paired.cohort
    graded(paired.mentor, 7)
    full = mentor_at(cohort, capacity=1)
    Pair.objects.create(
        cohort=cohort, mentor=full, mentee=mentee_at(cohort), started_on=cohort.starts_on
    )
    late = mentee_at(cohort)
    client.force_login(coordinator)
    response = client.post(reverse("pairing:pair_waiting", args=_slug_pk(cohort)))
    run = MatchRun.objects.get(cohort=cohort)
    assert response.url == reverse("pairing:run", args=[*_slug_pk(cohort), run.pk])
    assert run.settings_snapshot["waiting"] is True
    [proposal] = run.proposals.all()
    assert proposal.mentee == late and proposal.mentor == paired.mentor  # the one spare place
    assert proposal.reasons  # explained
    # Reassigning to the full mentor is refused, not warned about.
    client.post(
        reverse("pairing:run_reassign", args=[*_slug_pk(cohort), run.pk]),
        {"mentee": late.pk, "mentor": full.pk},
    )
    assert run.proposals.get().mentor == paired.mentor
    client.post(reverse("pairing:run_publish", args=[*_slug_pk(cohort), run.pk]))
    assert Pair.objects.active().count() == 3
    assert Pair.objects.active().get(mentee=late).mentor == paired.mentor
    cohort.refresh_from_db()
    assert cohort.status == "running"
    assert Email.objects.filter(kind="introduction").count() == 2  # only the new pair


def test_mentor_capacity_never_goes_below_active_pairs_and_needs_agreement_to_rise(
    client, coordinator, paired
):
    client.force_login(coordinator)
    url = reverse("programmes:mentor_capacity", args=[*_slug_pk(paired.cohort), paired.mentor.pk])
    assert client.post(url, {"capacity": 0}).status_code == 200
    refused = client.post(url, {"capacity": 5, "agreement": ""})
    assert "Record how the mentor agreed" in refused.content.decode()
    assert client.post(url, {"capacity": 1, "agreement": ""}).status_code == 302
    paired.mentor.refresh_from_db()
    assert paired.mentor.capacity == 1
    # Open redirects are refused: ``next`` must stay on the site.
    response = client.post(url, {"capacity": 1, "next": "https://evil.example/"})
    assert response.url == paired.cohort.get_absolute_url()
    graded(paired.mentor, 7)
    mentee_at(paired.cohort)
    waiting_run = pairing_services.match_run_start(
        cohort=paired.cohort, ctx=AuditContext(actor=coordinator)
    )
    assert waiting_run.proposals.count() == 0  # no spare place


def test_the_person_sees_their_state_and_history(client, coordinator, paired):
    client.force_login(paired.mentee.user)
    page = client.get(reverse("recruitment:application", args=[paired.mentee.pk]))
    assert "<strong>Paired</strong>" in page.content.decode()
    client.force_login(coordinator)
    hub = client.get(reverse("programmes:cohort_detail", args=_slug_pk(paired.cohort)))
    assert "Paired" in hub.content.decode()


def test_the_places_cannot_be_cut_below_the_mentees_already_accepted(
    client, coordinator, cohort, mentee
):
    EnrolmentFactory(cohort=cohort, role="mentee")  # two accepted mentees now
    client.force_login(coordinator)
    url = reverse("programmes:cohort_edit", args=_slug_pk(cohort))
    data = {
        "name": cohort.name,
        "starts_on": cohort.starts_on,
        "ends_on": cohort.ends_on,
        "applications_open": cohort.applications_open,
        "applications_close": cohort.applications_close,
        "capacity": 1,
    }
    response = client.post(url, data)
    assert response.status_code == 200 and "2 mentees are already accepted" in (
        response.content.decode()
    )
    cohort.refresh_from_db()
    assert cohort.capacity == 30


def test_the_waiting_list_and_the_publication_check_take_a_fixed_number_of_queries(
    coordinator, cohort, django_assert_num_queries
):
    _status(cohort, "matching")
    mentors = [mentor_at(cohort, capacity=2) for _ in range(3)]
    for _ in range(4):
        mentee_at(cohort)
    run = pairing_services.match_run_start(cohort=cohort, ctx=AuditContext(actor=coordinator))
    run = MatchRun.objects.select_related("cohort").get(pk=run.pk)
    with django_assert_num_queries(5):
        plan = pairing_selectors.publication_plan(run=run)
    assert len(plan.publish) == 4
    pairing_services.match_run_publish(run=run, ctx=AuditContext(actor=coordinator))
    for _ in range(3):
        mentee_at(cohort)
    Pair.objects.filter(mentor=mentors[0]).update(status="ended", ended_on=dt.date(2027, 1, 20))
    cohort.refresh_from_db()
    # Who waits (ids, then names), ended pairs, the published run and its proposals, the first pair.
    with django_assert_num_queries(6):
        waiting = pairing_selectors.cohort_waiting(cohort=cohort)
    assert len(waiting) == 3 + Pair.objects.filter(mentor=mentors[0]).count()


def test_a_decision_email_superseded_before_it_goes_is_not_sent(coordinator, cohort):
    from notifications.wanted import unwanted_reason

    person = EnrolmentFactory(cohort=cohort, status="applied")
    ctx = AuditContext(actor=coordinator)
    for decision in ("accepted", "waitlisted"):
        recruitment_services.applications_decide(
            ctx=ctx, cohort=cohort, enrolment_ids=[person.pk], decision=decision
        )
    accepted, waitlisted = Email.objects.filter(kind="application-decision").order_by("pk")
    assert "waitlisted" in unwanted_reason(accepted)
    assert unwanted_reason(waitlisted) is None
