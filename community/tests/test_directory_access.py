"""The opt-in directory, the relay form, show-and-tell and who may see which page."""

import datetime as dt

import pytest
from django.urls import reverse

from community import services
from community.models import ContactMessage, DirectoryListing, Event, ProjectSummary
from community.selectors import directory_stats
from notifications.models import Email
from programmes.models import CohortStatus, Enrolment
from programmes.tests.factories import CohortFactory, EnrolmentFactory
from recruitment.models import Project
from recruitment.selectors import programme_proposals, similar_projects, talent_pool_rows

from .conftest import add_people


def _list(user, cohort, *, show_email=False):
    enrolment = Enrolment.objects.get(user=user, cohort=cohort)
    return services.directory_listing_save(
        enrolment=enrolment, opted_in=True, show_email=show_email
    )


@pytest.fixture
def people(running):
    return add_people(running, 6)


def test_only_people_who_opted_in_appear_even_in_search(client, running, mentee, people):
    _list(people[0], running)
    _list(people[1], running, show_email=True)
    hidden = people[2]  # has a listing row, but opted out
    services.directory_listing_save(
        enrolment=Enrolment.objects.get(user=hidden, cohort=running),
        opted_in=False,
        show_email=True,
    )
    client.force_login(mentee)
    page = client.get(reverse("community:directory", args=[running.pk])).content.decode()
    assert people[0].full_name in page and people[1].full_name in page
    assert hidden.full_name not in page and people[3].full_name not in page
    row = f'<th scope="row">{hidden.full_name}'
    for query in (hidden.full_name, "Topic", "Skill", "HMRC", "p2@"):
        found = client.get(reverse("community:directory", args=[running.pk]), {"q": query})
        assert row not in found.content.decode()
        assert hidden.email not in found.content.decode()
    skill = hidden.profile.profile_skills.get().skill
    found = client.get(reverse("community:directory", args=[running.pk]), {"skill": skill.pk})
    assert hidden.full_name not in found.content.decode()
    # Addresses: only the person who chose to show it.
    assert people[1].email in page
    assert people[0].email not in page
    assert hidden.email not in page


def test_search_by_skill_and_text(client, running, mentee, people):
    for user in people:
        _list(user, running)
    client.force_login(mentee)
    skill = people[0].profile.profile_skills.get().skill
    found = client.get(reverse("community:directory", args=[running.pk]), {"skill": skill.pk})
    names = [u.full_name for u in people if u.profile.profile_skills.filter(skill=skill).exists()]
    page = found.content.decode()
    assert all(n in page for n in names)
    assert people[1].full_name not in page
    found = client.get(
        reverse("community:directory", args=[running.pk]), {"q": people[3].full_name}
    )
    assert people[3].full_name in found.content.decode()
    assert people[4].full_name not in found.content.decode()


def test_a_listed_participant_is_seen_by_the_cohort_without_their_address(
    client, listed, mentor, mentee, running
):
    client.force_login(mentor)
    page = client.get(reverse("community:directory", args=[running.pk])).content.decode()
    assert mentee.full_name in page and mentee.email not in page


def test_participant_opts_in_through_the_form(client, running, mentee):
    client.force_login(mentee)
    url = reverse("community:directory_listing", args=[running.pk])
    client.post(url, {"opted_in": "on"})
    listing = DirectoryListing.objects.get(enrolment__user=mentee)
    assert listing.opted_in and not listing.show_email


def test_relay_hides_the_recipients_address_and_shows_the_senders(client, running, mentee, people):
    listing = _list(people[0], running)
    client.force_login(mentee)
    url = reverse("community:contact", args=[running.pk, listing.enrolment_id])
    page = client.get(url).content.decode()
    assert people[0].email not in page
    response = client.post(
        url, {"subject": "Geospatial help", "body": "Could we talk?", "reply_to_me": "on"}
    )
    assert response.status_code == 302
    assert people[0].email not in client.get(response.url).content.decode()
    email = Email.objects.get(kind="directory-message")
    assert email.to == people[0].email
    assert mentee.email in email.body_text and mentee.email in email.body_html
    assert "Could we talk?" in email.body_text
    assert ContactMessage.objects.get().sender == mentee


def test_no_relay_to_someone_not_listed(client, running, mentee, people):
    client.force_login(mentee)
    enrolment = Enrolment.objects.get(user=people[0], cohort=running)
    url = reverse("community:contact", args=[running.pk, enrolment.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"subject": "Hi", "body": "Hello"}).status_code == 404
    assert not Email.objects.filter(kind="directory-message").exists()


