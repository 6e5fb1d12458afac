from django.contrib import admin

from .models import (
    Answer,
    Question,
    Response,
    SurveyInvitation,
    SurveySchedule,
    SurveyTemplate,
    SurveyVersion,
)


class VersionInline(admin.TabularInline):
    model = SurveyVersion
    extra = 0
    fields = ["number", "published", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(SurveyTemplate)
class SurveyTemplateAdmin(admin.ModelAdmin):
    list_display = ["name", "programme", "anonymous", "audience", "key"]
    list_filter = ["anonymous", "programme"]
    search_fields = ["name"]
    inlines = [VersionInline]


class QuestionInline(admin.TabularInline):
    model = Question
    extra = 0
    fields = ["order", "type", "text", "required", "choices"]


@admin.register(SurveyVersion)
class SurveyVersionAdmin(admin.ModelAdmin):
    list_display = ["template", "number", "published", "created_at"]
    list_filter = ["published", "template__programme"]
    inlines = [QuestionInline]


@admin.register(SurveySchedule)
class SurveyScheduleAdmin(admin.ModelAdmin):
    list_display = ["template", "cohort", "trigger", "offset_days", "audience", "active"]
    list_filter = ["trigger", "active", "cohort__programme"]
    list_select_related = ["template", "cohort"]


@admin.register(SurveyInvitation)
class SurveyInvitationAdmin(admin.ModelAdmin):
    list_display = ["schedule", "user", "role", "due_on", "closes_on", "answered_at"]
    list_filter = ["schedule__cohort__programme", "role"]
    list_select_related = ["schedule__template", "schedule__cohort", "user"]
    search_fields = ["user__email"]
    raw_id_fields = ["user", "pair", "schedule"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    fields = ["question", "number", "text", "choices"]
    readonly_fields = fields
    can_delete = False


@admin.register(Response)
class ResponseAdmin(admin.ModelAdmin):
    # No user column: anonymous responses have none, and the list must not invite guessing.
    list_display = ["id", "schedule", "version"]
    list_filter = ["schedule__cohort__programme"]
    list_select_related = ["schedule__template", "schedule__cohort", "version__template"]
    readonly_fields = ["schedule", "version", "role", "invitation", "user", "submitted_at"]
    inlines = [AnswerInline]
