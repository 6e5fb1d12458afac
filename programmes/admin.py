from django.contrib import admin

from lib.audit import AuditContext

from .models import Cohort, Enrolment, EnrolmentMove, Programme
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


#: Changed only through programmes.services (docs/lifecycle.md): a move ends pairs, frees places
#: and emails people; a mentor's capacity is never below their pairs and a raise records their
#: agreement. The admin shows them; the coordinator's pages change them.
ENROLMENT_MOVED_BY_SERVICES = ["status", "capacity"]


class EnrolmentInline(admin.TabularInline):
    model = Enrolment
    extra = 0
    fields = ["user", "role", "status", "capacity"]
    readonly_fields = ENROLMENT_MOVED_BY_SERVICES
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


class EnrolmentMoveInline(admin.TabularInline):
    """The person's moves (docs/lifecycle.md), read-only: moves are made on the coordinator's
    pages, which do what follows from each one."""

    model = EnrolmentMove
    extra = 0
    fields = ["created_at", "move", "from_status", "to_status", "actor", "reason"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    inlines = [EnrolmentMoveInline]
    list_display = ["user", "cohort", "role", "status", "capacity", "created_at"]
    list_filter = ["role", "status", "cohort__programme", "cohort"]
    search_fields = ["user__email", "user__full_name", "cohort__name"]
    list_select_related = ["user", "cohort__programme"]
    raw_id_fields = ["user"]
    readonly_fields = ENROLMENT_MOVED_BY_SERVICES
