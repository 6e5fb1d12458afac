from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, Interest, Profile, ProfileSkill, Skill, User


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["interests"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "full_name"]
    inlines = [ProfileInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal", {"fields": ["full_name"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "full_name", "password1", "password2"]})
    ]


class ProfileSkillInline(admin.TabularInline):
    model = ProfileSkill
    extra = 0
    autocomplete_fields = ["skill"]


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "team", "grade", "profession", "location"]
    list_filter = ["grade", "organisation"]
    search_fields = ["user__email", "user__full_name", "organisation", "team", "profession"]
    list_select_related = ["user"]
    filter_horizontal = ["interests"]
    inlines = [ProfileSkillInline]


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ["name", "category", "approved", "suggested_by"]
    list_filter = ["category", "approved"]
    search_fields = ["name", "description"]
    list_editable = ["approved"]


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(ProfileSkill)
class ProfileSkillAdmin(admin.ModelAdmin):
    list_display = ["profile", "skill", "direction", "level", "priority"]
    list_filter = ["direction", "level", "skill__category"]
    search_fields = ["profile__user__email", "skill__name"]
    list_select_related = ["profile__user", "skill"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "summary",
        "ip_address",
    ]
    list_filter = ["action", "object_type"]
    search_fields = ["actor__email", "summary", "object_id"]
    list_select_related = ["actor"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
