import re

import pytest
from django.urls import reverse

from people.models import Profile, ProfileSkill, Skill

from .factories import InterestFactory, SkillFactory

pytestmark = pytest.mark.django_db


def management(prefix, total=2, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def profile_data(**extra):
    return {
        "full_name": "Mina Mentee",
        "organisation": "DfE",
        "team": "Analysis",
        "time_zone": "Europe/London",
        "line_manager_email": "boss@example.gov.uk",
        **management("teach"),
        **management("learn"),
        **extra,
    }


def test_profile_saves_fields_and_both_skill_lists(client, mentee):
    python, ml = SkillFactory(name="Python"), SkillFactory(name="Machine learning")
    client.force_login(mentee)
    data = profile_data(
        **{
            "teach-0-skill": python.pk,
            "teach-0-level": 3,
            "learn-0-skill": ml.pk,
            "learn-0-level": 1,
            "learn-0-priority": 3,
        }
    )
    assert client.post(reverse("people:profile"), data).status_code == 302
    rows = {(r.skill.name, r.direction, r.level) for r in ProfileSkill.objects.all()}
    assert rows == {("Python", "teach", 3), ("Machine learning", "learn", 1)}
    assert ProfileSkill.objects.get(direction="learn").priority == 3


def test_profile_with_an_error_saves_nothing_and_keeps_what_was_typed(client, mentee):
    python = SkillFactory(name="Python")
    client.force_login(mentee)
    data = profile_data(
        line_manager_email="not-an-email",
        **{"teach-0-skill": python.pk, "teach-0-level": 4},
    )
    response = client.post(reverse("people:profile"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="DfE"' in html
    assert f'<option value="{python.pk}" selected>' in html
    assert "Enter a valid email address." in html
    assert not ProfileSkill.objects.exists()
    mentee.profile.refresh_from_db()
    assert mentee.profile.organisation != "DfE"


def test_a_profile_is_shown_as_stored_and_saved_with_one_validation(client, mentee, validations):
    """The form checks each field as typed and shows what is stored; the profile as a whole is
    validated once, by the service (no ModelForm: docs/architecture.md, "forms")."""
    maps, charts = InterestFactory(name="Maps"), InterestFactory(name="Charts")
    profile = mentee.profile
    profile.organisation, profile.bio = "ONS", "I like maps."
    profile.save()
    profile.interests.set([maps])
    client.force_login(mentee)
    html = client.get(reverse("people:profile")).content.decode()
    assert 'value="ONS"' in html and "I like maps.</textarea>" in html
    boxes = {
        int(value): " checked" in tag
        for tag, value in re.findall(r'(<input[^>]*name="interests"[^>]*value="(\d+)"[^>]*>)', html)
    }
    assert boxes == {maps.pk: True, charts.pk: False}
    calls = validations({Profile: ("organisation",)})
    response = client.post(reverse("people:profile"), profile_data(interests=[charts.pk]))
    assert response.status_code == 302 and calls == [("Profile", "DfE")]
    profile.refresh_from_db()
    assert (profile.organisation, list(profile.interests.all())) == ("DfE", [charts])


def test_the_same_skill_twice_in_one_list_is_an_error(client, mentee):
    python = SkillFactory(name="Python")
    client.force_login(mentee)
    data = profile_data(
        **{
            "teach-0-skill": python.pk,
            "teach-0-level": 3,
            "teach-1-skill": python.pk,
            "teach-1-level": 4,
        }
    )
    response = client.post(reverse("people:profile"), data)
    assert "Python is listed twice." in response.content.decode()
    assert not ProfileSkill.objects.exists()


def test_completeness_says_what_is_missing(mentee):
    profile = mentee.profile
    percent, missing = profile.completeness()
    assert percent < 50
    assert "your grade" in missing and "a skill you can teach" in missing
    profile.grade, profile.team, profile.profession, profile.location = 4, "A", "Stats", "Leeds"
    profile.line_manager_email, profile.bio = "b@example.gov.uk", "Hello"
    profile.save()
    profile.interests.add(InterestFactory())
    ProfileSkill.objects.create(profile=profile, skill=SkillFactory(), direction="teach", level=3)
    ProfileSkill.objects.create(profile=profile, skill=SkillFactory(), direction="learn", level=1)
    assert profile.completeness() == (100, [])


def test_profile_page_shows_completeness(client, mentee):
    client.force_login(mentee)
    html = client.get(reverse("people:profile")).content.decode()
    assert "complete" in html and "Still to add:" in html


def test_suggested_skill_is_usable_by_its_author_and_approved_by_a_coordinator(
    client, mentee, mentor, coordinator, programme
):
    client.force_login(mentee)
    client.post(reverse("people:skill_suggest"), {"name": "  Polars ", "category": "programming"})
    skill = Skill.objects.get(name="Polars")
    assert not skill.approved and skill.suggested_by == mentee
    html = client.get(reverse("people:profile")).content.decode()
    assert ">Polars</option>" in html
    client.force_login(mentor)
    assert ">Polars</option>" not in client.get(reverse("people:profile")).content.decode()
    assert client.get(reverse("people:skill_suggestions")).status_code == 404
    client.force_login(coordinator)
    client.post(reverse("people:skill_suggestions"), {"approve": [skill.pk]})
    skill.refresh_from_db()
    assert skill.approved


def test_suggesting_an_existing_skill_is_refused(client, mentee):
    SkillFactory(name="Python")
    client.force_login(mentee)
    client.post(reverse("people:skill_suggest"), {"name": "python", "category": "programming"})
    assert Skill.objects.filter(name__iexact="python").count() == 1


def test_working_hours_and_meeting_in_person_are_saved_and_the_same_start_and_end_refused(
    client, mentee
):
    client.force_login(mentee)
    data = profile_data(work_start="07:30", work_end="15:30", wants_in_person="on")
    assert client.post(reverse("people:profile"), data).status_code == 302
    profile = mentee.profile
    profile.refresh_from_db()
    assert (profile.work_start.hour, profile.work_start.minute, profile.work_end.hour) == (
        7,
        30,
        15,
    )
    assert profile.wants_in_person is True

    bad = client.post(reverse("people:profile"), profile_data(work_start="09:00", work_end="09:00"))
    assert bad.status_code == 200
    assert "must differ from its start" in bad.content.decode()
    # Left empty (or from an older form): the usual 9 to 5.
    assert client.post(reverse("people:profile"), profile_data()).status_code == 302
    profile.refresh_from_db()
    assert (profile.work_start.hour, profile.work_end.hour, profile.wants_in_person) == (
        9,
        17,
        False,
    )
