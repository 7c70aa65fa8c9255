"""Reads for onboarding pages: a plan by week, the current new joiners, and the home
page's panels. A fixed number of queries each. (Ramp targets on the skills matrix and
the associate's page are read with skill targets by selectors/training.targets_of.)"""

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from ..access import Roles, may_tick_item, onboarding_plans_seen
from ..models import (
    AssociateSkill,
    OnboardingItem,
    OnboardingPlan,
    RampTarget,
    Team,
    User,
)
from . import HomePanel

RECENT_DAYS = 90  # a plan started this recently is "current" even when all is done


@dataclass
class ItemRow:
    item: OnboardingItem
    is_overdue: bool
    may_tick: bool


@dataclass
class Week:
    number: int  # 0: before the first day
    label: str
    rows: list[ItemRow] = field(default_factory=list)


@dataclass(frozen=True)
class RampRow:
    target: RampTarget
    level: int | None  # the joiner's level now

    @property
    def is_reached(self) -> bool:
        return (self.level or 0) >= self.target.level


@dataclass(frozen=True)
class Progress:
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def week_of(plan: OnboardingPlan, day: dt.date) -> int:
    offset = (day - plan.starts_on).days
    return 0 if offset < 0 else offset // 7 + 1


def _week_label(number: int) -> str:
    return "Before the first day" if number == 0 else f"Week {number}"


def item_row(
    *, user: User, roles: Roles, plan: OnboardingPlan, item: OnboardingItem, today: dt.date
) -> ItemRow:
    return ItemRow(
        item,
        is_overdue=not item.is_done and item.due_on < today,
        may_tick=may_tick_item(roles, plan, item, user.pk),
    )


def plan_page(*, user: User, roles: Roles, plan: OnboardingPlan) -> dict[str, object]:
    """The plan's items by week, its ramp targets against the joiner's levels, and
    its progress. Three queries (plus the buddy's name, already joined)."""
    today = plan.associate.team.site.local_today()
    items = list(plan.items.select_related("owner", "done_by").order_by("due_on", "pk"))
    weeks: dict[int, Week] = {}
    for item in items:
        number = week_of(plan, item.due_on)
        week = weeks.setdefault(number, Week(number, _week_label(number)))
        week.rows.append(item_row(user=user, roles=roles, plan=plan, item=item, today=today))
    levels = dict(
        AssociateSkill.objects.filter(associate_id=plan.associate_id).values_list(
            "skill_id", "level"
        )
    )
    ramps = [
        RampRow(target, levels.get(target.skill_id))
        for target in plan.ramp_targets.select_related("skill")
    ]
    for ramp in ramps:
        ramp.target.plan = plan  # due_on reads the plan: no query per row
    done = sum(1 for item in items if item.is_done)
    return {
        "plan": plan,
        "today": today,
        "weeks": [weeks[n] for n in sorted(weeks)],
        "ramps": ramps,
        "progress": Progress(done, len(items)),
        "overdue_count": sum(1 for i in items if not i.is_done and i.due_on < today),
    }


@dataclass(frozen=True)
class JoinerRow:
    plan: OnboardingPlan
    progress: Progress
    overdue: int
    next_item: OnboardingItem | None


def current_joiners(*, user: User) -> list[JoinerRow]:
    """The new joiners of the teams the user leads or manages (every team for an ops
    admin): active, with items still open or started in the last RECENT_DAYS days of
    their site. Two queries, however many joiners."""
    undone = OnboardingItem.objects.filter(plan=OuterRef("pk"), done_at__isnull=True)
    # A day's margin for sites ahead of the server; each site's own day decides below.
    since = timezone.localdate() - dt.timedelta(days=RECENT_DAYS + 1)
    plans = list(
        onboarding_plans_seen(user)
        .filter(associate__is_active=True)
        .filter(Exists(undone) | Q(starts_on__gte=since))
        .select_related("associate__user", "associate__team__site", "buddy__user")
        .annotate(
            total=Count("items"),
            done=Count("items", filter=Q(items__done_at__isnull=False)),
        )
        .order_by("-starts_on", "pk")
    )
    open_items: dict[int, list[OnboardingItem]] = defaultdict(list)
    for item in (
        OnboardingItem.objects.filter(plan__in=[p.pk for p in plans], done_at__isnull=True)
        .select_related("owner")
        .order_by("due_on", "pk")
    ):
        open_items[item.plan_id].append(item)
    rows = []
    for plan in plans:
        today = plan.associate.team.site.local_today()
        still_open = open_items.get(plan.pk, [])
        if not still_open and (today - plan.starts_on).days > RECENT_DAYS:
            continue
        rows.append(
            JoinerRow(
                plan,
                Progress(plan.done, plan.total),
                overdue=sum(1 for item in still_open if item.due_on < today),
                next_item=still_open[0] if still_open else None,
            )
        )
    return rows


# --- Home page panels (registered in TeamsConfig.ready) ---------------------------------


def joiner_panels(user: User, roles: Roles) -> list[HomePanel]:
    """The new joiner's card: "Your onboarding: 3 of 9 done, next: …". Two queries."""
    if roles.associate_id is None:
        return []
    plan = (
        OnboardingPlan.objects.filter(associate_id=roles.associate_id)
        .annotate(
            total=Count("items"),
            done=Count("items", filter=Q(items__done_at__isnull=False)),
        )
        .first()
    )
    if plan is None or plan.done == plan.total:
        return []
    next_item = plan.items.filter(done_at__isnull=True).order_by("due_on", "pk").first()
    context = {
        "plan": plan,
        "progress": Progress(plan.done, plan.total),
        "next_item": next_item,
    }
    return [HomePanel("teams/onboarding/_home_joiner.html", context, order=5, area="mine")]


def lead_panels(user: User, roles: Roles) -> list[HomePanel]:
    """A lead's "New joiners: N items overdue" (with each site's own today). Two
    queries."""
    if not roles.led_team_ids:
        return []
    teams: Sequence[Team] = list(
        Team.objects.filter(pk__in=roles.led_team_ids).select_related("site")
    )
    late = Q()
    for team in teams:
        late |= Q(plan__associate__team_id=team.pk, due_on__lt=team.site.local_today())
    overdue = OnboardingItem.objects.filter(
        late, done_at__isnull=True, plan__associate__is_active=True
    ).aggregate(items=Count("pk"), joiners=Count("plan", distinct=True))
    if not overdue["items"]:
        return []
    context = {
        "items": overdue["items"],
        "joiners": overdue["joiners"],
        "url": reverse("teams:onboarding-list"),
    }
    return [HomePanel("teams/onboarding/_home_lead.html", context, order=25)]
