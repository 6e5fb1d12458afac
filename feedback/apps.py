from django.apps import AppConfig


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = "Feedback"

    def ready(self):
        from . import (
            emails,  # noqa: F401 - registers the email kinds this app sends
            personal_data,
        )

        personal_data.register()  # export and erasure sections (people/personal_data.py)

        from . import wanted

        wanted.register()  # "still wanted?" check the outbox runs before sending
