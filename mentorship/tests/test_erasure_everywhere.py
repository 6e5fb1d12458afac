"""Erased means gone (issue 15, item 6): one cohort with data in every app, one person erased,
and then their name, email address, free text and identifiers appear nowhere — in any column of
any table, in other people's sent and pending emails (bodies and calendar attachments, decoded
the way they are stored: iCalendar unfolded and unescaped, JSON decoded, HTML unescaped), or in
the cache — while the dashboards' totals are unchanged."""

import datetime as dt
import html
import json
import pickle
import uuid
import zlib

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.db.models import Avg, Count, Sum

from community.models import (
    Attendance,
    ContactMessage,
    DirectoryListing,
    Event,
    GroupMember,
    ProjectSummary,
    StandupGroup,
)
from feedback.models import Answer, SurveyInvitation
from mentorship.testing import answered_response
from notifications.models import Email
from pairing.models import CheckIn, MatchRun, Pair, PairGoal, ProposedPair
from people.models import ProfileSkill
from people.services import audit_record, person_erase
from people.tests.factories import SkillFactory, UserFactory
from programmes.models import Enrolment
from programmes.tests.factories import EnrolmentFactory
from recruitment.models import Project, SignoffRequest
from rhythm.ics import checkin_ics

pytestmark = pytest.mark.django_db

NAME = "Wilhelmina Quaintrelle"
EMAIL = "wilhelmina.quaintrelle@example.gov.uk"
NOTE = "Told my mentor about the panic attacks before the reorganisation"
PROJECT = "Forecasting lighthouse maintenance backlogs from sensor telemetry"
MESSAGE = "I am on sick leave until March, please write after that"
SUMMARY = "Our lighthouse backlog model cut the queue by a third"
COMMENT = "The lighthouse mentoring kept me going through the winter"


def _unfold_ics(text: str) -> str:
    """RFC 5545: a line break followed by one space or tab continues the line; text escapes."""
    text = text.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "")
    return text.replace("\\,", ",").replace("\\;", ";").replace("\\n", "\n").replace("\\\\", "\\")


def _decodings(value) -> list[str]:
    """The ways a stored value can be read: as stored, JSON-decoded, HTML-unescaped, unfolded."""
    raw = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    out = [raw, html.unescape(raw), _unfold_ics(raw)]
    if not isinstance(value, str):
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict):
                for v in item.values():
                    if isinstance(v, str):
                        out += [v, _unfold_ics(v), html.unescape(v)]
    return out


