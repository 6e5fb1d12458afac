from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes"

    def ready(self):
        from . import personal_data

        personal_data.register()  # export and erasure sections (people/personal_data.py)

        from people import roles

        from .models import Enrolment, EnrolmentStatus, Programme

        roles.register_coordinator(
            check=lambda user: Programme.objects.filter(coordinators=user).exists(),
            names=lambda user: list(
                Programme.objects.filter(coordinators=user).values_list("name", flat=True)
            ),
            # People who applied to or take part in a programme the user coordinates (an
            # invitation alone shares nothing with the programme).
            people=lambda user: (
                Enrolment.objects.filter(cohort__programme__coordinators=user)
                .exclude(status=EnrolmentStatus.INVITED)
                .values("user_id")
            ),
        )
