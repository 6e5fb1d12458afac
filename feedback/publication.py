"""The one rule for publishing anonymous answers (issue 15, item 3). Every figure built from
survey answers — the results page, its CSV, the cross-cohort comparison, the insights
dashboards and the API over them — reads answers through :func:`published_q` (or the
``published()`` methods of ``Response.objects`` and ``Answer.objects``, which call it), and
nothing else decides which anonymous answers may be counted.

Hiding a group of fewer than 3 responses is not enough on its own. A figure that moves with each
new answer gives that answer away to anyone who looks before and after (two page views a minute
apart, two CSV downloads); and a figure that folds several groups together (every version of a
survey, every round of a cohort) folds in the small ones it was meant to hide.

So anonymous answers are *released* in steps. A *group* is the responses to one version of a
survey in one schedule (one round). A new anonymous response is held back; when a group has
:data:`RELEASE_STEP` (the anonymity threshold, 3) or more held-back responses, all of them are
released together, in the same transaction as the answer that completed the step
(:func:`release_ready`). Only released responses are counted anywhere. Hence:

- a group with fewer than 3 responses is counted nowhere (its responses are never released);
- every figure is a sum over steps of at least 3 answers, so between two page views it either
  does not move or it moves by 3 answers or more — never by one person's answer;
- up to 2 responses of a group may stay held back for good when its round closes: publishing
  them alone would show them by subtraction, folding them into an earlier step would move a
  figure by one answer. Pages say how many are held back.

Identified answers (a survey that is not anonymous) carry the person's name and are shown as
they come. Whether an answer is anonymous is the answered version's survey's (item 1).
"""

from __future__ import annotations

from django.db.models import Q

from .models import ANONYMITY_THRESHOLD

#: Anonymous answers are published in steps of at least this many responses of one group.
RELEASE_STEP = ANONYMITY_THRESHOLD


def published_q(prefix: str = "") -> Q:
    """The responses that may be counted, as a filter on ``Response`` (``prefix=""``) or on a
    model that reaches it (``prefix="response__"`` for ``Answer``)."""
    return Q(**{f"{prefix}version__template__anonymous": False}) | Q(**{f"{prefix}released": True})


def held_back_q(prefix: str = "") -> Q:
    """The responses counted nowhere yet (the complement of :func:`published_q`)."""
    return Q(**{f"{prefix}version__template__anonymous": True}) & Q(**{f"{prefix}released": False})


def release_ready(*, schedule_id: int, version_id: int) -> int:
    """Release the held-back responses of one group once there are at least
    :data:`RELEASE_STEP` of them; returns how many were released (0 or at least the step).

    Called inside the transaction that stores a response, after it is stored. The group's rows
    are locked first (``select_for_update``; SQLite serialises writers anyway), so two answers
    arriving together cannot both release a step the other one completes."""
    from .models import Response

    held = list(
        Response.objects.select_for_update()
        .filter(schedule_id=schedule_id, version_id=version_id)
        .filter(held_back_q())
        .values_list("pk", flat=True)
    )
    if len(held) < RELEASE_STEP:
        return 0
    return Response.objects.filter(pk__in=held).update(released=True)
