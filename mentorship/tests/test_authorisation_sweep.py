"""Every URL of the project, every persona, GET and POST: nobody reaches what is not theirs.

Each named URL is classified below. A URL that is not classified fails the test, so a new page
cannot ship without saying who may see it. For each classified URL the sweep fills its parameters
from one world (programme "alpha"), then asks as each persona:

- anonymous: a redirect to the sign-in page (public and signed-link pages excepted);
- outsider, mentee and mentor of another programme, coordinator of another programme, and a
  mentee/mentor of the same cohort who is not in the pair: 404 wherever the class says the
  object is out of their reach;

and checks that none of those requests changed the database.
"""

import datetime as dt
import hashlib

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from community.models import DirectoryListing, Event
from feedback.models import Question, SurveySchedule, SurveyTemplate
from feedback.services import survey_defaults_ensure
from pairing.models import CheckIn, MatchRun, Pair, PairGoal, ProposedPair
from people.tests.factories import UserFactory
from programmes.models import Cohort
from programmes.tests.factories import CohortFactory, EnrolmentFactory, ProgrammeFactory
from recruitment.models import BusinessPriority

pytestmark = pytest.mark.django_db

# Who may reach a URL whose object belongs to programme "alpha". The personas listed for a class
# must get 404; the others are allowed (their answer is not checked beyond "not a 500").
ALL = {"outsider", "other_mentee", "other_mentor", "other_coordinator", "cohort_mentee",
       "cohort_mentor"}  # fmt: skip
NOT_IN_COHORT = {"outsider", "other_mentee", "other_mentor", "other_coordinator"}
NOT_A_COORDINATOR = {"outsider", "other_mentee", "other_mentor", "cohort_mentee", "cohort_mentor"}

PUBLIC = "public"  # anyone, signed in or not
TOKEN = "token"  # a signed link: a forged token is 404 for everyone, anonymous included
SELF = "self"  # any signed-in person, about themselves only
COORDINATOR = "coordinator"  # the programme's coordinators and staff
OWN = "own"  # the one person the object belongs to (and nobody else)
PAIR = "pair"  # the pair's mentor and mentee, and the programme's coordinators
COHORT = "cohort"  # participants of the cohort and its coordinators
ANY_COORDINATOR = "any-coordinator"  # anyone who coordinates some programme, or staff
OPEN_COHORT = "open-cohort"  # any signed-in person while a cohort recruits: 404 otherwise
# An old address that only rewrites its own parameters into the new one: every signed-in person
# gets the same 301 (it reveals nothing); the new address is swept under its own class.
REDIRECT = "redirect"
# The HTTP API (/api/v1/): a bearer token, never a session. Swept by test_api_sweep.py, which
# fails on an API URL without a reach rule there: every persona and scope, GET and POST.
API = "api"

DENIED = {
    COORDINATOR: ALL,
    OWN: ALL,
    PAIR: ALL,
    COHORT: NOT_IN_COHORT,
    ANY_COORDINATOR: NOT_A_COORDINATOR,
    OPEN_COHORT: ALL,  # the world's cohort is running, so nobody may apply to it
    TOKEN: ALL,
}

# allauth's own pages (sign in, sign up, password reset, MFA, social login) protect themselves;
# they are the public allowlist together with the landing page.
PUBLIC_PREFIXES = ("account_", "mfa_", "socialaccount_", "openid_connect_")


def _w(**kwargs):
    return lambda world: {k: (v(world) if callable(v) else v) for k, v in kwargs.items()}


slug = lambda w: w["programme"].slug  # noqa: E731
cohort_pk = lambda w: w["cohort"].pk  # noqa: E731
run_pk = lambda w: w["run"].pk  # noqa: E731
proposal_pk = lambda w: w["proposal"].pk  # noqa: E731

