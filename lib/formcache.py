"""Unbound forms rendered once per process (issue 19: a participant's pair page spent 40 % of its
CPU laying out the same empty check-in form with crispy-forms, on every request).

``crispy_unbound(form)`` returns what ``{{ form|crispy }}`` would: the layout is rendered once per
process for the form's class and initial values (a date among them changes the key each day), with
a placeholder where the form's one-time token goes (``lib/once.py``), and each call puts its own
form's token in. Only for unbound forms whose HTML depends on nothing but their class and initial
values: no instance, no prefix, no per-request choices.
"""

import threading

from django.utils.safestring import SafeString, mark_safe

from . import once

_PLACEHOLDER = "OnceTokenPlaceholder0123456789ab"
_rendered: dict[str, tuple[str, str]] = {}  # form class -> (initial values, HTML)
_lock = threading.Lock()


def crispy_unbound(form) -> SafeString:
    from crispy_forms.templatetags.crispy_forms_filters import as_crispy_form

    if form.is_bound or getattr(form, "instance", None) is not None and form.instance.pk:
        raise ValueError("crispy_unbound renders unbound forms without an instance only")
    token = form.initial.get(once.FIELD, "")
    name = f"{type(form).__module__}.{type(form).__qualname__}"
    values = repr(sorted((k, v) for k, v in form.initial.items() if k != once.FIELD))
    hit = _rendered.get(name)
    if hit is None or hit[0] != values:
        template = type(form)(initial=dict(form.initial))
        template.initial[once.FIELD] = _PLACEHOLDER  # after the form's __init__ drew its own
        html = str(as_crispy_form(template))
        if once.FIELD in form.fields and _PLACEHOLDER not in html:
            # The token went somewhere this cannot find: never share one between people.
            return as_crispy_form(form)
        with _lock:
            _rendered[name] = hit = (values, html)
    return mark_safe(hit[1].replace(_PLACEHOLDER, token))  # noqa: S308 - crispy's own HTML
