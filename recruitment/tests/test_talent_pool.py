"""The talent pool: public register-interest form, coordinator additions, alumni, bulk invite."""

import re

import pytest
from django.urls import reverse

from notifications.models import Email
from people.models import AuditEvent, ProfileSkill, User
from people.tests.factories import SkillFactory, UserFactory
from programmes.models import CohortStatus, Enrolment
from programmes.tests.factories import EnrolmentFactory
from recruitment.models import TalentPoolEntry
from recruitment.selectors import MENTEE_ALUMNI, RETURNING_MENTOR, talent_pool_rows

pytestmark = pytest.mark.django_db


def coordinator_pool_urls(programme, cohort):
    s, pk = programme.slug, cohort.pk
    return [
        ("get", reverse("recruitment:cohort_invite", args=[s, pk])),
        ("post", reverse("recruitment:cohort_invite", args=[s, pk])),
        ("get", reverse("recruitment:cohort_export", args=[s, pk])),
        ("get", reverse("recruitment:talent_pool", args=[s])),
        ("get", reverse("recruitment:talent_pool_add", args=[s])),
        ("post", reverse("recruitment:talent_pool_add", args=[s])),
        ("post", reverse("recruitment:talent_pool_invite", args=[s])),
        ("get", reverse("recruitment:talent_pool_export", args=[s])),
    ]


def hostile_post_data(cohort):
    return {
        "email": "intruder@example.gov.uk",
        "emails": ["alumna@example.gov.uk", "outsider@example.gov.uk"],
        "cohort": cohort.pk,
        "role": "mentee",
        "full_name": "Intruder",
    }


@pytest.fixture
def alumni(past_cohort):
    mentee = UserFactory(email="alumna@example.gov.uk", full_name="Alma Alumna")
    mentee.profile.organisation = "HM Revenue and Customs"
    mentee.profile.save()
    EnrolmentFactory(user=mentee, cohort=past_cohort, role="mentee", status="accepted")
    mentor = UserFactory(email="returner@example.gov.uk", full_name="Rita Returner")
    EnrolmentFactory(user=mentor, cohort=past_cohort, role="mentor", status="accepted")
    declined = UserFactory(email="declined@example.gov.uk")
    EnrolmentFactory(user=declined, cohort=past_cohort, role="mentee", status="declined")
    return mentee, mentor


@pytest.fixture
def pool(programme, coordinator, alumni):
    interested = TalentPoolEntry.objects.create(
        programme=programme,
        email="keen@example.gov.uk",
        full_name="Kim Keen",
        organisation="Department for Education",
        role="mentee",
        source="interest",
    )
    added = TalentPoolEntry.objects.create(
        programme=programme,
        email="added@example.gov.uk",
        full_name="Addy Added",
        organisation="Cabinet Office",
        role="either",
        source="added",
        added_by=coordinator,
    )
    return interested, added


