"""Single points of failure: a skill need on a day that exactly one scheduled person
can take (and none: a gap), and a certification that would leave a need uncovered
once it expires, flagged before it does.

What counts, in the words of the grid (selectors/coverage.py):
- the plan is the working plan (`ScheduleEntry`, what the lead's grid shows: drafts
  and what is published alike); a person is there on a day when their cell is a
  shift, so leave, comp days, days off and holidays are not there;
- a need is a skill a coverage requirement names for that kind of day (a band's
  requirement counts only that band), a weekend skill need of the rota settings
  (Saturdays and Sundays), or an active queue of the team (its skill, every day);
- a person can take the skill when they are at least capable in it
  (`COUNTS_FOR_SKILL`, as coverage and the rota count), and, when they hold a
  certification for it, only through its expiry date: a lapsed certification gates
  the skill here (the coverage counts themselves stay level-only);
- a day on which the team has nothing planned at all is left out (the grid already
  shows it as unplanned).
Fixed queries whatever the teams' size: seven for any number of teams and days.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from teams.models import Certification, Team

from ..models import (
    CoverageRequirement,
    EntryKind,
    PublicHoliday,
    Queue,
    ScheduleEntry,
    WeekendSkillNeed,
)
from .coverage import capable_skills, requirement_kind

HORIZON_DAYS = 28


class Kind:
    GAP = "gap"
    SINGLE = "single"
    CERTIFICATION = "certification"


@dataclass(frozen=True)
class Need:
    """A skill the team needs on a day (in one shift band, or all day)."""

    skill_id: int
    skill_name: str
    template_id: int | None = None
    band: str = ""
    sources: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.skill_name} ({self.band})" if self.band else self.skill_name


@dataclass(frozen=True)
class SinglePoint:
    team_id: int
    on: dt.date
    kind: str
    need: Need
    associate_id: int | None = None
    name: str = ""
    expires_on: dt.date | None = None

    @property
    def sentence(self) -> str:
        day = f"{self.on:%a} {self.on.day} {self.on:%b}"
        if self.kind == Kind.GAP:
            return f"{day}: nobody scheduled can take {self.need.label}"
        if self.kind == Kind.SINGLE:
            return f"{day}: only {self.name} can take {self.need.label}"
        expires = self.expires_on or self.on
        expiry = f"{expires.day} {expires:%b}"
        return (
            f"{self.name}'s {self.need.skill_name} certification expires {expiry}: "
            f"{self.need.label} on {day} would have nobody"
        )


@dataclass(frozen=True)
class Shift:
    associate_id: int
    on: dt.date
    template_id: int | None


@dataclass
class TeamNeeds:
    """Where a team's skill needs come from."""

    requirements: list[CoverageRequirement] = field(default_factory=list)
    weekend: list[tuple[int, str]] = field(default_factory=list)  # (skill id, name)
    queues: list[tuple[str, int, str]] = field(default_factory=list)  # (queue, skill id, name)

    def on(self, day: dt.date, holidays: set[dt.date]) -> list[Need]:
        kind = requirement_kind(day, holidays)
        found: dict[tuple[int, int | None], Need] = {}

        def add(
            skill_id: int, name: str, source: str, template_id: int | None = None, band: str = ""
        ) -> None:
            key = (skill_id, template_id)
            need = found.get(key) or Need(skill_id, name, template_id, band)
            if source not in need.sources:
                need = Need(skill_id, name, template_id, band, (*need.sources, source))
            found[key] = need

        for req in self.requirements:
            if req.skill is not None and req.day_kind == kind:
                band = req.template.name if req.template else ""
                add(req.skill.pk, req.skill.name, "coverage", req.template_id, band)
        if day.weekday() >= 5:
            for skill_id, name in self.weekend:
                add(skill_id, name, "weekend rota")
        for queue, skill_id, name in self.queues:
            add(skill_id, name, f"queue {queue}")
        return sorted(found.values(), key=lambda n: (n.skill_name, n.band))

    def skill_ids(self) -> set[int]:
        return (
            {r.skill_id for r in self.requirements if r.skill_id is not None}
            | {skill_id for skill_id, _name in self.weekend}
            | {skill_id for _queue, skill_id, _name in self.queues}
        )


def team_needs(
    team_ids: Iterable[int], *, requirements: Sequence[CoverageRequirement] | None = None
) -> dict[int, TeamNeeds]:
    """Each team's skill needs: coverage requirements with a skill, weekend skill
    needs, active queues. Three queries (two when the caller has the requirements)."""
    ids = list(team_ids)
    needs: dict[int, TeamNeeds] = defaultdict(TeamNeeds)
    reqs = (
        list(
            CoverageRequirement.objects.filter(team_id__in=ids, skill__isnull=False).select_related(
                "skill", "template"
            )
        )
        if requirements is None
        else requirements
    )
    for req in reqs:
        if req.skill_id is not None:
            needs[req.team_id].requirements.append(req)
    for team_id, skill_id, name in WeekendSkillNeed.objects.filter(
        settings__team_id__in=ids, min_count__gte=1
    ).values_list("settings__team_id", "skill_id", "skill__name"):
        needs[team_id].weekend.append((skill_id, name))
    for team_id, queue, skill_id, name in (
        Queue.objects.active()
        .filter(team_id__in=ids)
        .values_list("team_id", "name", "skill_id", "skill__name")
    ):
        needs[team_id].queues.append((queue, skill_id, name))
    return needs


