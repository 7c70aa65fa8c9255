"""Build a believable delivery center for the demo and for benchmarks.

Deterministic (fixed random seed) and idempotent: running it again updates
the same rows instead of adding more. `--associates N` builds a large center
(about 12 associates per team) with bulk writes, for benchmarks.
"""

import datetime as dt
import math
import random
from argparse import ArgumentParser
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.template.defaultfilters import pluralize

from teams import selectors
from teams.models import Associate, AssociateSkill, Site, Skill, Team, User
from teams.seeding import nobody_emailed

DEMO_PASSWORD = "sdc-demo-2026"
DEFAULT_ASSOCIATES = 33  # three teams of 12, 11 and 10
TEAM_SIZE = 12
FULL_TIME, PART_TIME = Decimal("39.0"), Decimal("30.0")
SEED = 20261124
# seed_capacity last: it plans around the schedules, queues and booked 1:1s.
OTHER_SEEDS = [
    "seed_schedule",
    "seed_training",  # after seed_schedule: it calls scheduling's seed_single_point
    "seed_queues",
    "seed_kpis",
    "seed_improvements",  # after seed_kpis: its trial's effect is measured from the rollups
    "seed_people",
    "seed_reviews",
    "seed_capacity",
    "seed_hiring",
    "seed_pulse",  # after seed_hiring: the welcome post goes to its new joiner
]
# A fixed reference date keeps the data identical on every run; hire dates and
# anniversaries are spread around it.
REFERENCE_DAY = dt.date(2026, 11, 24)

SKILLS = [
    ("Payments", Skill.Kind.SKILL),
    ("Connect", Skill.Kind.SKILL),
    ("Billing", Skill.Kind.SKILL),
    ("Disputes", Skill.Kind.SKILL),
    ("Radar & fraud", Skill.Kind.SKILL),
    ("Terminal", Skill.Kind.SKILL),
    ("Email queue", Skill.Kind.QUEUE),
    ("Live chat", Skill.Kind.QUEUE),
    ("Phone", Skill.Kind.QUEUE),
]
TEAM_NAMES = ["Payments Support", "Connect Onboarding", "Billing & Invoicing"]
TEAM_FOCUS = {
    "Payments Support": ["Payments", "Disputes", "Live chat"],
    "Connect Onboarding": ["Connect", "Radar & fraud", "Email queue"],
    "Billing & Invoicing": ["Billing", "Terminal", "Phone"],
}
FIRST_NAMES = [
    "Aoife",
    "Ciarán",
    "Niamh",
    "Seán",
    "Siobhán",
    "Darragh",
    "Róisín",
    "Cillian",
    "Orla",
    "Eoin",
    "Maeve",
    "Tadhg",
    "Saoirse",
    "Fionn",
    "Clodagh",
    "Oisín",
    "Gráinne",
    "Rory",
    "Ana",
    "Tomás",
    "Lucía",
    "Mateo",
    "Julia",
    "Piotr",
    "Zofia",
    "Lukas",
    "Emma",
    "Karim",
    "Amara",
    "Ravi",
    "Priya",
    "Chen",
    "Mei",
    "Yusuf",
    "Leila",
    "Sofia",
    "Marco",
    "Ingrid",
]
LAST_NAMES = [
    "Murphy",
    "Kelly",
    "O'Sullivan",
    "Walsh",
    "Byrne",
    "Ryan",
    "O'Brien",
    "Doyle",
    "McCarthy",
    "Gallagher",
    "Kennedy",
    "Lynch",
    "Quinn",
    "Nolan",
    "Farrell",
    "Brennan",
    "Fitzgerald",
    "Nowak",
    "García",
    "Rossi",
    "Müller",
    "Silva",
    "Kowalski",
    "Haddad",
    "Sharma",
    "Wang",
    "Okafor",
    "Dubois",
    "Novak",
    "Jensen",
]
TITLES = {
    Associate.Level.L1: "Support Associate",
    Associate.Level.L2: "Support Associate",
    Associate.Level.L3: "Senior Support Associate",
    Associate.Level.L4: "Support Specialist",
}


@dataclass(frozen=True)
class Persona:
    username: str
    first_name: str
    last_name: str
    role: str


MANAGER = Persona("manager", "Deirdre", "Maguire", "manager of all three teams")
ADMIN = Persona("admin", "Ops", "Admin", "ops admin (Django admin)")
LEADS = [
    Persona("lead", "Conor", "Daly", "team lead, Payments Support"),
    Persona("lead2", "Fiona", "Hughes", "team lead, Connect Onboarding"),
    Persona("lead3", "Declan", "Power", "team lead, Billing & Invoicing"),
]


