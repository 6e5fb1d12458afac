"""The admin cannot make a move that only a service may make (docs/lifecycle.md): every field
below is changed by one service that does what follows from the change (ends pairs, frees places,
checks capacity, emails people, keeps the history), so no admin form, or inline of another
model's form, offers it. Attack: a staff member edits a withdrawn mentee back to accepted in the
admin, hoping they are paired at the next publication without anybody being told."""

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from programmes.models import Enrolment
from programmes.tests.factories import EnrolmentFactory

pytestmark = pytest.mark.django_db

#: Model: the fields only its services change.
SERVICE_OWNED = {
    "programmes.Cohort": {"status"},
    "programmes.Enrolment": {"status", "capacity"},
    "pairing.Pair": {"cohort", "mentor", "mentee", "status", "ended_on", "end_reason"},
    "pairing.MatchRun": {"status", "published_at"},
    "notifications.Email": {"status", "attempts", "sent_at", "to", "body_text", "body_html"},
}


def _admins(request):
    for model, model_admin in admin.site._registry.items():
        yield model, model_admin
        for inline in model_admin.get_inline_instances(request):
            yield inline.model, inline


def test_no_admin_form_or_inline_offers_a_field_only_a_service_may_change(staff):
    request = RequestFactory().get("/")
    request.user = staff
    seen, offered = set(), []
    for model, model_admin in _admins(request):
        label = model._meta.label
        if label not in SERVICE_OWNED:
            continue
        seen.add(label)
        if isinstance(model_admin, admin.options.InlineModelAdmin):
            form = model_admin.get_formset(request, None).form
        else:
            form = model_admin.get_form(request, None)
        offered += [(label, f) for f in SERVICE_OWNED[label] & set(form.base_fields)]
    assert offered == []
    assert seen == set(SERVICE_OWNED)  # every model listed is in the admin: the list is live


def test_staff_posting_a_status_in_the_admin_changes_nothing(client, staff, cohort):
    enrolment = EnrolmentFactory(cohort=cohort, role="mentee", status="withdrawn")
    client.force_login(staff)
    url = reverse("admin:programmes_enrolment_change", args=[enrolment.pk])
    page = client.get(url)
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
    data = {
        "user": enrolment.user_id, "cohort": cohort.pk, "role": "mentee", "status": "accepted",
        "capacity": 5, "goals": "", "availability": "", "coordinator_notes": "",
        "manager_email": "", "manager_decision": "",
        "moves-TOTAL_FORMS": 0, "moves-INITIAL_FORMS": 0,
    }  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    enrolment.refresh_from_db()
    assert (enrolment.status, enrolment.capacity) == ("withdrawn", 1)
    assert Enrolment.objects.filter(cohort=cohort, status="accepted").count() == 0


def test_pairs_cannot_be_added_in_the_admin(client, staff):
    client.force_login(staff)
    assert client.get(reverse("admin:pairing_pair_add")).status_code == 403


def test_turning_a_kind_off_in_the_admin_cancels_the_pending_emails_of_that_kind(client, staff):
    """The batch reads preferences a few seconds early; that is safe because turning a kind off
    cancels the person's pending rows at once, wherever it is done: the admin too."""
    from django.urls import reverse

    from notifications.models import Email, EmailPreference
    from notifications.services import email_enqueue
    from people.tests.factories import UserFactory

    person = UserFactory()
    email = email_enqueue(
        to=person.email, user=person, kind="checkin-reminder", template="account",
        context={"subject": "Hello", "body_text": "Hi"}, idempotency_key="admin-off:1",
    )  # fmt: skip
    client.force_login(staff)
    response = client.post(
        reverse("admin:notifications_emailpreference_add"),
        {"user": person.pk, "kind": "checkin-reminder", "enabled": ""},
    )
    assert response.status_code == 302
    assert EmailPreference.objects.get(user=person).enabled is False
    email.refresh_from_db()
    assert email.status == Email.Status.CANCELLED


@pytest.mark.parametrize("enabled", ["", "on"])
@pytest.mark.parametrize("kind", ["account", "no-such-kind"])
def test_the_admin_refuses_an_essential_or_unknown_email_kind_with_a_plain_error(
    client, staff, kind, enabled
):
    from notifications.kinds import optional_kinds
    from notifications.models import EmailPreference
    from people.tests.factories import UserFactory

    person = UserFactory()
    client.force_login(staff)
    url = reverse("admin:notifications_emailpreference_add")
    page = client.get(url).content.decode()
    for name in optional_kinds():
        assert f'<option value="{name}"' in page
    assert '<option value="account"' not in page
    response = client.post(url, {"user": person.pk, "kind": kind, "enabled": enabled})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "Select a valid choice" in errors["kind"][0]
    assert not EmailPreference.objects.exists()