URLS = {
    "landing": (PUBLIC, _w()),
    "favicon": (PUBLIC, _w()),
    "insights:metrics": (ANY_COORDINATOR, _w()),
    "home": (SELF, _w()),
    "people:profile": (SELF, _w()),
    "people:my_data": (SELF, _w()),
    "people:skill_suggest": (SELF, _w()),
    "people:skill_suggestions": (ANY_COORDINATOR, _w()),
    "notifications:preferences": (SELF, _w()),
    "notifications:unsubscribe": (TOKEN, _w(token="forged-token")),
    "notifications:attachment": (TOKEN, _w(token="forged-token")),
    # GOV.UK Notify's delivery receipts: a bearer token in a header, no session (test_notify.py).
    "notifications:notify_callback": (PUBLIC, _w()),
    "notifications:address_confirm": (SELF, _w()),
    "programmes:list": (SELF, _w()),
    "programmes:create": (ANY_COORDINATOR, _w()),
    "recruitment:apply": (OPEN_COHORT, _w(pk=cohort_pk, role="mentee")),
    "recruitment:apply_similar": (OPEN_COHORT, _w(pk=cohort_pk)),
    "recruitment:application": (OWN, _w(pk=lambda w: w["pair"].mentee_id)),
    "recruitment:application_withdraw": (OWN, _w(pk=lambda w: w["pair"].mentee_id)),
    "recruitment:manager_signoff": (TOKEN, _w(token="forged-token")),
    "recruitment:invitation_accept": (TOKEN, _w(token="forged-token")),
    "recruitment:register_interest": (PUBLIC, _w(slug=slug)),
    "recruitment:register_interest_thanks": (PUBLIC, _w(slug=slug)),
    "recruitment:register_interest_confirm": (TOKEN, _w(slug=slug, token="forged-token")),
    "programmes:detail": (COORDINATOR, _w(slug=slug)),
    "programmes:edit": (COORDINATOR, _w(slug=slug)),
    "programmes:cohort_create": (COORDINATOR, _w(slug=slug)),
    "programmes:cohort_detail": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "programmes:cohort_edit": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "programmes:cohort_status": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "recruitment:review": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "recruitment:review_confirm": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "recruitment:review_decide": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "recruitment:review_application": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, enrolment_pk=lambda w: w["pair"].mentee_id),
    ),
    "recruitment:review_notes": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, enrolment_pk=lambda w: w["pair"].mentee_id),
    ),
    "recruitment:enrolment_restore": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, enrolment_pk=lambda w: w["withdrawn"].pk),
    ),
    "recruitment:cohort_invite": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "recruitment:cohort_export": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "recruitment:talent_pool": (COORDINATOR, _w(slug=slug)),
    "recruitment:priorities": (COORDINATOR, _w(slug=slug)),
    "recruitment:priority_remove": (
        COORDINATOR,
        _w(slug=slug, priority_pk=lambda w: w["priority"].pk),
    ),
    "programmes:mentor_capacity": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, enrolment_pk=lambda w: w["pair"].mentor_id),
    ),
    "recruitment:talent_pool_add": (COORDINATOR, _w(slug=slug)),
    "recruitment:talent_pool_invite": (COORDINATOR, _w(slug=slug)),
    "recruitment:talent_pool_export": (COORDINATOR, _w(slug=slug)),
    "pairing:cohort_pairs": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "pairing:cohort_pairing": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "pairing:pair_waiting": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "pairing:pair_end": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, pair_pk=lambda w: w["pair"].pk),
    ),
    "pairing:repair": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, mentee_pk=lambda w: w["pair"].mentee_id),
    ),
    "pairing:detail": (PAIR, _w(pk=lambda w: w["pair"].pk)),
    "pairing:goal_add": (PAIR, _w(pk=lambda w: w["pair"].pk)),
    # Only the check-in's author: the other member of the pair and coordinators get 404 too.
    "pairing:checkin_edit": (
        OWN,
        _w(pk=lambda w: w["pair"].pk, checkin_pk=lambda w: w["checkin"].pk),
    ),
    "pairing:checkin_delete": (
        OWN,
        _w(pk=lambda w: w["pair"].pk, checkin_pk=lambda w: w["checkin"].pk),
    ),
    "pairing:goal_progress": (
        PAIR,
        _w(pk=lambda w: w["pair"].pk, goal_pk=lambda w: w["goal"].pk),
    ),
    "pairing:run": (COORDINATOR, _w(slug=slug, pk=cohort_pk, run_pk=run_pk)),
    "pairing:run_reassign": (COORDINATOR, _w(slug=slug, pk=cohort_pk, run_pk=run_pk)),
    "pairing:run_rerun": (COORDINATOR, _w(slug=slug, pk=cohort_pk, run_pk=run_pk)),
    "pairing:run_publish": (COORDINATOR, _w(slug=slug, pk=cohort_pk, run_pk=run_pk)),
    "pairing:proposal_lock": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, run_pk=run_pk, proposal_pk=proposal_pk),
    ),
    "pairing:proposal_unlock": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, run_pk=run_pk, proposal_pk=proposal_pk),
    ),
    "pairing:proposal_exclude": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, run_pk=run_pk, proposal_pk=proposal_pk),
    ),
    "pairing:proposal_swap": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, run_pk=run_pk, proposal_pk=proposal_pk),
    ),
    "pairing:settings": (COORDINATOR, _w(slug=slug)),
    # The run's number alone does not say its programme: only its coordinators are redirected.
    "pairing:old_run": (COORDINATOR, _w(run_pk=run_pk)),
    "pairing:old_run_action": (COORDINATOR, _w(run_pk=run_pk)),
    "pairing:old_settings": (REDIRECT, _w(slug=slug)),
    "pairing:choose": (OWN, _w(cohort_pk=cohort_pk)),  # only mentees in choice mode
    "insights:programme": (COORDINATOR, _w(slug=slug)),
    "insights:programme_export": (COORDINATOR, _w(slug=slug)),
    "insights:cohort": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "insights:cohort_summary": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "insights:cohort_export": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "insights:old_programme": (REDIRECT, _w(slug=slug)),
    "insights:old_programme_export": (REDIRECT, _w(slug=slug)),
    "insights:old_cohort": (REDIRECT, _w(slug=slug, pk=cohort_pk)),
    "insights:old_cohort_summary": (REDIRECT, _w(slug=slug, pk=cohort_pk)),
    "insights:old_cohort_export": (REDIRECT, _w(slug=slug, pk=cohort_pk)),
    "feedback:mine": (SELF, _w()),
    "feedback:answer": (TOKEN, _w(token="forged-token")),
    "feedback:templates": (COORDINATOR, _w(slug=slug)),
    "feedback:builder": (COORDINATOR, _w(slug=slug, pk=lambda w: w["template"].pk)),
    "feedback:template_edit": (COORDINATOR, _w(slug=slug, pk=lambda w: w["template"].pk)),
    "feedback:publish": (COORDINATOR, _w(slug=slug, pk=lambda w: w["template"].pk)),
    "feedback:compare": (COORDINATOR, _w(slug=slug, pk=lambda w: w["template"].pk)),
    "feedback:question_edit": (
        COORDINATOR,
        _w(slug=slug, pk=lambda w: w["template"].pk, question_pk=lambda w: w["question"].pk),
    ),
    "feedback:question_move": (
        COORDINATOR,
        _w(slug=slug, pk=lambda w: w["template"].pk, question_pk=lambda w: w["question"].pk),
    ),
    "feedback:question_remove": (
        COORDINATOR,
        _w(slug=slug, pk=lambda w: w["template"].pk, question_pk=lambda w: w["question"].pk),
    ),
    "feedback:cohort": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "feedback:schedule_edit": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, schedule_pk=lambda w: w["schedule"].pk),
    ),
    "feedback:results": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, schedule_pk=lambda w: w["schedule"].pk),
    ),
    "feedback:export": (
        COORDINATOR,
        _w(slug=slug, pk=cohort_pk, schedule_pk=lambda w: w["schedule"].pk),
    ),
    "community:cohort": (COHORT, _w(pk=cohort_pk)),
    "community:directory": (COHORT, _w(pk=cohort_pk)),
    "community:directory_listing": (COHORT, _w(pk=cohort_pk)),
    "community:contact": (
        COHORT,
        _w(pk=cohort_pk, enrolment_pk=lambda w: w["pair"].mentee_id),
    ),
    "community:show_and_tell": (COHORT, _w(pk=cohort_pk)),
    "community:event": (COHORT, _w(pk=lambda w: w["event"].pk)),
    "community:event_attended": (COHORT, _w(pk=lambda w: w["event"].pk)),
    "community:event_attendance": (COORDINATOR, _w(pk=lambda w: w["event"].pk)),
    "community:event_ics": (COHORT, _w(pk=lambda w: w["event"].pk)),
    "community:past_projects": (COHORT, _w(slug=slug)),
    "community:groups": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "community:groups_generate": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "community:groups_move": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "community:groups_publish": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "community:events": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "community:standups_schedule": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "rhythm:mentor_next_time": (TOKEN, _w(token="forged-token")),
    "rhythm:cohort_schedule": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    # Calendar feeds (calendars/): the feed's secret is its authority; no session needed.
    "calendars:feed": (TOKEN, _w(token="forged-token")),
    "calendars:reset": (SELF, _w()),
    "calendars:cohort": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "calendars:cohort_reset": (COORDINATOR, _w(slug=slug, pk=cohort_pk)),
    "rhythm:programme_settings": (COORDINATOR, _w(slug=slug)),
    "api:tokens": (SELF, _w()),
    "api:token_revoke": (OWN, _w(pk=lambda w: _api_token(w).pk)),
    "api:v1:openapi-view": (SELF, _w()),
    "api:v1:openapi-json": (API, _w()),
    "api:v1:api-root": (API, _w()),
    "api:v1:programmes": (API, _w()),
    "api:v1:programme": (API, _w(programme_id=lambda w: w["programme"].pk)),
    "api:v1:cohorts": (API, _w()),
    "api:v1:cohort": (API, _w(cohort_id=cohort_pk)),
    "api:v1:enrolments": (API, _w()),
    "api:v1:pairs": (API, _w()),
    "api:v1:checkins": (API, _w()),
    "api:v1:surveys": (API, _w()),
    "api:v1:survey_results": (API, _w(survey_id=lambda w: w["schedule"].pk)),
    "api:v1:cohort_figures": (API, _w(cohort_id=cohort_pk)),
    "api:v1:programme_figures": (API, _w(programme_id=lambda w: w["programme"].pk)),
}

