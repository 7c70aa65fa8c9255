from django.contrib import admin
from django.http import HttpRequest
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
from .models.people import (
    ActionItem,
    AgendaItem,
    Feedback,
    Goal,
    GoalCheckIn,
    OneOnOne,
    OneOnOneCadence,
    PeopleReminder,
    PrivateNote,
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

    def get_readonly_fields(self, request: HttpRequest, obj: Review | None = None) -> list[str]:
        # A review changes only through the app's transitions, which check who may act,
        # reopen shared reviews and notify; the admin may read it and its history.
        if obj is None:
            return []
        return [f.name for f in Review._meta.concrete_fields]


@admin.register(RatingChange)
class RatingChangeAdmin(admin.ModelAdmin):
    list_display = ("review", "from_rating", "to_rating", "changed_by", "changed_at")
    list_select_related = ("review", "changed_by")
    raw_id_fields = ("review", "changed_by")

    def get_readonly_fields(
        self, request: HttpRequest, obj: RatingChange | None = None
    ) -> list[str]:
        return [] if obj is None else [f.name for f in RatingChange._meta.concrete_fields]


@admin.register(ReviewReminder)
class ReviewReminderAdmin(admin.ModelAdmin):
    list_display = ("cycle", "kind", "recipient", "sent_at")
    list_filter = ("kind", "cycle")
    raw_id_fields = ("recipient",)


# People records (1:1s, feedback, goals). Private 1:1 note text is never shown
# here: it is its author's alone, ops admins included.


@admin.register(OneOnOneCadence)
class OneOnOneCadenceAdmin(SimpleHistoryAdmin):
    list_display = ("associate", "frequency", "first_on", "starts_at_time", "is_active")
    list_filter = ("frequency", "is_active")
    list_select_related = ("associate__user",)
    raw_id_fields = ("associate",)


@admin.register(OneOnOne)
class OneOnOneAdmin(SimpleHistoryAdmin):
    list_display = ("associate", "on", "kind", "status", "lead")
    list_filter = ("kind", "status")
    list_select_related = ("associate__user", "lead")
    search_fields = ("associate__user__username", "associate__user__last_name")
    date_hierarchy = "on"
    raw_id_fields = ("associate", "lead")


@admin.register(PrivateNote)
class PrivateNoteAdmin(admin.ModelAdmin):
    list_display = ("one_on_one", "author", "updated_at")
    list_select_related = ("one_on_one", "author")
    exclude = ("text",)
    raw_id_fields = ("one_on_one", "author")


@admin.register(AgendaItem)
class AgendaItemAdmin(admin.ModelAdmin):
    list_display = ("text", "one_on_one", "added_by", "created_at")
    list_select_related = ("one_on_one", "added_by")
    raw_id_fields = ("one_on_one", "added_by")


@admin.register(ActionItem)
class ActionItemAdmin(SimpleHistoryAdmin):
    list_display = ("text", "associate", "owner", "due_on", "done_at")
    list_select_related = ("associate__user", "owner")
    raw_id_fields = ("associate", "raised_in", "owner", "done_by")


@admin.register(Feedback)
class FeedbackAdmin(SimpleHistoryAdmin):
    list_display = ("associate", "author", "source", "kind", "is_private", "created_at")
    list_filter = ("source", "kind", "is_private")
    list_select_related = ("associate__user", "author")
    raw_id_fields = ("associate", "author")


@admin.register(Goal)
class GoalAdmin(SimpleHistoryAdmin):
    list_display = ("title", "associate", "team", "kpi", "target_value", "status", "ends_on")
    list_filter = ("status", "kpi")
    list_select_related = ("associate__user", "team", "kpi")
    raw_id_fields = ("associate", "created_by")


@admin.register(GoalCheckIn)
class GoalCheckInAdmin(SimpleHistoryAdmin):
    list_display = ("goal", "author", "status", "value", "created_at")
    list_select_related = ("goal", "author")
    raw_id_fields = ("goal", "author")


@admin.register(PeopleReminder)
class PeopleReminderAdmin(admin.ModelAdmin):
    list_display = ("kind", "object_id", "due_on", "sent_at")
    list_filter = ("kind",)
