"""Every form class of the project is covered by a hostile-input test, like the authorisation
sweep covers every URL.

The test imports every module of every project package (tests and migrations aside), collects
each class that is a Django form or formset — defined in project code, or a library's form a
project view imports and posts (Django's ``SetPasswordForm`` on the invitation page) — and fails
on one that no hostile-input test declares with ``support.covers`` (or lists in
``LEGACY_COVERED`` for mentorship/tests/test_hostile_input.py) and that is not exempted below with
its reason.
"""

import importlib
import inspect
import pkgutil
from pathlib import Path

from django.conf import settings
from django.forms import BaseForm
from django.forms.formsets import BaseFormSet
from django.urls import resolve, reverse

from . import support

PROJECT_PACKAGES = ["lib", "mentorship"] + [
    app
    for app in settings.INSTALLED_APPS
    if "." not in app and (Path(settings.BASE_DIR) / app / "__init__.py").exists()
]
SKIP_PARTS = {"tests", "migrations", "wsgi", "asgi"}

# The forms mentorship/tests/test_hostile_input.py posts (written before this registry).
LEGACY = "mentorship.tests.test_hostile_input"
LEGACY_COVERED = {
    "recruitment.forms.WithdrawForm": "test_withdraw_form_with_hostile_values",
    "recruitment.forms.RestoreForm": "test_undo_form_with_hostile_values",
    "programmes.forms.MentorCapacityForm": "test_mentor_capacity_form_with_hostile_values",
    "people.forms.ProfileForm": "test_profile_form_with_hostile_values",
    "people.forms.SkillSuggestionForm": "test_skill_suggestion_with_hostile_values",
    "programmes.forms.ProgrammeForm": "test_programme_form_with_hostile_values",
    "programmes.forms.CohortForm": "test_cohort_form_with_hostile_values",
    "recruitment.forms.MenteeApplicationForm": "test_application_form_with_hostile_values",
    "recruitment.forms.RegisterInterestForm": (
        "test_public_register_interest_form_with_hostile_values"
    ),
    "recruitment.forms.InviteUploadForm": "test_csv_import_takes_hostile_files_all_or_nothing",
    "pairing.forms.CheckInForm": "test_checkin_form_with_hostile_values",
}

# Forms no user posts, each with its reason. Keep it empty if you can.
EXEMPT: dict[str, str] = {
    "lib.once.OnceFormMixin": (
        "a mixin that adds the one-time form_token field; never posted on its own, it is posted "
        "through every form that uses it, whose tests send the token well-formed, hostile or "
        "missing (support.form_data)"
    ),
    "lib.forms._ModelFieldsForm": (
        "the base of every lib.forms.model_fields_form class (it adds model_data()); never "
        "posted on its own, it is posted through each form built on it, each with its own test"
    ),
}


def _project_modules():
    for package in PROJECT_PACKAGES:
        root = importlib.import_module(package)
        yield root
        for info in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
            if SKIP_PARTS & set(info.name.split(".")):
                continue
            yield importlib.import_module(info.name)


def _is_form(obj) -> bool:
    return inspect.isclass(obj) and issubclass(obj, BaseForm | BaseFormSet)


def project_forms() -> dict[str, type]:
    """Every form and formset class defined in project code, and every library form a project
    views module imports (so posts), by dotted name."""
    found = {}
    for module in _project_modules():
        for obj in vars(module).values():
            if not _is_form(obj):
                continue
            defined_here = obj.__module__.split(".")[0] in PROJECT_PACKAGES
            posted_by_view = module.__name__.split(".")[-1] == "views"
            if defined_here or posted_by_view:
                found[support.form_name(obj)] = obj
    return found


def _hostile_test_modules():
    from mentorship.tests import hostile

    for info in pkgutil.iter_modules(hostile.__path__, prefix=f"{hostile.__name__}."):
        if info.name.split(".")[-1].startswith("test_"):
            importlib.import_module(info.name)
    return importlib.import_module(LEGACY)


def covered_forms() -> dict[str, list[str]]:
    legacy = _hostile_test_modules()
    out = {name: [cover.test for cover in covers] for name, covers in support.COVERED.items()}
    for name, test in LEGACY_COVERED.items():
        assert hasattr(legacy, test), f"{LEGACY}::{test} is gone: update LEGACY_COVERED"
        out.setdefault(name, []).append(f"{LEGACY}::{test}")
    return out


def test_the_enumeration_finds_the_forms_it_should():
    forms = project_forms()
    # One of each kind: a plain form, a model form, a formset, a library form a view posts.
    for name in [
        "pairing.forms.GoalForm",
        "community.forms.EventForm",
        "people.forms.BaseSkillFormSet",
        "django.contrib.auth.forms.SetPasswordForm",
    ]:
        assert name in forms, name
    assert len(forms) >= 40


def test_every_form_has_a_hostile_input_test():
    forms = project_forms()
    covered = covered_forms()
    missing = sorted(name for name in forms if name not in covered and name not in EXEMPT)
    assert not missing, (
        "These forms have no hostile-input test: add one in mentorship/tests/hostile/ "
        f"(decorated with support.covers) or exempt it with a reason: {missing}"
    )
    stale = sorted(name for name in [*covered, *EXEMPT] if name not in forms)
    assert not stale, f"Covered or exempted forms that no longer exist: {stale}"


def test_each_cover_names_a_url_of_the_project_and_a_persona():
    from mentorship.tests.test_authorisation_sweep import URLS, _is_public

    _hostile_test_modules()
    for name, covers in support.COVERED.items():
        for cover in covers:
            if cover.via.startswith("admin:"):
                # The Django admin's own pages (staff only) are left out of the sweep's table:
                # the name must still be one the admin serves.
                assert resolve(reverse(cover.via)).namespace == "admin", (name, cover.via)
                continue
            assert cover.via in URLS or _is_public(cover.via), (name, cover.via)
            assert cover.persona, name