# Old addresses (before one URL tree per cohort) are named ``<app>:old_<name>``: each answers 301
# to the page it moved to, which the sweep checks in its own right.
MOVED_FROM = [
    "feedback:templates",
    "feedback:builder",
    "feedback:template_edit",
    "feedback:publish",
    "feedback:compare",
    "feedback:question_edit",
    "feedback:question_move",
    "feedback:question_remove",
    "feedback:cohort",
    "feedback:schedule_edit",
    "feedback:results",
    "feedback:export",
    "rhythm:programme_settings",
    "rhythm:cohort_schedule",
    "community:past_projects",
    "community:groups",
    "community:groups_generate",
    "community:groups_move",
    "community:groups_publish",
    "community:events",
    "community:standups_schedule",
]
for _name in MOVED_FROM:
    _app, _page = _name.split(":")
    URLS[f"{_app}:old_{_page}"] = (REDIRECT, URLS[_name][1])


def _api_token(world):
    """The alpha coordinator's API token (made on first use, before the fingerprint)."""
    from api.models import ApiToken
    from api.services import api_token_create
    from lib.audit import AuditContext

    owner = world["programme"].coordinators.get()
    token = ApiToken.objects.filter(user=owner).first()
    if token is None:
        token, _ = api_token_create(
            user=owner, name="sweep", scopes=["figures"], days=30, ctx=AuditContext()
        )
    return token


