from django.contrib import admin

from .models import (
    Attendance,
    ContactMessage,
    DirectoryListing,
    Event,
    GroupMember,
    ProjectSummary,
    StandupGroup,
)


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    raw_id_fields = ["enrolment"]
    extra = 0


@admin.register(StandupGroup)
class StandupGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "cohort", "published", "published_at"]
    list_filter = ["published", "cohort__programme"]
    inlines = [GroupMemberInline]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "cohort", "group", "first_date", "start_time", "weekly"]
    list_filter = ["kind", "weekly", "cohort__programme"]
    search_fields = ["title"]
    raw_id_fields = ["facilitator", "created_by"]


@admin.register(Attendance)
class AttendanceAdmin(admin.ModelAdmin):
    list_display = ["event", "occurrence", "user", "source"]
    list_filter = ["source"]
    raw_id_fields = ["user", "recorded_by"]


@admin.register(DirectoryListing)
class DirectoryListingAdmin(admin.ModelAdmin):
    list_display = ["enrolment", "opted_in", "show_email", "updated_at"]
    list_filter = ["opted_in", "show_email"]
    raw_id_fields = ["enrolment"]


@admin.register(ContactMessage)
class ContactMessageAdmin(admin.ModelAdmin):
    list_display = ["sender", "recipient", "subject", "created_at"]
    raw_id_fields = ["sender", "recipient"]


@admin.register(ProjectSummary)
class ProjectSummaryAdmin(admin.ModelAdmin):
    list_display = ["title", "enrolment", "published_at"]
    search_fields = ["title", "summary"]
    raw_id_fields = ["enrolment"]
