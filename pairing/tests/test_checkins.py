import datetime as dt

import pytest
from django.urls import reverse

from pairing.models import CheckIn, Pair, PairGoal
from pairing.services import pair_goals_from_application
from programmes.models import Enrolment

from .factories import CheckInFactory, PairFactory

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 11, 29, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(TODAY)


@pytest.fixture
def pair(cohort, mentor, mentee):
    return PairFactory(
        cohort=cohort,
        mentor=Enrolment.objects.get(user=mentor),
        mentee=Enrolment.objects.get(user=mentee),
        started_on=dt.date(2026, 10, 1),
    )


def checkin_data(**extra):
    return {
        "met_on": "2026-11-20",
        "duration_minutes": 60,
        "format": "video",
        "worked_on": "Built the first model on the prices data",
        "next_step": "Validate against last year",
        "rating": 5,
        "wellbeing": 2,
        "protected_time_kept": "on",
        **extra,
    }


@pytest.mark.parametrize("persona", ["mentor", "mentee"])
def test_either_side_of_a_pair_logs_a_check_in(request, client, pair, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    response = client.post(reverse("pairing:detail", args=[pair.pk]), checkin_data())
    assert response.status_code == 302
    checkin = CheckIn.objects.get()
    assert (checkin.author, checkin.rating, checkin.wellbeing) == (user, 5, 2)
    assert checkin.protected_time_kept is True and checkin.shared_with_coordinator is False


def test_a_check_in_costs_ten_statements(client, pair, mentee, django_assert_num_queries):
    """The session's user, the pair, the author's check-in of that day (one a day), the insert,
    the pair's check-in summary read and written (pairing/engagement.py) and the transaction's
    savepoints: no query per constraint (CheckIn.validate_constraints) and none for the pair
    and author the service has read."""
    client.force_login(mentee)
    url = reverse("pairing:detail", args=[pair.pk])
    with django_assert_num_queries(10):
        assert client.post(url, checkin_data()).status_code == 302


@pytest.mark.parametrize("action", ["log", "correct"])
def test_a_check_in_post_validates_the_check_in_once(client, pair, mentee, monkeypatch, action):
    """The form checks each field as typed; the check-in as a whole (its fields' validators, the
    model's rules and constraints) is validated once, by the service, not by a ModelForm too."""
    client.force_login(mentee)
    url = reverse("pairing:detail", args=[pair.pk])
    if action == "correct":
        assert client.post(url, checkin_data()).status_code == 302
        checkin = CheckIn.objects.get()
        url = reverse("pairing:checkin_edit", args=[pair.pk, checkin.pk])
    calls = []
    for name in ("full_clean", "clean_fields", "clean", "validate_constraints"):
        real = getattr(CheckIn, name)

        def counted(self, *args, _real=real, _name=name, **kwargs):
            calls.append(_name)
            return _real(self, *args, **kwargs)

        monkeypatch.setattr(CheckIn, name, counted)
    assert client.post(url, checkin_data(wellbeing=4)).status_code == 302
    assert sorted(calls) == ["clean", "clean_fields", "full_clean", "validate_constraints"]
    assert CheckIn.objects.get().wellbeing == 4


def test_out_of_range_scores_are_refused_by_the_fields_with_what_was_typed(client, pair, mentee):
    client.force_login(mentee)
    url = reverse("pairing:detail", args=[pair.pk])
    response = client.post(url, checkin_data(rating=6, wellbeing=0))
    assert response.status_code == 200 and not CheckIn.objects.exists()
    assert set(response.context["form"].errors) == {"rating", "wellbeing"}
    assert "Built the first model on the prices data" in response.content.decode()


@pytest.mark.parametrize("minutes", [2, 601, -5])
def test_every_error_of_a_check_in_shows_at_once_in_plain_words(client, pair, mentee, minutes):
    """A duration out of range and an empty score are both refused on the first POST (the
    model's range runs in the form too, lib.forms.model_fields_form), and the input says its
    range, so nobody fixes one thing only to be told of another."""
    client.force_login(mentee)
    url = reverse("pairing:detail", args=[pair.pk])
    response = client.post(url, checkin_data(duration_minutes=minutes, wellbeing=""))
    assert response.status_code == 200 and not CheckIn.objects.exists()
    assert response.context["form"].errors == {
        "duration_minutes": ["A check-in lasts between 5 and 600 minutes (10 hours)."],
        "wellbeing": ["This field is required."],
    }
    html = response.content.decode()
    assert 'min="5"' in html and 'max="600"' in html


def test_bad_check_in_keeps_what_was_typed(client, pair, mentee):
    client.force_login(mentee)
    response = client.post(
        reverse("pairing:detail", args=[pair.pk]), checkin_data(rating=9, met_on="2026-12-25")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Built the first model on the prices data" in html
    assert "not saved yet" in html
    assert not CheckIn.objects.exists()


def test_future_or_pre_start_dates_are_refused(client, pair, mentee):
    client.force_login(mentee)
    for day in ("2026-12-25", "2026-09-01"):
        response = client.post(reverse("pairing:detail", args=[pair.pk]), checkin_data(met_on=day))
        assert response.status_code == 200
    assert not CheckIn.objects.exists()


def test_pair_page_shows_history_days_since_and_next_expected(client, pair, mentee):
    CheckInFactory(pair=pair, met_on=dt.date(2026, 11, 9))
    CheckInFactory(pair=pair, met_on=dt.date(2026, 10, 20))
    client.force_login(mentee)
    response = client.get(reverse("pairing:detail", args=[pair.pk]))
    assert response.context["days_since"] == 20
    assert response.context["next_due"] == dt.date(2026, 11, 23)  # 9 Nov + 14 days
    assert response.context["overdue"] is True
    assert [c.met_on.day for c in response.context["checkins"]] == [9, 20]


def test_coordinator_sees_meeting_facts_but_not_private_notes(client, pair, coordinator):
    CheckInFactory(pair=pair, worked_on="Private: struggling with my manager", rating=2)
    CheckInFactory(pair=pair, worked_on="Shared: first dashboard", shared_with_coordinator=True)
    client.force_login(coordinator)
    html = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
    assert "struggling with my manager" not in html
    assert "Private to the pair" in html
    assert "Shared: first dashboard" in html
    assert response_has_no_form(html)


def response_has_no_form(html: str) -> bool:
    return "Log a check-in" not in html


def test_coordinator_cannot_log_or_change_goals(client, pair, coordinator):
    client.force_login(coordinator)
    assert client.post(reverse("pairing:detail", args=[pair.pk]), checkin_data()).status_code == 404
    assert (
        client.post(reverse("pairing:goal_add", args=[pair.pk]), {"text": "x"}).status_code == 404
    )
    assert not CheckIn.objects.exists() and not PairGoal.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "other_mentee", "other_coordinator"])
