"""Read-side queries for roster pages. Each returns a fixed number of queries."""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from ..models import (
    Associate,
    AssociateSkill,
    AuditEvent,
    RampTarget,
    Skill,
    SkillTarget,
    Team,
    User,
)

if TYPE_CHECKING:
    from ..access import Roles

NEW_JOINER_DAYS = 90

# Apps that know what an associate does on a day (scheduling) register a
# function here from their AppConfig.ready(), so the home page can show it
# without this app importing them.
WeekLabels = Callable[["Associate", list[dt.date]], dict[dt.date, str]]
week_label_providers: list[WeekLabels] = []


def week_labels(associate: "Associate", days: list[dt.date]) -> dict[dt.date, str]:
    labels: dict[dt.date, str] = {}
    for provider in week_label_providers:
        labels.update(provider(associate, days))
    return labels


@dataclass(frozen=True)
class ScheduleEvent:
    """Something on an associate's calendar (a weekend duty, a comp day, leave)."""

    on: dt.date
    last_on: dt.date
    label: str


# Scheduling registers a function (associate, first day, last day) -> events, so that
# people records (a 1:1's context panel) read the schedule without importing it.
ScheduleEvents = Callable[["Associate", dt.date, dt.date], list[ScheduleEvent]]
schedule_event_providers: list[ScheduleEvents] = []


def schedule_events(associate: "Associate", since: dt.date, until: dt.date) -> list[ScheduleEvent]:
    events = [e for provider in schedule_event_providers for e in provider(associate, since, until)]
    return sorted(events, key=lambda e: e.on)


@dataclass(frozen=True)
class ProtectedTime:
    """Time on a working day an associate spends off the queues for something booked
    elsewhere (a 1:1, a career conversation), so capacity planning takes it off supply."""

    associate_id: int
    starts_at: dt.datetime  # aware
    ends_at: dt.datetime
    label: str  # what the plan shows: "1:1", "Career conversation"


# People records (performance) register a function (associate ids, from, until) ->
# booked time, so the capacity plan counts 1:1s without importing performance.
ProtectedTimes = Callable[[Sequence[int], dt.datetime, dt.datetime], list[ProtectedTime]]
protected_time_providers: list[ProtectedTimes] = []


def protected_time(
    associate_ids: Sequence[int], since: dt.datetime, until: dt.datetime
) -> list[ProtectedTime]:
    times = [
        t for provider in protected_time_providers for t in provider(associate_ids, since, until)
    ]
    return sorted(times, key=lambda t: (t.starts_at, t.associate_id))


@dataclass(frozen=True)
class HomePanel:
    """A block another app adds to the home page: a template and its context."""

    template: str
    context: dict[str, object]
    order: int = 50  # lower comes first
    # "main": a section of its own (a lead's alerts); "mine": a card in the
    # associate's "For you" row (swap offers, the next 1:1, balances).
    area: str = "main"


# Apps register a function (user, roles) -> panels from their AppConfig.ready(),
# e.g. KPI alerts or overdue 1:1s for a lead; each must run a fixed number of queries.
HomePanels = Callable[["User", "Roles"], list[HomePanel]]
home_panel_providers: list[HomePanels] = []


def home_panels(user: "User", roles: "Roles") -> list[HomePanel]:
    panels = [panel for provider in home_panel_providers for panel in provider(user, roles)]
    return sorted(panels, key=lambda panel: panel.order)


@dataclass(frozen=True)
class TeamCount:
    """One cell of the manager's "what needs you" table: how many, and where to act.
    Counts only: a cell never carries what a record says (DESIGN.md, privacy)."""

    count: int
    url: str
    detail: str = ""  # e.g. "2 red · 1 amber"


@dataclass(frozen=True)
class TeamColumn:
    """A column of that table: a heading and the count per team id (absent: none)."""

    heading: str
    counts: dict[int, TeamCount]
    order: int = 50


