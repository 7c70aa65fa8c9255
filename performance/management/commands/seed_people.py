"""Demo people records for the demo teams (run by `seed_demo`, after seed_kpis).

For every associate of the three demo teams: a 1:1 cadence, past 1:1s with
shared notes and action items (some done, some still open and carried over), a
lead's private note, an upcoming 1:1 (a couple overdue, so the lead's home page
shows them), a career conversation for some, feedback (shared and private,
and peer kudos) and goals (KPI-linked ones compute from the seeded rollups,
manual ones have check-ins). Deterministic for a given day, and idempotent: an
associate who already has 1:1s is left alone.
"""

import datetime as dt
import random
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from performance.models import ActionItem, AgendaItem, Goal, Kpi, OneOnOne, OneOnOneCadence
from performance.models.one_on_ones import local_start
from performance.services import feedback as feedback_services
from performance.services import goals as goal_services
from performance.services import one_on_ones as services
from teams.models import Associate, Team, User

DEMO_TEAMS = 3
SEED = 20261124
PAST_MEETINGS = 4

SHARED_NOTES = [
    "Went through last fortnight's queue. Backlog on Disputes is down; chat handle time "
    "is creeping up on Fridays. Agreed to look at macros for the top three contact reasons.",
    "Talked about the weekend rota: happy with the swap process. Wants more Billing tickets "
    "to broaden skills. QA feedback on tone was taken well.",
    "Checked in on workload after the product launch. CSAT dipped on two days with long "
    "waits; not a quality issue. Training plan for Radar & fraud confirmed.",
    "Reviewed goals: on track for CSAT, first response time needs attention in the "
    "mornings. Discussed shadowing a senior on escalations.",
    "Short one: holiday plans for December, comp day for the last weekend duty, and "
    "interest in mentoring the next new joiner.",
]
ACTIONS = [
    ("Draft three macros for refund questions", "associate"),
    ("Book the Radar & fraud training", "lead"),
    ("Shadow an escalation call with a senior", "associate"),
    ("Share the Friday chat volume numbers", "lead"),
    ("Write up the Billing how-to for the wiki", "associate"),
    ("Ask workforce planning about morning cover", "lead"),
]
PRIVATE_NOTES = [
    "Seemed tired; check workload again next time before the agenda.",
    "Ready for more responsibility — consider for the mentoring pilot.",
    "Bring up punctuality gently if the adherence dip continues.",
]
AGENDA = ["Training budget for next quarter", "Weekend rota in January", "Feedback on QA"]
FEEDBACK = [
    (
        "praise",
        "Tuesday's payments outage",
        "Kept every customer updated every 30 minutes",
        "No complaints and two thank-you notes",
    ),
    (
        "praise",
        "New joiner onboarding",
        "Walked Sam through the Connect queue for a week",
        "Sam closed tickets alone a week early",
    ),
    (
        "constructive",
        "Handover on Friday",
        "Left three tickets without internal notes",
        "Weekend cover had to re-read the threads",
    ),
    (
        "praise",
        "Monthly QA review",
        "Clear, empathetic replies on complex disputes",
        "QA score 96% for the month",
    ),
]
PRIVATE_FEEDBACK = (
    "constructive",
    "Team meeting",
    "Interrupted colleagues twice when they raised rota concerns",
    "Quieter people stopped contributing",
)
KUDOS = (
    (
        "Black Friday rush",
        "Took over my chats while I handled an escalation",
        "Nobody waited more than a minute",
    ),
    (
        "My first week on the disputes queue",
        "Sat with me for an hour and walked me through the chargeback flow",
        "I closed my first three disputes on my own the next day",
    ),
    (
        "The outage on Tuesday morning",
        "Wrote the holding reply everyone used within ten minutes",
        "We answered the queue with one voice and CSAT held up",
    ),
    (
        "Covering my Saturday at short notice",
        "Swapped without a fuss when my childcare fell through",
        "I could keep the weekend with my kids; the rota stayed covered",
    ),
)


