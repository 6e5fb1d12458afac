from django.conf import settings

from people.roles import is_coordinator


def site(request):
    user = getattr(request, "user", None)

    def coordinates() -> bool:
        # Called by the template only where it asks (the "Coordinate" menu): staff, a
        # coordinator of a programme, or someone allowed to create one.
        return bool(
            user is not None
            and user.is_authenticated
            and (is_coordinator(user) or user.has_perm("programmes.add_programme"))
        )

    return {
        "SITE_NAME": settings.SITE_NAME,
        "LOCAL_MODE": settings.LOCAL,
        "COORDINATES": coordinates,
    }
