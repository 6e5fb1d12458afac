import pytest
from django.urls import reverse

from rhythm.models import RhythmSettings

pytestmark = pytest.mark.django_db


def test_coordinator_sets_reminder_timing_and_support_text(client, coordinator, programme):
    client.force_login(coordinator)
    url = reverse("rhythm:programme_settings", args=[programme.slug])
    page = client.get(url)
    assert page.status_code == 200 and 'value="3"' in page.content.decode()
    assert not RhythmSettings.objects.exists()  # reading never writes
    response = client.post(
        url,
        {
            "survey_reminder_first_days": 2,
            "survey_reminder_second_days": 5,
            "support_information": "Call the Employee Assistance Programme on 0800 000 000.",
            "bank_holidays": "scotland",
        },
    )
    assert response.status_code == 302
    row = RhythmSettings.objects.get(programme=programme)
    assert (row.survey_reminder_first_days, row.survey_reminder_second_days) == (2, 5)
    assert row.bank_holidays == "scotland"


def test_second_reminder_before_the_first_is_refused_and_input_kept(client, coordinator, programme):
    client.force_login(coordinator)
    response = client.post(
        reverse("rhythm:programme_settings", args=[programme.slug]),
        {
            "survey_reminder_first_days": 6,
            "survey_reminder_second_days": 4,
            "support_information": "Talk to your line manager or the wellbeing team.",
            "bank_holidays": "england-and-wales",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "The second reminder must come after the first." in html
    assert "Talk to your line manager or the wellbeing team." in html
    assert not RhythmSettings.objects.exists()


@pytest.mark.parametrize("persona", ["mentor", "mentee", "outsider"])
def test_settings_page_is_404_for_everyone_else(request, client, programme, persona):
    client.force_login(request.getfixturevalue(persona))
    url = reverse("rhythm:programme_settings", args=[programme.slug])
    assert client.get(url).status_code == 404
    assert client.post(url, {"survey_reminder_first_days": 1}).status_code == 404
    assert not RhythmSettings.objects.exists()


def test_saved_settings_show_and_change_in_place(client, coordinator, programme, rhythm_settings):
    client.force_login(coordinator)
    url = reverse("rhythm:programme_settings", args=[programme.slug])
    page = client.get(url).content.decode()
    assert 'value="2"' in page and "Call the wellbeing line." in page
    client.post(
        url,
        {
            "survey_reminder_first_days": 4,
            "survey_reminder_second_days": 9,
            "support_information": "Call the wellbeing line.",
            "bank_holidays": "scotland",
            "programme": 999,  # not a field of the form: never written
        },
    )
    row = RhythmSettings.objects.get()
    assert (row.pk, row.programme, row.survey_reminder_first_days) == (
        rhythm_settings.pk,
        programme,
        4,
    )


def test_saved_settings_are_validated_once_and_the_models_ranges_refused_on_their_field(
    client, coordinator, programme, rhythm_settings, validations
):
    """The form checks each field as typed; the settings as a whole are validated once, by the
    service (no ModelForm: docs/architecture.md, "forms"), which refuses what the model's own
    validators refuse, on the field."""
    calls = validations({RhythmSettings: ("survey_reminder_first_days",)})
    client.force_login(coordinator)
    url = reverse("rhythm:programme_settings", args=[programme.slug])
    data = {
        "survey_reminder_first_days": 4,
        "survey_reminder_second_days": 9,
        "support_information": "Call the wellbeing line.",
        "bank_holidays": "scotland",
    }
    assert client.post(url, data).status_code == 302
    assert calls == [("RhythmSettings", 4)]
    response = client.post(url, {**data, "survey_reminder_first_days": 0})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "survey_reminder_first_days": ["Ensure this value is greater than or equal to 1."]
    }
    assert RhythmSettings.objects.get().survey_reminder_first_days == 4
