"""Absolute links for emails and calendar files, from ``SITE_URL`` (the one place that knows it)."""

from functools import lru_cache

from django.conf import settings
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse

# An id no table reaches: reversed in place of the arguments to find where they go.
_MARKER = 7_385_402_919_136_000


def absolute_url(path: str) -> str:
    """``path`` (a site-relative path, starting with /) as an absolute URL on this site."""
    return settings.SITE_URL.rstrip("/") + path


def absolute_reverse(viewname: str, *, args=None, kwargs=None) -> str:
    """The absolute URL of a view. A view with no arguments, or only ids (non-negative
    integers), is reversed once per process and the ids put in its place afterwards: emails
    carry several links each, and one rhythm run writes tens of thousands of emails, where
    ``reverse`` costs about 0.1 ms a call. Anything else goes through ``reverse``."""
    if not kwargs and all(type(a) is int and a >= 0 for a in args or ()):
        pieces = _pieces(
            viewname,
            len(args or ()),
            settings.SITE_URL,
            settings.ROOT_URLCONF,
            get_urlconf(),
            get_script_prefix(),
        )
        if pieces is not None:
            out = [pieces[0]]
            for arg, piece in zip(args or (), pieces[1:], strict=True):
                out += (str(arg), piece)
            return "".join(out)
    return absolute_url(reverse(viewname, args=args, kwargs=kwargs))


@lru_cache(maxsize=1024)
def _pieces(viewname, n, site_url, root_urlconf, urlconf, prefix) -> tuple[str, ...] | None:
    """The view's absolute URL cut where its ``n`` integer arguments go, or None when markers
    do not pass through it unchanged (a converter that is not ``int``): then ``reverse`` it is.
    The key holds everything ``reverse`` and ``absolute_url`` read."""
    markers = [str(_MARKER + i) for i in range(n)]
    try:
        rest = absolute_url(reverse(viewname, args=[int(m) for m in markers]))
    except NoReverseMatch:
        return None
    pieces = []
    for marker in markers:
        if rest.count(marker) != 1:
            return None
        head, rest = rest.split(marker)
        pieces.append(head)
    pieces.append(rest)
    return tuple(pieces)
