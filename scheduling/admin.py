from django import forms
from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    Activity,
    CalendarFeed,
    CompDay,
    CompDayRequest,
    CoverageRequirement,
    EntryKind,
    ForecastInterval,
    ForecastOverride,
    LeaveAllowance,
    PublicHoliday,
    PublishedEntry,
    Queue,
    QueueAssignment,
    QueueForecast,
    QueuePlan,
    QueueVolume,
    RotaPreference,
    RotaProposal,
    RotaSettings,
    RotaWish,
    ScheduleEntry,
    ScheduleWeek,
    ShiftSwap,
    ShiftTemplate,
    SwapOffer,
    TimeOffRequest,
    WeekendDuty,
    WeekendSkillNeed,
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


class ScheduleEntryForm(forms.ModelForm):
    class Meta:
        model = ScheduleEntry
        fields = [
            "associate",
            "on",
            "kind",
            "template",
            "starts_at",
            "ends_at",
            "break_minutes",
            "note",
        ]

    def clean(self) -> dict:
        """A weekend shift needs its duty on the ledger (the grid's rule, here too)."""
        data = super().clean() or {}
        associate, on = data.get("associate"), data.get("on")
        if (
            data.get("kind") == EntryKind.SHIFT
            and on is not None
            and associate is not None
            and on.weekday() >= 5
            and not WeekendDuty.objects.filter(associate=associate, on=on).exists()
        ):
            raise forms.ValidationError(
                "A weekend shift needs a weekend duty on the ledger, so that it earns its "
                "comp day: plan it on the team's weekend rota."
            )
        return data


@admin.register(ScheduleEntry)
class ScheduleEntryAdmin(SimpleHistoryAdmin):
    form = ScheduleEntryForm
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


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "team", "on", "starts_at", "ends_at")
    list_filter = ("kind", "team")
    list_select_related = ("team",)
    search_fields = ("title", "team__name")
    date_hierarchy = "on"
    filter_horizontal = ("attendees",)
    raw_id_fields = ("created_by",)


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


class WeekendSkillNeedInline(admin.TabularInline):
    model = WeekendSkillNeed
    extra = 1


@admin.register(RotaSettings)
class RotaSettingsAdmin(admin.ModelAdmin):
    list_display = ("team", "saturday_headcount", "sunday_headcount", "comp_window_weeks")
    list_select_related = ("team",)
    search_fields = ("team__name",)
    filter_horizontal = ("pooled_teams",)
    inlines = [WeekendSkillNeedInline]


@admin.register(WeekendDuty)
class WeekendDutyAdmin(SimpleHistoryAdmin):
    list_display = ("on", "associate", "reason")
    list_filter = ("associate__team",)
    list_select_related = ("associate__user",)
    search_fields = ("associate__user__first_name", "associate__user__last_name")
    date_hierarchy = "on"
    raw_id_fields = ("associate",)


@admin.register(CompDay)
class CompDayAdmin(SimpleHistoryAdmin):
    list_display = ("associate", "on", "status", "expires_on")
    list_filter = ("status", "associate__team")
    list_select_related = ("associate__user",)
    search_fields = ("associate__user__first_name", "associate__user__last_name")
    raw_id_fields = ("associate", "duty")


@admin.register(CompDayRequest)
class CompDayRequestAdmin(SimpleHistoryAdmin):
    list_display = ("comp_day", "wanted_on", "status")
    list_filter = ("status",)
    search_fields = ("comp_day__associate__user__last_name",)
    raw_id_fields = ("comp_day",)


@admin.register(RotaWish)
class RotaWishAdmin(admin.ModelAdmin):
    list_display = ("associate", "on", "kind")
    list_filter = ("kind",)
    search_fields = ("associate__user__first_name", "associate__user__last_name")
    raw_id_fields = ("associate",)


@admin.register(RotaPreference)
class RotaPreferenceAdmin(admin.ModelAdmin):
    list_display = ("associate", "preferred_comp_weekday")
    search_fields = ("associate__user__first_name", "associate__user__last_name")
    raw_id_fields = ("associate",)


@admin.register(RotaProposal)
class RotaProposalAdmin(admin.ModelAdmin):
    list_display = ("team", "first_day", "last_day", "created_at", "accepted_at")
    list_filter = ("team",)
    search_fields = ("team__name",)
    readonly_fields = ("duties", "conflicts", "fairness", "objective", "bound")


@admin.register(ShiftSwap)
class ShiftSwapAdmin(SimpleHistoryAdmin):
    list_display = (
        "requester",
        "requester_day",
        "partner",
        "partner_day",
        "is_hand_over",
        "status",
    )
    list_filter = ("status", "is_hand_over")
    search_fields = ("requester__user__last_name", "partner__user__last_name")
    raw_id_fields = ("requester", "partner", "offer")


@admin.register(SwapOffer)
class SwapOfferAdmin(SimpleHistoryAdmin):
    list_display = ("offerer", "on", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("offerer__user__last_name",)
    raw_id_fields = ("offerer",)


# --- capacity planning ---------------------------------------------------------------------


@admin.register(Queue)
class QueueAdmin(SimpleHistoryAdmin):
    list_display = ("name", "team", "channel", "skill", "target_label", "interval_minutes")
    list_filter = ("channel", "is_active", "team")
    search_fields = ("name", "team__name")


@admin.register(QueueVolume)
class QueueVolumeAdmin(admin.ModelAdmin):
    """Volume history as it came in (the upload page, the API or the command write it;
    an ops admin corrects a row here)."""

    list_display = ("queue", "starts_at", "offered", "handled", "handle_time_seconds", "source")
    list_filter = ("source", "queue__team")
    search_fields = ("queue__name",)
    date_hierarchy = "starts_at"
    raw_id_fields = ("queue", "submitted_by")
    readonly_fields = ("received_at",)


@admin.register(QueueForecast)
class QueueForecastAdmin(admin.ModelAdmin):
    list_display = ("queue", "method", "wmape", "naive_wmape", "made_at", "first_day", "last_day")
    readonly_fields = [f.name for f in QueueForecast._meta.fields]


@admin.register(ForecastInterval)
class ForecastIntervalAdmin(admin.ModelAdmin):
    list_display = ("queue", "starts_at", "contacts", "handle_time_seconds")
    list_filter = ("queue__team",)
    date_hierarchy = "starts_at"
    readonly_fields = ("queue", "starts_at", "contacts", "handle_time_seconds")


@admin.register(ForecastOverride)
class ForecastOverrideAdmin(SimpleHistoryAdmin):
    list_display = ("queue", "on", "starts_at", "ends_at", "percent", "reason", "created_by")
    list_filter = ("queue__team",)


class QueueAssignmentInline(admin.TabularInline):
    model = QueueAssignment
    extra = 0
    raw_id_fields = ("associate",)


@admin.register(QueuePlan)
class QueuePlanAdmin(admin.ModelAdmin):
    list_display = ("team", "on", "proposed_at", "published_at")
    list_filter = ("team",)
    inlines = (QueueAssignmentInline,)
