"""Form fields every app may use."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models


class IdsField(forms.ModelMultipleChoiceField):
    """A ``ModelMultipleChoiceField`` over integer ids that refuses, as an invalid choice, an id
    the database cannot hold (Django passes a 30-digit id to an ``IN`` query, and SQLite raises
    ``OverflowError``: a 500 on hostile input) or one ``int()`` cannot read."""

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not text.isdecimal() or len(text) > 18:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


_NUMBERS = (models.IntegerField, models.FloatField, models.DecimalField)


def _formfield(model_field, **kwargs):
    """The model field's form field, with the validators the model field declares (a range,
    say) run by the form too, so a form shows every field's error at once, with the model's
    words, as a ModelForm did. A declared range replaces the form field's own (a positive
    integer's 0) and becomes the input's ``min`` and ``max``."""
    if isinstance(model_field, models.URLField):
        # An address typed without a scheme is https (Django 6's default), as on every form here.
        kwargs.setdefault("assume_scheme", "https")
    declared = list(getattr(model_field, "_validators", ()))
    lows = [v.limit_value for v in declared if isinstance(v, MinValueValidator)]
    highs = [v.limit_value for v in declared if isinstance(v, MaxValueValidator)]
    if isinstance(model_field, _NUMBERS):
        if lows:
            kwargs.setdefault("min_value", None)
        if highs:
            kwargs.setdefault("max_value", None)
    field = model_field.formfield(**kwargs)
    if field is None or not declared:
        return field
    field.validators = [*field.validators, *(v for v in declared if v not in field.validators)]
    if lows and isinstance(model_field, _NUMBERS):
        field.widget.attrs["min"] = max(lows)
    if highs and isinstance(model_field, _NUMBERS):
        field.widget.attrs["max"] = min(highs)
    return field


def model_fields_form(model, fields, **options) -> type[forms.Form]:
    """A plain ``Form`` class with ``model``'s ``fields`` as a ModelForm would make them (labels,
    lengths, choices; ``options`` as ``fields_for_model`` takes them: ``widgets``, ``labels``,
    ``help_texts``), to inherit from. A model field's own validators (a range, say) are the
    form field's too, so every field's error shows at once; what spans fields (the model's
    ``clean()``, its constraints) runs in the service's ``full_clean``, whose errors the view
    puts back on the form (``add_errors``).

    For a form whose service validates the model itself (``full_clean``): the form checks each
    field as typed and builds no instance, so a POST validates the model once, in the service,
    not in a ModelForm first. Fill an edit form with ``initial=forms.model_to_dict(obj, fields)``.
    """
    options.setdefault("formfield_callback", _formfield)
    declared = forms.fields_for_model(model, fields=fields, **options)
    return type(
        f"{model.__name__}Fields",
        (_ModelFieldsForm,),
        {**declared, "model_fields": tuple(fields)},
    )


class _ModelFieldsForm(forms.Form):
    model_fields: tuple[str, ...] = ()

    def model_data(self) -> dict:
        """What the service takes as ``data``: the model's fields as typed, nothing the form
        adds (a one-time token, a weight)."""
        return {name: self.cleaned_data[name] for name in self.model_fields}


def add_errors(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ``ValidationError`` on ``form``: each field's messages on that field when
    the form has it, the rest above the form (as a ModelForm put the model's own errors).

    For a ``model_fields_form`` form: the model is validated once, in the service, after the form
    is valid, so what the model's validators, ``clean()`` and constraints refuse comes back here.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for name, errors in exc.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)
