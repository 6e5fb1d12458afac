from django.contrib import admin

from lib.admin import ReadOnlyAdmin
from programmes.admin import ProgrammeAdmin

from .models import BusinessPriority, Project, SignoffRequest, TalentPoolEntry


class BusinessPriorityInline(admin.TabularInline):
    model = BusinessPriority
    extra = 1


# A programme's business priorities are edited on the programme's admin page.
ProgrammeAdmin.inlines = [*ProgrammeAdmin.inlines, BusinessPriorityInline]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["title", "enrolment", "created_at", "updated_at"]
    list_filter = ["enrolment__cohort__programme", "enrolment__cohort", "priorities"]
    search_fields = ["title", "description", "enrolment__user__email"]
    list_select_related = ["enrolment__user", "enrolment__cohort__programme"]
    raw_id_fields = ["enrolment"]
    filter_horizontal = ["priorities", "topics"]


@admin.register(TalentPoolEntry)
class TalentPoolEntryAdmin(admin.ModelAdmin):
    list_display = ["email", "full_name", "programme", "role", "source", "created_at"]
    list_filter = ["programme", "source", "role"]
    search_fields = ["email", "full_name", "organisation"]
    raw_id_fields = ["user", "added_by"]


@admin.register(SignoffRequest)
class SignoffRequestAdmin(ReadOnlyAdmin):
    """The record of who was asked to approve an application and what they answered: read-only,
    so the evidence of a sign-off cannot be rewritten here."""

    list_display = ["email", "enrolment", "requested_at", "decision", "decided_at", "superseded_at"]
    list_filter = ["decision", "enrolment__cohort__programme"]
    search_fields = ["email", "enrolment__user__email"]
    list_select_related = ["enrolment__user", "enrolment__cohort"]
    raw_id_fields = ["enrolment"]
