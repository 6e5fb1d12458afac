"""Every page a person can reach is linked from where that person looks for it: a URL reachable
only by typing it is a bug (docs/architecture.md, house style "URLs and pages").

Over the demo (``seed_demo``, with choice mode on so the ranking page exists), the test signs in
as each persona and crawls from the home page (the anonymous visitor from the landing page),
collecting every ``href``, form ``action`` and htmx ``hx-get``/``hx-post`` that names a project
URL. It then makes the demo send the emails people act on (reminders, survey invitations,
invitations to a cohort, a line-manager sign-off request) and collects the links in their
bodies and headers. Each named URL of the project, classified in the authorisation sweep
(``test_authorisation_sweep.URLS``), must be linked from a page or email of a persona its class
says uses it. The few that are not are listed in ``EXEMPT``, each with its reason.
"""

import datetime as dt
import re
from collections import Counter, defaultdict, deque
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve
from django.utils import timezone

from api.services import api_token_create
from feedback.services import question_add
from lib.audit import AuditContext
from notifications.models import Email
from pairing.models import PairingSettings, ProposedPair
from people.models import User
from programmes.models import Enrolment, Programme
from programmes.tests.factories import CohortFactory

from .test_authorisation_sweep import (
    ANY_COORDINATOR,
    API,
    COHORT,
    COORDINATOR,
    OPEN_COHORT,
    OWN,
    PAIR,
    PUBLIC,
    REDIRECT,
    SELF,
    TOKEN,
    URLS,
    _is_public,
    project_urls,
)

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2027, 3, 10, 9, 30, tzinfo=dt.UTC)  # a Wednesday morning

SIGNED_IN = {"coordinator", "mentor", "mentee", "ranking_mentee", "alumnus", "newcomer"}
PARTICIPANTS = {"mentor", "mentee", "ranking_mentee", "alumnus", "newcomer"}
# Whose pages (or emails) must link a URL of each class of the authorisation sweep.
LINKED_FOR = {
    COORDINATOR: {"coordinator"},
    ANY_COORDINATOR: {"coordinator"},
    PAIR: {"mentor", "mentee"},
    OWN: SIGNED_IN | {"email"},
    SELF: SIGNED_IN,
    COHORT: {"mentor", "mentee", "alumnus", "coordinator"},
    OPEN_COHORT: PARTICIPANTS,
    # Signed links: from an email, or from the person's own page (surveys to answer).
    TOKEN: {"email"} | PARTICIPANTS,
    PUBLIC: SIGNED_IN | {"anonymous", "email"},
}
# Reached on purpose without a link from a page or an email; each says why.
EXEMPT = {
    "favicon": "browsers ask for /favicon.ico by themselves; pages link the SVG icon",
    "recruitment:review_decide": "the form of the decisions' confirmation page, which is "
    "itself the answer to the review's form (a POST the crawl does not send)",
    "notifications:notify_callback": "GOV.UK Notify's delivery receipts: called by Notify, "
    "never by a person",
    "notifications:address_confirm": "the confirmation link of an address change, in an email "
    "sent only when someone changes their address (tested in notifications/tests)",
    "pairing:old_run": "an old address, kept so bookmarks still work (answers 301)",
    "pairing:old_run_action": "an old address, kept so bookmarks still work (answers 301)",
    "notifications:attachment": "GOV.UK Notify cannot attach files: its backend puts this signed "
    "link into the email as it sends it (notifications/notify.py), not into the outbox row",
    "recruitment:register_interest_thanks": "where the public interest form sends people once "
    "they have registered (a redirect after the POST)",
}
# Not fetched while crawling (still counted as linked): downloads, and actions that change state.
NO_FETCH = re.compile(
    r"(export|\.csv|\.ics|ics|attachment|logout|unsubscribe|answer|feed|openapi-json)"
)
MAX_PER_NAME = 4  # pages of the same URL name fetched per persona
MAX_PAGES = 250  # per persona


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "action", "hx-get", "hx-post", "data-url"):
            if attrs.get(name):
                self.links.append(attrs[name])


def _name(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.scheme not in ("", "http", "https") or (
        parts.netloc and parts.netloc not in ("testserver", "localhost", "127.0.0.1:8000")
    ):
        return None
    if not parts.path.startswith("/"):
        return None
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    return match.view_name


def crawl(client, start: str) -> set[str]:
    """The URL names linked from every page reachable from ``start``."""
    linked: set[str] = set()
    fetched: Counter = Counter()
    queue, seen = deque([start]), {start}
    pages = 0
    while queue and pages < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        pages += 1
        if response.status_code in (301, 302):
            target = response["Location"]
            if target not in seen and _name(target):
                seen.add(target)
                queue.append(target)
            continue
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = _Links()
        parser.feed(response.content.decode())
        for link in parser.links:
            name = _name(link)
            if name is None:
                continue
            linked.add(name)
            path = urlsplit(link).path
            if path in seen or NO_FETCH.search(path) or name.startswith("admin:"):
                continue
            if fetched[name] >= MAX_PER_NAME:
                continue
            fetched[name] += 1
            seen.add(path)
            queue.append(path)
    return linked


URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>)]+")


def email_links() -> set[str]:
    names = set()
    for email in Email.objects.all():
        text = " ".join([email.body_text, email.body_html, str(email.headers)])
        for url in URL_IN_TEXT.findall(text):
            name = _name(url.rstrip(".,;"))
            if name:
                names.add(name)
    return names


