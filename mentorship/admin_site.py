"""The Django admin's site: staff only, and invisible to everyone else signed in.

The project's rule is that an outsider gets 404, never 403, so a participant cannot even learn
what is there. Django's own site sends a signed-in non-staff person to its login page, and
allauth's ``secure_admin_login`` answers that with 403; this site answers 404 from every admin
page, its login page included. A signed-out visitor is still sent to allauth's sign-in page
(rate limits, two-factor authentication), as before.

Installed in place of ``django.contrib.admin`` (``INSTALLED_APPS``), so ``admin.site`` is this.
"""

from functools import wraps

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig
from django.contrib.auth.decorators import login_not_required
from django.http import Http404


class MentorshipAdminSite(AdminSite):
    site_header = "Mentorship administration"
    site_title = "Mentorship admin"

    def _refuse_outsiders(self, request) -> None:
        if request.user.is_authenticated and not self.has_permission(request):
            raise Http404

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(guarded)
        def outsiders_get_404(request, *args, **kwargs):
            self._refuse_outsiders(request)
            return guarded(request, *args, **kwargs)

        return outsiders_get_404

    @login_not_required
    def login(self, request, extra_context=None):
        # The admin signs in through allauth (rate limits, two-factor authentication), not its
        # own form. (Imported here: this module is loaded with the app registry, before models.)
        from allauth.account.decorators import secure_admin_login

        self._refuse_outsiders(request)
        return secure_admin_login(super().login)(request, extra_context)


class MentorshipAdminConfig(AdminConfig):
    default_site = "mentorship.admin_site.MentorshipAdminSite"
