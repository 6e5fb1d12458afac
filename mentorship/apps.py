from django.apps import AppConfig


class MentorshipConfig(AppConfig):
    """The roof: installed last, so its ready() runs once every app below is ready."""

    name = "mentorship"
    verbose_name = "Mentorship"

    def ready(self):
        from people.admin_audit import audit_admin_deletions

        # Every app has declared its personal data and registered its admin by now.
        audit_admin_deletions()
