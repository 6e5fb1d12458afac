"""Personal-data rights: what is held about a person (export) and how it is erased.

People sit low in the import order (notifications <- people <- programmes <- ...), so this module
cannot import the apps that hold most of a person's data. Each of those apps registers a section
instead, from its ``AppConfig.ready()``::

    from people import personal_data
    personal_data.register("pairs", export=pairs_export, erase=pairs_erase)

``export(user)`` returns JSON-ready data; ``erase(user, erasure)`` removes or anonymises the free
text and identity the app holds about the person while keeping the rows that aggregate figures
are counted from (pairs, check-in ratings, survey scores). The outbox sits below people and is
called directly. After every section ran, :func:`scrub_mentions` replaces the person's email
address and full name wherever they still appear in any text column of any model (someone else's
check-in note, an introduction email, a pairing run's reasons), so no app can be forgotten.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models, transaction
from django.db.models import Q
from django.db.models.functions import Cast
from django.utils.html import escape

ERASED = "[erased]"


@dataclass
class Erasure:
    """What an eraser needs to know: the person (already anonymised) and the old identity."""

    user: object
    old_email: str
    old_name: str
    counts: dict[str, int] = field(default_factory=dict)

    def count(self, key: str, n: int) -> None:
        if n:
            self.counts[key] = self.counts.get(key, 0) + n

    @property
    def needles(self) -> list[str]:
        """The strings that identify the person in free text."""
        out = [self.old_email]
        # A whole full name only: a first name alone would wipe unrelated text.
        if len(self.old_name.strip()) >= 3:
            out.append(self.old_name.strip())
        variants = []
        for n in out:
            variants += [n, escape(n)]
        return list(dict.fromkeys(v for v in variants if v))


@dataclass
class Section:
    name: str
    export: Callable | None
    erase: Callable | None


_sections: dict[str, Section] = {}


def register(name: str, *, export: Callable | None = None, erase: Callable | None = None) -> None:
    """Add a section of personal data. Registering the same name again replaces it."""
    _sections[name] = Section(name=name, export=export, erase=erase)


def sections() -> list[Section]:
    return list(_sections.values())


def export_sections(user) -> dict:
    return {s.name: s.export(user) for s in _sections.values() if s.export is not None}


def erase_sections(erasure: Erasure) -> None:
    for section in _sections.values():
        if section.erase is not None:
            section.erase(erasure.user, erasure)


ICS_MARK = "BEGIN:VCALENDAR"


def ics_unfold(text: str) -> str:
    """RFC 5545 3.1: a line break followed by a space or a tab continues the line."""
    return re.sub(r"\r?\n[ \t]", "", text)


def ics_fold(text: str) -> str:
    """Fold content lines longer than 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    out = []
    for line in re.split(r"\r\n|\n", text):
        encoded = line.encode("utf-8")
        if len(encoded) <= 75:
            out.append(line)
            continue
        parts, current, size, limit = [], "", 0, 75
        for ch in line:
            n = len(ch.encode("utf-8"))
            if size + n > limit:
                parts.append(current)
                current, size, limit = "", 0, 74  # continuation lines start with a space
            current += ch
            size += n
        parts.append(current)
        out.append("\r\n ".join(parts))
    return "\r\n".join(out)


def ics_escape(text: str) -> str:
    """TEXT values in iCalendar escape backslashes, semicolons and commas (RFC 5545 3.3.11)."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")


def _replace(value, needles: list[str]):
    """Replace every needle (case-insensitively) in a string or in the strings of JSON data.

    Calendar files are unfolded first, searched for the needles as written and as iCalendar
    escapes them, and folded again: a name split over two folded lines is still found."""
    if isinstance(value, str):
        if ICS_MARK in value:
            unfolded = ics_unfold(value)
            replaced = _replace_text(unfolded, needles + [ics_escape(n) for n in needles])
            return value if replaced == unfolded else ics_fold(replaced)
        return _replace_text(value, needles)
    if isinstance(value, list):
        return [_replace(v, needles) for v in value]
    if isinstance(value, dict):
        return {_replace(k, needles): _replace(v, needles) for k, v in value.items()}
    return value


def _replace_text(value: str, needles: list[str]) -> str:
    for needle in needles:
        value = re.sub(re.escape(needle), ERASED, value, flags=re.IGNORECASE)
    return value


def scrub_text(text: str, erasure: Erasure) -> str:
    return _replace(text, erasure.needles)


TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def text_columns():
    """Every concrete text, char and JSON column of every installed model."""
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        for f in model._meta.concrete_fields:
            if isinstance(f, TEXT_FIELDS) and not f.primary_key:
                yield model, f


def _contains(f, needle: str) -> Q:
    if isinstance(f, models.JSONField):
        # JSON as text: SQLite keeps non-ASCII escaped (\u00e9), PostgreSQL does not.
        column = f"_text_{f.name}__icontains"
        return Q(**{column: needle}) | Q(**{column: json.dumps(needle)[1:-1]})
    return Q(**{f"{f.name}__icontains": needle})


@transaction.atomic
def scrub_mentions(erasure: Erasure, *, skip=()) -> int:
    """Replace the person's old email and name in every text column of the database."""
    needles = erasure.needles
    changed = 0
    for model, f in text_columns():
        if (model._meta.label, f.name) in skip:
            continue
        qs = model._default_manager.all()
        if isinstance(f, models.JSONField):
            qs = qs.annotate(**{f"_text_{f.name}": Cast(f.name, models.TextField())})
        cond = Q()
        for needle in needles:
            cond |= _contains(f, needle)
        # Calendar files fold long lines, so a name may be split: look at every calendar file.
        cond |= _contains(f, ICS_MARK)
        for pk, value in qs.filter(cond).values_list("pk", f.name):
            new = _replace(value, needles)
            if new != value:
                if isinstance(f, models.CharField) and f.max_length:
                    new = new[: f.max_length]
                model._default_manager.filter(pk=pk).update(**{f.name: new})
                changed += 1
    erasure.count("mentions", changed)
    return changed


