from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import Model, QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from . import audit
from .models import (
    Application,
    Associate,
    AssociateSkill,
    AuditEvent,
    Candidate,
    Competency,
    Decision,
    Interview,
    Offer,
    OnboardingItem,
    OnboardingPlan,
    OnboardingTemplate,
    RampTarget,
    Rating,
    Requisition,
    Scorecard,
    Site,
    Skill,
    StageChange,
    Team,
    TemplateItem,
    User,
)

Action = AuditEvent.Action


def _change_details(message: object, *, skip: Iterable[str] = ()) -> dict[str, list[str]]:
    """What an admin change message says changed: the names of the fields (never
    their values) and the inline rows added, changed or deleted."""
    details: dict[str, list[str]] = {}
    if not isinstance(message, list):
        return details
    skipped = {str(name) for name in skip}
    for part in message:
        for verb, info in part.items():
            if "name" in info:  # an inline row
                details.setdefault(verb, []).append(f"{info['name']} {info['object']}")
            else:
                fields = [str(f) for f in info.get("fields", []) if str(f) not in skipped]
                if fields:
                    details.setdefault("fields", []).extend(fields)
    return details


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit event for each add, change and delete the admin logs: what
    changed (field names), not the values. Subclasses name their three actions."""

    audit_created: str
    audit_changed: str
    audit_deleted: str
    audit_skip_fields: tuple[str, ...] = ()

    def audit_target(self, obj: Any) -> Model:
        return obj

    def audit_team(self, obj: Any) -> Team | None:
        return None

    def _audit(self, request: HttpRequest, obj: Any, action: str, details: dict[str, Any]) -> None:
        audit.record(
            action=action,
            actor=request.user,  # type: ignore[arg-type]
            target=self.audit_target(obj),
            request=request,
            team=self.audit_team(obj),
            details=details,
        )

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_addition(request, obj, message)
        self._audit(request, obj, self.audit_created, _change_details(message))
        return entry

    def log_change(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = super().log_change(request, obj, message)
        if details := _change_details(message, skip=self.audit_skip_fields):
            self._audit(request, obj, self.audit_changed, details)
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        entries = super().log_deletions(request, queryset)
        for obj in queryset:
            self._audit(request, obj, self.audit_deleted, {})
        return entries


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_superuser")
    audit_created, audit_changed, audit_deleted = (
        Action.USER_CREATED,
        Action.USER_CHANGED,
        Action.USER_DELETED,
    )

    def audit_team(self, obj: User) -> Team | None:
        return audit.team_of(obj)


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
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "site", "manager")
    list_filter = ("site",)
    list_select_related = ("site", "manager")
    search_fields = ("name", "leads__username", "leads__last_name", "manager__username")
    filter_horizontal = ("leads",)
    autocomplete_fields = ("manager",)
    audit_created, audit_changed, audit_deleted = (
        Action.TEAM_CREATED,
        Action.TEAM_CHANGED,
        Action.TEAM_DELETED,
    )
    # Leads get an event of their own, naming who came and went.
    audit_skip_fields = ("Leads",)

    def audit_team(self, obj: Team) -> Team | None:
        return obj

    def save_related(
        self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool
    ) -> None:
        before = {getattr(u, "pk", u) for u in form.initial.get("leads", [])} if change else set()
        super().save_related(request, form, formsets, change)
        team: Team = form.instance
        after = set(team.leads.values_list("pk", flat=True))
        if before == after:
            return
        names = dict(User.objects.filter(pk__in=before ^ after).values_list("pk", "username"))
        audit.record(
            action=Action.TEAM_LEADS_CHANGED,
            actor=request.user,  # type: ignore[arg-type]
            target=team,
            request=request,
            team=team,
            details={
                "added": sorted(names[pk] for pk in after - before),
                "removed": sorted(names[pk] for pk in before - after),
            },
        )


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
class AssociateAdmin(AuditedAdmin):
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
    audit_created, audit_changed, audit_deleted = (
        Action.ASSOCIATE_CREATED,
        Action.ASSOCIATE_CHANGED,
        Action.ASSOCIATE_DELETED,
    )

    def audit_team(self, obj: Associate) -> Team | None:
        return obj.team


@admin.register(AssociateSkill)
class AssociateSkillAdmin(AuditedAdmin):
    list_display = ("associate", "skill", "level")
    list_filter = ("skill", "level")
    list_select_related = ("associate__user", "skill")
    search_fields = ("associate__user__first_name", "associate__user__last_name", "skill__name")
    autocomplete_fields = ("associate", "skill")
    audit_created = audit_changed = audit_deleted = Action.SKILLS_CHANGED

    def audit_target(self, obj: AssociateSkill) -> Model:
        return obj.associate

    def audit_team(self, obj: AssociateSkill) -> Team | None:
        return obj.associate.team

    def log_addition(self, request: HttpRequest, obj: Any, message: Any) -> Any:
        entry = admin.ModelAdmin.log_addition(self, request, obj, message)
        self._audit(request, obj, self.audit_created, {"added": [str(obj)]})
        return entry

    def log_deletions(self, request: HttpRequest, queryset: Any) -> Any:
        entries = admin.ModelAdmin.log_deletions(self, request, queryset)
        for obj in queryset:
            self._audit(request, obj, self.audit_deleted, {"removed": [str(obj)]})
        return entries


# --- The audit log: read-only, filterable --------------------------------------------


def _user_id(value: str | None) -> int | None:
    """An actor filter value that is a user id ("²" is a digit to str.isdigit())."""
    if value and value.isascii() and value.isdecimal() and len(value) <= 18:
        return int(value)
    return None


class ActorFilter(admin.SimpleListFilter):
    """No list of every user (there are thousands): "the system" and "nobody signed
    in", plus the one actor picked by clicking a name in the list."""

    title = "actor"
    parameter_name = "actor"
    # (A value that is not an ASCII number of at most 18 digits is ignored.)

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        choices = [("system", "The system (a job)"), ("anonymous", "Nobody signed in")]
        user_id = _user_id(self.value())
        if user_id is not None:
            label = User.objects.filter(pk=user_id).values_list("username", flat=True).first()
            choices.append((str(user_id), label or f"user #{user_id}"))
        return choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value in ("system", "anonymous"):
            return queryset.filter(actor__isnull=True, actor_label=value)
        user_id = _user_id(value)
        if user_id is not None:
            return queryset.filter(actor_id=user_id)
        return queryset


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit log for ops admins: nobody adds, changes or deletes an event here."""

    list_display = ("when", "action", "who", "target", "team", "remote_addr", "short_details")
    list_filter = (
        "action",
        ActorFilter,
        ("occurred_at", admin.DateFieldListFilter),
        "team",
        "site",
    )
    list_select_related = ("team",)
    search_fields = ("actor_label", "target_label", "remote_addr", "=target_type")
    search_help_text = "Part of a username, a name or an address; or a type (teams.associate)."
    list_per_page = 100
    show_full_result_count = False  # one COUNT over a long table is enough
    fields = (
        "when",
        "action",
        "actor",
        "actor_label",
        "target_type",
        "target_id",
        "target_label",
        "team",
        "site",
        "remote_addr",
        "details",
    )
    readonly_fields = fields

    # Server time (settings.TIME_ZONE, UTC) to the second: events from sites in
    # different zones then read in one order.
    @admin.display(description=f"when ({settings.TIME_ZONE})", ordering="occurred_at")
    def when(self, event: AuditEvent) -> str:
        return timezone.localtime(event.occurred_at).strftime("%Y-%m-%d %H:%M:%S")

    @admin.display(description="target", ordering="target_label")
    def target(self, event: AuditEvent) -> str | None:
        return event.target_label or None  # None: the admin's "-"

    @admin.display(description="actor", ordering="actor_label")
    def who(self, event: AuditEvent) -> str:
        if event.actor_id is None:
            return event.actor_label
        url = reverse("admin:teams_auditevent_changelist") + f"?actor={event.actor_id}"
        return format_html('<a href="{}">{}</a>', url, event.actor_label)

    @admin.display(description="details")
    def short_details(self, event: AuditEvent) -> str:
        text = "; ".join(f"{k}: {_readable(v)}" for k, v in event.details.items())
        return text if len(text) <= 80 else text[:79] + "…"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        return {}


def _readable(value: object) -> str:
    """A details value as a person reads it: lists joined, levels as from → to."""
    if isinstance(value, list):
        if len(value) == 2 and all(isinstance(v, int) for v in value):
            return f"{value[0]} → {value[1]}"
        return ", ".join(_readable(v) for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{k} ({_readable(v)})" for k, v in value.items())
    return str(value)


# --- Hiring and onboarding: ops admins may see candidates (DESIGN.md); the app is
# where hiring is run, so these pages are for looking up and mending records.


class LookUpOnly:
    """Records the app writes through its services (stage moves, decisions, scorecards,
    offers: locked, audited, with their history): the admin shows them, never changes
    or adds them."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class CompetencyInline(admin.TabularInline):
    model = Competency
    extra = 0


