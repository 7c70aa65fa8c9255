"""Review-cycle fixtures on top of the named cast in tests/conftest.py.

`cycle` covers `team` (lead, manager, associate, teammate) and `other_team`;
`review` is the associate's review, moved to a step with `at_step`.
"""

import datetime as dt

import pytest
from django.utils import timezone

from performance.models import Rating, Review, ReviewCycle


def make_cycle(admin, name: str = "H2 2026", teams=()) -> ReviewCycle:
    """A cycle for May–October 2026, its steps due from 20 November."""
    cycle = ReviewCycle.objects.create(
        name=name,
        period_start=dt.date(2026, 5, 1),
        period_end=dt.date(2026, 10, 31),
        self_review_due_on=dt.date(2026, 11, 20),
        lead_review_due_on=dt.date(2026, 12, 4),
        calibration_due_on=dt.date(2026, 12, 11),
        opened_by=admin,
    )
    cycle.teams.set(teams)
    return cycle


@pytest.fixture
def cycle(cast, team, other_team, admin):
    return make_cycle(admin, teams=[team, other_team])


def at_step(review: Review, state: str) -> Review:
    """Put a review at a step directly (the services are tested on their own)."""
    order = [s.value for s in Review.State]
    reached = order.index(state)
    now = timezone.now()
    review.state = state
    review.self_achievements = "Closed the backlog of disputes."
    if reached >= order.index(Review.State.LEAD_REVIEW):
        review.self_submitted_at = now
    if reached >= order.index(Review.State.CALIBRATION):
        review.rating = Rating.MEETS
        review.rating_justification = "Solid quarter on every KPI."
        review.lead_summary = "LEAD-SUMMARY-MARKER"
        review.lead_submitted_at = now
    if reached >= order.index(Review.State.SHARED):
        review.first_shared_at = review.shared_at = now
    if reached >= order.index(Review.State.ACKNOWLEDGED):
        review.acknowledged_at = now
    review.save()
    return review


@pytest.fixture
def review_at(cycle, associate):
    def make(state: str, who=None) -> Review:
        review, _ = Review.objects.get_or_create(cycle=cycle, associate=who or associate)
        return at_step(review, state)

    return make