# --- Field declarations -------------------------------------------------------------------------
#
# Every field of every model of the project is declared by the app that owns it: whether it holds
# personal data, whether it is in the person's download and what erasure does to it. A test
# (people/tests/test_personal_data_registry.py) fails on a model or field nobody declared, the way
# the authorisation sweep fails on an unclassified URL, so the registry cannot go stale; and
# docs/privacy.md's table is generated from it (``manage.py personal_data_table``).

# What a field is, for the person it is about.
PERSON = "identifies the person"  # a link to the account, an address, a name
FREE_TEXT = "free text they wrote or that is about them"
FACT = "a fact about them (dates, choices, scores)"
NOT_PERSONAL = "not personal"

# What erasure does to the row.
ROW_ANONYMISED = "row kept, linked to the anonymised account; free text erased"
ROW_DELETED = "row deleted"
ROW_KEPT = "row kept (no personal data, or names scrubbed from text)"

PROJECT_APPS = (
    "lib",  # one model: used one-time form tokens (declared in people/declared_fields.py)
    "notifications",
    "people",
    "programmes",
    "recruitment",
    "pairing",
    "community",
    "feedback",
    "rhythm",
    "insights",
    "calendars",
    "api",
)


@dataclass(frozen=True)
class Declaration:
    model: str  # app_label.ModelName
    fields: dict[str, str]  # field name -> PERSON / FREE_TEXT / FACT / NOT_PERSONAL
    on_erase: str
    exported_in: str  # the download section(s) that carry it, "" when nothing personal
    note: str = ""


_declarations: dict[str, Declaration] = {}


def declare(
    model: str,
    *,
    on_erase: str = ROW_KEPT,
    exported_in: str = "",
    person=(),
    free_text=(),
    facts=(),
    not_personal=(),
    note: str = "",
) -> None:
    """Declare every field of one model. A field named twice is an error."""
    fields: dict[str, str] = {}
    for names, kind in (
        (person, PERSON),
        (free_text, FREE_TEXT),
        (facts, FACT),
        (not_personal, NOT_PERSONAL),
    ):
        for name in names:
            if name in fields:
                raise ValueError(f"{model}.{name} is declared twice")
            fields[name] = kind
    if any(k != NOT_PERSONAL for k in fields.values()) and not exported_in:
        raise ValueError(f"{model} holds personal data: say which download section carries it")
    _declarations[model] = Declaration(
        model=model, fields=fields, on_erase=on_erase, exported_in=exported_in, note=note
    )


def declarations() -> list[Declaration]:
    return sorted(_declarations.values(), key=lambda d: d.model)


def model_fields(model) -> list[str]:
    """The fields a declaration must cover: concrete columns and many-to-many relations."""
    return [
        f.name
        for f in model._meta.get_fields()
        if (f.concrete or f.many_to_many) and not f.auto_created
    ]


def undeclared() -> list[str]:
    """Models and fields of the project's apps that no app declared (empty when all is well),
    and declarations that name a model or field that does not exist."""
    problems = []
    seen = set()
    for config in apps.get_app_configs():
        if config.label not in PROJECT_APPS:
            continue
        for model in config.get_models():
            label = model._meta.label
            seen.add(label)
            declaration = _declarations.get(label)
            if declaration is None:
                problems.append(f"{label}: model not declared")
                continue
            names = model_fields(model)
            problems += [
                f"{label}.{n}: field not declared" for n in names if n not in declaration.fields
            ]
            problems += [
                f"{label}.{n}: declared but no such field"
                for n in declaration.fields
                if n not in names
            ]
    problems += [
        f"{label}: declared but no such model" for label in _declarations if label not in seen
    ]
    return problems


def markdown_table() -> str:
    """The table of docs/privacy.md: every personal-data field, its download and its erasure."""
    lines = [
        "| model | field | what it is | in the download | at erasure |",
        "|---|---|---|---|---|",
    ]
    for d in declarations():
        for name, kind in d.fields.items():
            if kind == NOT_PERSONAL:
                continue
            if kind == FREE_TEXT:
                erase = "deleted with the row" if d.on_erase == ROW_DELETED else "erased"
            elif kind == PERSON:
                erase = (
                    "deleted with the row"
                    if d.on_erase == ROW_DELETED
                    else "anonymised (points to the erased account) or blanked"
                )
            else:
                erase = "deleted with the row" if d.on_erase == ROW_DELETED else "kept for figures"
            lines.append(f"| `{d.model}` | `{name}` | {kind} | {d.exported_in} | {erase} |")
    return "\n".join(lines) + "\n"
