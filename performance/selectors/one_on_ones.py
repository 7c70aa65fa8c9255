"""Read-side queries for 1:1s: the lists of 1:1s, the meeting page (agenda,
action items carried over, the lead's context panel) and a 1:1's change history.
Each runs a fixed number of queries, whatever the length of an associate's history.

The context panel's KPI figures come from the daily rollups (`DailyKpi`), added
up as the KPI dashboards do (`selectors.kpis`), so both agree.
"""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, Max, OuterRef, Q, Subquery

from teams.history import Change, changes
from teams.models import Associate, Team
from teams.selectors import ProtectedTime, ScheduleEvent, schedule_events

from ..models import (
    ActionItem,
    AgendaItem,
    DailyKpi,
    Feedback,
    Goal,
    Kpi,
    OneOnOne,
    OneOnOneCadence,
    PrivateNote,
)
from . import kpis as kpi_selectors
from .goals import GoalProgress, goal_progress
from .kpis import basis_label

DEFAULT_WINDOW_DAYS = 30  # context window when there is no earlier 1:1
RECENT_FEEDBACK = 5


# --- 1:1s as protected time on the capacity plan -----------------------------------------


def booked_one_on_ones(
    associate_ids: Sequence[int], since: dt.datetime, until: dt.datetime
) -> list[ProtectedTime]:
    """Scheduled 1:1s that overlap [since, until) for these associates, as time off the
    queues, for the associate and for the lead running it when the lead is on the same
    roster (a player-coach). Labels name the kind only, never the notes. One query."""
    ids = list(associate_ids)
    rows = (
        OneOnOne.objects.scheduled()
        .filter(starts_at__lt=until, starts_at__gte=since - dt.timedelta(hours=8))
        .filter(Q(associate_id__in=ids) | Q(lead__associate__id__in=ids))
        .values_list("associate_id", "lead__associate__id", "kind", "starts_at", "duration_minutes")
    )
    wanted = set(ids)
    times = []
    for associate_id, lead_associate_id, kind, starts_at, minutes in rows:
        ends_at = starts_at + dt.timedelta(minutes=minutes)
        if ends_at <= since:
            continue
        label = str(OneOnOne.Kind(kind).label)
        for person in (associate_id, lead_associate_id):
            if person in wanted:
                times.append(ProtectedTime(person, starts_at, ends_at, label))
    return times


# --- 1:1 lists --------------------------------------------------------------------------


@dataclass(frozen=True)
class OneOnOneRow:
    associate: Associate
    cadence: OneOnOneCadence | None
    next_meeting: OneOnOne | None
    last_held_on: dt.date | None
    held_count: int  # in the last 90 days
    is_overdue: bool


def one_on_one_rows(
    associates: Sequence[Associate], today_by_team: Mapping[int, dt.date]
) -> list[OneOnOneRow]:
    """Cadence, next meeting, last held date and a 90-day count per associate; a
    1:1 is overdue once its site-local day has passed. Three queries whatever the
    team size or history."""
    ids = [a.pk for a in associates]
    today = min(today_by_team.values(), default=dt.date.today())  # for the 90-day count
    cadences = {c.associate_id: c for c in OneOnOneCadence.objects.filter(associate_id__in=ids)}
    scheduled = {
        m.associate_id: m
        for m in OneOnOne.objects.scheduled().filter(associate_id__in=ids).select_related("lead")
    }
    held: dict[int, dict[str, Any]] = {
        row["associate_id"]: dict(row)
        for row in OneOnOne.objects.held()
        .filter(associate_id__in=ids)
        .order_by()
        .values("associate_id")
        .annotate(
            last_on=Max("on"),
            recent=Count("pk", filter=Q(on__gte=today - dt.timedelta(days=90))),
        )
    }
    rows = []
    for associate in associates:
        meeting = scheduled.get(associate.pk)
        stats = held.get(associate.pk, {})
        rows.append(
            OneOnOneRow(
                associate=associate,
                cadence=cadences.get(associate.pk),
                next_meeting=meeting,
                last_held_on=stats.get("last_on"),
                held_count=stats.get("recent", 0),
                is_overdue=meeting is not None and meeting.on < today_by_team[associate.team_id],
            )
        )
    return rows


