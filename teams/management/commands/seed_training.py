"""Demo training (run by `seed_demo` after `seed_schedule`): modules for the demo
teams and a center-wide one, training plans with done, open and overdue items, a
certification that expires within the month, skill targets, and, through
scheduling's `seed_single_point`, a single point of failure next week on the first
team's schedule. Deterministic and idempotent: dates are counted from each site's
today, and every row is found before it is made."""

import datetime as dt
from typing import Any

from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from teams.management.commands.seed_demo import TEAM_FOCUS
from teams.models import (
    Associate,
    AssociateSkill,
    Certification,
    Skill,
    SkillTarget,
    Team,
    TrainingAssignment,
    TrainingModule,
)

DEMO_TEAMS = 3
# title, skill, minutes; the first team's modules first, then every demo team's.
MODULES = [
    ("Billing basics: invoices, credit notes, dunning", "Billing", 90),
    ("Disputes: evidence and deadlines", "Disputes", 180),
    ("Live chat: tone and hand-offs", "Live chat", 60),
]
CENTER_MODULE = ("Data protection refresher", "Payments", 45)


class Command(BaseCommand):
    help = "Create demo training modules, plans, certifications and skill targets."

    def handle(self, *args: Any, **options: Any) -> None:
        skills = {s.name: s for s in Skill.objects.all()}
        if not skills:
            self.stdout.write("No skills yet: run seed_demo first.")
            return
        center = self._module(None, CENTER_MODULE, skills)
        teams = list(Team.objects.select_related("site").order_by("pk")[:DEMO_TEAMS])
        for index, team in enumerate(teams):
            self._team(team, center, skills, first=index == 0)
        if "seed_single_point" in get_commands():
            call_command("seed_single_point", stdout=self.stdout)
        self.stdout.write("Demo training ready: plans, an expiring certification, targets.")

    @staticmethod
    def _module(
        team: Team | None, spec: tuple[str, str, int], skills: dict[str, Skill]
    ) -> TrainingModule | None:
        title, skill_name, minutes = spec
        skill = skills.get(skill_name)
        if skill is None:
            return None
        module, _ = TrainingModule.objects.get_or_create(
            team=team, title=title, defaults={"skill": skill, "length_minutes": minutes}
        )
        return module

    @transaction.atomic
    def _team(
        self,
        team: Team,
        center: TrainingModule | None,
        skills: dict[str, Skill],
        *,
        first: bool,
    ) -> None:
        lead = team.leads.order_by("pk").first()
        modules = [m for spec in MODULES if (m := self._module(team, spec, skills))]
        if center is not None:
            modules.append(center)
        people = list(
            Associate.objects.filter(team=team, is_active=True)
            .exclude(user__in=team.leads.all())
            .select_related("user")
            .order_by("pk")[:6]
        )
        today = team.site.local_today()
        now = timezone.now()
        # Each of the first people: one module done, one overdue, one due in a fortnight.
        for index, person in enumerate(people[:4]):
            plan = [
                (modules[index % len(modules)], today - dt.timedelta(days=20), True),
                (modules[(index + 1) % len(modules)], today - dt.timedelta(days=3 + index), False),
                (modules[(index + 2) % len(modules)], today + dt.timedelta(days=14), False),
            ]
            for module, due_on, done in plan:
                if TrainingAssignment.objects.filter(associate=person, module=module).exists():
                    continue
                TrainingAssignment.objects.create(
                    associate=person,
                    module=module,
                    due_on=due_on,
                    assigned_by=lead,
                    done_at=now - dt.timedelta(days=18) if done else None,
                    done_by=person.user if done else None,
                )
        if not first or not people:
            return
        # Certifications: one expiring within the month ("Billing certified until …"),
        # one valid for the year, one lapsed.
        billing = skills.get("Billing") or next(iter(skills.values()))
        certified = [
            (people[0], billing, today + dt.timedelta(days=20)),
            (
                people[1 % len(people)],
                skills.get("Disputes", billing),
                today + dt.timedelta(days=300),
            ),
            (
                people[2 % len(people)],
                skills.get("Live chat", billing),
                today - dt.timedelta(days=10),
            ),
        ]
        for person, skill, expires_on in certified:
            Certification.objects.get_or_create(
                associate=person,
                skill=skill,
                defaults={
                    "certified_on": expires_on - dt.timedelta(days=365),
                    "expires_on": expires_on,
                    "recorded_by": lead,
                },
            )
        # Skill targets for existing staff, in a skill the team works in (a target makes
        # the skill one the team needs): the matrix shows them beside the level.
        focus = TEAM_FOCUS.get(team.name, [])
        target_skill = next((skills[n] for n in focus[1:] if n in skills), billing)
        for person in people[3:5]:
            SkillTarget.objects.get_or_create(
                associate=person,
                skill=target_skill,
                defaults={
                    "level": AssociateSkill.Proficiency.PROFICIENT,
                    "by_date": today + dt.timedelta(days=90),
                    "set_by": lead,
                },
            )