# Apps register a function (user, roles, teams) -> columns from AppConfig.ready():
# scheduling (coverage gaps, approvals waiting), performance (KPI alerts, reviews to
# calibrate, overdue 1:1s). Each runs a fixed number of queries however many teams.
TeamColumns = Callable[["User", "Roles", Sequence[Team]], list[TeamColumn]]
team_column_providers: list[TeamColumns] = []


def team_columns(user: "User", roles: "Roles", teams: Sequence[Team]) -> list[TeamColumn]:
    if not teams:
        return []
    columns = [c for provider in team_column_providers for c in provider(user, roles, teams)]
    return sorted(columns, key=lambda column: column.order)


@dataclass(frozen=True)
class TeamNeeds:
    team: Team
    cells: list[tuple[str, TeamCount | None]]  # (column heading, count) in column order

    @property
    def total(self) -> int:
        return sum(cell.count for _heading, cell in self.cells if cell is not None)


def needs_table(teams: Sequence[Team], columns: Sequence[TeamColumn]) -> list[TeamNeeds]:
    """Teams × columns, the teams with the most waiting first."""
    rows = [
        TeamNeeds(team, [(column.heading, column.counts.get(team.pk)) for column in columns])
        for team in teams
    ]
    return sorted(rows, key=lambda row: (-row.total, row.team.name))


@dataclass(frozen=True)
class HealthReport:
    """One part's line in /healthz: its name, what it reports, and whether the site
    should read as degraded because of it."""

    name: str
    report: object
    degraded: bool = False


# Apps register a function () -> HealthReport for /healthz, e.g. the KPI rollup backlog.
health_providers: list[Callable[[], HealthReport]] = []


def health_reports() -> list[HealthReport]:
    return [provider() for provider in health_providers]


THIN_COVERAGE = 2  # fewer proficient people than this on a skill is a risk


def teams_with_headcount(teams: QuerySet[Team]) -> QuerySet[Team]:
    """Each team with `active_count` (its associates now, not counting its own leads,
    who are on the roster as player-coaches) and `inactive_count` (associates who
    left). Every page and the demo's seed output count associates this one way."""
    lead_of_team = Team.leads.through.objects.filter(
        team_id=OuterRef("team_id"), user_id=OuterRef("user_id")
    )

    def headcount(*, active: bool) -> Subquery:
        return Subquery(
            Associate.objects.filter(team_id=OuterRef("pk"), is_active=active)
            .exclude(Exists(lead_of_team))
            .order_by()
            .values("team_id")
            .annotate(n=Count("pk"))
            .values("n")
        )

    return (
        teams.select_related("site", "manager")
        .prefetch_related("leads")
        .annotate(
            active_count=Coalesce(headcount(active=True), 0),
            inactive_count=Coalesce(headcount(active=False), 0),
        )
    )


@dataclass(frozen=True)
class Anniversary:
    associate: Associate
    on: dt.date
    years: int


def upcoming_anniversaries(
    associates: Iterable[Associate], *, today_by_team: dict[int, dt.date], days: int = 7
) -> list[Anniversary]:
    """Work anniversaries from each team's local today through the next `days` days."""
    found = []
    for associate in associates:
        today = today_by_team[associate.team_id]
        for year in (today.year, today.year + 1):
            try:
                on = associate.hired_on.replace(year=year)
            except ValueError:  # hired on 29 February
                on = dt.date(year, 3, 1)
            years = year - associate.hired_on.year
            if today <= on <= today + dt.timedelta(days=days) and years >= 1:
                found.append(Anniversary(associate, on, years))
    return sorted(found, key=lambda a: a.on)


def new_joiners(
    associates: Iterable[Associate], *, today_by_team: dict[int, dt.date]
) -> list[Associate]:
    """Associates hired in the last NEW_JOINER_DAYS days of their site's calendar."""
    return sorted(
        (
            a
            for a in associates
            if 0 <= (today_by_team[a.team_id] - a.hired_on).days < NEW_JOINER_DAYS
        ),
        key=lambda a: a.hired_on,
        reverse=True,
    )


