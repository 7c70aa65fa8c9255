"""The Django admin for KPIs, API tokens, review cycles and people records.

Ops admins run the admin, but they are not the authors of people records: a
private or not-yet-shared text (private feedback, an unsubmitted self review,
the lead's draft and the calibration before sharing, a private 1:1 note) is
never shown here, on change pages, list columns, history lists, their diffs,
change reasons or old versions. Such a field reads "private to its author" and
cannot be edited; the rest of the record stays usable.
"""

from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import Any

from django.contrib import admin, messages
from django.db.models import F, Model, QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import capfirst
from rest_framework.authtoken.models import TokenProxy
from simple_history.admin import SimpleHistoryAdmin

from teams.http import authenticated_user

from .models import (
    ActionItem,
    AgendaItem,
    ApiToken,
    DailyKpi,
    Feedback,
    Goal,
    GoalCheckIn,
    Idea,
    Kpi,
    KpiDirtyDay,
    KpiEvent,
    OneOnOne,
    OneOnOneCadence,
    PeopleReminder,
    PrivateNote,
    Procedure,
    RatingChange,
    Review,
    ReviewCycle,
    ReviewReminder,
    Support,
    Trial,
)
from .services import api_tokens as token_services
from .services import kpis as kpi_services

PRIVATE = "private to its author"


class HidesPrivateText(admin.ModelAdmin):
    """An admin that masks the fields `hidden_fields` names for a record.

    `hidden_fields` reads the record's own fields only, so it applies alike to
    the current row and to a version from its history; a version is masked by
    its own state and by the current row's (a record made private hides its
    earlier shared versions too).
    """

    # Every field that a record may hide, and those that may not be changed while
    # it hides anything (un-ticking "private" would make the hidden text readable).
    private: Sequence[str] = ()
    locked_while_hidden: Sequence[str] = ()
    _masks: dict[str, Callable[[Model], str]]

    def hidden_fields(self, obj: Any) -> set[str]:
        raise NotImplementedError

    def _hidden(self, obj: Model | None) -> set[str]:
        if obj is None:
            return set()
        hidden = self.hidden_fields(obj)
        current = self.model._default_manager.filter(pk=obj.pk).first()
        if current is not None:
            hidden |= self.hidden_fields(current)
        return hidden

    def _mask(self, name: str) -> Callable[[Model], str]:
        masks = self.__class__.__dict__.get("_masks")
        if masks is None:
            masks = {}
            self.__class__._masks = masks
        if name not in masks:

            def show(obj: Model) -> str:
                return PRIVATE

            show.__name__ = f"{name}_private"
            show.short_description = capfirst(  # type: ignore[attr-defined]
                str(self.model._meta.get_field(name).verbose_name)
            )
            masks[name] = show
        return masks[name]

    def get_exclude(self, request: HttpRequest, obj: Model | None = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])
        hidden = self._hidden(obj)
        locked = list(self.locked_while_hidden) if hidden else []
        return [*excluded, *sorted(hidden), *locked]

    def readonly_base(self, request: HttpRequest, obj: Model | None) -> Sequence[Any]:
        """The read-only fields before masking (the admin's `readonly_fields`)."""
        return super().get_readonly_fields(request, obj)

    def get_readonly_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        hidden = self._hidden(obj)
        shown = [f for f in self.readonly_base(request, obj) if f not in hidden]
        locked = [f for f in self.locked_while_hidden if f not in shown] if hidden else []
        return [*shown, *locked, *(self._mask(f) for f in sorted(hidden))]

    def get_fields(self, request: HttpRequest, obj: Model | None = None) -> Any:
        fields = list(super().get_fields(request, obj))
        hidden = self._hidden(obj)
        if not hidden:
            return fields
        # Each mask stands where its field would.
        masks = {self._mask(f): f for f in hidden}
        rest = [f for f in fields if f not in masks]
        ordered: list[Any] = []
        for model_field in self.model._meta.get_fields():
            name = model_field.name
            if name in hidden:
                ordered.append(self._mask(name))
            elif name in rest:
                ordered.append(name)
        return ordered + [f for f in rest if f not in ordered]

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        # Searching a private text would reveal it a word at a time.
        return [
            f for f in super().get_search_fields(request) if f.split("__")[0] not in self.private
        ]


