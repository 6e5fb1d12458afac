"""Hostile input on the settings forms — a person's email preferences and API tokens, the
programme's reminder settings — and on the dashboards' date filter."""

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from api.forms import TokenForm
from api.models import ApiToken
from insights.forms import DateFilterForm
from notifications.admin import EmailPreferenceForm
from notifications.forms import PreferencesForm
from notifications.kinds import optional_kinds
from notifications.models import EmailPreference
from rhythm.forms import RhythmSettingsForm
from rhythm.models import RhythmSettings

from .support import (
    PROFILE,
    Valid,
    assert_all_or_nothing,
    cohort_url,
    covers,
    field,
    form_data,
    get,
    sending,
    submit,
)

pytestmark = pytest.mark.django_db


@covers(PreferencesForm, via="notifications:preferences", persona="mentee")
@PROFILE
@given(
    boxes=st.dictionaries(
        st.sampled_from([f"kind_{name}" for name in optional_kinds()] + ["kind_account", "x"]),
        field("on"),
    )
)
def test_email_preferences_form_with_hostile_values(client, mentee, boxes):
    with sending(client, reverse("notifications:preferences"), boxes, persona=mentee) as attempt:
        kinds = set(EmailPreference.objects.values_list("kind", flat=True))
    assert_all_or_nothing(attempt, effect={"notifications.emailpreference"})
    assert kinds <= set(optional_kinds())  # an essential email can never be turned off


ADMIN_PREFERENCE = Valid(user="PERSON", kind="checkin-reminder", enabled="on")


@covers(EmailPreferenceForm, via="admin:notifications_emailpreference_add", persona="staff")
@PROFILE
@given(
    data=ADMIN_PREFERENCE.bodies(),
    kind=st.sampled_from(["checkin-reminder", "account", "no-such-kind"]),
)
def test_admin_email_preference_form_with_hostile_values(client, staff, mentee, data, kind):
    """Staff adding a preference in the admin: never a 500, never an essential or unknown kind."""
    must_accept = ADMIN_PREFERENCE.all_valid(data) and kind == "checkin-reminder"
    data = {k: (mentee.pk if v == "PERSON" else v) for k, v in data.items()}
    if data.get("kind") == "checkin-reminder":
        data["kind"] = kind  # the valid kind, or one the admin must refuse in plain words
    url = reverse("admin:notifications_emailpreference_add")
    with sending(client, url, data, persona=staff) as attempt:
        kinds = set(EmailPreference.objects.values_list("kind", flat=True))
    assert_all_or_nothing(
        attempt, effect={"notifications.emailpreference", "admin.logentry"}, must_accept=must_accept
    )
    assert kinds <= set(optional_kinds())


TOKEN = Valid(name="Dashboard sync", days="30")


@covers(TokenForm, via="api:tokens", persona="coordinator")
@PROFILE
@given(data=TOKEN.bodies(people="on"))
def test_api_token_form_with_hostile_values(client, coordinator, data):
    with sending(client, reverse("api:tokens"), data, persona=coordinator) as attempt:
        tokens = list(ApiToken.objects.values_list("name", "expires_at", "created_at"))
    assert_all_or_nothing(attempt, effect={"api.apitoken"}, must_accept=TOKEN.all_valid(data))
    for name, expires_at, created_at in tokens:
        assert "\x00" not in name and len(name) <= 80
        assert (expires_at - created_at).days <= 366


RHYTHM = Valid(survey_reminder_first_days="3", survey_reminder_second_days="8",
               support_information="Call the helpline", bank_holidays="scotland")  # fmt: skip


@covers(RhythmSettingsForm, via="rhythm:programme_settings", persona="coordinator")
@PROFILE
@given(data=RHYTHM.bodies())
def test_reminder_settings_form_with_hostile_values(client, coordinator, programme, data):
    url = reverse("rhythm:programme_settings", args=[programme.slug])
    RhythmSettings.objects.get_or_create(programme=programme)
    with sending(client, url, data, persona=coordinator) as attempt:
        row = RhythmSettings.objects.get(programme=programme)
    assert_all_or_nothing(
        attempt, effect={"rhythm.rhythmsettings"}, must_accept=RHYTHM.all_valid(data)
    )
    assert 1 <= row.survey_reminder_first_days < row.survey_reminder_second_days <= 90
    assert "\x00" not in row.support_information


@covers(DateFilterForm, via="insights:cohort", persona="coordinator")
@PROFILE
@given(cohort_page=st.booleans(), data=form_data(start="2026-10-01", end="2026-12-31"))
def test_dashboard_date_filter_with_hostile_values(client, coordinator, cohort, cohort_page, data):
    slug = cohort.programme.slug
    urls = (
        [cohort_url("insights:cohort", cohort), cohort_url("insights:cohort_export", cohort)]
        if cohort_page
        else [
            reverse("insights:programme", args=[slug]),
            reverse("insights:programme_export", args=[slug]),
        ]
    )
    for url in urls:
        attempt = submit(client, url, data, persona=coordinator, send=get)
        assert attempt.response.status_code == 200
        assert attempt.changed <= {"people.auditevent"}  # exports are audited; nothing else