def test_everyone_else_gets_404_on_a_pair(request, client, pair, cohort, other_programme, persona):
    if persona == "other_mentee":
        other = PairFactory(cohort=cohort)  # same cohort, not this pair
        user = other.mentee.user
    elif persona == "other_coordinator":
        user = other_programme.coordinators.get()
    else:
        user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(reverse("pairing:detail", args=[pair.pk])).status_code == 404
    assert client.post(reverse("pairing:detail", args=[pair.pk]), checkin_data()).status_code == 404
    assert (
        client.post(reverse("pairing:goal_add", args=[pair.pk]), {"text": "x"}).status_code == 404
    )
    url = reverse("pairing:cohort_pairs", args=[cohort.programme.slug, cohort.pk])
    assert client.get(url).status_code == 404
    assert not CheckIn.objects.exists()


def test_ended_pair_takes_no_more_check_ins(client, pair, mentee):
    Pair.objects.filter(pk=pair.pk).update(status="ended", ended_on=dt.date(2026, 11, 1))
    client.force_login(mentee)
    assert client.post(reverse("pairing:detail", args=[pair.pk]), checkin_data()).status_code == 404
    assert not CheckIn.objects.exists()


def test_goals_come_from_the_application_and_the_pair_updates_them(client, pair, mentee):
    Enrolment.objects.filter(pk=pair.mentee_id).update(goals="- Learn pandas\n- Ship a dashboard\n")
    pair.mentee.refresh_from_db()
    goals = pair_goals_from_application(pair=pair)
    assert [g.text for g in goals] == ["Learn pandas", "Ship a dashboard"]
    assert len(pair_goals_from_application(pair=pair)) == 2  # once only
    client.force_login(mentee)
    url = reverse("pairing:goal_progress", args=[pair.pk, goals[0].pk])
    client.post(url, {"progress": "done"})
    goals[0].refresh_from_db()
    assert goals[0].progress == "done"


def test_cohort_pairs_page_query_count_is_constant(
    client, coordinator, cohort, django_assert_max_num_queries
):
    for _ in range(2):
        CheckInFactory(pair=PairFactory(cohort=cohort))
    client.force_login(coordinator)
    url = reverse("pairing:cohort_pairs", args=[cohort.programme.slug, cohort.pk])
    with django_assert_max_num_queries(15) as small:
        assert client.get(url).status_code == 200
    for _ in range(15):
        CheckInFactory(pair=PairFactory(cohort=cohort))
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_cohort_pairs_are_listed_a_page_at_a_time(client, coordinator, cohort, monkeypatch):
    monkeypatch.setattr("lib.pagination.PER_PAGE", 2)
    for _ in range(5):
        CheckInFactory(pair=PairFactory(cohort=cohort))
    client.force_login(coordinator)
    url = reverse("pairing:cohort_pairs", args=[cohort.programme.slug, cohort.pk])
    first = client.get(url)
    html = first.content.decode()
    assert len(first.context["pairs"]) == 2
    assert all(p.checkin_count == 1 for p in first.context["pairs"])
    assert "5 pairs, 1 to 2 shown" in html
    assert 'aria-label="Pages of pairs"' in html and "?page=2" in html
    seen = [p.pk for n in (1, 2, 3) for p in client.get(url, {"page": n}).context["pairs"]]
    assert sorted(seen) == sorted(Pair.objects.filter(cohort=cohort).values_list("pk", flat=True))


