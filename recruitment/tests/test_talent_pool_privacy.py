"""The talent pool shows a coordinator only what a person shared with that programme, and the
public form cannot rewrite someone's entry (issue 15, item 12).

The curious coordinator types addresses into "Add a person" to see who has an account here and
what they told other programmes; the prankster types a colleague's address into the public
form to change their entry.
"""

import re

import pytest
from django.urls import reverse

from notifications.models import Email
from people.models import ProfileSkill
from people.tests.factories import SkillFactory, UserFactory
from programmes.models import Cohort
from programmes.tests.factories import CohortFactory, EnrolmentFactory
from recruitment.models import TalentPoolEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def elsewhere(other_programme):
    """Someone with an account, a full profile and skills, who took part in another programme
    only."""
    person = UserFactory(email="private.person@example.gov.uk", full_name="Priya Private")
    person.profile.organisation = "Secret Intelligence Service"
    person.profile.save()
    ProfileSkill.objects.create(
        profile=person.profile, skill=SkillFactory(name="Covert analytics"), direction="teach"
    )
    EnrolmentFactory(
        user=person, cohort=CohortFactory(programme=other_programme), status="accepted"
    )
    return person


def pool_page(client, programme) -> str:
    return client.get(reverse("recruitment:talent_pool", args=[programme.slug])).content.decode()


def pool_export(client, programme) -> str:
    response = client.get(reverse("recruitment:talent_pool_export", args=[programme.slug]))
    return b"".join(response.streaming_content).decode()


def add(client, programme, email, **extra):
    return client.post(
        reverse("recruitment:talent_pool_add", args=[programme.slug]),
        {"email": email, "role": "either", **extra},
    )


def _row(page: str, email: str) -> str:
    row = re.search(rf"<tr>(?:(?!</tr>).)*{re.escape(email)}(?:(?!</tr>).)*</tr>", page, re.S)
    return row.group(0)


def test_adding_an_address_shows_nothing_from_other_programmes(
    client, coordinator, programme, elsewhere
):
    client.force_login(coordinator)
    add(client, programme, "private.person@example.gov.uk")
    page = pool_page(client, programme)
    # (the skill filter lists every approved skill; the row must not)
    for text in (_row(page, "private.person@example.gov.uk"), pool_export(client, programme)):
        assert "private.person@example.gov.uk" in text
        for secret in ("Priya Private", "Secret Intelligence Service", "Covert analytics"):
            assert secret not in text


def test_adding_an_address_does_not_say_whether_it_has_an_account(
    client, coordinator, programme, cohort, elsewhere
):
    Cohort.objects.filter(pk=cohort.pk).update(status="recruiting")
    client.force_login(coordinator)
    add(client, programme, "private.person@example.gov.uk")
    add(client, programme, "nobody.here@example.gov.uk")
    page = pool_page(client, programme)
    with_account = _row(page, "private.person@example.gov.uk")
    without = _row(page, "nobody.here@example.gov.uk")

    def same(row, name):
        return re.sub(r"pick-\d+", "pick-N", row.replace(name, "X"))

    assert same(with_account, "private.person") == same(without, "nobody.here")
    # Inviting them says the same for both: not how many accounts were created.
    messages = []
    for email in ("private.person@example.gov.uk", "nobody.here@example.gov.uk"):
        response = client.post(
            reverse("recruitment:talent_pool_invite", args=[programme.slug]),
            {"emails": [email], "cohort": cohort.pk, "role": "mentee"},
            follow=True,
        )
        messages.append([str(m) for m in response.context["messages"]])
    assert messages[0] == messages[1] == [["Spring 2027: 1 person invited."]][0]
    # Nor does the review page, once they are invited: no account name, no profile.
    review = client.get(
        reverse("recruitment:review", args=[programme.slug, cohort.pk])
    ).content.decode()
    assert "Priya Private" not in review and "Secret Intelligence" not in review
    hub = client.get(
        reverse("programmes:cohort_detail", args=[programme.slug, cohort.pk])
    ).content.decode()
    export = b"".join(
        client.get(reverse("recruitment:cohort_export", args=[programme.slug, cohort.pk]))
    ).decode()
    for text in (hub, export):
        assert "private.person@example.gov.uk" in text
        assert "Priya Private" not in text and "Secret Intelligence" not in text


