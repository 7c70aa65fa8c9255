from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    DailyKpi,
    Kpi,
    KpiDirtyDay,
    KpiEvent,
    RatingChange,
    Review,
    ReviewCycle,
    ReviewReminder,
)


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "aggregation", "direction", "target", "green_at", "amber_at")
    list_filter = ("aggregation", "direction")
    search_fields = ("key", "name")


@admin.register(KpiEvent)
class KpiEventAdmin(admin.ModelAdmin):
    list_display = ("external_id", "kpi", "associate", "local_date", "value", "source")
    list_filter = ("kpi", "source")
    list_select_related = ("kpi", "associate__user")
    search_fields = ("external_id", "associate__user__username")
    date_hierarchy = "local_date"
    raw_id_fields = ("associate",)


@admin.register(KpiDirtyDay)
class KpiDirtyDayAdmin(admin.ModelAdmin):
    list_display = ("kpi", "site", "local_date", "marked_at")
    list_filter = ("kpi", "site")


@admin.register(DailyKpi)
class DailyKpiAdmin(admin.ModelAdmin):
    list_display = ("kpi", "day", "scope", "team", "associate", "value", "event_count")
    list_filter = ("kpi", "scope", "site")
    list_select_related = ("kpi", "team", "associate__user")
    date_hierarchy = "day"
    raw_id_fields = ("associate",)


# --- Review cycles ------------------------------------------------------------------


@admin.register(ReviewCycle)
class ReviewCycleAdmin(SimpleHistoryAdmin):
    list_display = (
        "name",
        "period_start",
        "period_end",
        "self_review_due_on",
        "lead_review_due_on",
        "calibration_due_on",
    )
    filter_horizontal = ("teams",)
    raw_id_fields = ("opened_by",)


@admin.register(Review)
class ReviewAdmin(SimpleHistoryAdmin):
    list_display = ("associate", "cycle", "state", "rating", "first_shared_at", "acknowledged_at")
    list_filter = ("cycle", "state")
    list_select_related = ("associate__user", "cycle")
    search_fields = ("associate__user__username", "associate__user__last_name")
    raw_id_fields = ("associate", "lead_submitted_by", "shared_by")


@admin.register(RatingChange)
class RatingChangeAdmin(admin.ModelAdmin):
    list_display = ("review", "from_rating", "to_rating", "changed_by", "changed_at")
    list_select_related = ("review", "changed_by")
    raw_id_fields = ("review", "changed_by")


@admin.register(ReviewReminder)
class ReviewReminderAdmin(admin.ModelAdmin):
    list_display = ("cycle", "kind", "recipient", "sent_at")
    list_filter = ("kind", "cycle")
    raw_id_fields = ("recipient",)