@admin.register(Requisition)
class RequisitionAdmin(admin.ModelAdmin):
    list_display = ("title", "team", "status", "fte", "target_start_on", "created_at")
    list_filter = ("status", "team__site", "team")
    search_fields = ("title", "team__name")
    inlines = [CompetencyInline]
    raw_id_fields = ("backfill_for", "created_by", "approved_by")


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ("name", "requisition", "position")
    search_fields = ("name",)


@admin.register(Candidate)
class CandidateAdmin(admin.ModelAdmin):
    list_display = ("name", "source", "created_at", "anonymised_at")
    list_filter = ("source",)
    search_fields = ("name", "email")
    exclude = ("cv",)  # CVs are downloaded through the access-checked view only
    readonly_fields = ("cv_name", "anonymised_at")


@admin.register(Application)
class ApplicationAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ("__str__", "candidate", "requisition", "stage", "stage_changed_at")
    list_filter = ("stage", "requisition__team")
    raw_id_fields = ("candidate", "requisition")


@admin.register(StageChange)
class StageChangeAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ("application", "from_stage", "to_stage", "changed_by", "changed_at")
    list_filter = ("to_stage",)
    raw_id_fields = ("application", "changed_by")


@admin.register(Interview)
class InterviewAdmin(admin.ModelAdmin):
    list_display = ("title", "application", "starts_at", "duration_minutes")
    raw_id_fields = ("application", "created_by")


