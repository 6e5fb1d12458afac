from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self):
        from . import emails, personal_data  # noqa: F401 - registers the email kinds this app sends

        personal_data.register()  # export, erasure and field declarations (people/personal_data.py)

        from . import wanted

        wanted.register()  # "still wanted?" checks the outbox runs before sending

        from recruitment import proposal_sources

        from .selectors import published_summaries_by_enrolment

        # Published show-and-tell summaries feed duplicate-project detection.
        proposal_sources.register(published_summaries_by_enrolment)