def needed_skill_ids(team_ids: Sequence[int]) -> dict[int, set[int]]:
    """The skills each team needs (teams.selectors.skill_need_providers). Three queries."""
    return {team_id: needs.skill_ids() for team_id, needs in team_needs(team_ids).items()}


def certification_expiries(associate_ids: Iterable[int]) -> dict[tuple[int, int], dt.date]:
    return {
        (associate_id, skill_id): expires_on
        for associate_id, skill_id, expires_on in Certification.objects.filter(
            associate_id__in=list(associate_ids)
        ).values_list("associate_id", "skill_id", "expires_on")
    }


def find_single_points(
    *,
    team_id: int,
    days: Sequence[dt.date],
    today: dt.date,
    shifts: Sequence[Shift],
    planned_days: set[dt.date],
    names: dict[int, str],
    needs: TeamNeeds,
    capable: dict[int, set[int]],
    expiries: dict[tuple[int, int], dt.date],
    holidays: set[dt.date],
) -> list[SinglePoint]:
    """The gaps, single points and expiring certifications of one team's days (pure)."""
    by_day: dict[dt.date, list[Shift]] = defaultdict(list)
    for shift in shifts:
        by_day[shift.on].append(shift)
    found = []
    for day in days:
        if day not in planned_days:
            continue
        for need in needs.on(day, holidays):
            able = [
                s.associate_id
                for s in by_day[day]
                if (need.template_id is None or s.template_id == need.template_id)
                and need.skill_id in capable.get(s.associate_id, set())
            ]
            counted, lapsing = [], []
            for associate_id in able:
                expires = expiries.get((associate_id, need.skill_id))
                if expires is None or day <= expires:
                    counted.append(associate_id)
                elif expires >= today:  # valid today, lapsed by this day: flag it now
                    lapsing.append((associate_id, expires))
            if len(counted) == 1:
                only = counted[0]
                found.append(
                    SinglePoint(team_id, day, Kind.SINGLE, need, only, names.get(only, ""))
                )
            elif not counted and lapsing:
                found.extend(
                    SinglePoint(
                        team_id, day, Kind.CERTIFICATION, need, who, names.get(who, ""), expires
                    )
                    for who, expires in lapsing
                )
            elif not counted:
                found.append(SinglePoint(team_id, day, Kind.GAP, need))
    return found


def short_name(first_name: str, last_name: str, username: str) -> str:
    return first_name or f"{first_name} {last_name}".strip() or username


def single_points(
    teams: Sequence[Team], *, days: int = HORIZON_DAYS
) -> dict[int, list[SinglePoint]]:
    """For each team, its site's today and the `days` after: gaps, single points of
    failure and certifications that would uncover a need. Seven queries."""
    if not teams:
        return {}
    today = {t.pk: t.site.local_today() for t in teams}
    first, last = min(today.values()), max(today.values()) + dt.timedelta(days=days - 1)
    ids = [t.pk for t in teams]
    rows = list(
        ScheduleEntry.objects.filter(
            associate__team_id__in=ids, associate__is_active=True, on__gte=first, on__lte=last
        ).values_list(
            "associate__team_id",
            "associate_id",
            "on",
            "kind",
            "template_id",
            "associate__user__first_name",
            "associate__user__last_name",
            "associate__user__username",
        )
    )
    needs = team_needs(ids)
    associate_ids = {row[1] for row in rows}
    capable = capable_skills(associate_ids)
    expiries = certification_expiries(associate_ids)
    holidays: dict[int, set[dt.date]] = defaultdict(set)
    for site_id, on in PublicHoliday.objects.filter(
        site_id__in={t.site_id for t in teams}, on__gte=first, on__lte=last
    ).values_list("site_id", "on"):
        holidays[site_id].add(on)
    shifts: dict[int, list[Shift]] = defaultdict(list)
    planned: dict[int, set[dt.date]] = defaultdict(set)
    names: dict[int, str] = {}
    for team_id, associate_id, on, kind, template_id, first_name, last_name, username in rows:
        planned[team_id].add(on)
        names[associate_id] = short_name(first_name, last_name, username)
        if kind == EntryKind.SHIFT:
            shifts[team_id].append(Shift(associate_id, on, template_id))
    return {
        team.pk: find_single_points(
            team_id=team.pk,
            days=[today[team.pk] + dt.timedelta(days=n) for n in range(days)],
            today=today[team.pk],
            shifts=shifts[team.pk],
            planned_days=planned[team.pk],
            names=names,
            needs=needs[team.pk],
            capable=capable,
            expiries=expiries,
            holidays=holidays[team.site_id],
        )
        for team in teams
    }


def first_per_warning(points: Iterable[SinglePoint]) -> list[SinglePoint]:
    """One line per single point, gap and lapsing certification per day, except that a
    certification is told once (its first uncovered day)."""
    seen: set[tuple[int | None, int]] = set()
    kept = []
    for point in sorted(points, key=lambda p: (p.on, p.need.skill_name)):
        if point.kind == Kind.CERTIFICATION:
            key = (point.associate_id, point.need.skill_id)
            if key in seen:
                continue
            seen.add(key)
        kept.append(point)
    return kept
