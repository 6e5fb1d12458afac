from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "community"
    verbose_name = "Community"

    def ready(self):
        from . import emails  # noqa: F401 - registers the email kinds this app sends
