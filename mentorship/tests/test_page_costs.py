"""What the pages every participant opens cost (issue 19: 200 people at once on two cores).

Their query counts are pinned here, with the two caches that brought them down: the
"Coordinate" menu flag (people/roles.py) and the empty check-in form's layout
(lib/formcache.py). Sessions come from the cache too (``SESSION_ENGINE`` ``cached_db``), so a
signed-in page starts with one query, the user."""

import datetime as dt
import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form
from django.urls import reverse
from django.utils import timezone

from feedback.tests.factories import SurveyInvitationFactory, SurveyScheduleFactory
from lib import once
from lib.formcache import crispy_unbound
from pairing.forms import CheckInForm
from pairing.tests.factories import CheckInFactory, PairFactory
from programmes.models import Cohort, CohortStatus, Enrolment
from programmes.tests.factories import CohortFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db

TOKEN_RE = re.compile(r'name="form_token" value="([^"]+)"')


@pytest.fixture
def pair(cohort, mentor, mentee):
    pair = PairFactory(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
        started_on=dt.date.today() - dt.timedelta(days=40),
    )
    for days in (30, 16, 2):
        CheckInFactory(pair=pair, author=mentee, met_on=dt.date.today() - dt.timedelta(days=days))
    return pair


def _second_visit(client, url, django_assert_num_queries, n):
    """The first visit fills the caches (menu flag, form layout); the second is what everyone
    pays afterwards."""
    assert client.get(url).status_code == 200
    with django_assert_num_queries(n) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return response, captured


def test_participant_home_page_costs_seven_queries(
    client, pair, mentee, programme, django_assert_num_queries
):
    # user, enrolments, their pairs with check-in figures (also what the enrolments' states
    # need), profile (one query for completeness), surveys to answer, community groups (a
    # running cohort), the cohorts open to applications (not cached: one just opened shows at
    # once). Nothing for the menu (cached) or the programmes they coordinate (none).
    Cohort.objects.filter(pk=pair.cohort_id).update(status=CohortStatus.RUNNING)
    _open_invitations(pair, mentee)
    EnrolmentFactory(user=mentee, cohort=CohortFactory(programme=programme), role="mentor")
    client.force_login(mentee)
    response, _ = _second_visit(client, reverse("home"), django_assert_num_queries, 7)
    html = response.content.decode()
    assert "My programmes" in html and f'href="{reverse("pairing:detail", args=[pair.pk])}"' in html
    assert "Coordinate</a>" not in html


def test_home_page_count_does_not_grow_with_enrolments(
    client, mentee, programme, django_assert_max_num_queries
):
    client.force_login(mentee)
    client.get(reverse("home"))
    with django_assert_max_num_queries(7) as few:
        client.get(reverse("home"))
    for _ in range(5):
        EnrolmentFactory(user=mentee, cohort=CohortFactory(programme=programme))
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("home"))


def test_pair_page_costs_five_queries(client, pair, mentee, django_assert_num_queries):
    # user, the pair, its check-ins, the change log, the goals.
    client.force_login(mentee)
    _second_visit(client, reverse("pairing:detail", args=[pair.pk]), django_assert_num_queries, 5)


def _open_invitations(pair, user):
    """Two open surveys: one about the pair, one not."""
    today = dt.date.today()
    for about in (pair, None):
        SurveyInvitationFactory(
            schedule=SurveyScheduleFactory(cohort=pair.cohort),
            user=user,
            pair=about,
            due_on=today - dt.timedelta(days=1),
            closes_on=today + dt.timedelta(days=5),
        )


def test_surveys_page_costs_two_queries(client, pair, mentee, django_assert_num_queries):
    _open_invitations(pair, mentee)
    client.force_login(mentee)
    response, _ = _second_visit(client, reverse("feedback:mine"), django_assert_num_queries, 2)
    html = response.content.decode()
    assert html.count('href="/surveys/answer/') == 2
    assert f"about your pair with {pair.mentor.user.display_name}" in html


def test_coordinate_menu_follows_the_coordinators_at_once(client, mentee, programme):
    client.force_login(mentee)
    assert "Coordinate</a>" not in client.get(reverse("home")).content.decode()  # now cached
    programme.coordinators.add(mentee)
    html = client.get(reverse("home")).content.decode()
    assert "Coordinate</a>" in html and programme.name in html
    programme.coordinators.remove(mentee)
    assert "Coordinate</a>" not in client.get(reverse("home")).content.decode()


def test_coordinate_menu_is_forgotten_when_the_list_is_cleared(client, coordinator, programme):
    client.force_login(coordinator)
    assert "Coordinate</a>" in client.get(reverse("home")).content.decode()
    programme.coordinators.clear()
    assert "Coordinate</a>" not in client.get(reverse("home")).content.decode()


