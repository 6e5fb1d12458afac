"""CSV exports of a cohort's enrolments and of the talent pool: safe, logged, few queries."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from people.models import AuditEvent
from people.tests.factories import UserFactory
from programmes.models import CohortStatus, Enrolment
from programmes.tests.factories import CohortFactory, EnrolmentFactory
from recruitment.models import Project, TalentPoolEntry
from recruitment.selectors import COHORT_EXPORT_HEADER, TALENT_POOL_EXPORT_HEADER

pytestmark = pytest.mark.django_db


def read_csv(response):
    assert response.streaming
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def cohort_export_url(cohort):
    return reverse("recruitment:cohort_export", args=[cohort.programme.slug, cohort.pk])


def test_cohort_export_has_every_enrolment_and_is_logged(
    client, coordinator, cohort, mentor, mentee
):
    mentee_enrolment = mentee.enrolments.get()
    mentee_enrolment.applied_at = timezone.make_aware(dt.datetime(2026, 11, 20, 9, 30))
    mentee_enrolment.save()
    Project.objects.create(
        enrolment=mentee_enrolment, title="Forecasting demand", description="A project."
    )
    mentee.profile.grade = 4
    mentee.profile.save()
    client.force_login(coordinator)
    response = client.get(cohort_export_url(cohort))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith("attachment; filename=")
    header, *rows = read_csv(response)
    assert header == COHORT_EXPORT_HEADER
    by_email = {r[1]: dict(zip(header, r, strict=True)) for r in rows}
    assert set(by_email) == {"mentor@example.gov.uk", "mentee@example.gov.uk"}
    row = by_email["mentee@example.gov.uk"]
    assert row["name"] == "Mina Mentee" and row["role"] == "Mentee"
    assert row["status"] == "Accepted" and row["decision"] == "Accepted"
    assert row["grade"] == "Higher Executive Officer"
    assert row["project title"] == "Forecasting demand"
    assert row["applied at"] == "2026-11-20 09:30"
    assert by_email["mentor@example.gov.uk"]["capacity"] == "2"

    event = AuditEvent.objects.get(action="export")
    assert event.actor == coordinator and event.programme_id == cohort.programme_id
    assert (event.object_type, event.object_id) == ("Cohort", str(cohort.pk))
    assert "2 rows" in event.summary and event.ip_address == "127.0.0.1"


def test_cohort_export_neutralises_formulas_and_keeps_html_as_text(client, coordinator, cohort):
    evil = UserFactory(
        email="evil@example.gov.uk", full_name='=HYPERLINK("http://evil.test","click")'
    )
    evil.profile.organisation = "+SUM(1,2)"
    evil.profile.save()
    EnrolmentFactory(user=evil, cohort=cohort)
    script = UserFactory(email="script@example.gov.uk", full_name="<script>alert(1)</script>")
    EnrolmentFactory(user=script, cohort=cohort)
    client.force_login(coordinator)

    _, *rows = read_csv(client.get(cohort_export_url(cohort)))
    by_email = {r[1]: r for r in rows}
    assert by_email["evil@example.gov.uk"][0] == '\'=HYPERLINK("http://evil.test","click")'
    assert by_email["evil@example.gov.uk"][4] == "'+SUM(1,2)"
    assert by_email["script@example.gov.uk"][0] == "<script>alert(1)</script>"
    for row in rows:
        for cell in row:
            assert not cell or cell[0] not in "=+-@\t\r", cell


def test_csv_invited_hostile_rows_are_neutralised_on_export(client, coordinator, cohort):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = (
        b"email,name,role,organisation\n"
        b'formula@ons.gov.uk,"=HYPERLINK(""http://evil.test"",""x"")",mentee,-1+1\n'
    )
    client.force_login(coordinator)
    client.post(
        reverse("recruitment:cohort_invite", args=[cohort.programme.slug, cohort.pk]),
        {"file": SimpleUploadedFile("p.csv", content, content_type="text/csv")},
    )
    # Once they apply, the export names them (an invitation alone shares nothing).
    Enrolment.objects.filter(cohort=cohort).update(status="applied")
    _, row = read_csv(client.get(cohort_export_url(cohort)))
    assert row[0] == '\'=HYPERLINK("http://evil.test","x")' and row[4] == "'-1+1"
    assert row[3] == "Applied"


def test_staff_can_export_any_cohort(client, staff, other_cohort):
    client.force_login(staff)
    assert client.get(cohort_export_url(other_cohort)).status_code == 200
    assert AuditEvent.objects.get(action="export").actor == staff


@pytest.mark.parametrize("persona", ["mentor", "mentee", "outsider"])
def test_export_is_404_and_unlogged_for_people_who_do_not_coordinate(
    request, client, cohort, persona
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(cohort_export_url(cohort)).status_code == 404
    pool = reverse("recruitment:talent_pool_export", args=[cohort.programme.slug])
    assert client.get(pool).status_code == 404
    assert not AuditEvent.objects.exclude(action="access-denied").exists()


def test_export_is_get_only(client, coordinator, cohort):
    client.force_login(coordinator)
    assert client.post(cohort_export_url(cohort)).status_code == 405


def test_talent_pool_export_is_neutralised_filtered_and_logged(client, coordinator, programme):
    TalentPoolEntry.objects.create(
        programme=programme,
        email="keen@example.gov.uk",
        full_name="@evil",
        organisation="Met Office",
        role="mentor",
        source="interest",
        note="=cmd|' /C calc'!A0",
    )
    TalentPoolEntry.objects.create(
        programme=programme, email="other@example.gov.uk", role="mentee", source="added"
    )
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool_export", args=[programme.slug])

    header, *rows = read_csv(client.get(url))
    assert header == TALENT_POOL_EXPORT_HEADER and len(rows) == 2
    header, *rows = read_csv(client.get(url, {"role": "mentor"}))
    [row] = rows
    record = dict(zip(header, row, strict=True))
    assert record["name"] == "'@evil" and record["note"] == "'=cmd|' /C calc'!A0"
    assert record["sources"] == "Registered interest" and record["role interest"] == "Mentor"

    events = list(AuditEvent.objects.filter(action="export").order_by("created_at", "pk"))
    assert [e.summary for e in events] == [
        "Exported the talent pool: 2 rows",
        "Exported the talent pool (role=mentor): 1 rows",
    ]
    assert all(e.actor == coordinator and e.programme_id == programme.pk for e in events)


# -- query counts --------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [2, 30])
def test_cohort_export_query_count_does_not_grow(
    client, coordinator, cohort, size, django_assert_max_num_queries
):
    for i in range(size):
        enrolment = EnrolmentFactory(cohort=cohort, role="mentee" if i % 2 else "mentor")
        if i % 2:
            Project.objects.create(enrolment=enrolment, title=f"Project {i}", description="x")
    client.force_login(coordinator)
    with django_assert_max_num_queries(6):
        rows = read_csv(client.get(cohort_export_url(cohort)))
    assert len(rows) == size + 1


@pytest.mark.parametrize("size", [2, 30])
def test_talent_pool_export_query_count_does_not_grow(
    client, coordinator, programme, size, django_assert_max_num_queries
):
    past = CohortFactory(
        programme=programme,
        applications_open=None,
        applications_close=None,
        starts_on=dt.date(2026, 1, 12),
        ends_on=dt.date(2026, 4, 3),
    )
    past.status = CohortStatus.FINISHED
    past.save()
    for i in range(size):
        TalentPoolEntry.objects.create(
            programme=programme, email=f"p{i}@example.gov.uk", source="interest"
        )
        EnrolmentFactory(cohort=past, role="mentor", status="accepted")
    client.force_login(coordinator)
    url = reverse("recruitment:talent_pool_export", args=[programme.slug])
    with django_assert_max_num_queries(9):
        rows = read_csv(client.get(url))
    assert len(rows) == 2 * size + 1
