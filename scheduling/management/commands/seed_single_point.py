"""The demo's single point of failure next week (run by `seed_training`, after
`seed_schedule`): on the first demo team, a weekday coverage need (at least one) for
a skill that exactly one person scheduled next week can take on some day, found from
the seeded working plan; when no skill is like that, the nearest one is made so by
giving one scheduled person that skill at "capable". Idempotent: a need it made
before is kept, and nothing else is added."""

import datetime as dt
from collections import defaultdict
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from scheduling.models import CoverageRequirement, DayKind, EntryKind, ScheduleEntry, monday_of
from scheduling.selectors.coverage import COUNTS_FOR_SKILL, capable_skills
from scheduling.selectors.single_points import single_points
from teams.models import AssociateSkill, Skill, Team

CANDIDATES = ["Disputes", "Billing", "Radar & fraud", "Terminal", "Connect", "Payments"]


class Command(BaseCommand):
    help = "Make sure the first demo team has a single point of failure next week."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        team = Team.objects.select_related("site").order_by("pk").first()
        if team is None:
            return
        skills = {s.name: s for s in Skill.objects.filter(name__in=CANDIDATES)}
        ordered = [skills[name] for name in CANDIDATES if name in skills]
        if not ordered:
            return
        made = CoverageRequirement.objects.filter(
            team=team, day_kind=DayKind.WEEKDAY, template=None, skill__in=ordered
        ).first()
        if made is None:
            made = self._need(team, ordered)
        if made is None:
            self.stdout.write("No single point of failure could be seeded (no plan next week).")
            return
        found = [p for p in single_points([team])[team.pk] if p.kind == "single"]
        first = found[0].sentence if found else "none found"
        self.stdout.write(f"Single point of failure on {team.name}: {first}")

    @staticmethod
    def _need(team: Team, skills: list[Skill]) -> CoverageRequirement | None:
        next_monday = monday_of(team.site.local_today()) + dt.timedelta(days=7)
        weekdays = [next_monday + dt.timedelta(days=n) for n in range(5)]
        shifts = list(
            ScheduleEntry.objects.filter(
                associate__team=team,
                associate__is_active=True,
                kind=EntryKind.SHIFT,
                on__in=weekdays,
            )
            .order_by("on", "associate_id")
            .values_list("on", "associate_id")
        )
        if not shifts:
            return None
        capable = capable_skills({a for _on, a in shifts})
        counts: dict[tuple[int, dt.date], int] = defaultdict(int)
        for on, associate_id in shifts:
            for skill_id in capable.get(associate_id, set()):
                counts[skill_id, on] += 1

        def day_counts(skill: Skill) -> list[int]:
            return [counts[skill.pk, day] for day in weekdays]

        # A skill everybody-but-one covers: never a gap next week, once a single point.
        chosen = next(
            (s for s in skills if min(day_counts(s)) >= 1 and 1 in day_counts(s)), None
        ) or next((s for s in skills if 1 in day_counts(s)), None)
        if chosen is None:
            # Nobody scheduled has any of them once: the first skill nobody has at all
            # goes to the first person on Tuesday's plan.
            chosen = skills[0]
            tuesday = weekdays[1]
            who = next((a for on, a in shifts if on == tuesday), shifts[0][1])
            AssociateSkill.objects.update_or_create(
                associate_id=who, skill=chosen, defaults={"level": COUNTS_FOR_SKILL}
            )
        requirement, _ = CoverageRequirement.objects.get_or_create(
            team=team,
            day_kind=DayKind.WEEKDAY,
            template=None,
            skill=chosen,
            defaults={"min_headcount": 1},
        )
        return requirement