def test_registering_someone_elses_address_on_the_public_form_reveals_nothing(
    client, coordinator, programme, elsewhere
):
    client.post(
        reverse("recruitment:register_interest", args=[programme.slug]),
        {"full_name": "P", "email": "private.person@example.gov.uk", "role": "mentor"},
    )
    client.force_login(coordinator)
    row = _row(pool_page(client, programme), "private.person@example.gov.uk")
    for secret in ("Priya Private", "Secret Intelligence Service", "Covert analytics"):
        assert secret not in row


def test_a_person_who_applied_to_this_programme_shared_their_profile_with_it(
    client, coordinator, programme, cohort, elsewhere
):
    EnrolmentFactory(user=elsewhere, cohort=cohort, role="mentor", status="applied")
    client.force_login(coordinator)
    add(client, programme, "private.person@example.gov.uk")
    row = _row(pool_page(client, programme), "private.person@example.gov.uk")
    assert "Priya Private" in row and "Covert analytics" in row


# -- the public form cannot rewrite an entry --------------------------------------------------


@pytest.fixture
def entry(programme):
    return TalentPoolEntry.objects.create(
        programme=programme,
        email="kim.keen@example.gov.uk",
        full_name="Kim Keen",
        organisation="Department for Education",
        role="mentee",
        note="Keen on forecasting.",
        source="interest",
    )


def register(client, programme, **data):
    return client.post(
        reverse("recruitment:register_interest", args=[programme.slug]),
        {"email": "kim.keen@example.gov.uk", "role": "mentor", **data},
    )


def test_the_public_form_cannot_overwrite_an_entry_without_the_owner(client, programme, entry):
    response = register(
        client,
        programme,
        full_name="Kim Prankster",
        note="Please remove me, I hate mentoring. See http://evil.example",
    )
    assert response.url == reverse("recruitment:register_interest_thanks", args=[programme.slug])
    entry.refresh_from_db()
    assert (entry.full_name, entry.role, entry.note) == (
        "Kim Keen",
        "mentee",
        "Keen on forecasting.",
    )
    # The owner is asked; the email carries nothing the prankster typed.
    [email] = Email.objects.filter(kind="register-interest-confirm")
    assert email.to == "kim.keen@example.gov.uk"
    for part in (email.subject, email.body_text, email.body_html):
        assert "Prankster" not in part and "hate" not in part and "evil" not in part
    link = re.search(r"/programmes/\S+/register-interest/confirm/[^/\s]+/", email.body_text)[0]

    # Opening the link (a mail scanner does) changes nothing; confirming does.
    page = client.get(link)
    assert page.status_code == 200 and "Kim Prankster" in page.content.decode()
    entry.refresh_from_db()
    assert entry.full_name == "Kim Keen"
    client.post(link)
    entry.refresh_from_db()
    assert (entry.full_name, entry.role) == ("Kim Prankster", "mentor")


def test_a_confirmation_link_works_for_its_own_programme_only(
    client, programme, entry, other_programme
):
    register(client, programme, full_name="Kim Changed")
    email = Email.objects.get(kind="register-interest-confirm")
    token = re.search(r"/register-interest/confirm/([^/\s]+)/", email.body_text)[1]
    foreign = reverse("recruitment:register_interest_confirm", args=[other_programme.slug, token])
    assert client.post(foreign).status_code == 404
    tampered = reverse("recruitment:register_interest_confirm", args=[programme.slug, token + "x"])
    assert client.post(tampered).status_code == 404
    entry.refresh_from_db()
    assert entry.full_name == "Kim Keen"


def test_the_public_form_cannot_flood_an_address_with_confirmations(
    client, programme, entry, settings
):
    settings.REGISTER_INTEREST_CONFIRMATIONS_PER_DAY = 3
    for n in range(6):
        response = register(client, programme, full_name=f"Kim {n}")
        assert response.status_code == 302  # the same answer, whatever happens
    assert Email.objects.filter(to="kim.keen@example.gov.uk").count() == 3


def test_a_new_address_is_added_at_once_and_nobody_is_emailed(client, programme):
    register(client, programme, email="new.person@example.gov.uk", full_name="New Person")
    assert TalentPoolEntry.objects.get().full_name == "New Person"
    assert not Email.objects.exists()
