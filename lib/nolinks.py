"""Text that no mail client can turn into a link.

Mail clients (Outlook, Gmail, Apple Mail) make links of anything that looks like an address:
``http://…``, ``www.…``, ``evil.example``, ``someone@evil.example``, in plain-text and HTML
bodies alike. Emails carry text people chose (their name, a project title, a message); if a
person can name themselves ``https://pay-here.example`` the application would send a clickable
link it never made, under its own name.

:func:`defuse` rewrites only what looks like a link, the way security reports "defang" an
address: the dots of a host name become ``[.]``, the ``:`` of a scheme ``[:]`` and the ``@`` of
an address ``[at]``. Ordinary text is left as it was. Look-alike dots (``。`` ``．`` ``․``) and
zero-width characters hidden inside a host name count as dots and are defused too, so the trick
cannot be undone by writing the link with them. Pure; knows no domain.
"""

from __future__ import annotations

import functools
import re

# Characters some clients or browsers read as a dot in a host name (IDNA maps them to ".").
_DOTS = ".\u2024\u3002\uff0e\uff61\ufe52"
# Invisible characters someone may hide inside a link so a filter misses it.
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u2060\ufeff"
_DOT = f"[{re.escape(_DOTS)}]"
_HIDDEN = f"[{_INVISIBLE}]*+"
# Labels, hidden characters and dots are disjoint classes, quantifiers are possessive and a match
# starts only at the start of a word, so each pattern runs in linear time whatever the text: no
# backtracking blow-up on a hostile 5,000-character name.
_LABEL = r"[\w-]++"
_SCHEME_WORDS = re.compile(rf"(?i)\b(mailto|tel|sms|javascript|data|callto|skype){_HIDDEN}:")
_SCHEME = re.compile(rf"(?i)(?<![a-z0-9+\-])([a-z][a-z0-9+\-]*+){_HIDDEN}:{_HIDDEN}//")
# host.tld (two or more labels, the last of letters): also catches www.host and user@host
_HOST = re.compile(rf"(?<![\w-]){_LABEL}(?:{_HIDDEN}{_DOT}{_HIDDEN}{_LABEL})++")
_AT = re.compile(rf"[@\uff20\ufe6b](?={_HIDDEN}{_LABEL}{_HIDDEN}{_DOT})")


def _defuse_host(match: re.Match) -> str:
    text = match.group(0)
    labels = re.split(_DOT, re.sub(f"[{_INVISIBLE}]", "", text))
    # 3.5, 29.11.2026 or e.g are not host names: a top-level domain has two letters or more
    if len(re.findall(r"[^\W\d_]", labels[-1])) < 2:
        return text
    return "[.]".join(labels)


@functools.lru_cache(maxsize=8192, typed=True)
def defuse(text: str) -> str:
    """``text`` with every link-looking part broken so that no client makes a link of it.
    Pure, so remembered: a batch of emails repeats the same names, cohort and programme."""
    if not text:
        return text
    text = _SCHEME_WORDS.sub(lambda m: f"{m.group(1)}[:]", text)
    text = _SCHEME.sub(r"\1[:]//", text)
    text = _AT.sub("[at]", text)
    return _HOST.sub(_defuse_host, text)


def defuse_values(value, *, keep=lambda key: False, _key: str = ""):
    """``value`` with :func:`defuse` applied to every string in it, through dicts, lists and
    tuples; a string under a dict key for which ``keep(key)`` is true is left alone (the
    application's own links and addresses)."""
    if isinstance(value, str):
        return value if keep(_key) else defuse(value)
    if isinstance(value, dict):
        return {k: defuse_values(v, keep=keep, _key=str(k)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(defuse_values(v, keep=keep, _key=_key) for v in value)
    return value