class Command(BaseCommand):
    help = "Create demo 1:1s, action items, career conversations, feedback and goals."

    def handle(self, *args: Any, **options: Any) -> None:
        teams = list(
            Team.objects.select_related("site")
            .prefetch_related("leads")
            .order_by("pk")[:DEMO_TEAMS]
        )
        created = 0
        for team in teams:
            with transaction.atomic():
                created += self._team(team)
        self.stdout.write(f"Demo people records ready: 1:1s and goals for {created} associates.")

    def _team(self, team: Team) -> int:
        lead = team.leads.order_by("pk").first()
        if lead is None:
            return 0
        lead_ids = set(User.objects.filter(led_teams__isnull=False).values_list("pk", flat=True))
        people = [
            a
            for a in Associate.objects.active()
            .filter(team=team)
            .select_related("user", "team__site")
            .order_by("pk")
            if a.user_id not in lead_ids
        ]
        today = team.site.local_today()
        kpis = {k.key: k for k in Kpi.objects.all()}
        self._team_goal(team, lead, today, kpis)
        created = 0
        for index, associate in enumerate(people):
            if OneOnOne.objects.filter(associate=associate).exists():
                continue
            rng = random.Random(SEED + associate.pk)  # noqa: S311 (demo data)
            self._one_on_ones(associate, lead, today, index, rng)
            self._feedback(associate, lead, index, people)
            self._goals(associate, lead, today, index, kpis)
            created += 1
        self._one_on_one_today(team, lead, people, today)
        return created

    def _one_on_one_today(
        self, team: Team, lead: User, people: list[Associate], today: dt.date
    ) -> None:
        """A 1:1 booked for this morning on a working day, so the capacity plan shows
        protected time (it takes the associate off the queues for its half hour)."""
        if today.weekday() >= 5 or len(people) < 2:
            return
        if OneOnOne.objects.scheduled().filter(associate__team=team, on=today).exists():
            return
        starts_at = local_start(today, dt.time(10, 30), team.site.zone)
        upcoming = (
            OneOnOne.objects.scheduled()
            .filter(associate=people[1], on__gte=today)
            .order_by("starts_at")
            .first()
        )
        if upcoming is None:
            self._meeting(people[1], lead, today)
        else:
            OneOnOne.objects.filter(pk=upcoming.pk).update(on=today, starts_at=starts_at)

    def _meeting(
        self, associate: Associate, lead: User, on: dt.date, *, kind: str = "regular"
    ) -> OneOnOne:
        meeting = OneOnOne(
            associate=associate,
            lead=lead,
            kind=kind,
            on=on,
            starts_at=local_start(on, dt.time(10, 30), associate.team.site.zone),
        )
        meeting.save()
        return meeting

    def _one_on_ones(
        self, associate: Associate, lead: User, today: dt.date, index: int, rng: random.Random
    ) -> None:
        # Fortnightly, on a weekday that differs per person.
        first_on = today - dt.timedelta(days=14 * PAST_MEETINGS + today.weekday() - index % 5)
        OneOnOneCadence.objects.create(
            associate=associate,
            frequency=OneOnOneCadence.Frequency.FORTNIGHTLY,
            first_on=max(first_on, associate.hired_on),
            starts_at_time=dt.time(10, 30),
        )
        for n in range(PAST_MEETINGS):
            on = first_on + dt.timedelta(days=14 * n)
            if on < associate.hired_on:
                continue  # no 1:1 before they joined
            kind = "career" if n == 1 and index % 3 == 0 else "regular"
            meeting = self._meeting(associate, lead, on, kind=kind)
            AgendaItem.objects.create(one_on_one=meeting, added_by=lead, text=AGENDA[n % 3])
            services.save_shared_notes(
                actor=lead,
                one_on_one=meeting,
                shared_notes=SHARED_NOTES[(index + n) % len(SHARED_NOTES)],
            )
            if kind == "career":
                self._career_notes(lead, meeting)
            if n % 2 == 0:
                services.save_private_note(
                    actor=lead, one_on_one=meeting, text=PRIVATE_NOTES[(index + n) % 3]
                )
            text, owner = ACTIONS[(index + n) % len(ACTIONS)]
            item = services.add_action_item(
                actor=lead,
                one_on_one=meeting,
                text=text,
                owner=associate.user if owner == "associate" else lead,
                due_on=on + dt.timedelta(days=rng.choice([5, 7, 10])),
            )
            # The older ones were mostly done at the next 1:1; the newest stay open.
            if n < PAST_MEETINGS - 1 and rng.random() < 0.75:
                services.set_action_item_done(actor=lead, item=item, done=True)
                ActionItem.objects.filter(pk=item.pk).update(
                    done_at=meeting.starts_at + dt.timedelta(days=7)
                )
            services.mark_held(actor=lead, one_on_one=meeting)
            OneOnOne.objects.filter(pk=meeting.pk).update(
                held_at=meeting.starts_at + dt.timedelta(minutes=30)
            )
            # mark_held scheduled the next from the cadence; the loop makes its own.
            OneOnOne.objects.scheduled().filter(associate=associate).delete()
        # The next one: overdue for two people, otherwise in the coming days.
        upcoming: OneOnOne | None
        if index in (2, 5):
            upcoming = self._meeting(associate, lead, today - dt.timedelta(days=index))
        else:
            upcoming = services.schedule_next(actor=lead, associate=associate)
        if upcoming is not None:
            AgendaItem.objects.create(
                one_on_one=upcoming, added_by=associate.user, text=AGENDA[index % 3]
            )

    @staticmethod
    def _career_notes(lead: User, meeting: OneOnOne) -> None:
        services.save_shared_notes(
            actor=lead,
            one_on_one=meeting,
            aspirations="Grow into a specialist role on Disputes, later maybe lead.",
            strengths="Calm under pressure; clear writing; customers trust them.",
            growth_areas="Prioritising under load; speaking up in team meetings.",
            next_steps="Shadow the Disputes specialist monthly; run one team huddle.",
            target_role="L4 · Specialist (Disputes)",
            target_timeline="within 12 months",
        )

    def _feedback(
        self, associate: Associate, lead: User, index: int, people: list[Associate]
    ) -> None:
        given = [(FEEDBACK[(index + n) % len(FEEDBACK)], False) for n in range(2)]
        if index % 4 == 1:
            given.append((PRIVATE_FEEDBACK, True))
        for (kind, situation, behaviour, impact), is_private in given:
            feedback_services.give_feedback(
                actor=lead,
                associate=associate,
                kind=kind,
                situation=situation,
                behaviour=behaviour,
                impact=impact,
                is_private=is_private,
            )
        if len(people) > 1:
            giver = people[(index + 1) % len(people)]
            feedback_services.give_kudos(
                actor=giver.user,
                giver=giver,
                to=associate,
                situation=KUDOS[index % len(KUDOS)][0],
                behaviour=KUDOS[index % len(KUDOS)][1],
                impact=KUDOS[index % len(KUDOS)][2],
            )

    def _goals(
        self, associate: Associate, lead: User, today: dt.date, index: int, kpis: dict[str, Kpi]
    ) -> None:
        quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        quarter_end = _quarter_end(quarter_start)
        csat = kpis.get("csat")
        if csat is not None:
            goal_services.create_goal(
                actor=lead,
                goal=Goal(
                    associate=associate,
                    title="Keep CSAT at or above 4.6 this quarter",
                    starts_on=quarter_start,
                    ends_on=quarter_end,
                    kpi=csat,
                    target_value=4.6,
                    unit=csat.unit,
                ),
            )
        manual = goal_services.create_goal(
            actor=lead,
            goal=Goal(
                associate=associate,
                title="Write three macros for the top contact reasons",
                starts_on=quarter_start,
                ends_on=quarter_end,
                target_value=3,
                unit="macros",
            ),
        )
        goal_services.check_in_goal(
            actor=lead,
            goal=manual,
            value=float(1 + index % 3),
            status=Goal.Status.ON_TRACK,
            note="Reviewed the drafts together in the 1:1.",
        )

    def _team_goal(self, team: Team, lead: User, today: dt.date, kpis: dict[str, Kpi]) -> None:
        tickets = kpis.get("tickets_solved")
        if tickets is None or Goal.objects.filter(team=team).exists():
            return
        start = dt.date(today.year, today.month, 1)
        goal_services.create_goal(
            actor=lead,
            goal=Goal(
                team=team,
                title="Solve 10,000 tickets this month as a team",
                starts_on=start,
                ends_on=_month_end(start),
                kpi=tickets,
                target_value=10000,
                unit="tickets",
            ),
        )


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _quarter_end(start: dt.date) -> dt.date:
    return _month_end(dt.date(start.year, start.month + 2, 1))
