from django.apps import AppConfig


class CalendarsConfig(AppConfig):
    """Private calendar feeds (docs/calendar.md). Top floor: it reads pairing, community, rhythm
    and programmes; nothing imports it. It shows itself on the profile page through
    people.panels and forgets a person through people.personal_data."""

    name = "calendars"
    verbose_name = "Calendar feeds"

    def ready(self):
        from people import panels, personal_data

        from . import views
        from .services import personal_data_erase, personal_data_export

        personal_data.register(
            "calendar_feeds", export=personal_data_export, erase=personal_data_erase
        )
        personal_data.declare(
            "calendars.CalendarFeed",
            on_erase=personal_data.ROW_DELETED,
            exported_in="calendar_feeds",
            person=["user"],
            facts=["cohort", "created_at", "last_fetched_at"],
            not_personal=["nonce", "token_hash"],
            note="the feed stops working",
        )
        personal_data.declare(
            "calendars.FeedEntry",
            on_erase=personal_data.ROW_DELETED,
            exported_in="calendar_feeds",
            free_text=["data"],
            not_personal=["feed", "uid", "content_hash", "sequence", "dtstamp", "cancelled_at"],
            note="deleted with the person's feeds; others' entries name them, scrubbed",
        )
        panels.register("calendar-feed", views.profile_panel)
