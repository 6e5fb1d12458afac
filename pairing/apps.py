from django.apps import AppConfig


class PairingConfig(AppConfig):
    name = "pairing"
    verbose_name = "Pairing"

    def ready(self):
        from . import (
            emails,  # noqa: F401 - registers the email kinds this app sends
            personal_data,
        )

        personal_data.register()  # export and erasure sections (people/personal_data.py)

        from . import lifecycle

        lifecycle.register()  # what follows when a person in a cohort moves (docs/lifecycle.md)