class HidesPrivateHistory(HidesPrivateText, SimpleHistoryAdmin):
    """The same masking on the history list: each change's old and new values,
    and change reasons that quote a hidden text."""

    def hidden_reason(self, record: Any, current: Any) -> bool:
        """Whether a version's change reason quotes a hidden text."""
        return False

    def set_history_delta_changes(
        self, request: HttpRequest, historical_records: Any, foreign_keys_are_objs: bool = True
    ) -> None:
        super().set_history_delta_changes(request, historical_records, foreign_keys_are_objs)
        records = list(historical_records)
        if not records:
            return
        current = self.model._default_manager.filter(pk=records[0].instance.pk).first()
        always = self.hidden_fields(current) if current is not None else set()
        for record in records:
            if self.hidden_reason(record, current):
                record.history_change_reason = PRIVATE
        for newer, older in pairwise(records):
            hidden = always | self.hidden_fields(newer) | self.hidden_fields(older)
            labels = {
                capfirst(str(self.model._meta.get_field(name).verbose_name)) for name in hidden
            }
            for change in getattr(newer, "history_delta_changes", []):
                if change["field"] in labels:
                    change["old"] = change["new"] = PRIVATE


@admin.register(Kpi)
class KpiAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "aggregation", "direction", "target", "green_at", "amber_at")
    list_filter = ("aggregation", "direction")
    search_fields = ("key", "name")


@admin.register(KpiEvent)
class KpiEventAdmin(admin.ModelAdmin):
    list_display = (
        "external_id",
        "kpi",
        "associate",
        "local_date",
        "value",
        "source",
        "submitted_by",
        "api_token",
    )
    list_filter = ("kpi", "source")
    list_select_related = ("kpi", "associate__user", "submitted_by", "api_token")
    search_fields = ("external_id", "associate__user__username", "submitted_by__username")
    date_hierarchy = "local_date"
    raw_id_fields = ("associate",)
    readonly_fields = (
        "team",
        "site",
        "local_date",
        "received_at",
        "submitted_by",
        "api_token",
    )

    # Changing or deleting an event here rolls its days up again, as an import does.
    def save_model(self, request: Any, obj: KpiEvent, form: Any, change: bool) -> None:
        if not change:
            obj.submitted_by = authenticated_user(request)
        kpi_services.save_event_edit(obj)

    def delete_model(self, request: Any, obj: KpiEvent) -> None:
        kpi_services.delete_events([obj])

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        kpi_services.delete_events(queryset)


# --- API tokens ---------------------------------------------------------------------

# rest_framework.authtoken stays installed only for its (emptied) table; its admin
# would offer to make plaintext keys that nothing accepts.
if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


