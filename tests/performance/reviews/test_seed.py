from django.core.management import call_command
from django.test import Client

from performance.management.commands.seed_reviews import CYCLE_NAME
from performance.models import Review, ReviewCycle
from teams.management.commands.seed_demo import DEMO_PASSWORD


def test_demo_has_a_cycle_in_progress_with_reviews_at_every_step(seeded_demo):
    cycle = ReviewCycle.objects.get(name=CYCLE_NAME)
    states = set(cycle.reviews.values_list("state", flat=True))
    assert states == {s.value for s in Review.State}
    mine = Review.objects.get(cycle=cycle, associate__user__username="associate")
    assert mine.state == Review.State.SHARED
    assert mine.history.count() >= 4  # opened, self review, lead review, shared
    assert Review.objects.get(associate__user__username="associate2").state == "self_review"
    count = cycle.reviews.count()

    call_command("seed_reviews")  # idempotent
    assert ReviewCycle.objects.count() == 1
    assert cycle.reviews.count() == count

    associate = Client()
    assert associate.login(username="associate", password=DEMO_PASSWORD)
    assert associate.get(f"/reviews/{mine.pk}/").status_code == 200
    manager = Client()
    assert manager.login(username="manager", password=DEMO_PASSWORD)
    page = manager.get(f"/reviews/cycles/{cycle.pk}/calibration/")
    assert page.status_code == 200
    assert len(page.context["rows"]) == count
