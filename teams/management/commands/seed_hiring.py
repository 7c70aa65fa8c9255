"""Demo hiring (run by `seed_demo`): Payments Support's open requisition with candidates
in every stage (applied, screen — one stale —, interview with submitted and draft
scorecards, offer, hired, rejected, withdrawn), a recent hire mid-onboarding who can log
in (`newjoiner`), Connect Onboarding's backfill waiting for the manager's approval, and a
filled requisition from the summer for the metrics. Dates are relative to the site's
today; idempotent: a center that has requisitions is left alone.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from teams.models import (
    Application,
    Associate,
    Candidate,
    Interview,
    Offer,
    Rating,
    Requisition,
    Scorecard,
    Skill,
    StageChange,
    Team,
    User,
)
from teams.services import offers
from teams.services.applications import move_application

from .seed_demo import DEMO_PASSWORD

COMPETENCIES = ["Customer empathy", "Problem solving", "Written communication", "Product knowledge"]

# (name, source, stage, days since the last move)
PIPELINE = [
    ("Hannah Byrne", "careers_site", "applied", 2),
    ("Marek Nowak", "job_board", "applied", 1),
    ("Aisling Murphy", "referral", "screen", 3),
    ("Jonas Weber", "agency", "screen", 12),  # stale: not moved for 12 days
    ("Sinéad O'Brien", "referral", "interview", 4),
    ("Luca Romano", "job_board", "interview", 2),
    ("Grace Kavanagh", "referral", "offer", 3),
    ("Paul Keane", "job_board", "rejected", 9),
    ("Elena Petrova", "careers_site", "withdrawn", 6),
]
EVIDENCE = {
    4: "Walked through a refund dispute calmly, asked the right clarifying questions.",
    3: "Solid answer with one prompt; structured the steps well.",
    2: "Needed help to get to the root cause; knows the basics.",
}


class Command(BaseCommand):
    help = "Seed demo requisitions, candidates, interviews, scorecards and a new hire."

    def handle(self, *args: Any, **options: Any) -> None:
        if Requisition.objects.exists():
            self.stdout.write("Hiring: already seeded.")
            return
        payments = Team.objects.filter(name="Payments Support").first()
        if payments is None:
            self.stdout.write("Hiring: no demo teams, nothing seeded.")
            return
        with transaction.atomic():
            self._seed(payments)
        self.stdout.write("Hiring: requisitions, candidates in every stage, a new joiner.")

    def _seed(self, payments: Team) -> None:
        today = payments.site.local_today()
        lead = payments.leads.order_by("pk").first()
        manager = payments.manager
        if lead is None or manager is None:
            return
        other_lead = User.objects.filter(username="lead2").first() or lead
        senior = (
            Associate.objects.filter(team=payments, is_active=True, level=Associate.Level.L3)
            .exclude(user__username__in=["associate", "associate2", "lead"])
            .select_related("user")
            .first()
        )
        requisition = self._requisition(
            payments,
            lead,
            manager,
            title="Support Associate (Payments)",
            fte=Decimal("2.0"),
            opened_days_ago=37,
            target_start=today + dt.timedelta(days=45),
            skills=["Payments", "Live chat"],
            justification="Capacity plan shows a peak shortfall of about 1.8 FTE on "
            "live chat through January; two people cover it and the new Disputes work.",
        )
        now = timezone.now()
        for name, source, stage, days in PIPELINE:
            application = self._apply(
                requisition, name, source, lead, now - dt.timedelta(days=days + 8)
            )
            path = {
                "applied": [],
                "screen": ["screen"],
                "interview": ["screen", "interview"],
                "offer": ["screen", "interview"],
                "rejected": ["screen", "rejected"],
                "withdrawn": ["screen", "interview", "withdrawn"],
            }[stage]
            reasons = {
                "rejected": "Not available for the weekend rota, which the role needs.",
                "withdrawn": "Accepted another offer.",
            }
            for step in path:
                move_application(
                    actor=lead, application=application, to_stage=step, reason=reasons.get(step, "")
                )
            if name == "Sinéad O'Brien":
                self._interview(
                    application, [lead, other_lead], now - dt.timedelta(days=3), submit=True
                )
            if name == "Luca Romano":
                people = [lead] + ([senior.user] if senior else [other_lead])
                self._interview(application, people, now + dt.timedelta(days=1), submit=False)
            if stage == "offer":
                self._interview(
                    application, [lead, other_lead], now - dt.timedelta(days=6), submit=True
                )
                move_application(
                    actor=lead,
                    application=application,
                    to_stage="offer",
                    reason="Strong yes from both interviewers; best live-chat sample of the round.",
                )
                Offer.objects.create(
                    application=application,
                    start_on=today + dt.timedelta(days=21),
                    extended_by=lead,
                    extended_at=now - dt.timedelta(days=2),
                )
            self._backdate(application, now - dt.timedelta(days=days))
        self._hire(requisition, lead, other_lead, today, now)
        self._backfill_waiting(today)
        self._filled_last_summer(today, now)

    def _requisition(
        self,
        team: Team,
        lead: User,
        manager: User,
        *,
        title: str,
        fte: Decimal,
        opened_days_ago: int,
        target_start: dt.date,
        skills: list[str],
        justification: str,
    ) -> Requisition:
        now = timezone.now()
        requisition = Requisition.objects.create(
            team=team,
            title=title,
            fte=fte,
            target_start_on=target_start,
            justification=justification,
            status=Requisition.Status.OPEN,
            created_by=lead,
            created_at=now - dt.timedelta(days=opened_days_ago + 3),
            approved_by=manager,
            approved_at=now - dt.timedelta(days=opened_days_ago + 1),
            opened_at=now - dt.timedelta(days=opened_days_ago),
        )
        requisition.skills.set(Skill.objects.filter(name__in=skills))
        for position, name in enumerate(COMPETENCIES):
            requisition.competencies.create(name=name, position=position)
        return requisition

    def _apply(
        self, requisition: Requisition, name: str, source: str, lead: User, at: dt.datetime
    ) -> Application:
        first = name.split()[0].lower().replace("é", "e")
        candidate = Candidate.objects.create(
            name=name,
            email=f"{first}.candidate@example.com",
            phone="+353 1 555 0100",
            source=source,
            notes="Applied through the winter campaign; available from January.",
            created_by=lead,
            created_at=at,
        )
        application = Application.objects.create(
            candidate=candidate, requisition=requisition, source=source, created_at=at
        )
        StageChange.objects.create(application=application, to_stage="applied", changed_by=lead)
        return application

    def _interview(
        self, application: Application, people: list[User], at: dt.datetime, *, submit: bool
    ) -> None:
        zone = application.requisition.team.site.zone
        interview = Interview.objects.create(
            application=application,
            title="Competency interview",
            # In office hours at the site, on the day `at` falls on there.
            starts_at=dt.datetime.combine(
                at.astimezone(zone).date(), dt.time(10 if at < timezone.now() else 14), zone
            ),
            location="Meeting room Liffey / Teams link in the invite",
        )
        competencies = list(application.requisition.competencies.all())
        for index, person in enumerate(people):
            done = submit or index == 0  # the second interviewer of an upcoming one owes theirs
            card = Scorecard.objects.create(
                interview=interview,
                interviewer=person,
                recommendation=("strong_yes" if index == 0 else "yes") if done else "",
                summary="Calm under pressure, would ramp fast on Payments." if done else "",
                submitted_at=timezone.now() if done and submit else None,
            )
            if done:
                for offset, competency in enumerate(competencies):
                    score = 4 - ((index + offset) % 3)
                    Rating.objects.create(
                        scorecard=card, competency=competency, score=score, evidence=EVIDENCE[score]
                    )

    def _backdate(self, application: Application, at: dt.datetime) -> None:
        """The last move happened at `at`, the earlier ones two days apart before it
        (the moves above ran just now)."""
        Application.objects.filter(pk=application.pk).update(stage_changed_at=at)
        changes = list(application.stage_changes.order_by("-changed_at", "-pk"))
        for step, change in enumerate(changes):
            StageChange.objects.filter(pk=change.pk).update(
                changed_at=at - dt.timedelta(days=2 * step)
            )

    def _hire(
        self,
        requisition: Requisition,
        lead: User,
        other_lead: User,
        today: dt.date,
        now: dt.datetime,
    ) -> None:
        """Noah started ten days ago: hired through an accepted offer, mid-onboarding."""
        application = self._apply(
            requisition, "Noah Fitzgerald", "referral", lead, now - dt.timedelta(days=50)
        )
        for step in ("screen", "interview"):
            move_application(actor=lead, application=application, to_stage=step)
        self._interview(application, [lead, other_lead], now - dt.timedelta(days=38), submit=True)
        move_application(
            actor=lead,
            application=application,
            to_stage="offer",
            reason="Both interviewers strong yes.",
        )
        offer = Offer.objects.create(  # made in the past: the service takes only future starts
            application=application,
            start_on=today - dt.timedelta(days=10),
            extended_by=lead,
            extended_at=now - dt.timedelta(days=30),
        )
        associate = offers.record_response(actor=lead, offer=offer, accepted=True)
        if associate is None:  # accepting returns the new associate
            return
        self._backdate(application, now - dt.timedelta(days=28))  # accepted four weeks ago
        user = associate.user
        user.username = "newjoiner"
        user.password = make_password(DEMO_PASSWORD)
        user.save(update_fields=["username", "password"])
        plan = associate.onboarding_plan
        for item in plan.items.all():
            if item.due_on < today - dt.timedelta(days=1) and "check-in" not in item.title.lower():
                item.done_at = timezone.make_aware(dt.datetime.combine(item.due_on, dt.time(16)))
                item.done_by = item.owner
                item.save(update_fields=["done_at", "done_by"])
        # One item is left overdue, so the lead's home and the plan show it.
        late = plan.items.filter(done_at__isnull=False).order_by("-due_on").first()
        if late is not None:
            late.done_at = None
            late.done_by = None
            late.save(update_fields=["done_at", "done_by"])
        plan.invitation_sent_at = now - dt.timedelta(days=10)
        plan.save(update_fields=["invitation_sent_at"])

    def _backfill_waiting(self, today: dt.date) -> None:
        team = Team.objects.filter(name="Connect Onboarding").first()
        if team is None:
            return
        leaver = Associate.objects.filter(team=team, left_on__isnull=False).first()
        requisition = Requisition.objects.create(
            team=team,
            title="Support Associate (Connect)",
            reason=Requisition.Reason.BACKFILL if leaver else Requisition.Reason.GROWTH,
            backfill_for=leaver,
            target_start_on=today + dt.timedelta(days=60),
            justification="Backfill: the team is one person short on the email queue.",
            created_by=team.leads.order_by("pk").first(),
        )
        requisition.skills.set(Skill.objects.filter(name__in=["Connect", "Email queue"]))
        for position, name in enumerate(COMPETENCIES):
            requisition.competencies.create(name=name, position=position)

    def _filled_last_summer(self, today: dt.date, now: dt.datetime) -> None:
        """A filled requisition on Billing & Invoicing for the time-to-fill figures."""
        team = Team.objects.filter(name="Billing & Invoicing").first()
        if team is None or team.manager is None:
            return
        lead = team.leads.order_by("pk").first() or team.manager
        requisition = Requisition.objects.create(
            team=team,
            title="Support Associate (Billing)",
            target_start_on=today - dt.timedelta(days=100),
            status=Requisition.Status.FILLED,
            created_by=lead,
            created_at=now - dt.timedelta(days=160),
            approved_by=team.manager,
            approved_at=now - dt.timedelta(days=158),
            opened_at=now - dt.timedelta(days=156),
            closed_at=now - dt.timedelta(days=112),
        )
        for position, name in enumerate(COMPETENCIES):
            requisition.competencies.create(name=name, position=position)
        for index, (name, source, stage) in enumerate(
            [
                ("Ciara Doyle", "referral", "hired"),
                ("Tom Walsh", "job_board", "rejected"),
                ("Ines Costa", "agency", "rejected"),
            ]
        ):
            at = now - dt.timedelta(days=150 - 5 * index)
            application = Application.objects.create(
                candidate=Candidate.objects.create(
                    name=name, email=f"{name.split()[0].lower()}.past@example.com", source=source
                ),
                requisition=requisition,
                source=source,
                stage=stage,
                created_at=at,
                stage_changed_at=now - dt.timedelta(days=112),
                closed_reason="" if stage == "hired" else "Another candidate was stronger.",
            )
            steps = ["applied", "screen", "interview"] + (
                ["offer", "hired"] if stage == "hired" else ["rejected"]
            )
            for n, (before, after) in enumerate(zip(["", *steps], steps, strict=False)):
                StageChange.objects.create(
                    application=application,
                    from_stage=before,
                    to_stage=after,
                    changed_by=lead,
                    changed_at=at + dt.timedelta(days=6 * n),
                )
            if stage == "hired":
                Offer.objects.create(
                    application=application,
                    start_on=today - dt.timedelta(days=100),
                    status=Offer.Status.ACCEPTED,
                    extended_by=lead,
                    extended_at=now - dt.timedelta(days=118),
                    responded_at=now - dt.timedelta(days=112),
                )