# -- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["mentor", "mentee", "outsider"])
def test_participants_and_outsiders_get_404_on_every_pool_page(
    request, client, cohort, pool, persona
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    entries, enrolments = TalentPoolEntry.objects.count(), Enrolment.objects.count()
    for method, url in coordinator_pool_urls(cohort.programme, cohort):
        response = getattr(client, method)(url, hostile_post_data(cohort))
        assert response.status_code == 404, (persona, method, url)
    assert TalentPoolEntry.objects.count() == entries
    assert Enrolment.objects.count() == enrolments
    assert not AuditEvent.objects.exclude(action="access-denied").exists()
    assert not Email.objects.exists()


def test_coordinator_of_another_programme_gets_404_on_every_pool_page(
    client, cohort, pool, other_programme
):
    client.force_login(other_programme.coordinators.get())
    for method, url in coordinator_pool_urls(cohort.programme, cohort):
        response = getattr(client, method)(url, hostile_post_data(cohort))
        assert response.status_code == 404, (method, url)
    assert not AuditEvent.objects.exclude(action="access-denied").exists()
    assert not Email.objects.exists()
    assert TalentPoolEntry.objects.count() == 2


def test_coordinator_cannot_invite_from_own_pool_into_another_programmes_cohort(
    client, coordinator, programme, pool, other_cohort
):
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool_invite", args=[programme.slug])
    response = client.post(url, {"emails": ["keen@example.gov.uk"], "cohort": other_cohort.pk})
    assert response.status_code == 302
    assert not Enrolment.objects.filter(cohort=other_cohort).exists()


def test_anonymous_visitor_is_sent_to_sign_in_except_on_public_pages(client, cohort):
    for method, url in coordinator_pool_urls(cohort.programme, cohort):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response.url.startswith(reverse("account_login"))
    public = reverse("recruitment:register_interest", args=[cohort.programme.slug])
    assert client.get(public).status_code == 200


def test_staff_see_every_talent_pool(client, staff, programme, pool):
    client.force_login(staff)
    assert client.get(reverse("recruitment:talent_pool", args=[programme.slug])).status_code == 200


# -- register interest ---------------------------------------------------------------------------


def register(client, programme, **overrides):
    data = {
        "full_name": "Pat Public",
        "email": "Pat.Public@example.gov.uk",
        "role": "mentor",
        "organisation": "Met Office",
        "note": "I teach Python.",
        "website": "",
        **overrides,
    }
    return client.post(reverse("recruitment:register_interest", args=[programme.slug]), data)


def confirm_by_email(client, to):
    """Follow the confirmation link emailed to ``to`` and confirm, as the owner would."""
    email = Email.objects.filter(kind="register-interest-confirm", to=to).latest("pk")
    path = re.search(r"/programmes/[^\s]+/register-interest/confirm/[^/\s]+/", email.body_text)
    return client.post(path.group(0))


def test_registering_interest_twice_updates_one_row_once_the_owner_confirms(client, programme):
    first = register(client, programme)
    second = register(client, programme, email="pat.public@example.gov.uk", role="either", note="")

    thanks = reverse("recruitment:register_interest_thanks", args=[programme.slug])
    assert first.url == thanks and second.url == thanks
    entry = TalentPoolEntry.objects.get()
    assert (entry.role, entry.note) == ("mentor", "I teach Python.")  # not yet
    assert confirm_by_email(client, "pat.public@example.gov.uk").url == thanks
    entry.refresh_from_db()
    assert entry.email == "pat.public@example.gov.uk"
    assert (entry.source, entry.role, entry.note) == ("interest", "either", "")
    assert client.get(thanks).status_code == 200


def test_registering_links_an_existing_account_and_keeps_a_coordinators_note(
    client, programme, pool, outsider
):
    _, added = pool
    added.note = "Met at the conference."
    added.save()
    register(client, programme, email="added@example.gov.uk", note="Keen to mentor.")
    confirm_by_email(client, "added@example.gov.uk")
    register(client, programme, email="outsider@example.gov.uk")

    added.refresh_from_db()
    assert added.source == "added"
    assert added.note.startswith("Met at the conference.") and "Keen to mentor." in added.note
    assert TalentPoolEntry.objects.get(email="outsider@example.gov.uk").user == outsider


def test_honeypot_submission_is_thanked_and_dropped(client, programme):
    response = register(client, programme, website="http://spam.test")
    assert response.url == reverse("recruitment:register_interest_thanks", args=[programme.slug])
    assert not TalentPoolEntry.objects.exists()


def test_register_interest_form_keeps_what_was_typed_on_error(client, programme):
    response = register(client, programme, email="not-an-email")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Pat Public"' in html and "I teach Python." in html
    assert not TalentPoolEntry.objects.exists()


def test_a_pool_entry_is_validated_once_registered_or_added(
    client, coordinator, programme, validations
):
    """The forms check each field as typed; the entry as a whole is validated once, by the
    service (no ModelForm first: docs/architecture.md, "forms")."""
    calls = validations({TalentPoolEntry: ("email", "source")})
    assert register(client, programme).status_code == 302
    assert calls == [("TalentPoolEntry", "pat.public@example.gov.uk", "interest")]
    calls.clear()
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool_add", args=[programme.slug])
    data = {"email": "New.Person@example.gov.uk", "full_name": "New Person", "role": "mentor"}
    assert client.post(url, data).status_code == 302
    assert calls == [("TalentPoolEntry", "new.person@example.gov.uk", "added")]
    assert TalentPoolEntry.objects.count() == 2


def test_register_interest_for_unknown_programme_is_404(client, db):
    assert client.get(reverse("recruitment:register_interest", args=["nope"])).status_code == 404


# -- the pool page -------------------------------------------------------------------------------


def test_pool_lists_interest_added_and_alumni_with_labels(client, coordinator, programme, pool):
    client.force_login(coordinator)
    response = client.get(reverse("recruitment:talent_pool", args=[programme.slug]))
    rows = {r.email: r for r in response.context["rows"]}

    assert set(rows) == {
        "keen@example.gov.uk",
        "added@example.gov.uk",
        "alumna@example.gov.uk",
        "returner@example.gov.uk",
    }
    assert rows["keen@example.gov.uk"].sources == ["Registered interest"]
    assert rows["added@example.gov.uk"].sources == ["Added by a coordinator"]
    assert rows["alumna@example.gov.uk"].sources == [MENTEE_ALUMNI]
    assert rows["alumna@example.gov.uk"].organisation == "HM Revenue and Customs"
    assert rows["alumna@example.gov.uk"].last_cohort.name == "Spring 2026"
    assert rows["returner@example.gov.uk"].sources == [RETURNING_MENTOR]
    html = response.content.decode()
    assert "mentee alumni – could mentor" in html and "returning mentor" in html


def test_people_in_a_running_cohort_are_not_alumni(programme, cohort, mentor):
    cohort.status = CohortStatus.RUNNING
    cohort.save()
    assert talent_pool_rows(programme=programme) == []


def test_alumna_who_also_registered_interest_is_one_row(programme, pool):
    TalentPoolEntry.objects.create(
        programme=programme, email="Alumna@example.gov.uk", source="interest", role="mentor"
    )
    [row] = [r for r in talent_pool_rows(programme=programme) if r.email.startswith("alumna")]
    assert row.sources == ["Registered interest", MENTEE_ALUMNI]
    assert row.name == "Alma Alumna"
    assert row.user_id == User.objects.get(email="alumna@example.gov.uk").pk


def test_pool_filters(client, coordinator, programme, past_cohort, pool, alumni):
    alumna, returner = alumni
    python = SkillFactory(name="Python")
    sql = SkillFactory(name="SQL")
    ProfileSkill.objects.create(profile=returner.profile, skill=python, direction="teach")
    ProfileSkill.objects.create(profile=alumna.profile, skill=python, direction="learn")
    ProfileSkill.objects.create(profile=alumna.profile, skill=sql, direction="teach")
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool", args=[programme.slug])

    def emails(**params):
        return sorted(r.email for r in client.get(url, params).context["rows"])

    assert emails(role="mentee") == ["added@example.gov.uk", "keen@example.gov.uk"]
    assert emails(role="mentor") == [
        "added@example.gov.uk",
        "alumna@example.gov.uk",
        "returner@example.gov.uk",
    ]
    assert emails(skill=python.pk) == ["alumna@example.gov.uk", "returner@example.gov.uk"]
    assert emails(skill=python.pk, skill_direction="teach") == ["returner@example.gov.uk"]
    assert emails(organisation="revenue") == ["alumna@example.gov.uk"]
    assert emails(last_cohort=past_cohort.pk) == [
        "alumna@example.gov.uk",
        "returner@example.gov.uk",
    ]
    assert emails(last_cohort="never") == ["added@example.gov.uk", "keen@example.gov.uk"]
    page = client.get(url, {"skill": python.pk}).content.decode()
    assert "Python" in page and "Clear filters" in page


def test_coordinator_adds_a_person_and_a_duplicate_is_refused(client, coordinator, programme):
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool_add", args=[programme.slug])
    data = {"email": "New.Person@example.gov.uk", "full_name": "New Person", "role": "mentor"}
    assert client.post(url, data).status_code == 302
    entry = TalentPoolEntry.objects.get()
    assert (entry.email, entry.source, entry.added_by) == (
        "new.person@example.gov.uk",
        "added",
        coordinator,
    )

    again = client.post(url, {**data, "note": "typed note"})
    assert again.status_code == 200
    html = again.content.decode()
    assert "already in this programme" in html and "typed note" in html
    assert TalentPoolEntry.objects.count() == 1


def test_script_in_a_pool_entry_is_shown_escaped(client, coordinator, programme):
    register(client, programme, full_name="<script>alert(1)</script>", note="=1+1")
    client.force_login(coordinator)
    html = client.get(reverse("recruitment:talent_pool", args=[programme.slug])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- bulk invite from the pool -------------------------------------------------------------------


def test_bulk_invite_from_the_pool(client, coordinator, programme, cohort, pool, alumni):
    cohort.status = CohortStatus.RECRUITING
    cohort.save()
    _, returner = alumni
    EnrolmentFactory(user=returner, cohort=cohort, role="mentor", status="applied")
    client.force_login(coordinator)
    response = client.post(
        reverse("recruitment:talent_pool_invite", args=[programme.slug]),
        {
            "emails": ["keen@example.gov.uk", "alumna@example.gov.uk", "returner@example.gov.uk"],
            "cohort": cohort.pk,
        },
        follow=True,
    )

    assert response.status_code == 200
    keen = User.objects.get(email="keen@example.gov.uk")
    assert not keen.is_active and not keen.has_usable_password()
    assert keen.full_name == "Kim Keen"
    assert keen.profile.organisation == "Department for Education"
    invited = {
        e.user.email: e.role for e in Enrolment.objects.filter(cohort=cohort, status="invited")
    }
    assert invited == {"keen@example.gov.uk": "mentee", "alumna@example.gov.uk": "mentor"}
    assert Enrolment.objects.get(user=returner, cohort=cohort).status == "applied"
    assert Email.objects.filter(kind="invitation").count() == 2
    assert (
        "Spring 2027: 2 people invited; 1 already in the cohort, left as they were."
        in response.content.decode()
    )
    assert AuditEvent.objects.filter(action="invite", summary__contains="talent pool").count() == 1


def test_bulk_invite_with_a_chosen_role(client, coordinator, programme, cohort, pool):
    client.force_login(coordinator)
    client.post(
        reverse("recruitment:talent_pool_invite", args=[programme.slug]),
        {"emails": ["added@example.gov.uk"], "cohort": cohort.pk, "role": "mentor"},
    )
    assert Enrolment.objects.get(user__email="added@example.gov.uk").role == "mentor"


def test_bulk_invite_refuses_finished_cohorts_and_people_not_in_the_pool(
    client, coordinator, programme, cohort, past_cohort, pool, outsider
):
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool_invite", args=[programme.slug])
    client.post(url, {"emails": ["keen@example.gov.uk"], "cohort": past_cohort.pk})
    client.post(url, {"emails": ["outsider@example.gov.uk"], "cohort": cohort.pk})
    response = client.post(url, {"cohort": cohort.pk}, follow=True)

    assert not Enrolment.objects.filter(status="invited").exists()
    assert "Select at least one person to invite." in response.content.decode()


# -- query counts --------------------------------------------------------------------------------


def _grow_pool(programme, past_cohort, n):
    skill = SkillFactory(name="Statistics")
    for i in range(n):
        TalentPoolEntry.objects.create(
            programme=programme, email=f"interest{i}@example.gov.uk", source="interest"
        )
        user = UserFactory(email=f"alum{i}@example.gov.uk")
        EnrolmentFactory(user=user, cohort=past_cohort, role="mentee", status="accepted")
        ProfileSkill.objects.create(profile=user.profile, skill=skill, direction="learn")


@pytest.mark.parametrize("size", [2, 25])
def test_pool_page_query_count_does_not_grow_with_rows(
    client, coordinator, programme, cohort, past_cohort, pool, size, django_assert_max_num_queries
):
    _grow_pool(programme, past_cohort, size)
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool", args=[programme.slug])
    # One of them is the menu's question "does this person coordinate?" (base.html).
    with django_assert_max_num_queries(14):
        response = client.get(url)
    assert response.context["page"].paginator.count == 4 + 2 * size
    assert len(response.context["rows"]) == min(4 + 2 * size, 50)  # one page at a time


def test_a_large_pool_is_shown_a_page_at_a_time_and_exported_whole(
    client, coordinator, programme, cohort, past_cohort, pool
):
    _grow_pool(programme, past_cohort, 30)  # 64 people: two pages
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool", args=[programme.slug])
    first = client.get(url, {"role": ""})
    second = client.get(url, {"role": "", "page": 2})
    shown = [r.email for r in first.context["rows"]] + [r.email for r in second.context["rows"]]
    assert len(shown) == len(set(shown)) == 64
    html = first.content.decode()
    assert "64 people, 1–50 shown" in html
    assert 'href="?role=&amp;page=2"' in html  # the next page keeps the filter
    # A person ticked on the second page is invited from it.
    cohort.status = CohortStatus.RECRUITING
    cohort.save()
    picked = second.context["rows"][0].email
    response = client.post(
        reverse("recruitment:talent_pool_invite", args=[programme.slug]),
        {"emails": [picked], "cohort": cohort.pk, "back_query": "role=&page=2"},
    )
    # back to the page and filters the person was ticked on
    assert response.status_code == 302 and response["Location"] == f"{url}?role=&page=2"
    assert Enrolment.objects.get(cohort=cohort, user__email=picked).status == "invited"
    export = client.get(reverse("recruitment:talent_pool_export", args=[programme.slug]))
    assert export.streaming
    lines = b"".join(export.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 64


def test_the_way_back_after_inviting_is_the_pool_page_whatever_is_posted(
    client, coordinator, programme, pool
):
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool", args=[programme.slug])
    for back_query, expected in (
        ("https://evil.example/", f"{url}?https%3A%2F%2Fevil.example%2F="),
        ("//evil.example", f"{url}?%2F%2Fevil.example="),
        ("", url),
    ):
        response = client.post(
            reverse("recruitment:talent_pool_invite", args=[programme.slug]),
            {"emails": [], "back_query": back_query},
        )
        assert response["Location"] == expected


def test_inviting_everyone_the_filters_match_across_pages(
    client, coordinator, programme, cohort, past_cohort, pool, other_programme, settings
):
    _grow_pool(programme, past_cohort, 60)  # 60 more alumni and 60 more entries
    # the same address in another programme's pool is not this programme's to invite
    TalentPoolEntry.objects.create(
        programme=other_programme, email="elsewhere@example.gov.uk", source="interest"
    )
    cohort.status = CohortStatus.RECRUITING
    cohort.save()
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool", args=[programme.slug])
    invite = reverse("recruitment:talent_pool_invite", args=[programme.slug])
    query = f"last_cohort={past_cohort.pk}"
    page = client.get(f"{url}?{query}&page=2").content.decode()
    assert "Invite all 62 people matching these filters, on every page" in page
    form = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    data = {"everyone": "1", "cohort": cohort.pk, "back_query": query, "form_token": form}

    response = client.post(invite, data)
    again = client.post(invite, data, follow=True)  # back, and the same form sent again

    assert response["Location"] == f"{url}?{query}"
    invited = set(
        Enrolment.objects.filter(cohort=cohort, status="invited").values_list(
            "user__email", flat=True
        )
    )
    # the alumni of the past cohort: Alma, Rita and the 60 added, no entry without a cohort
    assert len(invited) == 62 and "alumna@example.gov.uk" in invited
    assert not invited & {"keen@example.gov.uk", "interest0@example.gov.uk"}
    assert Email.objects.filter(kind="invitation").count() == 62  # once, not twice
    assert again.status_code == 200
    assert AuditEvent.objects.filter(action="invite").count() == 1

    # More than one file's worth is refused, with the way to narrow it, and nothing is sent.
    settings.INVITE_CSV_MAX_ROWS = 10
    page = client.get(url).content.decode()
    assert "narrow the filters to 10 people or fewer" in page and 'name="everyone"' not in page
    response = client.post(invite, {"everyone": "1", "cohort": cohort.pk}, follow=True)
    assert "124 people match; at most 10 can be invited at once." in response.content.decode()
    # Filters that are not valid are refused, never read as "everyone".
    settings.INVITE_CSV_MAX_ROWS = 1000
    response = client.post(
        invite, {"everyone": "1", "cohort": cohort.pk, "back_query": "last_cohort=999999"}
    )
    assert Email.objects.filter(kind="invitation").count() == 62
    assert response["Location"] == f"{url}?last_cohort=999999"


def test_ticked_values_that_are_no_address_are_refused_not_looked_up(
    client, coordinator, programme, cohort, pool
):
    """The hostile-input sweep sent a NUL character, which PostgreSQL refuses in a query."""
    client.force_login(coordinator)
    cohort.status = CohortStatus.RECRUITING
    cohort.save()
    url = reverse("recruitment:talent_pool_invite", args=[programme.slug])
    for bad in ("keen@example.gov.uk\x00", "x" * 400 + "@example.gov.uk", "not an address"):
        response = client.post(url, {"emails": [bad], "cohort": cohort.pk}, follow=True)
        assert response.status_code == 200
        assert "Select a valid choice" in response.content.decode()
    assert not Enrolment.objects.filter(status="invited").exists()
