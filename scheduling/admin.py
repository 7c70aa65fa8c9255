from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    CalendarFeed,
    CoverageRequirement,
    LeaveAllowance,
    PublicHoliday,
    PublishedEntry,
    ScheduleEntry,
    ScheduleWeek,
    ShiftTemplate,
    TimeOffRequest,
)


@admin.register(ShiftTemplate)
class ShiftTemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "site", "starts_at", "ends_at", "break_minutes", "applies_to")
    list_filter = ("site", "applies_to")
    search_fields = ("name", "code")


@admin.register(PublicHoliday)
class PublicHolidayAdmin(admin.ModelAdmin):
    list_display = ("on", "name", "site")
    list_filter = ("site",)
    search_fields = ("name",)
    date_hierarchy = "on"


@admin.register(ScheduleEntry)
class ScheduleEntryAdmin(SimpleHistoryAdmin):
    list_display = ("on", "associate", "kind", "starts_at", "ends_at", "template")
    list_filter = ("kind", "associate__team")
    list_select_related = ("associate__user", "template")
    search_fields = ("associate__user__first_name", "associate__user__last_name")
    date_hierarchy = "on"
    raw_id_fields = ("associate",)


@admin.register(PublishedEntry)
class PublishedEntryAdmin(admin.ModelAdmin):
    list_display = ("on", "associate", "kind", "starts_at", "ends_at", "published_at")
    list_filter = ("kind", "associate__team")
    list_select_related = ("associate__user",)
    search_fields = ("associate__user__first_name", "associate__user__last_name")
    date_hierarchy = "on"
    raw_id_fields = ("associate",)


@admin.register(ScheduleWeek)
class ScheduleWeekAdmin(admin.ModelAdmin):
    list_display = ("team", "starts_on", "published_at", "published_by")
    list_filter = ("team",)
    search_fields = ("team__name",)


@admin.register(CoverageRequirement)
class CoverageRequirementAdmin(admin.ModelAdmin):
    list_display = ("team", "day_kind", "template", "skill", "min_headcount")
    list_filter = ("day_kind", "team")
    search_fields = ("team__name",)


@admin.register(TimeOffRequest)
class TimeOffRequestAdmin(SimpleHistoryAdmin):
    list_display = ("associate", "first_day", "last_day", "type", "status")
    list_filter = ("status", "type", "associate__team")
    list_select_related = ("associate__user",)
    search_fields = ("associate__user__first_name", "associate__user__last_name", "note")
    raw_id_fields = ("associate",)


@admin.register(LeaveAllowance)
class LeaveAllowanceAdmin(admin.ModelAdmin):
    list_display = ("associate", "year", "paid_days")
    list_filter = ("year",)
    search_fields = ("associate__user__first_name", "associate__user__last_name")
    raw_id_fields = ("associate",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("associate", "created_at")
    search_fields = ("associate__user__first_name", "associate__user__last_name")
    readonly_fields = ("token",)
    raw_id_fields = ("associate",)
