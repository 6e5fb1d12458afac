"""Every text a person can type has a length limit, checked before any processing (issue 15,
item 13). Like the authorisation sweep, the test walks every model and every form of the
project and fails on an unbounded free-text field."""

import importlib
import inspect
from pathlib import Path

from django import forms
from django.apps import apps
from django.db import models

ROOT = Path(__file__).resolve().parents[2]
#: Text the application writes itself, never a person.
WRITTEN_BY_THE_APPLICATION = {
    ("notifications.Email", "body_text"),
    ("notifications.Email", "body_html"),
    ("notifications.Email", "last_error"),
}


def _project_models():
    for config in apps.get_app_configs():
        if Path(config.path).resolve().parent == ROOT:
            yield from config.get_models()


def _project_forms():
    for config in apps.get_app_configs():
        if Path(config.path).resolve().parent != ROOT:
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_there_are_models_and_forms_to_check():
    assert len(list(_project_models())) > 30 and len(list(_project_forms())) > 20


def test_every_text_column_a_person_writes_has_a_length_limit():
    unbounded = [
        (model._meta.label, field.name)
        for model in _project_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.TextField) and field.max_length is None
    ]
    assert set(unbounded) <= WRITTEN_BY_THE_APPLICATION, sorted(
        set(unbounded) - WRITTEN_BY_THE_APPLICATION
    )


def test_every_text_field_of_every_form_has_a_length_limit():
    unbounded = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in _project_forms()
        for name, field in form.base_fields.items()
        if isinstance(field, forms.CharField) and field.max_length is None
    ]
    assert unbounded == []


def test_a_length_limit_set_on_a_form_field_is_enforced_by_a_validator():
    """max_length set after the field is built (``self.fields[x].max_length = n``) only changes
    the widget: the server-side check is the validator the field made when it was built."""
    for form in _project_forms():
        for name, field in form.base_fields.items():
            if isinstance(field, forms.CharField) and field.max_length is not None:
                limits = [v.limit_value for v in field.validators if hasattr(v, "limit_value")]
                assert field.max_length in limits, f"{form.__name__}.{name}"
