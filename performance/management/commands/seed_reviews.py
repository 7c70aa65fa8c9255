"""A review cycle in progress over the demo teams (run by `seed_demo`, after the
KPI and people seeds, whose rollups, goals and feedback pre-fill the lead drafts).

Reviews are moved through the same services as the app, so each step has its
history (who, when, why). The demo `associate` has a shared review to read and
acknowledge, `associate2` a self review to write, and the leads have drafts to
finish. Idempotent: an existing cycle of that name is left as it is.
"""

import datetime as dt
import itertools
from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from performance.models import Rating, Review, ReviewCycle
from performance.services import reviews as review_services
from teams.models import Team, User
from teams.seeding import nobody_emailed

CYCLE_NAME = "H2 2026 review"
DEMO_TEAMS = 3
# Where the other reviews stand, in turn: a cycle a week after self reviews were due.
STEPS = [
    Review.State.ACKNOWLEDGED,
    Review.State.LEAD_REVIEW,
    Review.State.CALIBRATION,
    Review.State.SELF_REVIEW,
    Review.State.SHARED,
    Review.State.LEAD_REVIEW,
    Review.State.CALIBRATION,
]
ORDER = [s.value for s in Review.State]
PINNED = {"associate": Review.State.SHARED, "associate2": Review.State.SELF_REVIEW}

SELF = [
    (
        "Kept first response under target through the summer peak and took the new "
        "joiners' escalations.",
        "Live chat at the peak: I let wrap-up slip and it showed in handle time.",
        "I would like to lead QA calibration sessions next half.",
    ),
    (
        "Rewrote the refunds macros; reopen rate on refunds dropped.",
        "Context switching between email and phone days.",
        "Learn the disputes queue to cover the weekend rota.",
    ),
    (
        "Closed the backlog of old disputes in June; steady CSAT.",
        "Complex merchant cases took long; I asked for help late.",
        "Get better at asking for help early, and mentor a new joiner.",
    ),
]
SUMMARIES = [
    (
        Rating.EXCEEDS,
        "A strong half: dependable on the busiest shifts and generous with colleagues.",
        "CSAT and first response above target for the whole period; the macro work is "
        "used by the whole team.",
    ),
    (
        Rating.MEETS,
        "Solid and consistent; handle time is the one thing to work on.",
        "Every KPI at or near target; goals met except the handle time one.",
    ),
    (
        Rating.PARTLY,
        "A mixed half with a good finish: the backlog work was valuable, throughput lagged.",
        "Tickets solved below target for three of six months; CSAT on target.",
    ),
]


class Command(BaseCommand):
    help = "Create a demo review cycle in progress with reviews at every step."

    def handle(self, *args: Any, **options: Any) -> None:
        if ReviewCycle.objects.filter(name=CYCLE_NAME).exists():
            self.stdout.write(f"Review cycle {CYCLE_NAME!r} already there.")
            return
        teams = list(Team.objects.select_related("manager").order_by("pk")[:DEMO_TEAMS])
        manager = next((t.manager for t in teams if t.manager), None)
        if not teams or manager is None:
            self.stdout.write("No demo teams with a manager: no review cycle seeded.")
            return
        with nobody_emailed(), transaction.atomic():  # demo data
            self._build(manager, teams)
        self.stdout.write(f"Review cycle {CYCLE_NAME!r} ready, with reviews at every step.")

    def _build(self, manager: User, teams: list[Team]) -> None:
        cycle = review_services.open_cycle(
            actor=manager,
            name=CYCLE_NAME,
            period_start=dt.date(2026, 5, 1),
            period_end=dt.date(2026, 10, 31),
            self_review_due_on=dt.date(2026, 11, 20),
            lead_review_due_on=dt.date(2026, 12, 4),
            calibration_due_on=dt.date(2026, 12, 11),
            teams=teams,
        )
        leads = {t.pk: t.leads.order_by("pk").first() for t in teams}
        reviews = (
            Review.objects.filter(cycle=cycle)
            .select_related("associate__user", "associate__team", "cycle")
            .order_by("associate__team_id", "associate_id")
        )
        steps = itertools.cycle(STEPS)
        for n, review in enumerate(reviews):
            target = PINNED.get(review.associate.user.username) or next(steps)
            lead = leads.get(review.associate.team_id) or manager
            self._walk(review, target, n, lead=lead, manager=manager)

    def _walk(self, review: Review, target: str, n: int, *, lead: User, manager: User) -> None:
        reached = ORDER.index(target)
        achievements, challenges, growth = SELF[n % len(SELF)]
        if reached >= ORDER.index(Review.State.LEAD_REVIEW):
            review = review_services.save_self_review(
                actor=review.associate.user,
                review=review,
                achievements=achievements,
                challenges=challenges,
                growth=growth,
                submit=True,
            )
        elif n % 2:
            review_services.save_self_review(
                actor=review.associate.user,
                review=review,
                achievements=achievements,
                challenges="",
                growth="",
                submit=False,
            )
            return
        else:
            return
        rating, summary, why = SUMMARIES[n % len(SUMMARIES)]
        if target == Review.State.LEAD_REVIEW:
            if n % 2:  # half the drafts are started
                review_services.save_lead_review(
                    actor=lead,
                    review=review,
                    goal_outcomes=review.goal_outcomes,
                    feedback_highlights=review.feedback_highlights,
                    lead_summary=summary,
                    rating=None,
                    rating_justification="",
                )
            return
        review = review_services.save_lead_review(
            actor=lead,
            review=review,
            goal_outcomes=review.goal_outcomes,
            feedback_highlights=review.feedback_highlights,
            lead_summary=summary,
            rating=rating,
            rating_justification=why,
            submit=True,
        )
        if n % 5 == 0 and rating < Rating.OUTSTANDING:
            review_services.calibrate(
                actor=manager,
                review=review,
                rating=rating + 1 if rating < Rating.MEETS else rating - 1,
                reason="Calibrated against the same period's peers across the three teams.",
            )
        if reached >= ORDER.index(Review.State.SHARED):
            review = review_services.share_review(actor=lead, review=review)
        if target == Review.State.ACKNOWLEDGED:
            review_services.acknowledge_review(
                actor=review.associate.user,
                review=review,
                comment="Thanks — agreed on the handle time focus for next half.",
            )
