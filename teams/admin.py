from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Associate, AssociateSkill, Site, Skill, Team, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_superuser")


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "time_zone",
        "country",
        "weekday_opens_at",
        "weekday_closes_at",
        "weekend_opens_at",
        "weekend_closes_at",
    )
    list_filter = ("country", "time_zone")
    search_fields = ("name", "time_zone")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "site", "manager")
    list_filter = ("site",)
    list_select_related = ("site", "manager")
    search_fields = ("name", "leads__username", "leads__last_name", "manager__username")
    filter_horizontal = ("leads",)
    autocomplete_fields = ("manager",)


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "description")


class AssociateSkillInline(admin.TabularInline):
    model = AssociateSkill
    extra = 0
    autocomplete_fields = ("skill",)


@admin.register(Associate)
class AssociateAdmin(admin.ModelAdmin):
    list_display = ("__str__", "team", "title", "level", "hired_on", "weekly_hours", "is_active")
    list_filter = ("is_active", "level", "team__site", "team")
    list_select_related = ("user", "team")
    search_fields = (
        "user__username",
        "user__first_name",
        "user__last_name",
        "user__email",
        "title",
    )
    autocomplete_fields = ("user", "team")
    date_hierarchy = "hired_on"
    inlines = [AssociateSkillInline]


@admin.register(AssociateSkill)
class AssociateSkillAdmin(admin.ModelAdmin):
    list_display = ("associate", "skill", "level")
    list_filter = ("skill", "level")
    list_select_related = ("associate__user", "skill")
    search_fields = ("associate__user__first_name", "associate__user__last_name", "skill__name")
    autocomplete_fields = ("associate", "skill")
