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
