"""The demo's capacity plan (run by `seed_demo` after the queues, schedules and 1:1s):
every demo queue forecast from its history, a launch override next week, a training
session in a busy hour today, and today's queue plan proposed and published for each
demo team, so every capacity page has something to show. Idempotent: forecasts are
replaced, the override and the training are found again by their text, and the plan is
proposed again only when it has not been published today.
"""

import contextlib
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand

from scheduling.models import Activity, ForecastOverride, Queue, QueuePlan
from scheduling.selectors.capacity import capacity_days
from scheduling.services import activities, forecasts, queue_plans
from teams.models import Team

LAUNCH = "Launch of the new card: more chats expected"
TRAINING = "Refunds process refresher"


class Command(BaseCommand):
    help = "Forecasts, an override, protected time and today's queue plans for the demo."

    def handle(self, *args: Any, **options: Any) -> None:
        teams = Team.objects.filter(queues__isnull=False).distinct().select_related("site")
        for team in teams.order_by("pk"):
            lead = team.leads.order_by("pk").first()
            if lead is None:
                continue
            made = self._forecasts(team)
            today = team.site.local_today()
            self._override(team, lead, today)
            self._training(team, lead, today)
            plan = self._queue_plan(team, lead, today)
            self.stdout.write(f"{team.name}: {made} forecast(s); today's queue plan: {plan}.")

    def _forecasts(self, team: Team) -> int:
        made = 0
        for queue in Queue.objects.active().for_team(team):
            try:
                forecasts.refresh_queue_forecast(queue=queue)
            except forecasts.ForecastUnavailable as error:
                self.stdout.write(f"  {queue.name}: {error}")
            else:
                made += 1
        return made

    @staticmethod
    def _override(team: Team, lead: Any, today: dt.date) -> None:
        live = Queue.objects.active().for_team(team).filter(channel=Queue.Channel.LIVE).first()
        if live is None or ForecastOverride.objects.filter(queue=live, reason=LAUNCH).exists():
            return
        tuesday = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
        forecasts.add_override(
            actor=lead,
            queue=live,
            on=tuesday,
            percent=30,
            reason=LAUNCH,
            starts_at=dt.time(9),
            ends_at=dt.time(13),
        )

    @staticmethod
    def _training(team: Team, lead: Any, today: dt.date) -> None:
        """An hour of training today at the team's tightest time, for someone on shift:
        the capacity page warns about it and suggests a quieter time."""
        if Activity.objects.filter(team=team, on=today, title=TRAINING).exists():
            return
        (day,) = capacity_days(team, [today])
        worst = day.worst
        if worst is None or not day.people:
            return
        start = worst.interval.local_start.time()
        end = (dt.datetime.combine(today, start) + dt.timedelta(hours=1)).time()
        busy_free = [
            p.associate
            for p in day.people
            if p.shift[0] <= worst.interval.starts_at
            and worst.interval.ends_at + dt.timedelta(minutes=30) <= p.shift[1]
            and p.busy_with(worst.interval) is None
        ]
        if not busy_free or end <= start:
            return
        # Refused (nobody free for a full hour, say): the demo goes without it.
        with contextlib.suppress(ValidationError):
            activities.book_activity(
                actor=lead,
                team=team,
                kind=Activity.Kind.TRAINING,
                title=TRAINING,
                on=today,
                starts_at=start,
                ends_at=end,
                attendees=busy_free[-1:],
            )

    @staticmethod
    def _queue_plan(team: Team, lead: Any, today: dt.date) -> str:
        plan = QueuePlan.objects.filter(team=team, on=today).first()
        if plan is not None and plan.published_at is not None:
            return "already published"
        try:
            proposal = queue_plans.propose(actor=lead, team=team, day=today)
        except queue_plans.QueuePlanRefused as error:
            return str(error)
        queue_plans.publish(actor=lead, team=team, day=today)
        return f"published, {proposal.unmet} agent-interval(s) of need unmet"