def test_relay_is_rate_limited(client, running, mentee, people):
    listing = _list(people[0], running)
    client.force_login(mentee)
    url = reverse("community:contact", args=[running.pk, listing.enrolment_id])
    for i in range(services.CONTACT_LIMIT_PER_DAY + 2):
        client.post(url, {"subject": f"Message {i}", "body": "Hello"})
    assert ContactMessage.objects.count() == services.CONTACT_LIMIT_PER_DAY
    assert Email.objects.filter(kind="directory-message").count() == 5
    refused = client.post(url, {"subject": "Again", "body": "Hello"})
    assert "the most allowed" in refused.content.decode()


def test_directory_stats_for_the_dashboard(running, mentee, people, django_assert_num_queries):
    _list(people[0], running)
    _list(people[1], running)
    services.contact_send(
        cohort=running,
        sender=mentee,
        listing=DirectoryListing.objects.get(enrolment__user=people[0]),
        subject="Hi",
        body="Hello",
    )
    with django_assert_num_queries(2):
        stats = directory_stats(running)
    assert stats == {
        "participants": 8,
        "listed": 2,
        "listed_share": 0.25,
        "messages": 1,
        "senders": 1,
    }


@pytest.mark.parametrize("size", [5, 30])
def test_directory_query_count_does_not_grow(
    client, running, mentee, size, django_assert_max_num_queries
):
    for user in add_people(running, size):
        _list(user, running)
    client.force_login(mentee)
    # One of them is the menu's question "does this person coordinate?" (base.html).
    with django_assert_max_num_queries(13):
        response = client.get(reverse("community:directory", args=[running.pk]))
    assert response.status_code == 200
    with django_assert_max_num_queries(13):
        client.get(reverse("community:directory", args=[running.pk]), {"q": "Topic"})


# --- Access -------------------------------------------------------------------------------------


@pytest.fixture
def event(running, coordinator, today):
    add_people(running, 8)
    services.groups_generate(cohort=running, by=coordinator)
    services.groups_publish(cohort=running, by=coordinator)
    services.standups_schedule(
        cohort=running,
        by=coordinator,
        first_date=dt.date(2027, 1, 14),
        start_time=dt.time(10),
        location="Hub",
    )
    return Event.objects.first()


def participant_urls(cohort, event):
    return [
        reverse("community:cohort", args=[cohort.pk]),
        reverse("community:directory", args=[cohort.pk]),
        reverse("community:directory_listing", args=[cohort.pk]),
        reverse("community:event", args=[event.pk]),
        reverse("community:event_ics", args=[event.pk]),
        reverse("community:past_projects", args=[cohort.programme.slug]),
    ]


def coordinator_urls(cohort):
    args = [cohort.programme.slug, cohort.pk]
    return [
        reverse("community:groups", args=args),
        reverse("community:events", args=args),
    ]


def coordinator_post_urls(cohort):
    args = [cohort.programme.slug, cohort.pk]
    return [
        reverse(name, args=args)
        for name in (
            "community:groups_generate",
            "community:groups_move",
            "community:groups_publish",
            "community:standups_schedule",
            "community:events",
        )
    ]


def test_outsiders_get_404_everywhere(client, outsider, running, event):
    client.force_login(outsider)
    for url in participant_urls(running, event) + coordinator_urls(running):
        assert client.get(url).status_code == 404, url
    for url in coordinator_post_urls(running):
        assert client.post(url, {}).status_code == 404, url
    assert client.post(reverse("community:event_attended", args=[event.pk])).status_code == 404


def test_participants_of_another_cohort_get_404(client, running, event, other_cohort, programme):
    stranger = EnrolmentFactory(cohort=other_cohort).user
    sibling = EnrolmentFactory(cohort=CohortFactory(programme=programme)).user
    for user in (stranger, sibling):
        client.force_login(user)
        for url in participant_urls(running, event)[:-1] + coordinator_urls(running):
            assert client.get(url).status_code == 404, url
    # The programme's past projects are open to anyone who took part in the programme.
    client.force_login(stranger)
    past = reverse("community:past_projects", args=[running.programme.slug])
    assert client.get(past).status_code == 404
    client.force_login(sibling)
    assert client.get(past).status_code == 200


def test_an_applicant_who_was_not_accepted_gets_404(client, running, event):
    applicant = EnrolmentFactory(cohort=running, status="applied").user
    client.force_login(applicant)
    for url in participant_urls(running, event):
        assert client.get(url).status_code == 404, url


def test_participants_cannot_use_coordinator_pages(client, mentee, running, event):
    client.force_login(mentee)
    for url in coordinator_urls(running):
        assert client.get(url).status_code == 404, url
    for url in coordinator_post_urls(running):
        assert client.post(url, {}).status_code == 404, url


