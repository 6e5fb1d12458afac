"""The audit log (issue 10 item 4): who did what, when and from where; nothing secret in it."""

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.urls import reverse

from lib.audit import AuditContext
from mentorship.testing import answered_response
from people.models import AuditEvent
from people.tests.factories import UserFactory
from programmes.services import programme_update

PASSWORD = "correct-horse-battery-42"


def _with_password(user):
    user.set_password(PASSWORD)
    user.save()
    return user


def test_a_sign_in_is_recorded_with_who_and_from_where(client, mentee):
    _with_password(mentee)
    client.post(
        "/accounts/login/",
        {"login": mentee.email, "password": PASSWORD},
        REMOTE_ADDR="203.0.113.7",
    )
    event = AuditEvent.objects.get(action="sign-in")
    assert event.actor == mentee and event.object_id == str(mentee.pk)
    assert event.ip_address == "203.0.113.7"


def test_a_failed_sign_in_is_recorded_without_the_password(client, mentee):
    client.post("/accounts/login/", {"login": mentee.email, "password": "Hunter2-secret!"})
    event = AuditEvent.objects.get(action="sign-in-failed")
    assert event.actor is None and event.object_id == str(mentee.pk)
    assert mentee.email in event.summary
    assert "Hunter2" not in event.summary


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(client, mentee, settings):
    _with_password(mentee)
    data = {"login": mentee.email, "password": PASSWORD}
    headers = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.9, 192.0.2.1"}
    client.post("/accounts/login/", data, **headers)
    assert AuditEvent.objects.get(action="sign-in").ip_address == "10.0.0.2"
    client.logout()
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    client.post("/accounts/login/", data, **headers)
    assert AuditEvent.objects.filter(action="sign-in").first().ip_address == "192.0.2.1"


def test_denied_access_to_an_object_is_recorded_once_an_hour(client, outsider, programme):
    client.force_login(outsider)
    url = reverse("programmes:detail", args=[programme.slug])
    with time_machine.travel("2026-10-01 09:00", tick=False):
        assert client.get(url).status_code == 404
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    events = AuditEvent.objects.filter(action="access-denied")
    assert events.count() == 1
    assert events.get().actor == outsider and url in events.get().summary


def test_a_scan_over_many_ids_cannot_flood_the_audit_log(client, outsider, programme):
    """Attack: a participant types URL after URL (every pair id) hoping to find one that opens,
    or to bury their traces in the log. The first 20 denials an hour are recorded one by one,
    the rest are counted in one row."""
    client.force_login(outsider)
    with time_machine.travel("2026-10-01 09:00", tick=False):
        for pk in range(1, 61):
            assert client.get(reverse("pairing:detail", args=[pk])).status_code == 404
    assert AuditEvent.objects.filter(action="access-denied").count() == 20
    repeats = AuditEvent.objects.get(action="access-denied-repeats")
    assert repeats.actor == outsider
    assert repeats.summary.startswith("40 more denied requests this hour")
    assert "/pairs/60/" in repeats.summary


def test_a_404_on_a_page_without_parameters_is_not_a_denial(client, outsider):
    client.force_login(outsider)
    assert client.get("/no-such-page/").status_code == 404
    assert not AuditEvent.objects.filter(action="access-denied").exists()


def test_anonymous_404s_are_not_recorded(client, programme):
    client.get(reverse("programmes:detail", args=[programme.slug]))
    assert not AuditEvent.objects.filter(action="access-denied").exists()


def test_adding_and_removing_coordinators_is_a_role_change(client, coordinator, programme):
    newcomer = UserFactory(email="new.coordinator@example.gov.uk")
    ctx = AuditContext(actor=coordinator)
    programme_update(ctx=ctx, programme=programme, data={}, coordinators=[coordinator, newcomer])
    programme_update(ctx=ctx, programme=programme, data={}, coordinators=[newcomer])
    added, removed = AuditEvent.objects.filter(action="coordinators-changed").order_by("pk")
    assert added.actor == coordinator and "added new.coordinator@" in added.summary
    assert removed.programme_id == programme.pk
    assert "removed coordinator@example.gov.uk" in removed.summary


