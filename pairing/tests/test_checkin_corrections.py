"""A check-in can be corrected or deleted by its author for 14 days, with a change log; nobody
else can (404), and past the window nobody can."""

import datetime as dt

import pytest
from django.urls import reverse

from pairing.models import CheckIn, CheckInChange
from people.models import AuditEvent
from programmes.models import Enrolment

from .factories import PairFactory
from .test_checkins import checkin_data

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


def _log(client, pair, user, **extra):
    client.force_login(user)
    response = client.post(reverse("pairing:detail", args=[pair.pk]), checkin_data(**extra))
    assert response.status_code == 302
    return CheckIn.objects.latest("created_at")


def _edit_url(checkin):
    return reverse("pairing:checkin_edit", args=[checkin.pair_id, checkin.pk])


def _delete_url(checkin):
    return reverse("pairing:checkin_delete", args=[checkin.pair_id, checkin.pk])


def test_the_author_corrects_a_mistyped_wellbeing_and_the_log_keeps_both_values(
    client, pair, mentee
):
    checkin = _log(client, pair, mentee, wellbeing=1)
    page = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
    assert _edit_url(checkin) in page and _delete_url(checkin) in page  # linked from the pair

    form = client.get(_edit_url(checkin))
    assert form.status_code == 200 and "Built the first model" in form.content.decode()
    response = client.post(_edit_url(checkin), checkin_data(wellbeing=4))
    assert response.status_code == 302 and response.url == reverse("pairing:detail", args=[pair.pk])

    checkin.refresh_from_db()
    assert checkin.wellbeing == 4
    change = CheckInChange.objects.get()
    assert (change.action, change.actor, change.checkin) == ("corrected", mentee, checkin)
    assert change.before == {"wellbeing": 1} and change.after == {"wellbeing": 4}
    assert AuditEvent.objects.filter(action="checkin-corrected", actor=mentee).exists()
    page = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
    assert "Corrections and deletions (1)" in page and "1 → 4" in page


