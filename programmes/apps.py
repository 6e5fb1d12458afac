from django.apps import AppConfig


class ProgrammesConfig(AppConfig):
    name = "programmes"
    verbose_name = "Programmes"

    def ready(self):
        from . import personal_data

        personal_data.register()  # export and erasure sections (people/personal_data.py)

        from django.db.models.signals import m2m_changed

        from people import roles

        from .models import Enrolment, EnrolmentStatus, Programme

        # The "Coordinate" menu is cached per person (people/roles.py): forget it for whoever
        # joins or leaves a programme's coordinators, whichever way (services, admin, seed).
        m2m_changed.connect(
            _coordinators_changed,
            sender=Programme.coordinators.through,
            dispatch_uid="programmes-coordinators-menu",
        )

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


def _coordinators_changed(sender, instance, action, reverse, pk_set, **kwargs):
    from people import roles

    if action not in ("post_add", "post_remove", "pre_clear"):
        return
    if reverse:  # user.<programmes>.add(...): the user is the instance
        roles.forget_coordinate_menu([instance.pk])
    elif action == "pre_clear":
        roles.forget_coordinate_menu(instance.coordinators.values_list("pk", flat=True))
    else:
        roles.forget_coordinate_menu(pk_set or ())
