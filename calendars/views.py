import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lib.audit import AuditContext
from programmes.models import Cohort
from programmes.selectors import cohort_for_coordinator

from . import selectors, services
from .ics import feed_ics


def _rate_limited(feed) -> bool:
    """CALENDAR_FEED_RATE fetches per feed per 10 minutes, counted in the shared cache (calendar
    apps poll every 15 minutes to a day; a loop or a leaked URL in a script does not)."""
    window = int(time.time() // 600)
    key = f"calendars:rate:{feed.token_hash[:32]}:{window}"
    cache.add(key, 0, timeout=700)
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=700)
        count = 1
    return count > settings.CALENDAR_FEED_RATE


@login_not_required
def feed(request, token: str):
    """The feed itself: no session, the secret in the URL is the authority. A reset or erased
    account's old URL, a forged one, or a cohort feed of someone who no longer coordinates the
    cohort: 404."""
    found = services.feed_by_token(token)
    if found is None:
        raise Http404()
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET", "HEAD"])
    today = timezone.localdate()
    if found.cohort_id:
        if not Cohort.objects.coordinated_by(found.user).filter(pk=found.cohort_id).exists():
            raise Http404()
        cohort = found.cohort
        name = f"{cohort.programme.name} – {cohort.name}"
        items = selectors.items_for_cohort(cohort, today=today)
    else:
        name = f"{settings.SITE_NAME}: {found.user.display_name}"
        items = selectors.items_for_user(found.user, today=today)
    if _rate_limited(found):
        response = HttpResponse("Too many requests for this calendar.", status=429)
        response["Retry-After"] = "600"
        return response
    entries = services.feed_publish(feed=found, items=items)
    response = HttpResponse(
        feed_ics(name=name, entries=entries), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'inline; filename="mentorship.ics"'
    response["Cache-Control"] = "private, max-age=300"
    response["X-Robots-Tag"] = "noindex"
    return response


@require_POST
def feed_reset(request):
    feed = services.feed_get_or_create(user=request.user)
    services.feed_reset(feed=feed, ctx=AuditContext.from_request(request))
    messages.success(request, "Your calendar has a new address. The old one no longer works.")
    return redirect("people:profile")


def profile_panel(request) -> str:
    """The block on the profile page (people.panels): the person's own feed."""
    if not request.user.is_authenticated:
        return ""
    feed = services.feed_get_or_create(user=request.user)
    return render_to_string(
        "calendars/_feed_block.html",
        {
            "urls": services.feed_urls(feed),
            "reset_action": reverse("calendars:reset"),
            "heading": "Your calendar",
            "intro": "Subscribe to see your suggested check-ins, stand-ups, cohort sessions and "
            "milestones in Outlook or any calendar app. The address is private: anyone who has it "
            "can see these events.",
        },
        request=request,
    )


def cohort_calendar(request, slug: str, pk: int):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    feed = services.feed_get_or_create(user=request.user, cohort=cohort)
    return render(
        request,
        "calendars/cohort.html",
        {"cohort": cohort, "programme": cohort.programme, "urls": services.feed_urls(feed)},
    )


@require_POST
def cohort_calendar_reset(request, slug: str, pk: int):
    cohort = cohort_for_coordinator(user=request.user, slug=slug, pk=pk)
    feed = services.feed_get_or_create(user=request.user, cohort=cohort)
    services.feed_reset(feed=feed, ctx=AuditContext.from_request(request))
    messages.success(request, "The cohort calendar has a new address. The old one no longer works.")
    return redirect("calendars:cohort", slug=slug, pk=pk)