def test_cohort_pairs_query_count_is_pinned_whatever_the_page(
    client, coordinator, cohort, monkeypatch, django_assert_num_queries
):
    monkeypatch.setattr("lib.pagination.PER_PAGE", 2)
    for _ in range(5):
        CheckInFactory(pair=PairFactory(cohort=cohort))
    client.force_login(coordinator)
    url = reverse("pairing:cohort_pairs", args=[cohort.programme.slug, cohort.pk])
    client.get(url)  # the session's first read
    for page in (1, 3):
        with django_assert_num_queries(PAIRS_PAGE_QUERIES):
            client.get(url, {"page": page})


# User, cohort, count and page of pair ids, the page's pairs and their check-ins, the draft
# run: the same on every page and at any size (the fixture's cohort is not running, so no query
# for waiting mentees). The session and the menu's coordinator flag come from the cache
# (cached_db sessions, people/roles.py).
PAIRS_PAGE_QUERIES = 7


def test_home_page_lists_my_pairs(client, pair, mentee, mentor):
    client.force_login(mentee)
    html = client.get(reverse("home")).content.decode()
    assert f"Mentored by {mentor.full_name}" in html
    assert reverse("pairing:detail", args=[pair.pk]) in html


def test_date_pickers_get_iso_dates_so_the_default_date_shows(client, pair, mentee):
    client.force_login(mentee)
    html = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
    assert 'type="date" name="met_on" value="2026-11-29"' in html


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("   ", "Write the goal."),
        ("", "Write the goal."),
        ("x" * 301, "Write the goal in 300 characters or fewer."),
    ],
)
def test_a_goal_refused_says_what_was_wrong(client, pair, mentee, text, said):
    client.force_login(mentee)
    response = client.post(reverse("pairing:goal_add", args=[pair.pk]), {"text": text}, follow=True)
    assert [str(m) for m in response.context["messages"]] == [said]
    assert not PairGoal.objects.filter(pair=pair).exists()


def test_a_goal_is_added_from_the_pair_page(client, pair, mentee):
    client.force_login(mentee)
    response = client.post(
        reverse("pairing:goal_add", args=[pair.pk]), {"text": " Learn SQL "}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["Goal added."]
    assert [g.text for g in PairGoal.objects.filter(pair=pair)] == ["Learn SQL"]


def test_a_goal_sent_again_is_added_once(client, pair, mentee):
    """Back and Add goal again, or a double click: one goal (seen walking: the goal form was the
    one form on the pair page without the one-time token)."""
    import re

    client.force_login(mentee)
    page = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
    goal_form = page[page.index(reverse("pairing:goal_add", args=[pair.pk])) :]
    token = re.search(r'name="form_token" value="([^"]+)"', goal_form).group(1)
    url = reverse("pairing:goal_add", args=[pair.pk])
    client.post(url, {"text": "Learn SQL", "form_token": token})
    again = client.post(url, {"text": "Learn SQL", "form_token": token}, follow=True)
    assert [g.text for g in PairGoal.objects.filter(pair=pair)] == ["Learn SQL"]
    assert [str(m) for m in again.context["messages"]][-1] == "This was already done: Goal added."


def test_the_same_meeting_typed_again_after_going_back_is_not_logged_twice(
    client, pair, mentee, mentor
):
    """The browser does not keep the pair page: after Back the form is empty, a new one with a
    new one-time token. Typed again and sent, the meeting is refused, not logged twice, and
    what was typed stays; the other side of the pair still logs their own."""
    client.force_login(mentee)
    url = reverse("pairing:detail", args=[pair.pk])
    assert client.post(url, checkin_data()).status_code == 302
    response = client.post(url, checkin_data(worked_on="Typed again after going back"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "met_on": [
            "You have already logged a check-in for 20 November 2026. To change it, use "
            "Correct beside it under History."
        ]
    }
    assert "Typed again after going back" in response.content.decode()
    assert CheckIn.objects.count() == 1
    client.force_login(mentor)
    assert client.post(url, checkin_data()).status_code == 302
    assert CheckIn.objects.count() == 2


def test_a_correction_cannot_move_a_check_in_onto_another_of_the_same_day(client, pair, mentee):
    client.force_login(mentee)
    url = reverse("pairing:detail", args=[pair.pk])
    for day in ("2026-11-20", "2026-11-22"):
        assert client.post(url, checkin_data(met_on=day)).status_code == 302
    later = CheckIn.objects.get(met_on=dt.date(2026, 11, 22))
    edit = reverse("pairing:checkin_edit", args=[pair.pk, later.pk])
    response = client.post(edit, checkin_data(met_on="2026-11-20"))
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "met_on": ["You have already logged another check-in for 20 November 2026."]
    }
    later.refresh_from_db()
    assert later.met_on == dt.date(2026, 11, 22)
    assert client.post(edit, checkin_data(met_on="2026-11-22", rating=3)).status_code == 302