@dataclass(frozen=True)
class SkillCoverage:
    skill: Skill
    proficient_count: int

    @property
    def is_thin(self) -> bool:
        return self.proficient_count < THIN_COVERAGE


# Apps that know what a team's work needs (scheduling: coverage requirements with a
# skill, weekend skill needs, queues) register a function (team ids) -> the skill ids
# each team needs, so the lead's home lists thin coverage only for skills that matter.
SkillNeeds = Callable[[Sequence[int]], dict[int, set[int]]]
skill_need_providers: list[SkillNeeds] = []


def needed_skills(team_ids: Sequence[int]) -> dict[int, set[int]]:
    """The skills each team needs: what the registered apps say, and any skill an
    active associate of the team has a target in (a SkillTarget, or a ramp target
    of their onboarding plan). Two queries plus the providers'."""
    ids = list(team_ids)
    needed: dict[int, set[int]] = {team_id: set() for team_id in ids}
    for provider in skill_need_providers:
        for team_id, skills in provider(ids).items():
            needed.setdefault(team_id, set()).update(skills)
    targets = SkillTarget.objects.filter(
        associate__team_id__in=ids, associate__is_active=True
    ).values_list("associate__team_id", "skill_id")
    ramps = RampTarget.objects.filter(
        plan__associate__team_id__in=ids, plan__associate__is_active=True
    ).values_list("plan__associate__team_id", "skill_id")
    for team_id, skill_id in [*targets, *ramps]:
        needed[team_id].add(skill_id)
    return needed


def skill_coverage(team: Team, *, needed: set[int] | None = None) -> list[SkillCoverage]:
    """For each skill (of `needed` when given), how many active associates of the
    team are proficient or better."""
    skills = Skill.objects.all() if needed is None else Skill.objects.filter(pk__in=needed)
    skills = skills.annotate(
        proficient_count=Count(
            "associate_levels",
            filter=Q(
                associate_levels__associate__team=team,
                associate_levels__associate__is_active=True,
                associate_levels__level__gte=AssociateSkill.Proficiency.PROFICIENT,
            ),
        )
    )
    return [SkillCoverage(skill, skill.proficient_count) for skill in skills]


# The skills matrix (levels, targets, certification badges): selectors/training.py.
from .training import MatrixCell as MatrixCell  # noqa: E402
from .training import MatrixRow as MatrixRow  # noqa: E402
from .training import skills_matrix as skills_matrix  # noqa: E402

# -- The data-access export: each app adds its part about one associate --------


@dataclass(frozen=True)
class ExportPart:
    """One file of a data-access export: rows of plain JSON values, what they
    are, and what was deliberately left out of them (and why)."""

    name: str  # the file's stem in the archive, e.g. "kpi_events"
    description: str
    rows: list[dict[str, object]]
    excluded: str = ""


SubjectExport = Callable[["Associate"], list[ExportPart]]
subject_export_providers: list[SubjectExport] = []


def model_row(obj: models.Model, *, omit: Iterable[str] = ()) -> dict[str, object]:
    """A model instance as a flat dict of its own columns (foreign keys as ids)."""
    skip = set(omit)
    return {
        f.attname: getattr(obj, f.attname)
        for f in obj._meta.concrete_fields
        if f.name not in skip and f.attname not in skip
    }


