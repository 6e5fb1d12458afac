from django.apps import AppConfig


class RhythmConfig(AppConfig):
    name = "rhythm"
    verbose_name = "Programme rhythm"

    def ready(self):
        from . import emails, personal_data  # noqa: F401 - registers the email kinds this app sends

        personal_data.register()  # field declarations (people/personal_data.py)

        from . import wanted

        wanted.register()  # "still wanted?" checks the outbox runs before sending