class TokenStatusFilter(admin.SimpleListFilter):
    title = "status"
    parameter_name = "status"

    def lookups(self, request: Any, model_admin: Any) -> Any:
        return ApiToken.Status.choices

    def queryset(self, request: Any, queryset: QuerySet[ApiToken]) -> QuerySet[ApiToken]:
        now = timezone.now()
        if self.value() == ApiToken.Status.ACTIVE:
            return queryset.filter(revoked_at__isnull=True, expires_at__gt=now)
        if self.value() == ApiToken.Status.EXPIRED:
            return queryset.filter(expires_at__lte=now).exclude(revoked_at__lt=F("expires_at"))
        if self.value() == ApiToken.Status.REVOKED:
            return queryset.filter(revoked_at__lt=F("expires_at"))
        return queryset


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Ops admins see everyone's tokens and revoke them; never a key or its digest.
    Tokens are made by their owners (the key is shown to them once), so there is no
    add; nor delete, which would cut the link from the events a token posted."""

    list_display = (
        "name",
        "user",
        "prefix",
        "scopes",
        "created_at",
        "expires_at",
        "last_used_at",
        "status",
    )
    list_filter = (TokenStatusFilter, "has_read_scope", "has_write_scope", "has_volume_scope")
    list_select_related = ("user",)
    search_fields = ("user__username", "name", "prefix")
    date_hierarchy = "created_at"
    fields = (
        "user",
        "name",
        "prefix",
        "has_read_scope",
        "has_write_scope",
        "has_volume_scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
        "status",
    )
    readonly_fields = fields
    actions = ("revoke",)

    @admin.display(description="scopes")
    def scopes(self, obj: ApiToken) -> str:
        return ", ".join(obj.scope_labels)

    @admin.display(description="status")
    def status(self, obj: ApiToken) -> str:
        return str(obj.status(timezone.now()).label)

    @admin.action(description="Revoke the selected tokens", permissions=["view"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        actor = authenticated_user(request)
        revoked = sum(
            token_services.revoke_api_token(actor=actor, token=token) for token in queryset
        )
        self.message_user(
            request,
            f"{revoked} token(s) revoked; requests with them now get 401.",
            messages.SUCCESS,
        )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(KpiDirtyDay)
class KpiDirtyDayAdmin(admin.ModelAdmin):
    list_display = ("kpi", "site", "local_date", "marked_at", "attempts", "retry_at", "last_error")
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


SELF_REVIEW_FIELDS = ("self_achievements", "self_challenges", "self_growth")
LEAD_REVIEW_FIELDS = (
    "goal_outcomes",
    "feedback_highlights",
    "lead_summary",
    "rating",
    "rating_justification",
)


def _shared_since(review: Review, moment: Any) -> bool:
    """Whether the review was shared with its associate at or after `moment`."""
    return review.shared_at is not None and review.shared_at >= moment


@admin.register(Review)
class ReviewAdmin(HidesPrivateHistory):
    list_display = (
        "associate",
        "cycle",
        "state",
        "shown_rating",
        "first_shared_at",
        "acknowledged_at",
    )
    list_filter = ("cycle", "state")
    list_select_related = ("associate__user", "cycle")
    search_fields = ("associate__user__username", "associate__user__last_name")
    raw_id_fields = ("associate", "lead_submitted_by", "shared_by")
    private = (*SELF_REVIEW_FIELDS, *LEAD_REVIEW_FIELDS)

    def hidden_fields(self, obj: Any) -> set[str]:
        # The self review is the associate's draft until submitted; the lead's side
        # (rating included) is a draft until the review stands shared.
        hidden: set[str] = set()
        if obj.self_submitted_at is None:
            hidden.update(SELF_REVIEW_FIELDS)
        if obj.state not in (Review.State.SHARED, Review.State.ACKNOWLEDGED):
            hidden.update(LEAD_REVIEW_FIELDS)
        return hidden

    def hidden_reason(self, record: Any, current: Any) -> bool:
        reason = record.history_change_reason or ""
        return reason.startswith("calibrated") and not (
            current is not None and _shared_since(current, record.history_date)
        )

    @admin.display(description="rating")
    def shown_rating(self, obj: Review) -> str:
        if "rating" in self.hidden_fields(obj):
            return PRIVATE
        return obj.get_rating_display() if obj.rating else "—"

    def readonly_base(self, request: HttpRequest, obj: Model | None) -> Sequence[Any]:
        # A review changes only through the app's transitions, which check who may act,
        # reopen shared reviews and notify; the admin may read it and its history.
        if obj is None:
            return []
        return [f.name for f in Review._meta.concrete_fields]


@admin.register(RatingChange)
class RatingChangeAdmin(HidesPrivateText):
    """A calibration change: its ratings and reason stay with the calibrators until
    the review is shared after it."""

    list_display = ("review", "shown_from", "shown_to", "changed_by", "changed_at")
    list_select_related = ("review", "changed_by")
    raw_id_fields = ("review", "changed_by")
    private = ("from_rating", "to_rating", "reason")

    def hidden_fields(self, obj: Any) -> set[str]:
        if _shared_since(obj.review, obj.changed_at):
            return set()
        return set(self.private)

    @admin.display(description="from rating")
    def shown_from(self, obj: RatingChange) -> str:
        if self.hidden_fields(obj):
            return PRIVATE
        return obj.get_from_rating_display() if obj.from_rating else "—"

    @admin.display(description="to rating")
    def shown_to(self, obj: RatingChange) -> str:
        return PRIVATE if self.hidden_fields(obj) else obj.get_to_rating_display()

    def readonly_base(self, request: HttpRequest, obj: Model | None) -> Sequence[Any]:
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
class FeedbackAdmin(HidesPrivateHistory):
    list_display = ("associate", "author", "source", "kind", "is_private", "created_at")
    list_filter = ("source", "kind", "is_private")
    list_select_related = ("associate__user", "author")
    raw_id_fields = ("associate", "author")
    private = ("situation", "behaviour", "impact")
    # Neither made shared nor handed to another author here: either would let
    # someone read what was written for its author alone.
    locked_while_hidden = ("is_private", "author")

    def hidden_fields(self, obj: Any) -> set[str]:
        return set(self.private) if obj.is_private else set()


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


# --- issue 16: improvements, procedures
@admin.register(Idea)
class IdeaAdmin(SimpleHistoryAdmin):
    list_display = ("__str__", "team", "kpi", "direction", "status", "created_at")
    list_filter = ("status", "kpi")
    list_select_related = ("team", "kpi")
    raw_id_fields = ("author", "decided_by")


@admin.register(Support)
class SupportAdmin(admin.ModelAdmin):
    list_display = ("idea", "user", "created_at")
    list_select_related = ("idea", "user")
    raw_id_fields = ("idea", "user")


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    list_display = ("idea", "starts_on", "ends_on", "whole_team", "comparison_team")
    list_select_related = ("idea", "comparison_team")
    raw_id_fields = ("idea", "pilot", "started_by")


@admin.register(Procedure)
class ProcedureAdmin(SimpleHistoryAdmin):
    list_display = ("title", "team", "updated_by", "updated_at")
    list_select_related = ("team", "updated_by")
    raw_id_fields = ("updated_by", "adopted_from_idea")


# --- issue 16: pulse ---------------------------------------------------------------------------
# Responses are anonymous and results are read in the app, in aggregate, at five
# responses or more. The admin shows a response's round and nothing it said: no score,
# no comment, no filter, no search, no sorting (nothing to single anyone out by); it
# cannot add, change or delete one. Participation shows only round and user.

from .models import (  # noqa: E402 -- one block per feature
    BirthdayShare,
    PulseAnswer,
    PulseParticipation,
    PulseReminder,
    PulseResponse,
    PulseRound,
    PulseSettings,
    PulseTemplate,
    WelcomePost,
)

IN_THE_APP = "not shown here: read the team's results in the app (aggregates, at 5 or more)"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Pulse answers and who answered: listed, never filtered, searched, sorted or
    changed. Django's admin takes a filter on any field from the URL (`?enps=3`,
    `?comment__regex=^a`) unless lookup_allowed says no: it says no to every one, so a
    round's answers cannot be counted or read apart (a 400)."""

    list_filter = ()
    search_fields = ()
    sortable_by = ()
    show_full_result_count = False

    def lookup_allowed(self, lookup: str, value: str, request: HttpRequest | None = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PulseSettings)
