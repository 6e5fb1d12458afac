"""Property-based tests: every form and the CSV import take random, oversized and hostile input.

For each form, hypothesis posts values drawn from plain text, script tags, spreadsheet formula
payloads, NUL bytes, very long strings and bytes that are not UTF-8. The page must never answer
500; when it refuses the input it says why (an error on the page) and nothing is saved; when it
accepts it, what was stored is what was typed (escaped when shown).
"""

import datetime as dt
from urllib.parse import quote_from_bytes

import pytest
from django.db import transaction
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pairing.models import CheckIn, Pair
from people.models import Profile, ProfileSkill, Skill
from programmes.models import Cohort, Enrolment, Programme
from programmes.tests.factories import EnrolmentFactory
from recruitment.models import Project, TalentPoolEntry

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert('x')</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://evil.example","click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "\x00",
    "a\x00b",
    "x" * 20_000,
    "Robert'); DROP TABLE people_user;--",
    "ﾟ･✿ヾ╲(｡◕‿◕｡)╱✿･ﾟ",
    "\u202e\u0627\u0644\u0639\u0631\u0628\u064a\u0629",
    "",
    " ",
]
values = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=300))
# Some requests carry bytes that are not UTF-8 at all.
raw_bytes = st.binary(min_size=1, max_size=40)

PROFILE = settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _assert_clear(response, saved_before: int, saved_after: int):
    assert response.status_code < 500
    if response.status_code == 200:  # refused: the page says why, nothing saved
        html = response.content.decode()
        assert "invalid-feedback" in html or "errorlist" in html or "alert-danger" in html, html[
            :500
        ]
        assert saved_after == saved_before
        assert "<script>alert(" not in html  # whatever was typed is escaped


@PROFILE
@given(org=values, team=values, bio=values, manager=values, name=values)
def test_profile_form_with_hostile_values(client, mentee, org, team, bio, manager, name):
    client.force_login(mentee)
    data = {
        "full_name": name,
        "organisation": org,
        "team": team,
        "bio": bio,
        "line_manager_email": manager,
        "time_zone": "Europe/London",
        "teach-TOTAL_FORMS": "1",
        "teach-INITIAL_FORMS": "0",
        "learn-TOTAL_FORMS": "1",
        "learn-INITIAL_FORMS": "0",
    }
    before = Profile.objects.get(user=mentee).organisation
    sid = transaction.savepoint()
    response = client.post(reverse("people:profile"), data)
    after = Profile.objects.get(user=mentee).organisation
    skills = ProfileSkill.objects.count()
    transaction.savepoint_rollback(sid)
    _assert_clear(response, 0, int(after != before))
    assert skills == 0


@PROFILE
@given(name=values, slug=values, organisation=values, description=values, emails=values)
def test_programme_form_with_hostile_values(
    client, staff, name, slug, organisation, description, emails
):
    client.force_login(staff)
    before = Programme.objects.count()
    sid = transaction.savepoint()
    response = client.post(
        reverse("programmes:create"),
        {
            "name": name,
            "slug": slug,
            "organisation": organisation,
            "description": description,
            "checkin_cadence_days": 14,
            "length_weeks": 12,
            "coordinator_emails": emails,
        },
    )
    after = Programme.objects.count()
    transaction.savepoint_rollback(sid)
    _assert_clear(response, before, after)


@PROFILE
@given(name=values, starts=values, ends=values, capacity=values)
def test_cohort_form_with_hostile_values(
    client, coordinator, programme, name, starts, ends, capacity
):
    client.force_login(coordinator)
    before = Cohort.objects.count()
    sid = transaction.savepoint()
    response = client.post(
        reverse("programmes:cohort_create", args=[programme.slug]),
        {"name": name, "starts_on": starts, "ends_on": ends, "capacity": capacity},
    )
    after = Cohort.objects.count()
    transaction.savepoint_rollback(sid)
    _assert_clear(response, before, after)


@pytest.fixture
def recruiting(cohort, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))
    Cohort.objects.filter(pk=cohort.pk).update(status="recruiting")
    return cohort


@PROFILE
@given(goals=values, title=values, description=values, benefit=values)
def test_application_form_with_hostile_values(
    client, outsider, recruiting, goals, title, description, benefit
):
    client.force_login(outsider)
    before = Enrolment.objects.filter(user=outsider).count()
    sid = transaction.savepoint()
    response = client.post(
        reverse("recruitment:apply", args=[recruiting.pk, "mentee"]),
        {"goals": goals, "title": title, "description": description, "expected_benefit": benefit},
    )
    after = Enrolment.objects.filter(user=outsider).count()
    projects = Project.objects.filter(enrolment__user=outsider).count()
    transaction.savepoint_rollback(sid)
    _assert_clear(response, before, after)
    assert projects == after  # never an application without its project, or the reverse


@pytest.fixture
def pair(cohort, mentor, mentee, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC))
    return Pair.objects.create(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
        started_on=dt.date(2026, 10, 1),
    )


