from django.contrib import admin

from lib.audit import AuditContext

from .models import Cohort, Enrolment, Programme
from .services import coordinators_audit


class CohortInline(admin.TabularInline):
    model = Cohort
    extra = 0
    fields = [
        "name",
        "status",
        "applications_open",
        "applications_close",
        "starts_on",
        "ends_on",
        "capacity",
    ]
    readonly_fields = ["status"]
    show_change_link = True


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "checkin_cadence_days", "length_weeks", "created_at"]
    search_fields = ["name", "organisation", "slug"]
    list_filter = ["organisation"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["coordinators"]
    inlines = [CohortInline]

    class Media:
        # The cohorts' table scrolls inside its own box, so the page never scrolls sideways.
        css = {"all": ["css/admin.css"]}

    def save_related(self, request, form, formsets, change):
        # Coordinators added or removed here are role changes: audited like the coordinator page.
        programme = form.instance
        before = set(programme.coordinators.values_list("email", flat=True)) if change else set()
        super().save_related(request, form, formsets, change)
        coordinators_audit(
            ctx=AuditContext.from_request(request), programme=programme, before=before
        )


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ["user", "role", "status", "capacity"]
    raw_id_fields = ["user"]
    show_change_link = True


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "status", "starts_on", "ends_on", "capacity"]
    list_filter = ["status", "programme"]
    search_fields = ["name", "programme__name"]
    list_select_related = ["programme"]
    readonly_fields = ["status", "status_changed_at"]
    date_hierarchy = "starts_on"
    inlines = [EnrolmentInline]


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ["user", "cohort", "role", "status", "capacity", "created_at"]
    list_filter = ["role", "status", "cohort__programme", "cohort"]
    search_fields = ["user__email", "user__full_name", "cohort__name"]
    list_select_related = ["user", "cohort__programme"]
    raw_id_fields = ["user"]
