from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes"

    def ready(self):
        from . import personal_data

        personal_data.register()  # export and erasure sections (people/personal_data.py)

        from people import roles

        from .models import Programme

        roles.register_coordinator(
            check=lambda user: Programme.objects.filter(coordinators=user).exists(),
            names=lambda user: list(
                Programme.objects.filter(coordinators=user).values_list("name", flat=True)
            ),
        )