# A scorecard is its interviewer's alone until submitted, and is read in the app
# (teams.access.readable_scorecards): the admin never shows its scores, recommendation
# or words, draft or not.


@admin.register(Scorecard)
class ScorecardAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ("__str__", "interview", "interviewer", "submitted_at")
    raw_id_fields = ("interview", "interviewer")
    exclude = ("summary", "recommendation")


@admin.register(Rating)
class RatingAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ("scorecard", "competency")
    raw_id_fields = ("scorecard", "competency")
    exclude = ("evidence", "score")


@admin.register(Decision)
class DecisionAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ("application", "outcome", "decided_by", "decided_at")
    raw_id_fields = ("application", "decided_by", "scorecards")


@admin.register(Offer)
class OfferAdmin(LookUpOnly, admin.ModelAdmin):
    list_display = ("application", "status", "start_on", "fte", "extended_at")
    list_filter = ("status",)
    raw_id_fields = ("application", "extended_by", "associate")


class TemplateItemInline(admin.TabularInline):
    model = TemplateItem
    extra = 0


@admin.register(OnboardingTemplate)
class OnboardingTemplateAdmin(admin.ModelAdmin):
    list_display = ("team", "updated_at")
    inlines = [TemplateItemInline]


@admin.register(TemplateItem)
class TemplateItemAdmin(admin.ModelAdmin):
    list_display = ("title", "template", "kind", "owner_role", "due_day")


class OnboardingItemInline(admin.TabularInline):
    model = OnboardingItem
    extra = 0
    raw_id_fields = ("owner", "done_by")


class RampTargetInline(admin.TabularInline):
    model = RampTarget
    extra = 0


@admin.register(OnboardingPlan)
class OnboardingPlanAdmin(admin.ModelAdmin):
    list_display = ("associate", "starts_on", "buddy", "invitation_sent_at")
    raw_id_fields = ("associate", "buddy", "created_by")
    inlines = [OnboardingItemInline, RampTargetInline]


@admin.register(OnboardingItem)
class OnboardingItemAdmin(admin.ModelAdmin):
    list_display = ("title", "plan", "owner", "due_on", "done_at", "reminded_at")
    raw_id_fields = ("plan", "owner", "done_by")


@admin.register(RampTarget)
class RampTargetAdmin(admin.ModelAdmin):
    list_display = ("skill", "plan", "level", "by_day")


# --- issue 16: training ---------------------------------------------------------------

from .models import Certification, SkillTarget, TrainingAssignment, TrainingModule  # noqa: E402


@admin.register(TrainingModule)
class TrainingModuleAdmin(admin.ModelAdmin):
    list_display = ("title", "skill", "length_minutes", "team", "is_active")
    list_filter = ("is_active", "skill")
    search_fields = ("title",)
    raw_id_fields = ("created_by",)


@admin.register(TrainingAssignment)
class TrainingAssignmentAdmin(admin.ModelAdmin):
    list_display = ("module", "associate", "due_on", "done_at", "reminded_at")
    raw_id_fields = ("associate", "module", "done_by", "assigned_by")


@admin.register(Certification)
class CertificationAdmin(admin.ModelAdmin):
    list_display = ("skill", "associate", "certified_on", "expires_on", "reminded_at")
    list_filter = ("skill",)
    raw_id_fields = ("associate", "recorded_by")


@admin.register(SkillTarget)
class SkillTargetAdmin(admin.ModelAdmin):
    list_display = ("skill", "associate", "level", "by_date")
    raw_id_fields = ("associate", "set_by")
