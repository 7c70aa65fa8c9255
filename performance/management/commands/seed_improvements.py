"""The demo's improvement boards and procedures (issue 16; run by `seed_demo` after
`seed_kpis`, whose rollups the trials are measured on).

Payments Support gets an idea in every state: a new one with support, one on trial
(the whole team against Connect Onboarding, started two weeks ago), one adopted after
a four-week trial that ended three weeks ago, and one dropped; Connect Onboarding a
new one. The adopted idea's effect is whatever the seeded rollups measure: nothing
is planted for it (the seed prints the sentence). Procedures have several versions,
one adopted from the idea.

Deterministic and idempotent: the demo teams' ideas and procedures (and their
history) are replaced by the same ones on every run; dates follow today.
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from performance.models import Idea, Kpi, Procedure, Support
from performance.selectors import improvements as selectors
from performance.services import improvements as services
from performance.services.procedures import save_procedure
from teams.models import Team, User

DEMO_TEAMS = 3


def _user(username: str) -> User:
    return User.objects.get(username=username)


class Command(BaseCommand):
    help = "Seed the demo's improvement boards and procedures (after seed_kpis)."

    def handle(self, *args: Any, **options: Any) -> None:
        teams = list(Team.objects.select_related("site").order_by("pk")[:DEMO_TEAMS])
        if len(teams) < 2:
            self.stdout.write("No demo teams: run seed_demo first.")
            return
        payments, connect = teams[0], teams[1]
        with transaction.atomic():
            self._clear(teams)
            sentence = self._payments(payments, connect)
            self._connect(connect)
        self.stdout.write(
            f"Demo improvements ready: {Idea.objects.filter(team__in=teams).count()} ideas, "
            f"{Procedure.objects.filter(team__in=teams).count()} procedures. The adopted "
            f"idea measured: {sentence}"
        )

    @staticmethod
    def _clear(teams: list[Team]) -> None:
        # The rows first, then their history: deleting a row writes a "-" history
        # version, which must go too, or every run would leave more history behind.
        Procedure.objects.filter(team__in=teams).delete()
        Idea.objects.filter(team__in=teams).delete()
        Procedure.history.filter(team_id__in=[t.pk for t in teams]).delete()
        Idea.history.filter(team_id__in=[t.pk for t in teams]).delete()

    def _payments(self, team: Team, comparison: Team) -> str:
        lead, tomas, teammate = _user("lead"), _user("associate"), _user("associate2")
        today = team.site.local_today()
        kpi = {k.key: k for k in Kpi.objects.all()}

        fresh = services.post_idea(
            actor=tomas,
            team=team,
            problem="Refund replies are typed from scratch, and each takes minutes.",
            proposal="Shared macros for the five most common refund answers",
            kpi=kpi["handle_time"],
            direction=Idea.Direction.DOWN,
        )
        services.set_support(actor=teammate, idea=fresh, supported=True)
        services.set_support(actor=lead, idea=fresh, supported=True)

        on_trial = services.post_idea(
            actor=teammate,
            team=team,
            problem="Monday mornings start with the whole weekend backlog unread.",
            proposal="Triage the weekend backlog oldest first at 08:00 on Mondays",
            kpi=kpi["first_response_time"],
            direction=Idea.Direction.DOWN,
        )
        Support.objects.create(idea=on_trial, user=tomas)
        services.start_trial(
            actor=lead,
            idea=on_trial,
            starts_on=today - dt.timedelta(days=14),
            ends_on=today + dt.timedelta(days=13),
            comparison_team=comparison,
        )

        adopted = services.post_idea(
            actor=tomas,
            team=team,
            problem="Customers rate us low when a reply ends without a next step.",
            proposal="End every reply with what happens next and when",
            kpi=kpi["csat"],
            direction=Idea.Direction.UP,
        )
        Support.objects.create(idea=adopted, user=teammate)
        services.start_trial(
            actor=lead,
            idea=adopted,
            starts_on=today - dt.timedelta(days=49),
            ends_on=today - dt.timedelta(days=22),
            comparison_team=comparison,
        )
        adopted.refresh_from_db()
        effect = selectors.effects_of(
            [
                Idea.objects.select_related("team__site", "kpi", "trial__comparison_team").get(
                    pk=adopted.pk
                )
            ]
        )[adopted.pk]
        services.decide_idea(
            actor=lead,
            idea=adopted,
            outcome=Idea.Status.ADOPTED,
            note="The team liked it and customers noticed; measured: " + effect.sentence,
        )

        dropped = services.post_idea(
            actor=lead,
            team=team,
            problem="Disputes wait in the general queue.",
            proposal="A separate disputes queue staffed every afternoon",
            kpi=kpi["tickets_solved"],
            direction=Idea.Direction.UP,
        )
        services.decide_idea(
            actor=lead,
            idea=dropped,
            outcome=Idea.Status.DROPPED,
            note="Too few disputes for a queue of their own; the capacity plan covers them.",
        )

        backlog = save_procedure(
            actor=lead,
            team=team,
            procedure=None,
            title="Weekend backlog",
            body="## On Monday\n\n1. Open the weekend view.\n2. Reply to the oldest first.\n",
            why="Written down after the team meeting",
        )
        save_procedure(
            actor=lead,
            team=team,
            procedure=backlog,
            title="Weekend backlog",
            body=(
                "## On Monday\n\n1. Open the weekend view.\n2. Reply to the oldest first.\n"
                "3. Flag anything about a payout to the duty lead.\n"
            ),
            why="Payout questions need the duty lead",
        )
        replies = save_procedure(
            actor=lead,
            team=team,
            procedure=None,
            title="Closing a reply",
            body="## Every reply\n\n- Answer the question asked.\n- Sign with your name.\n",
            why="The basics, for new joiners",
        )
        save_procedure(
            actor=lead,
            team=team,
            procedure=replies,
            title="Closing a reply",
            body=(
                "## Every reply\n\n- Answer the question asked.\n"
                '- **Say what happens next and when** ("you will hear from us by Friday").\n'
                "- Sign with your name.\n"
            ),
            why=f"Adopted from idea #{adopted.pk}",
            adopted_from_idea=adopted,
        )
        return effect.sentence

    @staticmethod
    def _connect(team: Team) -> None:
        lead = team.leads.order_by("pk").first()
        if lead is None:
            return
        services.post_idea(
            actor=lead,
            team=team,
            problem="Onboarding calls overrun when documents are missing.",
            proposal="Send the document checklist the day before each call",
            kpi=Kpi.objects.get(key="handle_time"),
            direction=Idea.Direction.DOWN,
        )
        save_procedure(
            actor=lead,
            team=team,
            procedure=None,
            title="Onboarding call",
            body="1. Check the documents.\n2. Walk through the dashboard.\n",
            why="First version",
        )