class PulseSettingsAdmin(admin.ModelAdmin):
    list_display = ("team", "is_enabled", "cadence_weeks")
    list_select_related = ("team",)


@admin.register(PulseTemplate)
class PulseTemplateAdmin(admin.ModelAdmin):
    list_display = ("team",)
    list_select_related = ("team",)


@admin.register(PulseRound)
class PulseRoundAdmin(admin.ModelAdmin):
    """Read-only: a round closed, read, reopened for one more answer and closed again
    would give that one answer away (who answered is in the participation table); the
    hourly job opens and closes rounds, and its questions are fixed once it opens."""

    list_display = ("team", "opens_on", "closes_on", "is_open")
    list_select_related = ("team",)
    list_filter = ("is_open",)
    raw_id_fields = ("team",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PulseResponse)
class PulseResponseAdmin(ReadOnlyAdmin):
    list_display = ("round",)
    list_select_related = ("round__team",)
    fields = ("round", "what_it_said")
    readonly_fields = ("round", "what_it_said")

    @admin.display(description="Scores and comment")
    def what_it_said(self, obj: PulseResponse) -> str:
        return IN_THE_APP


@admin.register(PulseAnswer)
class PulseAnswerAdmin(ReadOnlyAdmin):
    list_display = ("question",)
    fields = ("question", "what_it_said")
    readonly_fields = ("question", "what_it_said")

    @admin.display(description="Score")
    def what_it_said(self, obj: PulseAnswer) -> str:
        return IN_THE_APP


@admin.register(PulseParticipation)
class PulseParticipationAdmin(ReadOnlyAdmin):
    list_display = ("round", "user")
    list_select_related = ("round__team", "user")
    fields = ("round", "user")
    readonly_fields = ("round", "user")


@admin.register(PulseReminder)
class PulseReminderAdmin(ReadOnlyAdmin):
    list_display = ("round", "user")
    list_select_related = ("round__team", "user")
    fields = ("round", "user")
    readonly_fields = ("round", "user")


# --- issue 16: recognition ---------------------------------------------------------------------


@admin.register(BirthdayShare)
class BirthdayShareAdmin(admin.ModelAdmin):
    list_display = ("associate", "month", "day")
    list_select_related = ("associate__user",)
    raw_id_fields = ("associate",)


@admin.register(WelcomePost)
class WelcomePostAdmin(admin.ModelAdmin):
    list_display = ("associate", "author", "created_at")
    list_select_related = ("associate__user", "author")
    raw_id_fields = ("associate", "author")
