"""Absolute links for emails and calendar files, from ``SITE_URL`` (the one place that knows it)."""

from django.conf import settings
from django.urls import reverse


def absolute_url(path: str) -> str:
    """``path`` (a site-relative path, starting with /) as an absolute URL on this site."""
    return settings.SITE_URL.rstrip("/") + path


def absolute_reverse(viewname: str, *, args=None, kwargs=None) -> str:
    return absolute_url(reverse(viewname, args=args, kwargs=kwargs))
