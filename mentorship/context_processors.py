from django.conf import settings

from people.roles import shows_coordinate_menu


def site(request):
    user = getattr(request, "user", None)

    def coordinates() -> bool:
        # Called by the template only where it asks (the "Coordinate" menu): staff, a
        # coordinator of a programme, or someone allowed to create one; kept in the cache for
        # a couple of minutes (people/roles.py).
        return user is not None and shows_coordinate_menu(user)

    return {
        "SITE_NAME": settings.SITE_NAME,
        "LOCAL_MODE": settings.LOCAL,
        "COORDINATES": coordinates,
    }
