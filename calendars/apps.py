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
        panels.register("calendar-feed", views.profile_panel)