def associates_to_meet(teams: Sequence[Team]) -> list[Associate]:
    """The active associates of the teams, by team and name. A player-coach lead is
    on their own team's roster; their 1:1s are with their manager, not on this list."""
    leads_own_team = Team.leads.through.objects.filter(
        team_id=OuterRef("team_id"), user_id=OuterRef("user_id")
    )
    return list(
        Associate.objects.active()
        .filter(team__in=teams)
        .exclude(Exists(leads_own_team))
        .select_related("user", "team__site")
        .order_by("team__name", "user__first_name", "user__last_name")
    )


def open_action_items(associate: Associate) -> list[ActionItem]:
    """The associate's open action items, soonest due first."""
    return list(
        ActionItem.objects.open()
        .filter(associate=associate)
        .select_related("owner")
        .order_by("due_on", "pk")
    )


def overdue_one_on_ones(
    team_ids: Iterable[int], today_by_team: dict[int, dt.date]
) -> list[OneOnOne]:
    """Scheduled 1:1s whose site-local date has passed, oldest first. One query."""
    earliest = max(today_by_team.values(), default=dt.date.max)
    meetings = (
        OneOnOne.objects.scheduled()
        .filter(associate__team_id__in=list(team_ids), associate__is_active=True, on__lt=earliest)
        .select_related("associate__user", "associate__team")
        .order_by("on")
    )
    return [m for m in meetings if m.on < today_by_team[m.associate.team_id]]


# --- The 1:1 page --------------------------------------------------------------------


def previous_meeting(one_on_one: OneOnOne) -> OneOnOne | None:
    return (
        OneOnOne.objects.held()
        .filter(associate_id=one_on_one.associate_id, starts_at__lt=one_on_one.starts_at)
        .exclude(pk=one_on_one.pk)
        .order_by("-starts_at")
        .first()
    )


def action_items_for(one_on_one: OneOnOne, previous: OneOnOne | None) -> list[ActionItem]:
    """Raised in this 1:1, or raised earlier and open — or done since the previous
    1:1, so the lead sees what was closed. Open items carry over until done."""
    carried = Q(raised_in__starts_at__lt=one_on_one.starts_at) & (
        Q(done_at__isnull=True)
        | (Q(done_at__gte=previous.starts_at) if previous is not None else Q())
    )
    return list(
        ActionItem.objects.filter(associate_id=one_on_one.associate_id)
        .filter(Q(raised_in=one_on_one) | carried)
        .select_related("owner", "raised_in")
        .order_by("done_at", "due_on", "pk")
    )


@dataclass(frozen=True)
class KpiLine:
    kpi: Kpi
    value: float | None
    before: float | None  # the same-length window just before

    @property
    def display(self) -> str:
        return kpi_selectors.fmt(self.kpi, self.value)

    @property
    def before_display(self) -> str:
        return kpi_selectors.fmt(self.kpi, self.before)

    @property
    def target_display(self) -> str:
        return kpi_selectors.fmt(self.kpi, self.kpi.target)

    @property
    def basis(self) -> str:
        return basis_label(self.kpi, per_day=True)

    @property
    def rag(self) -> str | None:
        return kpi_selectors.rag(self.kpi, self.value)

    @property
    def trend(self) -> str:
        """better / worse / same / "" (no comparison), in the KPI's direction."""
        if self.value is None or self.before is None:
            return ""
        if round(self.value - self.before, self.kpi.decimals + 1) == 0:
            return "same"
        higher = self.value > self.before
        return "better" if higher == (self.kpi.direction == Kpi.Direction.HIGHER) else "worse"


@dataclass
class ContextPanel:
    since: dt.date
    until: dt.date
    kpis: list[KpiLine] = field(default_factory=list)
    events: list[ScheduleEvent] = field(default_factory=list)
    open_items: list[ActionItem] = field(default_factory=list)
    feedback: list[Feedback] = field(default_factory=list)
    goals: list[GoalProgress] = field(default_factory=list)


