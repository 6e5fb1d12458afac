from csp.decorators import csp
from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils.html import format_html
from django.views.decorators.clickjacking import xframe_options_sameorigin

from lib.admin import ReadOnlyAdmin

from . import services
from .kinds import optional_kinds
from .models import Email, EmailPreference, UndeliverableAddress


@admin.register(Email)
class EmailAdmin(ReadOnlyAdmin):
    # Rows change only through the sending task and the actions below.
    list_display = [
        "created_at",
        "to",
        "kind",
        "subject",
        "status",
        "delivery_status",
        "attempts",
        "short_error",
    ]
    list_filter = ["status", "delivery_status", "kind", "created_at"]
    search_fields = ["to", "idempotency_key", "subject", "provider_id"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    actions = ["retry", "cancel"]
    fields = [
        "status",
        "to",
        "user",
        "kind",
        "template",
        "idempotency_key",
        "refs",
        "time_zone",
        "holidays",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "claimed_at",
        "sent_at",
        "provider_id",
        "delivery_status",
        "delivery_status_at",
        "subject",
        "headers",
        "attachment_names",
        "body_text_shown",
        "body_html_shown",
    ]
    readonly_fields = fields

    class Media:
        # The preview's size lives here, not in a style attribute the CSP would block.
        css = {"all": ["css/admin.css"]}

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [
            path("<int:pk>/preview/", preview, name="notifications_email_preview"),
            *super().get_urls(),
        ]

    def preview_view(self, request, pk):
        """The email's HTML as the recipient's mail client draws it, inline styles included,
        for the frame on the change page only: its own policy allows inline styles and nothing
        else (no scripts, no requests, sandboxed), and only this site may frame it."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        email = get_object_or_404(Email, pk=pk)
        return _preview_response(email.body_html)

    @admin.display(description="last error, or why it was not sent")
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.display(description="attachments")
    def attachment_names(self, obj):
        return ", ".join(a.get("filename", "?") for a in obj.attachments) or "–"

    @admin.display(description="text")
    def body_text_shown(self, obj):
        return format_html('<pre class="email-text">{}</pre>', obj.body_text)

    @admin.display(description="HTML")
    def body_html_shown(self, obj):
        # A sandboxed frame onto the preview address: the email's own markup and styles, none
        # of its scripts or links, sized by css/admin.css.
        return format_html(
            '<iframe sandbox class="email-preview" src="{}" title="HTML body"></iframe>',
            reverse("admin:notifications_email_preview", args=[obj.pk]),
        )

    @admin.action(description="Retry selected failed or cancelled emails")
    def retry(self, request, queryset):
        count = services.email_retry(email_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} email(s) queued again.", messages.SUCCESS)

    @admin.action(description="Cancel selected pending emails")
    def cancel(self, request, queryset):
        count = services.email_cancel(email_ids=queryset.values_list("pk", flat=True))
        self.message_user(request, f"{count} email(s) cancelled.", messages.SUCCESS)


def _optional_kind_choices():
    """Read when the form is drawn: apps register their kinds in ready()."""
    return [(name, f"{kind.label} ({name})") for name, kind in optional_kinds().items()]


class EmailPreferenceForm(forms.ModelForm):
    # A choice of the kinds a person may turn off: an essential kind or one nobody registered is
    # refused with the form's own error, never stored or passed to the service.
    kind = forms.ChoiceField(choices=_optional_kind_choices)

    class Meta:
        model = EmailPreference
        fields = ["user", "kind", "enabled"]


@admin.register(EmailPreference)
class EmailPreferenceAdmin(admin.ModelAdmin):
    form = EmailPreferenceForm
    list_display = ["user", "kind", "enabled", "updated_at"]
    list_filter = ["kind", "enabled"]
    search_fields = ["user__email"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        # Through the service: turning a kind off here cancels the person's pending emails of
        # that kind at once, as the preferences page does.
        super().save_model(request, obj, form, change)
        if not obj.enabled:
            services.email_preference_set(user=obj.user, kind=obj.kind, enabled=False)


@admin.register(UndeliverableAddress)
class UndeliverableAddressAdmin(admin.ModelAdmin):
    """Addresses GOV.UK Notify reported as a permanent failure. Deleting one lets optional emails
    go to it again (as when the person confirms it)."""

    list_display = ["address", "user", "reported_at"]
    search_fields = ["address", "user__email"]
    raw_id_fields = ["user", "email"]
    readonly_fields = ["address", "user", "email", "reported_at"]

    def has_add_permission(self, request):
        return False


@xframe_options_sameorigin
@csp(
    {
        "default-src": ["'none'"],
        "style-src": ["'unsafe-inline'"],
        "img-src": ["data:"],
        "frame-ancestors": ["'self'"],
        "sandbox": [""],
    }
)
def _preview_response(body_html: str) -> HttpResponse:
    return HttpResponse(body_html or "<p>(no HTML body)</p>")