@PROFILE
@given(met_on=values, duration=values, worked_on=values, rating=values, wellbeing=values)
def test_checkin_form_with_hostile_values(
    client, pair, mentee, met_on, duration, worked_on, rating, wellbeing
):
    client.force_login(mentee)
    before = CheckIn.objects.count()
    sid = transaction.savepoint()
    response = client.post(
        reverse("pairing:detail", args=[pair.pk]),
        {
            "met_on": met_on,
            "duration_minutes": duration,
            "format": "video",
            "worked_on": worked_on,
            "rating": rating,
            "wellbeing": wellbeing,
        },
    )
    after = CheckIn.objects.count()
    transaction.savepoint_rollback(sid)
    _assert_clear(response, before, after)


@PROFILE
@given(name=values, email=values, note=values, website=values)
def test_public_register_interest_form_with_hostile_values(
    client, programme, name, email, note, website
):
    before = TalentPoolEntry.objects.count()
    sid = transaction.savepoint()
    response = client.post(
        reverse("recruitment:register_interest", args=[programme.slug]),
        {"full_name": name, "email": email, "role": "mentee", "note": note, "website": website},
    )
    after = TalentPoolEntry.objects.count()
    transaction.savepoint_rollback(sid)
    _assert_clear(response, before, after)


@PROFILE
@given(name=values)
def test_skill_suggestion_with_hostile_values(client, mentee, name):
    client.force_login(mentee)
    sid = transaction.savepoint()
    response = client.post(reverse("people:skill_suggest"), {"name": name, "category": "data"})
    stored = list(Skill.objects.filter(approved=False).values_list("name", flat=True))
    transaction.savepoint_rollback(sid)
    assert response.status_code == 302  # the profile page carries the message either way
    assert all("\x00" not in s and len(s) <= 80 for s in stored)


@PROFILE
@given(junk=raw_bytes)
def test_form_posts_that_are_not_utf8_never_break_a_page(client, mentee, junk):
    client.force_login(mentee)
    body = b"full_name=" + quote_from_bytes(junk).encode() + b"&organisation=" + junk
    response = client.generic(
        "POST",
        reverse("people:profile"),
        body,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code < 500


csv_cells = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=60))


@PROFILE
@given(
    rows=st.lists(st.tuples(csv_cells, csv_cells, csv_cells), min_size=1, max_size=6),
    raw=st.one_of(st.none(), raw_bytes),
)
def test_csv_import_takes_hostile_files_all_or_nothing(client, coordinator, cohort, rows, raw):
    client.force_login(coordinator)
    if raw is not None:
        content = b"email,name,role\n" + raw
    else:
        lines = ["email,name,role"] + [
            ",".join('"' + c.replace('"', '""') + '"' for c in row) for row in rows
        ]
        content = "\n".join(lines).encode("utf-8", errors="surrogatepass")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("people.csv", content, content_type="text/csv")
    before = Enrolment.objects.filter(cohort=cohort).count()
    sid = transaction.savepoint()
    response = client.post(
        reverse("recruitment:cohort_invite", args=[cohort.programme.slug, cohort.pk]),
        {"file": upload},
    )
    after = Enrolment.objects.filter(cohort=cohort).count()
    transaction.savepoint_rollback(sid)
    assert response.status_code < 500
    html = response.content.decode()
    assert "<script>alert(" not in html
    # All or nothing: either every data row became an invitation, or none did.
    assert after == before or after - before == len(rows)


@PROFILE
@given(reason=values)
def test_withdraw_form_with_hostile_values(client, mentee, cohort, reason):
    client.force_login(mentee)
    enrolment = Enrolment.objects.get(user=mentee)
    sid = transaction.savepoint()
    response = client.post(
        reverse("recruitment:application_withdraw", args=[enrolment.pk]), {"reason": reason}
    )
    moves = enrolment.moves.count()
    enrolment.refresh_from_db()
    withdrawn = enrolment.status == "withdrawn"
    stored = enrolment.moves.first().reason if moves else None
    transaction.savepoint_rollback(sid)
    _assert_clear(response, 0, moves)
    if withdrawn:
        assert stored == reason.strip()


@PROFILE
@given(reason=values)
def test_undo_form_with_hostile_values(client, coordinator, cohort, reason):
    client.force_login(coordinator)
    sid = transaction.savepoint()
    enrolment = EnrolmentFactory(cohort=cohort, status="withdrawn")
    response = client.post(
        reverse("recruitment:enrolment_restore", args=[cohort.programme.slug, cohort.pk,
                                                       enrolment.pk]),
        {"reason": reason},
    )  # fmt: skip
    moves = enrolment.moves.count()
    transaction.savepoint_rollback(sid)
    _assert_clear(response, 0, moves)


@PROFILE
@given(capacity=values, agreement=values)
def test_mentor_capacity_form_with_hostile_values(client, coordinator, mentor, cohort, capacity,
                                                  agreement):  # fmt: skip
    client.force_login(coordinator)
    enrolment = Enrolment.objects.get(user=mentor)
    sid = transaction.savepoint()
    response = client.post(
        reverse("programmes:mentor_capacity", args=[cohort.programme.slug, cohort.pk,
                                                       enrolment.pk]),
        {"capacity": capacity, "agreement": agreement},
    )  # fmt: skip
    after = Enrolment.objects.get(pk=enrolment.pk).capacity
    transaction.savepoint_rollback(sid)
    _assert_clear(response, enrolment.capacity, after)
