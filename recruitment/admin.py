from django.contrib import admin

from programmes.admin import ProgrammeAdmin

from .models import BusinessPriority, Project, TalentPoolEntry


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
