"""Retention: anonymise people whose only participation ended long ago.

A person is anonymised (``people.services.person_erase``) when every cohort they were enrolled in
has finished and ended more than ``RETENTION_MONTHS`` months ago (default 24), they have not
signed in since then, they coordinate nothing, are not staff, and nothing a higher app registered
keeps them (recruitment: a programme added them to its talent pool since then). Enrolments, pairs
and scores stay, attached to the anonymised account, so past cohorts' figures do not change. Run
daily from beat; idempotent.
"""

import datetime as dt
import logging
from collections.abc import Callable

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from people.models import User
from people.services import erased_email, person_erase

from .models import CohortStatus, Enrolment

logger = logging.getLogger(__name__)

#: Reasons to keep a person, registered by higher apps from their ``AppConfig.ready()``: each
#: takes ``OuterRef("pk")`` (the user) and the cut-off instant, and returns a queryset that is
#: not empty when the person must be kept.
_keepers: list[Callable] = []


def register_keep(keeper: Callable) -> None:
    """Register a reason to keep a person past the retention period (see ``_keepers``)."""
    if keeper not in _keepers:
        _keepers.append(keeper)


def months_before(day: dt.date, months: int) -> dt.date:
    month_index = day.year * 12 + day.month - 1 - months
    year, month = divmod(month_index, 12)
    month += 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def retention_cutoff(today: dt.date | None = None) -> dt.date:
    months = getattr(settings, "RETENTION_MONTHS", 24)
    return months_before(today or timezone.localdate(), months)


def retention_candidates(*, today: dt.date | None = None):
    cutoff = retention_cutoff(today)
    cutoff_at = dt.datetime.combine(cutoff, dt.time.min, tzinfo=dt.UTC)
    recent = Enrolment.objects.filter(user=OuterRef("pk")).filter(
        ~Q(cohort__status=CohortStatus.FINISHED) | Q(cohort__ends_on__gte=cutoff)
    )
    candidates = (
        User.objects.filter(is_staff=False, is_superuser=False)
        .filter(coordinated_programmes__isnull=True)
        .filter(Exists(Enrolment.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(recent))
        .filter(Q(last_login__isnull=True) | Q(last_login__lt=cutoff_at))
        .exclude(email__startswith="erased-", email__endswith="@invalid")
    )
    for keeper in _keepers:
        candidates = candidates.exclude(Exists(keeper(OuterRef("pk"), cutoff_at)))
    return candidates.distinct()


def retention_anonymise(*, today: dt.date | None = None) -> int:
    """Anonymise every candidate, one transaction each. Returns how many were anonymised."""
    done = 0
    for user in retention_candidates(today=today).iterator():
        if user.email == erased_email(user):
            continue
        person_erase(user=user, actor=None, reason="retention period ended")
        done += 1
    if done:
        logger.info("retention: anonymised %s people", done)
    return done
