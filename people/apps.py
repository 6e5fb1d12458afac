from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "People"

    def ready(self):
        from . import receivers  # noqa: F401 - audit entries for sign-ins and second factors
