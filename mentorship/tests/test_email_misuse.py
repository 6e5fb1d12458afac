"""No email carries a link or a subject line a user wrote (issue 15, item 10).

The application emails people on other people's behalf: a manager about an applicant, a
mentor about a mentee, a cohort member about a directory message. If a person could name
themselves ``https://pay-here.example`` and have it arrive as a clickable link, or put their own
words in a subject, the application would carry their phishing under its name. These tests walk
every email template, like the authorisation sweep walks every URL.
"""

import re
from pathlib import Path

import pytest
from django.template.defaultfilters import urlize
from django.template.loader import get_template
from hypothesis import given
from hypothesis import strategies as st

from lib.nolinks import defuse
from notifications.services import email_enqueue

EMAILS = Path(get_template("emails/layout.txt").origin.name).parent
NAMES = sorted(p.name.removesuffix("-body.txt") for p in EMAILS.glob("*-body.txt"))

#: What a subject may show: words the programme's coordinators chose (programme, cohort, survey
#: and event names), dates, counts and the application's own labels. Never a participant's
#: name or anything a participant or a member of the public typed.
SUBJECT_MAY_SHOW = {
    "programme_name",
    "cohort_name",
    "survey_name",
    "title",  # an event's title: events are created by the cohort's coordinators
    "weekly",
    "weekday",
    "first_date",
    "start_time",
    "closes_on",
    "due",
    "days_silent",
    "week_of",
    "at_risk_total",
    "status",
    "role",
    "other_role",
    "last",
    "subject",  # the account emails: allauth's own subject line (people/adapter.py)
}

HOSTILE = "https://pay-here.example/x www.evil.example evil.example someone@evil.example"


def _variables(source: str) -> set[str]:
    names = set(re.findall(r"{{\s*([\w.]+)", source))
    names |= set(re.findall(r"{%\s*(?:if|elif)\s+(?:not\s+)?([\w.]+)", source))
    return {n.split(".")[0] for n in names}


def test_there_are_templates_to_check():
    assert "manager-signoff" in NAMES and len(NAMES) > 15


@pytest.mark.parametrize("name", NAMES)
def test_no_subject_shows_what_a_participant_wrote(name):
    used = _variables((EMAILS / f"{name}-subject.txt").read_text())
    assert used <= SUBJECT_MAY_SHOW, (
        f"emails/{name}-subject.txt shows {sorted(used - SUBJECT_MAY_SHOW)}: keep names and "
        "typed text in the body, where the outbox defuses links"
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", NAMES)
def test_no_email_makes_a_link_of_what_a_person_wrote(name):
    """Every variable of every template set to a link-looking text: none of it arrives as a
    link, in the text part or the HTML part."""
    sources = "".join(
        (EMAILS / f"{name}-{part}").read_text() for part in ("subject.txt", "body.txt", "body.html")
    )
    context = {
        v: HOSTILE
        for v in _variables(sources)
        if not v.endswith(("url", "email")) and v not in ("site_name", "programme_name")
    }
    context["other"] = {"name": HOSTILE, "bio": HOSTILE, "organisation": HOSTILE}
    context["reasons"] = [HOSTILE]
    email = email_enqueue(
        to="reader@example.gov.uk",
        kind="account",
        template=name,
        context=context,
        idempotency_key=f"hostile:{name}",
        programme_name=HOSTILE,
    )
    for part in (email.subject, email.body_text, email.body_html):
        for bad in ("https://pay-here", "pay-here.example", "www.evil", "evil.example", "@evil"):
            assert bad not in part, (name, bad)
    assert "href" not in urlize(email.body_text).replace('href="http://testserver', "")


@pytest.mark.parametrize(
    "text",
    [
        "evil.com",
        "http://x",
        "HTTPS://EVIL.EXAMPLE/login",
        "www.evil.co.uk",
        "pay@evil.example",
        "evil\u3002com",  # an ideographic full stop, which browsers read as a dot
        "evil\uff0ecom",
        "evil\u200b.com",  # a hidden zero-width space
        "javascript:alert(1)",
        "mailto:someone@evil.example",
    ],
)
def test_link_looking_text_is_defused(text):
    out = defuse(text)
    assert "href" not in urlize(out)
    assert not re.search(r"\w[.\u3002\uff0e]\w{2}", out.replace("[.]", " "))


@pytest.mark.parametrize(
    "text", ["Mina Mentee", "J. R. Smith", "e.g. forecasting", "Python 3.11", "29.11.2026"]
)
def test_ordinary_text_is_left_alone(text):
    assert defuse(text) == text


@given(
    st.text(
        alphabet=st.sampled_from(list("abcXYZ019-_ .@:/") + ["\u3002", "\uff0e", "\u200b", "é"]),
        max_size=60,
    )
)
def test_no_text_comes_out_as_a_link(text):
    assert "href" not in urlize(defuse(text))


@pytest.mark.parametrize(
    "text",
    [
        "a" * 5000 + "@" + "b" * 5000,
        "a-" * 5000 + ":",
        "a" + "\u200b" * 5000 + ".",
        ("x\u200b.\u200b") * 5000,
    ],
)
def test_a_hostile_long_name_is_defused_without_backtracking(text):
    """Each pattern matches in linear time (possessive quantifiers, matches start at a word's
    start): before, the first of these took seconds and the third never finished."""
    assert len(defuse(text)) >= len(text) - 5000


def test_calendar_files_attached_to_emails_make_no_link_of_what_a_person_wrote():
    """The .ics files that travel with check-in and event emails carry names, titles and
    descriptions people typed: unfolded, none of them is link-shaped; the event's own join link
    stays the one link."""
    import datetime as dt

    from community.ics import IcsEvent, event_ics
    from people.personal_data import ics_unfold
    from rhythm.ics import checkin_ics

    start = dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC)
    checkin = checkin_ics(
        uid="u1",
        start=start,
        summary="Check-in with pay-here.example",
        description="Meet https://evil.example",
        url="https://app.example/pairs/1/",
        stamp=start,
    )
    event = event_ics(
        IcsEvent(
            uid="u2",
            title="Stand-up at evil.example",
            first_date=start.date(),
            start_time=dt.time(10),
            duration_minutes=30,
            time_zone="Europe/London",
            description="Bring money to www.pay-here.example",
            location="evil.example",
            url="https://meet.example/room",
        ),
        stamp=start,
    )
    for text in (ics_unfold(checkin), ics_unfold(event)):
        for bad in ("pay-here.example", "evil.example", "https://evil"):
            assert bad not in text
    assert "https://meet.example/room" in ics_unfold(event)
