""" "Still wanted?" checks of event emails (notifications/wanted.py), registered from
CommunityConfig.ready(). An invitation is wanted while its event exists; a reminder while its
event exists and the occurrence has not started (a reminder held over a weekend for a Monday
09:00 stand-up is useless at 09:00). The row's ``refs`` carry ``{"event": <id>, "occurrence":
"<date>"}``. A kind paused for the cohort is the schedule page's business (rhythm/wanted.py)."""

import datetime as dt

from django.utils import timezone

from . import schedule
from .models import Event


def event_still_on(email) -> str | None:
    refs = email.refs or {}
    event_id = refs.get("event")
    if not event_id:
        return None
    event = Event.objects.filter(pk=event_id).only("start_time", "time_zone").first()
    if event is None:
        return "the event was cancelled."
    occurrence = refs.get("occurrence")
    if occurrence:
        starts = schedule.starts_at(
            dt.date.fromisoformat(occurrence), event.start_time, event.time_zone
        )
        if starts <= timezone.now():
            return f"the event had already started ({starts:%d %B %Y %H:%M})."
    return None


def register() -> None:
    from notifications.wanted import register_check

    register_check("event-invitation", event_still_on)
    register_check("event-reminder", event_still_on)
