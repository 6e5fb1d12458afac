from django.apps import AppConfig


class LibConfig(AppConfig):
    """Installed only for its template tags (the breadcrumb) and templates/lib/."""

    name = "lib"
    label = "lib"
    verbose_name = "Shared helpers"
