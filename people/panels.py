"""Blocks that higher apps add to the profile page, without people importing them.

An upper app registers a function in its ``AppConfig.ready()``::

    from people import panels
    panels.register("calendar-feed", render)   # render(request) -> HTML string or ""

The profile page shows every registered block, in registration order, below the form.
"""

from collections.abc import Callable

from django.utils.safestring import mark_safe

_panels: dict[str, Callable] = {}


def register(name: str, render: Callable) -> None:
    """Add (or replace) a block. ``render(request)`` returns HTML made by a template."""
    _panels[name] = render


def render_all(request) -> list[str]:
    return [mark_safe(html) for render in _panels.values() if (html := render(request))]  # noqa: S308