def _send_the_demos_emails(programme: Programme, coordinator: User) -> None:
    """What the demo would email over a day: reminders and surveys (beat's tasks), an invitation
    to the recruiting cohort, and a line-manager sign-off request."""
    from feedback.services import survey_invitations_create
    from recruitment.invitations import Invitee, cohort_invite_people
    from recruitment.services import application_submit, talent_pool_register_interest
    from rhythm.services import rhythm_run

    rhythm_run(now=NOW)
    # The running cohort's last day: the closing emails (and the mentors' "next time?" link).
    running = programme.cohorts.filter(status="running").order_by("pk").first()
    rhythm_run(now=dt.datetime.combine(running.ends_on, dt.time(9, 30), tzinfo=dt.UTC))
    for day in range(0, 60, 3):
        survey_invitations_create(today=NOW.date() - dt.timedelta(days=day))
    recruiting = programme.cohorts.filter(status="recruiting").get()
    cohort_invite_people(
        ctx=AuditContext(actor=coordinator),
        cohort=recruiting,
        invitees=[Invitee(email="new.person@example.gov.uk", name="New Person", role="mentee")],
    )
    # Someone registers interest twice: the second time, the address is asked to confirm.
    for name in ("Kim Keen", "Kim Keener"):
        talent_pool_register_interest(
            programme=programme, email="kim.keen@example.gov.uk", full_name=name, role="either"
        )
    Programme.objects.filter(pk=programme.pk).update(requires_manager_signoff=True)
    recruiting.refresh_from_db()
    application_submit(
        user=User.objects.get(email="newcomer@example.gov.uk"),
        cohort=recruiting,
        role="mentor",
        data={"capacity": 1, "goals": "Help", "manager_email": "boss@example.gov.uk"},
    )


@pytest.fixture
def demo(time_machine):
    time_machine.move_to(NOW, tick=False)
    call_command("seed_demo")
    programme = Programme.objects.get(slug="data-science-accelerator")
    PairingSettings.objects.update_or_create(programme=programme, defaults={"choice_mode": True})
    ranking = (
        Enrolment.objects.filter(
            cohort__programme=programme,
            cohort__status="recruiting",
            role="mentee",
            status="accepted",
        )
        .order_by("pk")
        .first()
    )
    newcomer = User.objects.create_user("newcomer@example.gov.uk", full_name="Nia Newcomer")
    alumnus = (
        Enrolment.objects.filter(cohort__programme=programme, cohort__status="finished")
        .filter(role="mentee")
        .order_by("pk")
        .first()
        .user
    )
    coordinator = User.objects.get(email="coordinator@example.com")
    # What a coordinator has on their pages some days and not others, made present:
    # a survey edited since it was published (its Publish button), a locked proposal (its
    # Unlock button), an API token (its Revoke button), and a running cohort whose stand-up
    # groups are not generated yet (its Generate button).
    template = programme.survey_templates.order_by("pk").first()
    question_add(
        template=template, data={"type": "free_text", "text": "Anything else?", "required": False}
    )
    first = ProposedPair.objects.filter(run__cohort__programme=programme).order_by("pk").first()
    ProposedPair.objects.filter(pk=first.pk).update(locked=True)
    api_token_create(
        user=coordinator, name="R scripts", scopes=["figures"], days=30, ctx=AuditContext()
    )
    running = programme.cohorts.get(status="running")
    CohortFactory(
        programme=programme,
        name="Second running cohort",
        status="running",
        starts_on=running.starts_on,
        ends_on=running.ends_on,
    )
    return {
        "programme": programme,
        "personas": {
            "coordinator": coordinator,
            "mentor": User.objects.get(email="mentor@example.com"),
            "mentee": User.objects.get(email="mentee@example.com"),
            "ranking_mentee": ranking.user,
            "alumnus": alumnus,
            "newcomer": newcomer,
        },
    }


def test_every_page_a_person_can_reach_is_linked_for_them(client, demo):
    assert timezone.localdate() == NOW.date()
    linked_by: dict[str, set[str]] = defaultdict(set)
    for persona, user in demo["personas"].items():
        client.force_login(user)
        for name in crawl(client, "/"):  # the home page of a signed-in person
            linked_by[name].add(persona)
    client.logout()
    for name in crawl(client, "/"):  # the landing page
        linked_by[name].add("anonymous")
    _send_the_demos_emails(demo["programme"], demo["personas"]["coordinator"])
    for name in email_links():
        linked_by[name].add("email")

    unlinked = []
    for name, _route in project_urls():
        if _is_public(name) or name in EXEMPT:
            continue
        kind = URLS[name][0]
        if kind in (REDIRECT, API):
            continue  # old addresses answer 301; the API is for programs, documented in docs
        if not linked_by.get(name, set()) & LINKED_FOR[kind]:
            found = sorted(linked_by.get(name, set())) or "nowhere"
            unlinked.append(f"{name} ({kind}): linked for {found}")
    assert not unlinked, "Pages nobody who uses them can find:\n" + "\n".join(unlinked)
    needless = [
        name for name in EXEMPT if linked_by.get(name, set()) & LINKED_FOR.get(URLS[name][0], set())
    ]
    assert not needless, f"Linked after all, so no longer exempt: {needless}"


def test_the_exemptions_are_still_needed():
    names = {name for name, _ in project_urls()}
    assert set(EXEMPT) <= names, "An exempted URL no longer exists: remove it from EXEMPT"
