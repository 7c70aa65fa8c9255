"""Coverage: who is on shift against each requirement, per day and across teams."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from teams.models import AssociateSkill, Team

from ..models import (
    CoverageRequirement,
    DayKind,
    EntryFields,
    EntryKind,
    PublicHoliday,
    ScheduleEntry,
    day_kind_of,
)
from .calendar import days_from

COUNTS_FOR_SKILL = AssociateSkill.Proficiency.CAPABLE


@dataclass(frozen=True)
class CoverageLine:
    label: str
    required: int | None
    scheduled: int

    @property
    def is_gap(self) -> bool:
        return self.required is not None and self.scheduled < self.required

    @property
    def short(self) -> int | None:
        return None if self.required is None else max(self.required - self.scheduled, 0)


def requirement_kind(day: dt.date, holidays: set[dt.date]) -> str:
    # Public holidays are staffed like weekend days.
    return DayKind.WEEKEND if day in holidays else day_kind_of(day)


def capable_skills(associate_ids: Iterable[int]) -> dict[int, set[int]]:
    rows = AssociateSkill.objects.filter(
        associate_id__in=list(associate_ids), level__gte=COUNTS_FOR_SKILL
    ).values_list("associate_id", "skill_id")
    skills: dict[int, set[int]] = defaultdict(set)
    for associate_id, skill_id in rows:
        skills[associate_id].add(skill_id)
    return skills


def requirements_for(team: Team) -> list[CoverageRequirement]:
    return list(CoverageRequirement.objects.filter(team=team).select_related("template", "skill"))


def coverage_for_day(
    day: dt.date,
    entries: Sequence[EntryFields],
    requirements: Sequence[CoverageRequirement],
    skills: dict[int, set[int]],
    holidays: set[dt.date],
) -> list[CoverageLine]:
    kind = requirement_kind(day, holidays)
    shifts = [e for e in entries if e.kind == EntryKind.SHIFT]
    lines = []
    whole_day = next(
        (r for r in requirements if r.day_kind == kind and not r.template_id and not r.skill_id),
        None,
    )
    lines.append(
        CoverageLine("On shift", whole_day.min_headcount if whole_day else None, len(shifts))
    )
    for req in requirements:
        if req.day_kind != kind or (req.template_id is None and req.skill_id is None):
            continue
        count = sum(
            1
            for e in shifts
            if (req.template_id is None or e.template_id == req.template_id)
            and (req.skill_id is None or req.skill_id in skills.get(e.associate_id, set()))
        )
        label = " · ".join(
            part
            for part in (
                req.template.name if req.template else "",
                f"{req.skill.name} (capable+)" if req.skill else "",
            )
            if part
        )
        lines.append(CoverageLine(label, req.min_headcount, count))
    return lines


def coverage_by_day(
    days: Sequence[dt.date],
    entries: Iterable[EntryFields],
    requirements: Sequence[CoverageRequirement],
    skills: dict[int, set[int]],
    holidays: set[dt.date],
) -> dict[dt.date, list[CoverageLine]]:
    by_day: dict[dt.date, list[EntryFields]] = defaultdict(list)
    for entry in entries:
        by_day[entry.on].append(entry)
    return {day: coverage_for_day(day, by_day[day], requirements, skills, holidays) for day in days}


@dataclass(frozen=True)
class TeamCoverage:
    team: Team
    first: dt.date
    last: dt.date
    gaps: list[tuple[dt.date, CoverageLine]]
    days_without_plan: int


def coverage_overview(teams: Sequence[Team], *, weeks: int) -> list[TeamCoverage]:
    """Coverage gaps in the working plans of many teams, worst first. Six queries."""
    if not teams:
        return []
    starts = {t.pk: monday_of_today(t) for t in teams}
    first, last = min(starts.values()), max(starts.values()) + dt.timedelta(days=7 * weeks - 1)
    ids = [t.pk for t in teams]
    entries = list(
        ScheduleEntry.objects.filter(
            associate__team_id__in=ids, associate__is_active=True, on__gte=first, on__lte=last
        ).values_list("associate__team_id", "associate_id", "on", "kind", "template_id")
    )
    requirements: dict[int, list[CoverageRequirement]] = defaultdict(list)
    for req in CoverageRequirement.objects.filter(team_id__in=ids).select_related(
        "template", "skill"
    ):
        requirements[req.team_id].append(req)
    skills = capable_skills({row[1] for row in entries})
    holidays: dict[int, set[dt.date]] = defaultdict(set)
    for site_id, on in PublicHoliday.objects.filter(
        site_id__in={t.site_id for t in teams}, on__gte=first, on__lte=last
    ).values_list("site_id", "on"):
        holidays[site_id].add(on)
    by_team: dict[int, list[EntryFields]] = defaultdict(list)
    for team_id, associate_id, on, kind, template_id in entries:
        by_team[team_id].append(
            ScheduleEntry(associate_id=associate_id, on=on, kind=kind, template_id=template_id)
        )
    result = []
    for team in teams:
        days = days_from(starts[team.pk], 7 * weeks)
        coverage = coverage_by_day(
            days, by_team[team.pk], requirements[team.pk], skills, holidays[team.site_id]
        )
        planned = {e.on for e in by_team[team.pk]}
        result.append(
            TeamCoverage(
                team=team,
                first=days[0],
                last=days[-1],
                gaps=[(d, line) for d in days for line in coverage[d] if line.is_gap],
                days_without_plan=sum(1 for d in days if d not in planned),
            )
        )
    return sorted(result, key=lambda r: (-len(r.gaps), r.team.name))


def monday_of_today(team: Team) -> dt.date:
    today = team.site.local_today()
    return today - dt.timedelta(days=today.weekday())