def test_the_coordinator_page_records_who_changed_the_coordinators(client, coordinator, programme):
    client.force_login(coordinator)
    url = reverse("programmes:edit", args=[programme.slug])
    UserFactory(email="second@example.gov.uk")
    data = {
        "name": programme.name,
        "slug": programme.slug,
        "organisation": programme.organisation or "ONS",
        "description": "",
        "checkin_cadence_days": 14,
        "length_weeks": 12,
        "duplicate_threshold": 0.35,
        "coordinator_emails": "second@example.gov.uk",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="coordinators-changed")
    assert event.actor == coordinator and "second@example.gov.uk" in event.summary


def test_admin_changes_to_staff_superuser_and_groups_are_recorded(client, staff, mentee):
    group = Group.objects.create(name="Programme admins")
    client.force_login(staff)
    url = reverse("admin:people_user_change", args=[mentee.pk])
    data = {
        "email": mentee.email,
        "full_name": mentee.full_name,
        "is_active": "on",
        "is_staff": "on",
        "groups": [group.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "profile-TOTAL_FORMS": "1",
        "profile-INITIAL_FORMS": "1",
        "profile-MIN_NUM_FORMS": "0",
        "profile-MAX_NUM_FORMS": "1",
        "profile-0-id": mentee.profile.pk,
        "profile-0-user": mentee.pk,
        "profile-0-time_zone": "Europe/London",
        # The admin's profile inline shows the working day, filled in (9 to 5 by default).
        "profile-0-work_start": "09:00",
        "profile-0-work_end": "17:00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="role-changed")
    assert event.actor == staff and event.object_id == str(mentee.pk)
    assert "is_staff: False → True" in event.summary
    assert "groups +Programme admins" in event.summary


def test_admin_sees_the_log_with_filters_by_action_and_date(client, staff, mentee):
    AuditEvent.objects.create(actor=mentee, action="export", summary="Exported 3 rows")
    client.force_login(staff)
    url = reverse("admin:people_auditevent_changelist")
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Exported 3 rows" in html and "By action" in html and "By created at" in html
    assert client.get(url, {"action": "export"}).status_code == 200
    assert client.get(url, {"created_at__gte": "2020-01-01"}).status_code == 200
    assert client.get(reverse("admin:people_auditevent_add")).status_code == 403


def test_the_log_never_holds_a_password_or_a_survey_answer(client, mentee, cohort):
    secret_answer = "My manager makes me cry every Monday"
    answered_response(user=mentee, cohort=cohort, text=secret_answer)
    _with_password(mentee)
    client.post("/accounts/login/", {"login": mentee.email, "password": "Wrong-Pass-123"})
    client.post("/accounts/login/", {"login": mentee.email, "password": PASSWORD})
    client.get(reverse("people:my_data"))
    assert AuditEvent.objects.count() >= 3
    for summary in AuditEvent.objects.values_list("summary", flat=True):
        assert "Wrong-Pass" not in summary and PASSWORD not in summary
        assert secret_answer not in summary


@pytest.mark.django_db
def test_my_data_never_carries_another_persons_failed_sign_in_whose_address_contains_mine(
    client,
):
    """Attack: Eve registers e@example.com and downloads her data, hoping for the failed
    sign-ins (with their IP addresses) of mike@example.com, whose address ends with hers."""
    from people.models import AuditEvent
    from people.selectors import audit_events_about
    from people.tests.factories import UserFactory

    eve = UserFactory(email="e@example.com")
    UserFactory(email="mike@example.com")
    AuditEvent.objects.create(
        action="sign-in-failed", summary="failed sign-in as mike@example.com", ip_address="10.9.9.9"
    )
    AuditEvent.objects.create(action="sign-in-failed", summary="failed sign-in as e@example.com")
    AuditEvent.objects.create(action="decision", summary="accepted E@example.com, b@example.com")
    summaries = [e.summary for e in audit_events_about(eve)]
    assert summaries == [
        "failed sign-in as e@example.com",
        "accepted E@example.com, b@example.com",
    ]
    client.force_login(eve)
    body = client.get("/people/my-data.json").content.decode()
    assert "mike@example.com" not in body and "10.9.9.9" not in body
