from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self):
        from . import declared_fields, receivers  # noqa: F401 - audit entries for sign-ins

        receivers.connect_permission_signals()  # the cached Coordinate menu flag

        declared_fields.declare()  # field declarations of people's and the outbox's models