def test_participants_and_coordinators_see_participant_pages(
    client, mentee, coordinator, staff, running, event
):
    member = event.group.members.first().enrolment.user
    for user in (member, coordinator, staff):
        client.force_login(user)
        for url in participant_urls(running, event)[:2] + participant_urls(running, event)[3:]:
            assert client.get(url).status_code == 200, (user, url)


def test_a_participant_outside_the_group_cannot_see_its_stand_up(client, running, event):
    outside = (
        Enrolment.objects.filter(cohort=running)
        .exclude(standup_membership__group=event.group)
        .first()
        .user
    )
    client.force_login(outside)
    assert client.get(event.get_absolute_url()).status_code == 404


def test_home_page_links_to_the_community(client, mentee, running):
    client.force_login(mentee)
    page = client.get(reverse("home")).content.decode()
    assert reverse("community:cohort", args=[running.pk]) in page


# --- Show-and-tell ------------------------------------------------------------------------------


@pytest.fixture
def near_end(running):
    import time_machine

    with time_machine.travel(dt.datetime(2027, 3, 25, 12, 0), tick=False):
        yield running


def test_mentee_publishes_a_summary_that_feeds_past_projects_and_duplicates(
    client, mentee, mentor, programme, near_end
):
    client.force_login(mentee)
    url = reverse("community:show_and_tell", args=[near_end.pk])
    response = client.post(
        url,
        {
            "title": "Satellite data for agriculture statistics",
            "summary": "Estimated crop areas from satellite imagery instead of farm surveys.",
            "outcomes": "Now rolled out nationally.",
            "action": "publish",
        },
    )
    assert response.status_code == 302
    summary = ProjectSummary.objects.get()
    assert summary.published
    assert Project.objects.get(enrolment__user=mentee).title == summary.title
    client.force_login(mentor)
    page = client.get(reverse("community:past_projects", args=[programme.slug])).content.decode()
    assert "Satellite data for agriculture statistics" in page
    assert "Now rolled out nationally." in page
    ((_, proposal),) = programme_proposals(programme=programme)
    assert "rolled out nationally" in proposal.extra
    # Other past projects, so the similarity index has a corpus to weigh words against.
    for i, (title, text) in enumerate(
        [
            ("Chatbot for HR questions", "A language model answers staff questions."),
            ("Forecasting tax receipts", "Time series models of monthly receipts."),
            ("Dashboard of school attendance", "Weekly attendance figures for schools."),
        ]
    ):
        past = EnrolmentFactory(cohort=CohortFactory(programme=programme, name=f"Past {i}"))
        Project.objects.create(enrolment=past, title=title, description=text)
    matches = similar_projects(
        programme=programme,
        title="Satellite imagery for crop statistics",
        description="Estimate crop areas from satellite imagery; rolled out nationally.",
    )
    assert [m[0].title for m in matches][:1] == ["Satellite data for agriculture statistics"]


def test_unpublished_summary_is_not_shown(client, mentee, mentor, programme, near_end):
    services.project_summary_save(
        enrolment=Enrolment.objects.get(user=mentee, cohort=near_end),
        data={"title": "Draft", "summary": "Not yet"},
        publish=False,
    )
    client.force_login(mentor)
    page = client.get(reverse("community:past_projects", args=[programme.slug])).content.decode()
    assert "Draft" not in page


def test_show_and_tell_is_closed_early_in_the_cohort_and_to_mentors(
    client, mentee, mentor, running, today
):
    client.force_login(mentee)
    assert client.get(reverse("community:show_and_tell", args=[running.pk])).status_code == 404
    with pytest.raises(Exception, match="opens near the end"):
        services.project_summary_save(
            enrolment=Enrolment.objects.get(user=mentee, cohort=running),
            data={"title": "x", "summary": "y"},
            publish=True,
        )
    running.status = CohortStatus.FINISHED
    running.save()
    client.force_login(mentor)
    assert client.get(reverse("community:show_and_tell", args=[running.pk])).status_code == 404


def test_summary_authors_stay_in_the_talent_pool_as_alumni(mentee, programme, near_end):
    services.project_summary_save(
        enrolment=Enrolment.objects.get(user=mentee, cohort=near_end),
        data={"title": "Forecasting demand", "summary": "A model", "outcomes": "Used weekly"},
        publish=True,
    )
    near_end.status = CohortStatus.FINISHED
    near_end.save()
    rows = {r.email: r for r in talent_pool_rows(programme=programme)}
    assert rows[mentee.email].is_alumni
