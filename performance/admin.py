from django.contrib import admin

from .models import DailyKpi, Kpi, KpiDirtyDay, KpiEvent


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
