"""The pages that compose several apps: the landing page, "My programmes", the programme page
and the cohort hub. They live on the roof so that no app below has to know the apps above it;
each section comes from its own app's selectors or template tags."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import render
from django.templatetags.static import static
from django.views.decorators.http import require_GET

from lib.pagination import paginate
from pairing import lifecycle as pairing_lifecycle
from pairing import selectors as pairing_selectors
from people import selectors as people_selectors
from people.roles import shows_coordinate_menu
from programmes import selectors as programme_selectors
from programmes.forms import EnrolmentFilterForm
from programmes.models import CohortStatus
from programmes.services import cohort_places_left
from recruitment import selectors as recruitment_selectors


@login_not_required
def landing(request):
    return render(request, "mentorship/landing.html")


def home(request):
    """A participant's programmes, and the programmes a coordinator runs.

    The surveys to answer, pairs and communities sections come from feedback's, pairing's and
    community's template tags. Each enrolment carries the state the person is shown
    (programmes/lifecycle.py: paired, waiting for a mentor, pair ended...)."""
    user = request.user
    enrolments = list(programme_selectors.enrolments_for_user(user=user))
    # Every pair of these enrolments: the pairs section lists them, and the states need only
    # how many are active or ended (no query of their own).
    pairs = list(
        pairing_selectors.pairs_for_participant(user=user, enrolment_ids=[e.pk for e in enrolments])
    )
    facts = pairing_lifecycle.pair_facts((e.pk for e in enrolments), pairs=pairs)
    states = programme_selectors.enrolment_states(enrolments=enrolments, facts=facts)
    for enrolment in enrolments:
        enrolment.state = states[enrolment.pk]
    return render(
        request,
        "mentorship/home.html",
        {
            "profile_percent": people_selectors.profile_percent(user=user),
            # The pairs and community sections take these too (home.html), instead of asking.
            "enrolments": enrolments,
            "pairs": pairs,
            # Someone who coordinates nothing (the cached menu flag, people/roles.py) has no
            # programme to list: no query.
            "coordinated": programme_selectors.programmes_with_counts(user=user)
            if shows_coordinate_menu(user)
            else [],
            "open_cohorts": recruitment_selectors.open_cohorts_for(
                user=user, enrolments=enrolments
            ),
        },
    )


def programme_detail(request, slug):
    """A programme's page (``programmes:detail``): its cohorts, with links to the talent pool
    (recruitment) and the dashboard (insights)."""
    programme = programme_selectors.programme_for_coordinator(user=request.user, slug=slug)
    return render(
        request,
        "mentorship/programme_detail.html",
        {
            "programme": programme,
            "cohorts": programme_selectors.cohorts_with_counts(programme=programme),
            "coordinators": programme.coordinators.order_by("email"),
        },
    )


def cohort_detail(request, slug, pk):
    """The cohort hub (``programmes:cohort_detail``): its people, and a link to every
    coordinator page about the cohort, whichever app serves it."""
    cohort = programme_selectors.cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    filters = EnrolmentFilterForm(request.GET or None)
    role = status = ""
    if filters.is_valid():
        role, status = filters.cleaned_data["role"], filters.cleaned_data["status"]
    # One page of the people (lib/pagination.py), the filters kept in the page links: a count
    # and the page's ids (a narrow sort), then the page's rows with their user and profile.
    people = programme_selectors.cohort_enrolments(cohort=cohort, role=role, status=status)
    page = paginate(request, people.values_list("pk", flat=True))
    enrolments = list(people.filter(pk__in=list(page.object_list))) if page else []
    states = programme_selectors.enrolment_states(enrolments=enrolments)
    for enrolment in enrolments:
        enrolment.state = states[enrolment.pk]
    return render(
        request,
        "mentorship/cohort_detail.html",
        {
            "cohort": cohort,
            "programme": cohort.programme,
            "filters": filters,
            "enrolments": enrolments,
            "page": page,
            "waiting": pairing_selectors.cohort_waiting(cohort=cohort),
            "places_left": cohort_places_left(cohort),
            "transitions": [
                (value, CohortStatus(value).label) for value in cohort.allowed_transitions
            ],
            "can_invite": recruitment_selectors.cohort_can_invite(cohort=cohort),
            "undeliverable_people": programme_selectors.cohort_undeliverable_people(cohort=cohort),
        },
    )


@login_not_required
@require_GET
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says (the admin, files, old tabs): point
    them at the icon every page links to, so no request ends in a 404."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))
