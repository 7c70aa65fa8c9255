"""Demo team pulse and recognition for the demo teams (for `seed_demo`, after
seed_people, which gives the kudos walls their kudos).

Per demo team: two closed pulse rounds (8 and 4 weeks ago) answered by most of the
team through the same service people use (so with 5 responses or more where the team
has 5 people; participation rows for real associates), and a round open since two
days ago with a couple of answers. On the first team: two birthdays shared (in the
coming fortnight) and a new joiner welcomed on the wall: the team's newest associate
if they joined in the last 14 days, else Noah Byrne, added as joining three days ago
(a roster record without a login). Deterministic answers; idempotent: a team that has
pulse rounds is left alone, and the birthdays and welcome are written once.
"""

import datetime as dt
import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from performance.models import BirthdayShare, PulseRound, WelcomePost
from performance.models.pulse import ROUND_DAYS
from performance.selectors.recognition import WELCOME_DAYS
from performance.services import pulse as services
from teams.models import Associate, Team, User
from teams.seeding import nobody_emailed

DEMO_TEAMS = 3
SEED = 20261207
COMMENTS = [
    "Friday afternoons are hard with two people off the chat queue.",
    "The new refund macros saved me a lot of typing, thanks.",
    "Would love more time for training on Billing.",
    "Great team, everyone helps when the queue spikes.",
    "The weekend rota feels fair now.",
    "Handovers between shifts could be clearer.",
    "",
    "",
]


class Command(BaseCommand):
    help = "Create demo pulse rounds, shared birthdays and a welcome post."

    def handle(self, *args: Any, **options: Any) -> None:
        teams = list(Team.objects.select_related("site").order_by("pk")[:DEMO_TEAMS])
        if not teams:
            self.stdout.write("No teams: no pulse seeded.")
            return
        with nobody_emailed(), transaction.atomic():  # demo data
            seeded = [
                t.name
                for n, t in enumerate(teams)
                if self._rounds(t, random.Random(SEED + n))  # noqa: S311 -- demo data
            ]
            self._recognition(teams[0])
        self.stdout.write(
            f"Pulse rounds seeded for {', '.join(seeded)}." if seeded else "Pulse already there."
        )

    def _rounds(self, team: Team, rng: random.Random) -> bool:
        if PulseRound.objects.filter(team=team).exists():
            return False
        people = list(
            Associate.objects.active().filter(team=team).select_related("user").order_by("pk")
        )
        today = team.site.local_today()
        for weeks_ago, mood in ((8, 0), (4, 1)):
            answering = people[: max(5, len(people) - 1 - weeks_ago // 4)]
            round_ = self._answered_round(team, today, answering, rng, mood=mood)
            opens_on = today - dt.timedelta(weeks=weeks_ago)
            PulseRound.objects.filter(pk=round_.pk).update(
                opens_on=opens_on, closes_on=opens_on + dt.timedelta(days=ROUND_DAYS), is_open=False
            )
        open_round = self._answered_round(team, today, people[:2], rng, mood=1)
        PulseRound.objects.filter(pk=open_round.pk).update(
            opens_on=today - dt.timedelta(days=2),
            closes_on=today - dt.timedelta(days=2) + dt.timedelta(days=ROUND_DAYS),
        )
        return True

    def _answered_round(
        self, team: Team, today: dt.date, people: list[Associate], rng: random.Random, *, mood: int
    ) -> PulseRound:
        round_ = PulseRound.objects.create(
            team=team,
            opens_on=today,
            closes_on=today + dt.timedelta(days=ROUND_DAYS),
            questions=services.questions_of(team),
        )
        for person in people:
            services.answer_round(
                actor=person.user,
                round_=round_,
                enps=min(10, rng.choice([4, 6, 7, 8, 8, 9, 9, 10]) + mood),
                scores=[min(5, rng.choice([2, 3, 4, 4, 5]) + mood) for _ in round_.questions],
                comment=rng.choice(COMMENTS),
            )
        return round_

    def _recognition(self, team: Team) -> None:
        today = team.site.local_today()
        people = list(Associate.objects.active().filter(team=team).order_by("pk"))
        for person, days in zip(people[1:3], (3, 9), strict=False):
            on = today + dt.timedelta(days=days)
            BirthdayShare.objects.get_or_create(
                associate=person, defaults={"month": on.month, "day": on.day}
            )
        newest = max(people, key=lambda a: a.hired_on, default=None)
        if newest is None or (today - newest.hired_on).days >= WELCOME_DAYS:
            newest = self._new_joiner(team, today)
        lead = team.leads.order_by("pk").first()
        WelcomePost.objects.get_or_create(
            associate=newest,
            defaults={
                "message": "Great to have you with us: ask any of us anything, any time!",
                "author": lead,
            },
        )

    def _new_joiner(self, team: Team, today: dt.date) -> Associate:
        user, made = User.objects.get_or_create(
            username="noah.byrne",
            defaults={"first_name": "Noah", "last_name": "Byrne", "email": "noah@example.com"},
        )
        if made:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        associate, _ = Associate.objects.get_or_create(
            user=user, defaults={"team": team, "hired_on": today - dt.timedelta(days=3)}
        )
        return associate