@pytest.mark.parametrize(
    "give, take",
    [
        ("user.user_permissions.add(perm)", "user.user_permissions.remove(perm)"),
        ("perm.user_set.add(user)", "perm.user_set.clear()"),
        ("user.groups.add(group)", "group.user_set.remove(user)"),
        ("group.user_set.add(user)", "group.permissions.clear()"),
        ("group.user_set.add(user)", "perm.group_set.remove(group)"),
        ("group.user_set.add(user)", "user.groups.clear()"),
    ],
)
def test_coordinate_menu_follows_the_permission_to_create_programmes_at_once(
    client, mentee, give, take
):
    """Someone given the permission to create programmes (directly or through a group) sees
    Coordinate at their next page, and stops seeing it when it is taken away."""
    from django.contrib.auth.models import Group, Permission

    perm = Permission.objects.get(codename="add_programme", content_type__app_label="programmes")
    group = Group.objects.create(name="Programme creators")
    group.permissions.add(perm)
    names = {"user": mentee, "perm": perm, "group": group}
    client.force_login(mentee)
    assert "Coordinate</a>" not in client.get(reverse("home")).content.decode()  # now cached
    eval(give, {}, names)  # noqa: S307 - the test's own expressions
    mentee = type(mentee).objects.get(pk=mentee.pk)  # permissions are cached per user object
    names["user"] = mentee
    assert "Coordinate</a>" in client.get(reverse("home")).content.decode()
    eval(take, {}, names)  # noqa: S307
    assert "Coordinate</a>" not in client.get(reverse("home")).content.decode()


def test_cached_check_in_form_is_crispys_own_with_a_fresh_token():
    initial = {"met_on": dt.date(2026, 11, 30), "duration_minutes": 60}
    first, second = CheckInForm(initial=initial), CheckInForm(initial=initial)
    html_first, html_second = crispy_unbound(first), crispy_unbound(second)
    token_first, token_second = first.initial[once.FIELD], second.initial[once.FIELD]
    assert token_first != token_second
    assert TOKEN_RE.search(html_first).group(1) == token_first
    assert TOKEN_RE.search(html_second).group(1) == token_second
    assert html_first == str(as_crispy_form(first))
    # Another day is another layout (the date field's value).
    other = CheckInForm(initial={**initial, "met_on": dt.date(2026, 12, 1)})
    assert 'value="2026-12-01"' in crispy_unbound(other)


def test_cached_form_refuses_a_bound_form():
    with pytest.raises(ValueError):
        crispy_unbound(CheckInForm(data={}))


def test_pair_page_form_token_is_fresh_each_time_and_logs_once(client, pair, mentee):
    client.force_login(mentee)
    url = reverse("pairing:detail", args=[pair.pk])
    tokens = [TOKEN_RE.search(client.get(url).content.decode()).group(1) for _ in range(2)]
    assert tokens[0] != tokens[1]
    data = {
        once.FIELD: tokens[0],
        "met_on": dt.date.today().isoformat(),
        "duration_minutes": 45,
        "format": "video",
        "worked_on": "Planning",
        "next_step": "",
        "rating": 4,
        "wellbeing": 4,
    }
    before = pair.checkins.count()
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # the same form twice: logged once
    assert pair.checkins.count() == before + 1


def test_old_form_tokens_are_dropped_at_most_once_a_minute(client, pair, mentee):
    from lib.models import UsedFormToken

    def old_token(name):
        used = UsedFormToken.objects.create(token=name * 20)
        UsedFormToken.objects.filter(pk=used.pk).update(
            created_at=timezone.now() - once.KEEP_FOR - dt.timedelta(hours=1)
        )

    def log_checkin(days_ago):
        html = client.get(url).content.decode()
        data = {
            once.FIELD: TOKEN_RE.search(html).group(1),
            # one check-in a person a day
            "met_on": (dt.date.today() - dt.timedelta(days=days_ago)).isoformat(),
            "duration_minutes": 30,
            "format": "video",
            "worked_on": "Planning",
            "rating": 4,
            "wellbeing": 4,
        }
        assert client.post(url, data).status_code == 302

    client.force_login(mentee)
    url = reverse("pairing:detail", args=[pair.pk])
    old_token("a")
    log_checkin(0)
    assert not UsedFormToken.objects.filter(token="a" * 20).exists()
    old_token("b")
    log_checkin(1)  # within the minute: no delete
    assert UsedFormToken.objects.filter(token="b" * 20).exists()


def test_redis_cache_keeps_one_client_per_pool():
    from lib.cache import RedisCache

    cache = RedisCache("redis://127.0.0.1:6379/9", {})
    client = cache._cache
    assert client.get_client("a") is client.get_client("b")
    assert client.get_client("a", write=True) is client.get_client("b", write=True)