def _everything_in_the_database():
    """Every text-ish value of every table (the project's and third-party apps'), with its place."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            description = connection.introspection.get_table_description(cursor, table)
            columns = [c.name for c in description]
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for column, value in zip(columns, row, strict=True):
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    if isinstance(value, str) and value:
                        try:
                            decoded = json.loads(value)
                        except ValueError:
                            decoded = value
                        for text in _decodings(decoded) + [value]:
                            yield f"{table}.{column}", text


def _everything_in_the_cache():
    """Every value in the (file) cache, unpickled and pickled again as text we can search."""
    for path in cache._list_cache_files():
        with open(path, "rb") as f:
            pickle.load(f)  # noqa: S301 (expiry, our own cache)
            data = pickle.loads(zlib.decompress(f.read()))  # noqa: S301 (our own cache)
        yield path, pickle.dumps(data).decode("utf-8", "replace") + repr(data)


def _found(needles):
    hits = set()
    for place, text in _everything_in_the_database():
        low = text.lower()
        hits |= {(place, n) for n in needles if n.lower() in low}
    for _place, text in _everything_in_the_cache():
        low = text.lower()
        hits |= {("cache", n) for n in needles if n.lower() in low}
    return sorted(hits)


def _figures(cohort):
    return {
        "enrolments": Enrolment.objects.filter(cohort=cohort).count(),
        "pairs": Pair.objects.filter(cohort=cohort).count(),
        "checkins": CheckIn.objects.aggregate(n=Count("pk"), r=Sum("rating"), w=Avg("wellbeing")),
        "scores": Answer.objects.exclude(number=None).aggregate(n=Count("pk"), s=Sum("number")),
        "attendance": Attendance.objects.count(),
        "messages": ContactMessage.objects.count(),
        "members": GroupMember.objects.count(),
    }  # fmt: skip


@pytest.fixture
def everywhere(cohort, mentor, coordinator):
    """The person, with something of theirs in every app."""
    person = UserFactory(email=EMAIL, full_name=NAME)
    profile = person.profile
    profile.bio, profile.team, profile.line_manager_email = "Lighthouses", "Ops", "boss@x.gov.uk"
    profile.save()
    ProfileSkill.objects.create(profile=profile, skill=SkillFactory(name="R"), direction="learn")
    enrolment = EnrolmentFactory(user=person, cohort=cohort, role="mentee", status="accepted")
    enrolment.goals = "Learn forecasting, said " + NAME
    enrolment.save()
    Project.objects.create(enrolment=enrolment, title="Lighthouse backlog", description=PROJECT)
    SignoffRequest.objects.create(enrolment=enrolment, email="boss@x.gov.uk")
    mentor_enrolment = mentor.enrolments.get(cohort=cohort)
    pair = Pair.objects.create(
        cohort=cohort, mentor=mentor_enrolment, mentee=enrolment, started_on=dt.date(2027, 1, 18)
    )
    PairGoal.objects.create(pair=pair, text="Ship the backlog model")
    CheckIn.objects.create(
        pair=pair, author=person, met_on=dt.date(2027, 1, 25), worked_on=NOTE, rating=5,
        wellbeing=1, duration_minutes=60, protected_time_kept=True,
    )  # fmt: skip
    CheckIn.objects.create(
        pair=pair, author=mentor, met_on=dt.date(2027, 1, 25), rating=4, wellbeing=4,
        worked_on=f"{NAME} showed me the model", duration_minutes=60, protected_time_kept=True,
    )  # fmt: skip
    run = MatchRun.objects.create(cohort=cohort, created_by=coordinator, status="done")
    ProposedPair.objects.create(
        run=run, mentee=enrolment, mentor=mentor_enrolment, score=0.8,
        reasons=[f"{NAME} wants to learn R"], breakdown={}, warnings=[],
    )  # fmt: skip
    response = answered_response(user=person, cohort=cohort, text=COMMENT, number=5)
    SurveyInvitation.objects.create(
        schedule=response.schedule, user=person, role="mentee", due_on=dt.date(2027, 2, 1),
        closes_on=dt.date(2027, 2, 15), batch=uuid.uuid4(),
    )  # fmt: skip
    # Community: a group, a stand-up attended, the directory, messages both ways, a summary.
    group = StandupGroup.objects.create(cohort=cohort, name="Group 1", number=1, published=True)
    GroupMember.objects.create(group=group, enrolment=enrolment)
    event = Event.objects.create(
        cohort=cohort, group=group, kind="standup", title="Stand-up",
        first_date=dt.date(2027, 1, 19), start_time=dt.time(9, 30), duration_minutes=15,
        created_by=coordinator,
    )  # fmt: skip
    Attendance.objects.create(event=event, occurrence=event.first_date, user=person, source="self")
    DirectoryListing.objects.create(enrolment=enrolment, opted_in=True, show_email=True)
    ContactMessage.objects.create(
        cohort=cohort, sender=person, recipient=mentor_enrolment, subject="Hello", body=MESSAGE
    )
    ContactMessage.objects.create(
        cohort=cohort, sender=mentor, recipient=enrolment, subject=f"Re: hello {NAME}", body="Ok"
    )
    ProjectSummary.objects.create(
        enrolment=enrolment, title="Backlog", summary=SUMMARY, published_at=dt.datetime.now(dt.UTC)
    )
    # The mentor's check-in reminder: a calendar file whose long lines are folded mid-name.
    for pad in range(75):
        ics = checkin_ics(
            uid=f"checkin-{pair.pk}@test",
            start=dt.datetime(2027, 2, 8, 10, tzinfo=dt.UTC),
            summary="Mentoring check-in",
            description="x" * pad + f" Your next check-in with {NAME}, {EMAIL}",
            url="http://testserver/pairs/1/",
            stamp=dt.datetime(2027, 2, 1, tzinfo=dt.UTC),
        )
        if NAME not in ics and NAME in _unfold_ics(ics):
            break
    else:
        raise AssertionError("no padding folds the name")
    for status in (Email.Status.SENT, Email.Status.PENDING):
        Email.objects.create(
            to=mentor.email, user=mentor, kind="checkin-reminder", template="rhythm/checkin",
            subject=f"Check-in with {NAME}", body_text=f"Meet {NAME} &lt;{EMAIL}&gt;",
            body_html=f"<p>Meet {html.escape(NAME)} &lt;{EMAIL}&gt;</p>",
            attachments=[{"filename": "checkin.ics", "content": ics, "mimetype": "text/calendar"}],
            status=status, idempotency_key=f"t:{uuid.uuid4()}",
        )  # fmt: skip
    audit_record(actor=coordinator, action="decision", obj=enrolment, summary=f"accepted {EMAIL}")
    # The cache: the programme's similarity index, fitted on the proposals.
    from recruitment.selectors import programme_similarity_index

    assert programme_similarity_index(programme=cohort.programme) is not None
    return person


def test_after_erasure_the_person_appears_nowhere_and_the_figures_stand(everywhere, cohort, staff):
    needles = [NAME, EMAIL, NOTE, PROJECT, MESSAGE, SUMMARY, COMMENT, "boss@x.gov.uk"]
    before = _figures(cohort)
    assert {n for _, n in _found(needles)} == set(needles)  # the search can find each one
    person_erase(user=everywhere, actor=staff)
    found = _found(needles)
    assert found == []
    assert _figures(cohort) == before


def test_dashboards_cached_before_erasure_hold_nothing_of_the_person(
    everywhere, cohort, coordinator, staff, client, settings
):
    """The dashboards keep their figures for minutes (insights/cache.py). A coordinator looks at
    the cohort while the person's pair is at risk (their wellbeing was 1) and their comment is
    among the latest: page, summary and export show both. They are erased; the cache (which
    keeps ids and numbers only) holds nothing of them, and the same pages, read from it, no
    longer show them."""
    from django.urls import reverse

    settings.INSIGHTS_CACHE_SECONDS = 300
    args = [cohort.programme.slug, cohort.pk]
    page_urls = [
        reverse("insights:cohort", args=args),
        reverse("insights:cohort_summary", args=args),
    ]
    export_url = reverse("insights:cohort_export", args=args)

    def pages():
        out = [client.get(url).content.decode() for url in page_urls]
        return [*out, b"".join(client.get(export_url).streaming_content).decode()]

    with time_machine.travel(dt.datetime(2027, 3, 1, 9, tzinfo=dt.UTC), tick=False):
        client.force_login(coordinator)
        before = pages()
        assert all(html.escape(NAME) in page for page in before)  # the pair at risk, named
        assert all(html.escape(COMMENT) in page for page in before[:2])
        person_erase(user=everywhere, actor=staff)
        needles = [NAME, EMAIL, NOTE, PROJECT, MESSAGE, SUMMARY, COMMENT, "boss@x.gov.uk"]
        assert _found(needles) == []
        after = pages()
    assert "computed at" in after[0]  # read from the cache, as kept before the erasure
    assert f"(pair {Pair.objects.get(mentee__user=everywhere).pk})" in after[2]  # still at risk
    for page in after:
        assert not [n for n in needles if n in page or html.escape(n) in page]


def test_an_old_invitation_link_cannot_revive_an_erased_account(client, cohort, staff):
    """Attack: someone holding an invitation email of a person since erased opens its link,
    hoping to set a password on the account and sign in as it."""
    from django.urls import reverse

    from recruitment.invitations import invitation_token

    person = UserFactory(email="invited.once@example.gov.uk", full_name="Ivy Invited")
    person.set_unusable_password()
    person.is_active = False
    person.save()
    enrolment = EnrolmentFactory(user=person, cohort=cohort, role="mentee", status="invited")
    url = reverse("recruitment:invitation_accept", args=[invitation_token(enrolment)])
    assert client.get(url).status_code == 200  # the link works before erasure
    person_erase(user=person, actor=staff)
    enrolment.refresh_from_db()
    assert enrolment.status == "withdrawn"  # the pending invitation was cancelled
    assert client.get(url).status_code == 404
    response = client.post(
        url, {"new_password1": "a-new-pass-123", "new_password2": "a-new-pass-123"}
    )
    assert response.status_code == 404
    person.refresh_from_db()
    assert not person.has_usable_password() and not person.is_active


def test_an_old_sign_off_link_for_an_erased_applicant_is_refused(client, cohort, staff):
    from django.urls import reverse

    from recruitment.services import manager_signoff_token

    person = UserFactory(email="applicant@example.gov.uk")
    enrolment = EnrolmentFactory(user=person, cohort=cohort, role="mentee", status="applied")
    enrolment.manager_email = "boss@example.gov.uk"
    enrolment.save()
    url = reverse("recruitment:manager_signoff", args=[manager_signoff_token(enrolment)])
    assert client.get(url).status_code == 200
    person_erase(user=person, actor=staff)
    assert client.get(url).status_code == 404
