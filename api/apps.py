from django.apps import AppConfig


class ApiConfig(AppConfig):
    """The read-only HTTP API (docs/api.md): top floor, beside insights and rhythm."""

    name = "api"
    verbose_name = "API"

    def ready(self):
        from . import personal_data

        personal_data.register()  # the person's tokens in their data export; erased with them
