"""Deleting personal data through the admin is audited (issue 15, item 15): who, what, when and
from where; and the audit log itself cannot be changed or deleted through the admin."""

import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry  # noqa: F401  (admin installed)
from django.urls import reverse

from people import personal_data
from people.admin_audit import SKIP, audit_admin_deletions
from people.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_every_admin_of_a_model_with_personal_data_audits_deletions():
    personal = {
        d.model
        for d in personal_data.declarations()
        if any(k != personal_data.NOT_PERSONAL for k in d.fields.values())
    }
    registered = {m._meta.label for m in admin.site._registry}
    assert set(audit_admin_deletions()) == (personal & registered) - SKIP
    assert all(
        getattr(admin.site._registry[m], "_audited_deletions", False)
        for m in admin.site._registry
        if m._meta.label in (personal - SKIP)
    )


def test_an_admin_deleting_a_check_in_is_audited_with_who_and_where(
    client, staff, cohort, mentor, mentee
):
    from pairing.models import CheckIn, Pair

    pair = Pair.objects.create(
        cohort=cohort,
        mentor=mentor.enrolments.get(),
        mentee=mentee.enrolments.get(),
        started_on=dt.date(2027, 1, 18),
    )
    checkin = CheckIn.objects.create(
        pair=pair, author=mentee, met_on=dt.date(2027, 1, 25), worked_on="private",
        duration_minutes=30, rating=4, wellbeing=4, protected_time_kept=True,
    )  # fmt: skip
    client.force_login(staff)
    url = reverse("admin:pairing_checkin_delete", args=[checkin.pk])
    response = client.post(url, {"post": "yes"}, REMOTE_ADDR="10.20.30.40")
    assert response.status_code == 302
    assert not CheckIn.objects.filter(pk=checkin.pk).exists()
    event = AuditEvent.objects.get(action="admin-deleted")
    assert event.actor == staff and event.ip_address == "10.20.30.40"
    assert "pairing.CheckIn" in event.summary and f"#{checkin.pk}" in event.summary


def test_bulk_deletion_in_the_admin_is_audited_once_with_every_id(client, staff, cohort):
    from programmes.tests.factories import EnrolmentFactory

    enrolments = [EnrolmentFactory(cohort=cohort, role="mentee") for _ in range(3)]
    client.force_login(staff)
    response = client.post(
        reverse("admin:programmes_enrolment_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [e.pk for e in enrolments],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin-deleted")
    assert "deleted 3 " in event.summary
    assert all(f"#{e.pk}" in event.summary for e in enrolments)


def test_nobody_changes_or_deletes_the_audit_log_in_the_admin(client, staff):
    event = AuditEvent.objects.create(action="sign-in", summary="x")
    client.force_login(staff)
    assert client.get(reverse("admin:people_auditevent_change", args=[event.pk])).status_code in (
        200,
        403,
    )
    response = client.post(
        reverse("admin:people_auditevent_delete", args=[event.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    response = client.post(
        reverse("admin:people_auditevent_change", args=[event.pk]), {"summary": "forged"}
    )
    event.refresh_from_db()
    assert event.summary == "x"