class Command(BaseCommand):
    help = "Create (or refresh) the demo delivery center with a login for every persona."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--associates",
            type=int,
            default=DEFAULT_ASSOCIATES,
            help=f"Associates to create (default {DEFAULT_ASSOCIATES}; 2000 for benchmarks).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        count: int = options["associates"]
        if count < len(TEAM_NAMES):
            raise CommandError(f"--associates must be at least {len(TEAM_NAMES)}.")
        rng = random.Random(SEED)
        # One hash for every demo account: hashing is deliberately slow, and a
        # demo with thousands of people must still build in seconds.
        password_hash = make_password(DEMO_PASSWORD)
        with nobody_emailed():  # demo data: published weeks, review steps
            with transaction.atomic():
                self._build(count, rng, password_hash)
            # Other apps seed their own demo data through their own commands, so
            # this app does not import them.
            commands = get_commands()
            for name in OTHER_SEEDS:
                if name in commands:
                    call_command(name, stdout=self.stdout)
        self._print_logins()

    def _build(self, count: int, rng: random.Random, password_hash: str) -> None:
        # Each step draws from `rng` in turn: the same seed gives the same center.
        site, skills = self._site_and_skills()
        team_names, sizes = self._team_layout(count)
        lead_personas, users = self._staff(team_names, rng, password_hash)
        teams = self._teams(site, team_names, lead_personas, users)
        people, usernames, users = self._people(
            teams, sizes, lead_personas, skills, rng, password_hash
        )
        by_user = self._associates(people, usernames, users, rng)
        self._skill_levels(people, usernames, users, by_user, skills, rng)

    @staticmethod
    def _site_and_skills() -> tuple[Site, dict[str, Skill]]:
        site, _ = Site.objects.update_or_create(
            name="Dublin Delivery Center",
            defaults={
                "time_zone": "Europe/Dublin",
                "country": "IE",
                "weekday_opens_at": dt.time(7, 0),
                "weekday_closes_at": dt.time(19, 0),
                "weekend_opens_at": dt.time(9, 0),
                "weekend_closes_at": dt.time(17, 30),
            },
        )
        skills = {}
        for name, kind in SKILLS:
            skills[name], _ = Skill.objects.update_or_create(name=name, defaults={"kind": kind})

        return site, skills

    @staticmethod
    def _team_layout(count: int) -> tuple[list[str], list[int]]:
        team_count = max(len(TEAM_NAMES), math.ceil(count / TEAM_SIZE))
        team_names = TEAM_NAMES + [
            f"Team {n:03d}" for n in range(len(TEAM_NAMES) + 1, team_count + 1)
        ]
        if count == DEFAULT_ASSOCIATES:
            sizes = [12, 11, 10]
        else:
            sizes = [
                count // team_count + (1 if i < count % team_count else 0)
                for i in range(team_count)
            ]

        return team_names, sizes

    def _staff(
        self, team_names: list[str], rng: random.Random, password_hash: str
    ) -> tuple[list[Persona], dict[str, User]]:
        lead_personas = LEADS + [
            Persona(
                f"lead{n}", rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), f"team lead, {name}"
            )
            for n, name in enumerate(team_names[len(LEADS) :], start=len(LEADS) + 1)
        ]
        staff = [MANAGER, ADMIN, *lead_personas]
        self._upsert_users(
            [
                User(
                    username=p.username,
                    first_name=p.first_name,
                    last_name=p.last_name,
                    email=f"{p.username}@sdc-demo.example",
                    password=password_hash,
                    is_active=True,
                    is_staff=p is ADMIN,
                    is_superuser=p is ADMIN,
                )
                for p in staff
            ]
        )
        users = User.objects.in_bulk([p.username for p in staff], field_name="username")

        return lead_personas, users

    @staticmethod
    def _teams(
        site: Site, team_names: list[str], lead_personas: list[Persona], users: dict[str, User]
    ) -> list[Team]:
        manager = users[MANAGER.username]
        teams = []
        for name, lead in zip(team_names, lead_personas, strict=True):
            team, _ = Team.objects.update_or_create(
                site=site, name=name, defaults={"manager": manager}
            )
            team.leads.set([users[lead.username]])
            teams.append(team)

        return teams

    def _people(
        self,
        teams: list[Team],
        sizes: list[int],
        lead_personas: list[Persona],
        skills: dict[str, Skill],
        rng: random.Random,
        password_hash: str,
    ) -> tuple[list[tuple[str, Team, Associate.Level, list[str]]], list[str], dict[str, User]]:
        # Associates: deterministic people, usernames by position.
        people = []
        for team, size, lead in zip(teams, sizes, lead_personas, strict=True):
            focus = TEAM_FOCUS.get(team.name) or rng.sample(list(skills), 3)
            people.append((lead.username, team, Associate.Level.LEAD, focus))
            for _ in range(size):
                people.append(("", team, rng.choice(list(TITLES)), focus))

        new_users = []
        usernames = []
        serial = 0
        for username, _team, _level, _focus in people:
            if username:
                usernames.append(username)
                continue
            serial += 1
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            username = "associate" if serial == 1 else f"associate{serial}"
            usernames.append(username)
            new_users.append(
                User(
                    username=username,
                    first_name=first,
                    last_name=last,
                    email=f"{username}@sdc-demo.example",
                    password=password_hash,
                    is_active=True,
                )
            )
        self._upsert_users(new_users)
        users = User.objects.in_bulk(usernames, field_name="username")

        return people, usernames, users

    @staticmethod
    def _associates(
        people: list[tuple[str, Team, Associate.Level, list[str]]],
        usernames: list[str],
        users: dict[str, User],
        rng: random.Random,
    ) -> dict[int, int]:
        associates = []
        for index, ((_, team, level, _focus), username) in enumerate(
            zip(people, usernames, strict=True)
        ):
            is_lead = level == Associate.Level.LEAD
            hired_on = REFERENCE_DAY - dt.timedelta(days=rng.randint(20, 6 * 365))
            if is_lead:
                hired_on = REFERENCE_DAY - dt.timedelta(days=rng.randint(3 * 365, 8 * 365))
            elif index % 13 == 9:  # a new joiner or two
                hired_on = REFERENCE_DAY - dt.timedelta(days=rng.randint(14, 60))
            elif index % 17 == 5:  # a few anniversaries in the demo week
                hired_on = REFERENCE_DAY.replace(
                    year=REFERENCE_DAY.year - rng.randint(1, 5)
                ) + dt.timedelta(days=rng.randint(0, 5))
            left = not is_lead and index % 29 == 7  # one or two people who left
            associates.append(
                Associate(
                    user=users[username],
                    team=team,
                    level=level,
                    title="Team Lead" if is_lead else TITLES[level],
                    hired_on=hired_on,
                    is_active=not left,
                    left_on=REFERENCE_DAY - dt.timedelta(days=14) if left else None,
                    weekly_hours=PART_TIME if rng.random() < 0.15 and not is_lead else FULL_TIME,
                )
            )
            if left:
                users[username].is_active = False
        Associate.objects.bulk_create(
            associates,
            update_conflicts=True,
            unique_fields=["user"],
            update_fields=[
                "team",
                "level",
                "title",
                "hired_on",
                "is_active",
                "left_on",
                "weekly_hours",
            ],
        )
        User.objects.bulk_update([u for u in users.values() if not u.is_active], ["is_active"])
        by_user = dict(
            Associate.objects.filter(user__in=users.values()).values_list("user_id", "pk")
        )

        return by_user

    @staticmethod
    def _skill_levels(
        people: list[tuple[str, Team, Associate.Level, list[str]]],
        usernames: list[str],
        users: dict[str, User],
        by_user: dict[int, int],
        skills: dict[str, Skill],
        rng: random.Random,
    ) -> None:
        levels = []
        for (_, _team, level, focus), username in zip(people, usernames, strict=True):
            associate_id = by_user[users[username].pk]
            for name in skills:
                if name in focus:
                    value = rng.choices([1, 2, 3, 4], weights=[1, 2, 4, 3])[0]
                elif rng.random() < 0.35:
                    value = rng.choices([1, 2, 3], weights=[3, 2, 1])[0]
                else:
                    continue
                if level == Associate.Level.LEAD:
                    value = max(value, 3)
                levels.append(
                    AssociateSkill(associate_id=associate_id, skill=skills[name], level=value)
                )
        # Replace the generated associates' levels wholesale: deterministic input
        # gives the same rows, so a re-run leaves the data as it was.
        AssociateSkill.objects.filter(associate_id__in=by_user.values()).delete()
        AssociateSkill.objects.bulk_create(levels, batch_size=5000)

    @staticmethod
    def _upsert_users(users: list[User]) -> None:
        User.objects.bulk_create(
            users,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["username"],
            update_fields=[
                "first_name",
                "last_name",
                "email",
                "password",
                "is_active",
                "is_staff",
                "is_superuser",
            ],
        )

    def _print_logins(self) -> None:
        out = self.stdout
        # Counted as every page counts them (teams.selectors.teams_with_headcount).
        teams: list[Any] = list(selectors.teams_with_headcount(Team.objects.all()))
        active = sum(t.active_count for t in teams)
        left = sum(t.inactive_count for t in teams)
        leads = len({lead.pk for t in teams for lead in t.leads.all()})
        teams_count = len(teams)
        out.write(
            self.style.SUCCESS(
                f"Demo center ready: {teams_count} teams, {active} associates and {leads} "
                f"team leads ({left} more associate{pluralize(left)} left)."
            )
        )
        # SITE_URL is the address `make demo` serves (DEMO_ADDR); e-mail links use it too.
        out.write(
            f"Log in at {settings.SITE_URL.rstrip('/')}/ — every demo account's password is "
            f"{DEMO_PASSWORD}"
        )
        rows = [
            ("associate", "associate on Payments Support"),
            ("associate2", "teammate on Payments Support"),
            (LEADS[0].username, LEADS[0].role),
            (LEADS[1].username, LEADS[1].role),
            (MANAGER.username, MANAGER.role),
            (ADMIN.username, ADMIN.role),
            ("newjoiner", "new joiner on Payments Support, in onboarding (seed_hiring)"),
        ]
        names = {
            user.username: user.get_full_name()
            for user in User.objects.filter(username__in=[username for username, _ in rows])
        }
        for username, role in rows:
            if username not in names:
                continue  # a persona another app's seed makes, when it did not run
            out.write(f"  {username:<11} {names.get(username, ''):<18} {role}")