def context_panel(
    one_on_one: OneOnOne, *, previous: OneOnOne | None, viewer_id: int, today: dt.date
) -> ContextPanel:
    """What prepares the lead: KPIs vs target since the last 1:1 (with the trend
    against the window before), schedule events in that window, open action
    items, recent feedback the viewer may read, and goal progress."""
    associate = one_on_one.associate
    until = min(one_on_one.on, today)
    since = previous.on if previous is not None else until - dt.timedelta(DEFAULT_WINDOW_DAYS)
    if since > until:
        since = until
    kpis = kpi_selectors.kpis()
    # The window and the same-length one before it, as the KPI dashboards build them.
    sums = kpi_selectors.period_sums(
        (DailyKpi.Scope.ASSOCIATE,),
        kpi_selectors.DateRange(since, until),
        "associate_id",
        associate_ids=[associate.pk],
    )
    lines = []
    for kpi in kpis:
        if (pair := sums.get((associate.pk, kpi.pk))) is not None:
            now, before = pair
            lines.append(KpiLine(kpi, now.value(kpi), before.value(kpi)))

    goals = list(
        Goal.objects.for_associate(associate)
        .filter(starts_on__lte=until, ends_on__gte=since)
        .exclude(status=Goal.Status.DROPPED)
        .select_related("kpi")
    )
    return ContextPanel(
        since=since,
        until=until,
        kpis=lines,
        events=schedule_events(associate, since, until),
        open_items=open_action_items(associate),
        feedback=list(
            Feedback.objects.filter(associate=associate)
            .visible_to(viewer_id)
            .select_related("author", "kpi")[:RECENT_FEEDBACK]
        ),
        goals=goal_progress(goals, today),
    )


ONE_ON_ONE_AUDITED = {
    "status": "status",
    "on": "date",
    "kind": "type",
    "shared_notes": "shared notes",
    "aspirations": "aspirations",
    "strengths": "strengths",
    "growth_areas": "growth areas",
    "next_steps": "next steps",
    "target_role": "target role",
    "target_timeline": "timeline",
}
HISTORY_ROWS = 15


def one_on_one_changes(one_on_one: OneOnOne) -> list[Change]:
    """The 1:1's last changes, newest first, for the history table."""
    records = list(
        one_on_one.history.select_related("history_user").order_by("-history_date", "-history_id")[
            : HISTORY_ROWS + 1
        ]
    )
    return changes(records, ONE_ON_ONE_AUDITED, limit=HISTORY_ROWS)


def agenda_for(one_on_one: OneOnOne) -> list[AgendaItem]:
    return list(one_on_one.agenda_items.select_related("added_by"))


def private_note_for(one_on_one: OneOnOne, author_id: int) -> PrivateNote | None:
    """The viewer's own private note, never anyone else's."""
    return PrivateNote.objects.filter(one_on_one=one_on_one, author_id=author_id).first()


NOTE_FIELDS = ("shared_notes", "aspirations", "strengths", "growth_areas", "next_steps")


def held_meetings(associate: Associate, *, with_notes: bool = True) -> list[OneOnOne]:
    """Past 1:1s, newest first. A held one carries `held_on`, the site-local day it
    was marked held (which may be later than the day it was planned for). Without
    notes (for a manager), what was said is not even loaded."""
    zone = associate.team.site.zone
    found = OneOnOne.objects.for_associate(associate)
    if not with_notes:
        found = found.defer(*NOTE_FIELDS)
    meetings: list[OneOnOne] = list(
        found.exclude(status=OneOnOne.Status.SCHEDULED)
        .select_related("lead")
        .annotate(
            action_count=Subquery(
                ActionItem.objects.filter(raised_in=OuterRef("pk"))
                .order_by()
                .values("raised_in")
                .annotate(n=Count("pk"))
                .values("n")[:1]
            ),
        )
    )
    for meeting in meetings:
        meeting.held_on = (  # type: ignore[attr-defined]
            meeting.held_at.astimezone(zone).date() if meeting.held_at is not None else None
        )
    return meetings
