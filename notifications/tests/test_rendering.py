"""notifications.rendering.RenderMemo renders exactly what Django renders, for every email
template, whatever the context: strings that need escaping, empty ones, dates, numbers, missing
variables; and it renders each shape of context once."""

import datetime as dt
import random
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe

from notifications import rendering
from notifications.rendering import RenderMemo

EMAILS = Path(settings.BASE_DIR) / "templates" / "emails"
NAMES = sorted(f"emails/{p.name}" for p in EMAILS.iterdir() if p.is_file())

STRINGS = [
    "",
    "Ana",
    'Ana O\'Neil <b>&amp; "co"',
    mark_safe("<em>safe</em>"),
    "https://mentoring.example.gov.uk/pairs/7/",
    "x" * 300,
    "\u00e9\u20ac line\nbreak",
]
VALUES = STRINGS + [
    None,
    0,
    1,
    14,
    True,
    False,
    1.5,
    dt.date(2026, 10, 19),
    dt.date(2026, 12, 25),
    dt.datetime(2026, 10, 19, 9, 30, tzinfo=dt.UTC),
    [],
    ["a", "b"],
    {"a": 1},
]


def plain(name: str, context: dict, autoescape: bool) -> str:
    if autoescape:
        return render_to_string(name, context)
    return get_template(name).template.render(Context(context, autoescape=False))


def variables(name: str) -> list[str]:
    uses = rendering._uses(get_template(name).template)
    return sorted(uses) if uses else []


def test_the_rhythm_and_outbox_templates_are_memoised():
    for template in ("checkin-due", "checkin-nudge", "cohort-welcome", "survey-reminder"):
        for part in ("subject.txt", "body.txt", "body.html"):
            assert rendering._uses(get_template(f"emails/{template}-{part}").template), template


@pytest.mark.parametrize("name", NAMES)
def test_memo_renders_what_django_renders(name):
    rng = random.Random(name)
    autoescape = name.endswith(".html")
    names = variables(name) or ["name", "url"]
    memo = RenderMemo()
    for _ in range(60):
        context = {}
        for var in names:
            if rng.random() < 0.1:
                continue  # missing
            pool = STRINGS if rng.random() < 0.6 else VALUES
            context[var] = rng.choice(pool)
        try:
            expected = plain(name, context, autoescape)
        except Exception as exc:  # a filter that refuses a value: the memo must refuse it too
            with pytest.raises(type(exc)):
                memo.render(name, context, autoescape=autoescape)
            continue
        assert memo.render(name, context, autoescape=autoescape) == expected
        # Same shape, other strings: from the cache, and still right.
        other = {k: (v + " two <&>" if type(v) is str and v else v) for k, v in context.items()}
        assert memo.render(name, other, autoescape=autoescape) == plain(name, other, autoescape)


def test_one_render_per_shape():
    memo = RenderMemo()
    base = {
        "name": "Ana",
        "other_name": "Bo",
        "other_email": "bo@example.gov.uk",
        "cohort_name": "Spring",
        "due": dt.date(2026, 10, 19),
        "cadence_days": 14,
        "last_met_on": dt.date(2026, 10, 5),
        "slot": "Monday 19 October 2026, 09:00 (Europe/London)",
        "slot_other": "Monday 19 October 2026, 09:00 (Europe/London)",
        "slot_suits_both": True,
        "url": "https://x.example/pairs/1/",
        "site_name": "Mentoring",
        "programme_name": "Fast Stream",
        "unsubscribe_url": "https://x.example/u/abc/",
        "preferences_url": "https://x.example/p/",
        "kind_label": "Check-in reminders",
    }
    for i in range(50):
        context = {**base, "name": f"Person {i} <&>", "url": f"https://x.example/pairs/{i}/"}
        html = memo.render("emails/checkin-due-body.html", context, autoescape=True)
        assert html == render_to_string("emails/checkin-due-body.html", context)
        assert f"Person {i} &lt;&amp;&gt;" in html
    assert (memo.misses, memo.hits) == (1, 49)
    # Another due date is another shape; an empty unsubscribe link too (its {% if %}).
    memo.render(
        "emails/checkin-due-body.html", {**base, "due": dt.date(2026, 10, 20)}, autoescape=True
    )
    memo.render("emails/checkin-due-body.html", {**base, "unsubscribe_url": ""}, autoescape=True)
    assert memo.misses == 3


def test_what_the_memo_does_not_understand_renders_plainly():
    memo = RenderMemo()
    context = {"name": "a\x00b", "url": "u"}
    name = "emails/checkin-nudge-body.txt"
    assert memo.render(name, context, autoescape=False) == plain(name, context, False)
    assert memo.hits == memo.misses == 0