def subject_export_parts(associate: "Associate") -> list[ExportPart]:
    """Everything held about `associate`, from teams and every registered app."""
    user = associate.user
    profile = model_row(associate) | {
        "user": {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_active": user.is_active,
            "date_joined": user.date_joined,
            "last_login": user.last_login,
        },
        "team": associate.team.name,
        "site": associate.team.site.name,
    }
    skills = [
        model_row(level) | {"skill": level.skill.name}
        for level in associate.skill_levels.select_related("skill").order_by("skill__name")
    ]
    parts = [
        ExportPart(
            "profile",
            "The roster record and the login it belongs to (current team and site).",
            [profile],
            excluded="The password hash and login-throttling records (security data, not"
            " about the person's work). Team moves are not kept as history; the team each"
            " KPI event came in on is in kpi_events.",
        ),
        ExportPart("skills", "Skills and certifications with their proficiency.", skills),
        ExportPart(
            "training",
            "Their training plan (modules, due dates, done), certifications with their"
            " expiry, and skill targets.",
            _training_rows(associate),
        ),
        ExportPart(
            "audit_log",
            "Audit events about them (their roster record and login) and those they caused:"
            " logins, failed logins with the username they were tried for, changes, with"
            " when, from which address and by whom.",
            _audit_rows(associate),
            excluded="Of records about other people that they changed, only the kind and id"
            " are given (not the name or what changed); the address of an event is given"
            " only when they caused it.",
        ),
    ]
    for provider in subject_export_providers:
        parts.extend(provider(associate))
    return parts


def _training_rows(associate: "Associate") -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [
        model_row(a, omit=("assigned_by", "done_by"))
        | {"kind": "training", "module": a.module.title}
        for a in associate.training_assignments.select_related("module")
    ]
    rows += [
        model_row(c, omit=("recorded_by",)) | {"kind": "certification", "skill": c.skill.name}
        for c in associate.certifications.select_related("skill")
    ]
    rows += [
        model_row(t, omit=("set_by",)) | {"kind": "skill_target", "skill": t.skill.name}
        for t in associate.skill_targets.select_related("skill")
    ]
    return rows


def _audit_rows(associate: "Associate") -> list[dict[str, object]]:
    user_id = associate.user_id
    about = Q(target_type="teams.associate", target_id=associate.pk) | Q(
        target_type="teams.user", target_id=user_id
    )
    rows = []
    for event in AuditEvent.objects.filter(about | Q(actor_id=user_id)).order_by("occurred_at"):
        is_about = (event.target_type, event.target_id) in {
            ("teams.associate", associate.pk),
            ("teams.user", user_id),
        }
        rows.append(
            {
                "occurred_at": event.occurred_at,
                "action": event.action,
                "actor": event.actor_label,
                "target_type": event.target_type,
                "target_id": event.target_id,
                "target": event.target_label if is_about else "",
                "team_id": event.team_id,
                "address": event.remote_addr if event.actor_id == user_id else None,
                "details": event.details if is_about else {},
            }
        )
    return rows


# -- Retention: each app scrubs its own personal text ---------------------------

# Called with an associate whose personal data is being anonymised, inside the
# service's transaction: blank the free text of and about them (and its history).
Anonymiser = Callable[["Associate"], None]
retention_providers: list[Anonymiser] = []
# Called with a cut-off: blank the text of history versions replaced before it
# (never an object's latest version); returns how many history rows changed.
HistoryScrubber = Callable[[dt.datetime], int]
history_retention_providers: list[HistoryScrubber] = []


# -- Hiring: the staffing gap beside a requisition ------------------------------


@dataclass(frozen=True)
class StaffingGap:
    """A team's FTE gap over the next `weeks` weeks, as the capacity plan sees it: the
    peak shortfall (required − rostered) and that week's figures."""

    required_fte: float
    scheduled_fte: float
    rostered_fte: float
    shortfall_fte: float
    weeks: int
    week_starting: dt.date | None = None  # the week of the peak shortfall


# Scheduling registers a function (team ids, weeks) -> {team id: gap} from its
# AppConfig.ready(); a team without a capacity plan is left out of the answer.
StaffingGaps = Callable[[Sequence[int], int], dict[int, StaffingGap]]
staffing_gap_providers: list[StaffingGaps] = []


def staffing_gaps(team_ids: Sequence[int], weeks: int) -> dict[int, StaffingGap]:
    gaps: dict[int, StaffingGap] = {}
    if not team_ids:
        return gaps
    for provider in staffing_gap_providers:
        gaps.update(provider(team_ids, weeks))
    return gaps