def project_urls():
    """(name, route) of every named URL of the project, admin's own excepted."""

    def walk(patterns, namespace=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                inner = p.namespace or namespace
                if namespace and p.namespace:  # nested: "api:v1"
                    inner = f"{namespace}:{p.namespace}"
                yield from walk(p.url_patterns, inner)
            elif isinstance(p, URLPattern) and p.name:
                yield (f"{namespace}:{p.name}" if namespace else p.name), str(p.pattern)

    return sorted(set(walk(get_resolver().url_patterns)))


def _is_public(name: str) -> bool:
    return name.startswith(PUBLIC_PREFIXES)


def test_every_url_is_classified():
    missing = [n for n, _ in project_urls() if not _is_public(n) and n not in URLS]
    assert not missing, f"Classify these URLs in {__file__}: {missing}"
    stale = [n for n in URLS if n not in {name for name, _ in project_urls()}]
    assert not stale, f"These classified URLs no longer exist: {stale}"


def _person(email, **extra):
    return UserFactory(
        email=email, full_name=email.split("@")[0].replace(".", " ").title(), **extra
    )


@pytest.fixture
def world(db):
    alpha_coordinator = _person("alpha.coordinator@example.gov.uk")
    programme = ProgrammeFactory(name="Alpha", slug="alpha", coordinators=[alpha_coordinator])
    cohort = CohortFactory(
        programme=programme,
        name="Alpha 1",
        starts_on=dt.date(2026, 9, 14),
        ends_on=dt.date(2026, 12, 4),
        applications_open=dt.date(2026, 7, 1),
        applications_close=dt.date(2026, 8, 14),
    )
    Cohort.objects.filter(pk=cohort.pk).update(status="running")
    cohort.refresh_from_db()
    mentor = EnrolmentFactory(user=_person("pair.mentor@example.gov.uk"), cohort=cohort,
                              role="mentor")  # fmt: skip
    mentee = EnrolmentFactory(user=_person("pair.mentee@example.gov.uk"), cohort=cohort,
                              role="mentee", goals="Learn Python")  # fmt: skip
    pair = Pair.objects.create(cohort=cohort, mentor=mentor, mentee=mentee,
                               started_on=dt.date(2026, 9, 14))  # fmt: skip
    goal = PairGoal.objects.create(pair=pair, text="Learn Python")
    checkin = CheckIn.objects.create(pair=pair, author=mentee.user, met_on=dt.date(2026, 10, 1),
                           duration_minutes=60, worked_on="Private notes", rating=4,
                           wellbeing=4, protected_time_kept=True)  # fmt: skip
    cohort_mentee = EnrolmentFactory(user=_person("cohort.mentee@example.gov.uk"), cohort=cohort,
                                     role="mentee")  # fmt: skip
    cohort_mentor = EnrolmentFactory(user=_person("cohort.mentor@example.gov.uk"), cohort=cohort,
                                     role="mentor")  # fmt: skip
    run = MatchRun.objects.create(cohort=cohort, created_by=alpha_coordinator, status="draft")
    proposal = ProposedPair.objects.create(
        run=run, mentee=cohort_mentee, mentor=cohort_mentor, score=0.5
    )
    survey_defaults_ensure(programme=programme, cohort=cohort)
    template = SurveyTemplate.objects.filter(programme=programme).order_by("pk").first()
    question = Question.objects.filter(version__template=template).order_by("pk").first()
    schedule = SurveySchedule.objects.filter(cohort=cohort).order_by("pk").first()
    event = Event.objects.create(cohort=cohort, title="Hub day", first_date=dt.date(2026, 10, 7),
                                 start_time=dt.time(10), created_by=alpha_coordinator)  # fmt: skip
    DirectoryListing.objects.create(enrolment=mentee, opted_in=True)
    withdrawn = EnrolmentFactory(user=_person("withdrawn.mentee@example.gov.uk"), cohort=cohort,
                                 role="mentee", status="withdrawn")  # fmt: skip
    priority = BusinessPriority.objects.create(programme=programme, name="Net zero")

    beta_coordinator = _person("beta.coordinator@example.gov.uk")
    beta = ProgrammeFactory(name="Beta", slug="beta", coordinators=[beta_coordinator])
    beta_cohort = CohortFactory(programme=beta, name="Beta 1")
    other_mentee = EnrolmentFactory(user=_person("beta.mentee@example.gov.uk"),
                                    cohort=beta_cohort, role="mentee")  # fmt: skip
    other_mentor = EnrolmentFactory(user=_person("beta.mentor@example.gov.uk"),
                                    cohort=beta_cohort, role="mentor")  # fmt: skip
    return {
        "programme": programme,
        "cohort": cohort,
        "pair": pair,
        "goal": goal,
        "checkin": checkin,
        "priority": priority,
        "run": run,
        "proposal": proposal,
        "template": template,
        "question": question,
        "schedule": schedule,
        "event": event,
        "withdrawn": withdrawn,
        "personas": {
            "outsider": _person("outsider@example.gov.uk"),
            "other_mentee": other_mentee.user,
            "other_mentor": other_mentor.user,
            "other_coordinator": beta_coordinator,
            "cohort_mentee": cohort_mentee.user,
            "cohort_mentor": cohort_mentor.user,
        },
    }


SKIP_MODELS = {
    "people.auditevent",  # denied access is recorded there, by design
    "sessions.session",
    "django_celery_results.taskresult",
    "account.emailaddress",
}


# Signing in writes last_login; that is the test client's doing, not the page's.
VOLATILE = {"last_login"}


def database_fingerprint() -> str:
    digest = hashlib.sha256()
    for model in apps.get_models():
        if model._meta.label_lower in SKIP_MODELS or model._meta.proxy:
            continue
        fields = [f.attname for f in model._meta.concrete_fields if f.name not in VOLATILE]
        rows = model._default_manager.order_by("pk").values_list(*fields)
        digest.update(model._meta.label_lower.encode())
        digest.update(repr(list(rows)).encode())
    return digest.hexdigest()


def test_the_sweep(client, world):
    """Every classified URL x every persona x GET and POST."""
    checked = 0
    failures = []
    for name, _route in project_urls():
        if _is_public(name) or URLS[name][0] == PUBLIC:
            continue
        kind, fill = URLS[name]
        if kind == API:
            continue  # tokens, not sessions: test_api_sweep.py
        url = reverse(name, kwargs=fill(world))
        before = database_fingerprint()
        # Anonymous visitors are sent to sign in (signed links answer 404 when forged).
        client.logout()
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            to_login = response.status_code == 302 and "/accounts/login/" in response["Location"]
            if kind == TOKEN:
                ok = response.status_code == 404 or to_login
            else:
                ok = response.status_code == 302 and "/accounts/login/" in response["Location"]
            checked += 1
            if not ok:
                failures.append(f"anonymous {method.upper()} {name}: {response.status_code}")
        for persona, user in world["personas"].items():
            client.force_login(user)
            for method in ("get", "post"):
                response = getattr(client, method)(url)
                checked += 1
                if response.status_code >= 500:
                    failures.append(f"{persona} {method.upper()} {name}: 500")
                elif kind == REDIRECT:
                    # An old address ``app:old_<name>`` answers 301 to ``app:<name>``.
                    new = reverse(name.replace(":old_", ":"), kwargs=fill(world))
                    if response.status_code != 301 or response["Location"] != new:
                        failures.append(f"{persona} {method.upper()} {name}: not a 301 to {new}")
                elif persona in DENIED.get(kind, set()) and response.status_code not in (404, 405):
                    # 405 answers a method the URL never takes, before any object is looked up,
                    # so it tells nothing about the object.
                    failures.append(
                        f"{persona} {method.upper()} {name} ({kind}): {response.status_code}"
                    )
        if kind != SELF and database_fingerprint() != before:
            failures.append(f"{name}: the database changed under denied requests")
    print(f"authorisation sweep: {checked} requests over {len(URLS)} URLs")
    assert not failures, "\n".join(failures)


def test_the_coordinator_and_the_pair_do_reach_their_pages(client, world):
    """The sweep's 404s mean something only if the right people get through."""
    coordinator = world["programme"].coordinators.get()
    client.force_login(coordinator)
    for name, (kind, fill) in URLS.items():
        if kind == COORDINATOR and not name.endswith(
            ("_export", "export", "status", "_notes", "_invite", "run_action", "publish",
             "_move", "_remove", "_generate", "groups_move", "groups_publish")
        ):  # fmt: skip
            response = client.get(reverse(name, kwargs=fill(world)))
            assert response.status_code in (200, 301, 302, 405), (name, response.status_code)
    for member in (world["pair"].mentor.user, world["pair"].mentee.user):
        client.force_login(member)
        assert client.get(reverse("pairing:detail", args=[world["pair"].pk])).status_code == 200
    client.force_login(world["pair"].mentee.user)
    url = reverse("recruitment:application", args=[world["pair"].mentee_id])
    assert client.get(url).status_code == 200
