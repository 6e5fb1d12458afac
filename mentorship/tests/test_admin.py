"""Every model of the project is in the admin, and every admin page opens on the demo data."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

pytestmark = pytest.mark.django_db

OURS = {
    "people",
    "programmes",
    "recruitment",
    "pairing",
    "feedback",
    "notifications",
    "rhythm",
    "community",
}
# Edited only inside their parent's page.
INLINE_ONLY = {
    "feedback.question",
    "feedback.answer",
    "community.groupmember",
    "recruitment.businesspriority",
    "pairing.pairgoal",
    "pairing.proposedpair",
    "pairing.runevent",
    "programmes.enrolmentmove",
}


def test_every_model_is_in_the_admin():
    missing = [
        m._meta.label_lower
        for m in apps.get_models()
        if m._meta.app_label in OURS
        and m not in admin.site._registry
        and m._meta.label_lower not in INLINE_ONLY
    ]
    assert not missing


def test_every_admin_list_and_change_page_opens(client, staff):
    call_command("seed_demo")
    client.force_login(staff)
    for model in admin.site._registry:
        if model._meta.app_label not in OURS:
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        response = client.get(reverse(f"{info}_changelist"))
        assert response.status_code == 200, info
        first = model._default_manager.first()
        if first is not None:
            response = client.get(reverse(f"{info}_change", args=[first.pk]))
            assert response.status_code == 200, info


def _admin_pages():
    """The admin's index and login, and each registered model's list and add page."""
    yield reverse("admin:index")
    yield reverse("admin:login")
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        yield reverse(f"{info}_changelist")
        yield reverse(f"{info}_add")


@pytest.mark.parametrize("who", ["outsider", "mentee", "mentor", "coordinator"])
def test_the_admin_answers_404_to_anyone_signed_in_who_is_not_staff(client, request, who):
    client.force_login(request.getfixturevalue(who))
    for url in [*_admin_pages(), "/admin/no-such-page/"]:
        assert client.get(url).status_code == 404, url
    # A form posted without its CSRF token, or a sign-out, says nothing either.
    assert client.post(reverse("admin:people_user_add"), {}).status_code == 404
    assert client.post(reverse("admin:logout")).status_code == 404


def test_staff_reach_the_admin_and_a_signed_out_visitor_is_sent_to_sign_in(client, staff):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/" in response["Location"]
    response = client.get(response["Location"])  # the admin's login page: allauth's sign-in
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    client.force_login(staff)
    for url in _admin_pages():
        assert client.get(url).status_code in (200, 302, 403), url  # 403: no add in the admin
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and b"Mentorship administration" in response.content