def test_a_correction_with_bad_values_keeps_what_was_typed(client, pair, mentee):
    checkin = _log(client, pair, mentee)
    response = client.post(
        _edit_url(checkin), checkin_data(worked_on="Rewritten notes", met_on="2026-12-25")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "not saved yet" in html and "Rewritten notes" in html
    checkin.refresh_from_db()
    assert checkin.met_on == dt.date(2026, 11, 20) and not CheckInChange.objects.exists()


def test_the_author_deletes_a_check_in_after_a_confirmation_and_the_log_remembers_it(
    client, pair, mentor
):
    checkin = _log(client, pair, mentor, wellbeing=1)
    confirm = client.get(_delete_url(checkin))
    assert confirm.status_code == 200 and "Delete the check-in" in confirm.content.decode()
    assert CheckIn.objects.filter(pk=checkin.pk).exists()  # a GET deletes nothing
    response = client.post(_delete_url(checkin))
    assert response.status_code == 302
    assert not CheckIn.objects.filter(pk=checkin.pk).exists()
    change = CheckInChange.objects.get()
    assert change.action == "deleted" and change.checkin is None and change.pair == pair
    assert change.before["wellbeing"] == 1 and change.before["met_on"] == "2026-11-20"


@pytest.mark.parametrize("persona", ["other_member", "coordinator", "outsider"])
def test_nobody_but_the_author_can_correct_or_delete(request, client, pair, mentee, persona):
    checkin = _log(client, pair, mentee)
    user = pair.mentor.user if persona == "other_member" else request.getfixturevalue(persona)
    client.force_login(user)
    for url in (_edit_url(checkin), _delete_url(checkin)):
        assert client.get(url).status_code == 404
        assert client.post(url, checkin_data(wellbeing=5)).status_code == 404
    checkin.refresh_from_db()
    assert checkin.wellbeing == 2 and not CheckInChange.objects.exists()
    # The other member sees no correction links on the pair's page.
    if persona == "other_member":
        page = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
        assert _edit_url(checkin) not in page


def test_a_check_in_of_another_pair_is_404_under_this_pair(client, pair, mentee, cohort):
    checkin = _log(client, pair, mentee)
    other = PairFactory(cohort=cohort)
    url = reverse("pairing:checkin_edit", args=[other.pk, checkin.pk])
    assert client.get(url).status_code == 404


def test_after_14_days_the_check_in_can_no_longer_change(client, pair, mentee, time_machine):
    checkin = _log(client, pair, mentee, wellbeing=1)
    time_machine.move_to(TODAY + dt.timedelta(days=14, hours=6))  # day 14: still allowed
    client.force_login(mentee)  # the session of two weeks ago has expired
    assert client.get(_edit_url(checkin)).status_code == 200
    time_machine.move_to(TODAY + dt.timedelta(days=15))
    client.force_login(mentee)
    response = client.post(_edit_url(checkin), checkin_data(wellbeing=4), follow=True)
    assert "can no longer be changed" in response.content.decode()
    assert client.post(_delete_url(checkin)).status_code == 302
    checkin.refresh_from_db()
    assert checkin.wellbeing == 1 and not CheckInChange.objects.exists()
    page = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
    assert _edit_url(checkin) not in page


def test_the_coordinator_sees_the_log_but_not_the_private_notes(client, pair, mentee, coordinator):
    checkin = _log(client, pair, mentee)
    client.post(_edit_url(checkin), checkin_data(worked_on="Secret: my manager", wellbeing=3))
    client.force_login(coordinator)
    page = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
    assert "Corrections and deletions (1)" in page and "notes edited" in page
    assert "Secret: my manager" not in page and "Built the first model" not in page


def test_erasure_removes_the_notes_from_the_change_log_and_the_export_carries_it(
    client, pair, mentee
):
    from people import personal_data
    from people.services import person_erase

    checkin = _log(client, pair, mentee, worked_on="Notes about my team")
    client.post(_edit_url(checkin), checkin_data(worked_on="Notes about my manager"))
    exported = personal_data.export_sections(mentee)["checkin_changes"]
    assert exported[0]["after"]["worked_on"] == "Notes about my manager"
    person_erase(user=mentee, actor=None)
    change = CheckInChange.objects.get()
    assert "manager" not in str(change.before) + str(change.after)


def test_the_correction_reads_make_the_queries_they_promise(
    client, pair, mentee, django_assert_num_queries
):
    from pairing import selectors

    checkin = _log(client, pair, mentee)
    client.post(_edit_url(checkin), checkin_data(wellbeing=3))
    with django_assert_num_queries(1):
        selectors.checkin_for_author(user=mentee, pair_pk=pair.pk, pk=checkin.pk)
    with django_assert_num_queries(1):
        assert len(selectors.pair_checkin_changes(pair=pair)) == 1


def test_the_other_member_sees_that_a_score_changed_but_not_the_wellbeing_values(
    client, pair, mentee, mentor
):
    checkin = _log(client, pair, mentee, wellbeing=1, rating=5)
    client.post(_edit_url(checkin), checkin_data(wellbeing=4, rating=4))
    client.force_login(mentor)
    page = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
    assert "Corrections and deletions (1)" in page
    assert "how useful was it (1-5): 5 → 4" in page
    assert "how are you doing (1-5)" not in page


def test_the_change_log_writes_dates_as_the_rest_of_the_site_does(client, pair, mentee):
    """A deletion, and a corrected meeting date, read "20 Nov 2026", not the log's ISO text."""
    corrected = _log(client, pair, mentee, met_on="2026-11-20")
    client.post(_edit_url(corrected), checkin_data(met_on="2026-11-21"))
    deleted = _log(client, pair, mentee, met_on="2026-11-25")
    assert client.post(_delete_url(deleted)).status_code == 302
    page = client.get(reverse("pairing:detail", args=[pair.pk])).content.decode()
    assert f"{mentee.display_name} deleted the check-in of 25 Nov 2026." in page
    assert "date of the meeting: 20 Nov 2026 → 21 Nov 2026" in page
    assert "2026-11-2" not in page.split("Corrections and deletions")[1]
