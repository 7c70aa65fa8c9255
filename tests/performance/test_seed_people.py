"""The demo's people records: realistic, deterministic and idempotent."""

import pytest
from django.core.management import call_command

from performance.models import ActionItem, Feedback, Goal, OneOnOne, PrivateNote
from tests.factories import AssociateFactory

pytestmark = pytest.mark.django_db


def _counts():
    return (
        OneOnOne.objects.count(),
        ActionItem.objects.count(),
        Feedback.objects.count(),
        Goal.objects.count(),
        PrivateNote.objects.count(),
    )


def test_seed_people_builds_a_history_and_a_second_run_changes_nothing(team, lead, frozen):
    for _ in range(8):
        AssociateFactory(team=team)
    call_command("seed_people")
    first = _counts()
    assert OneOnOne.objects.held().count() >= 8 * 3
    assert OneOnOne.objects.scheduled().count() == 8
    assert OneOnOne.objects.scheduled().filter(on__lt=team.site.local_today()).exists()
    assert ActionItem.objects.open().exists()
    assert ActionItem.objects.filter(done_at__isnull=False).exists()
    assert Feedback.objects.filter(source="peer").exists()
    assert Feedback.objects.filter(is_private=True).exists()
    assert Goal.objects.filter(kpi__isnull=False).exists()
    assert Goal.objects.filter(team=team).exists()
    assert OneOnOne.objects.filter(kind="career", status="done").exists()
    call_command("seed_people")
    assert _counts() == first


def test_seeded_records_start_when_people_joined_and_kudos_vary(team, lead, frozen):
    """Issue 13, point 17: nobody has a 1:1 before joining; kudos are not one text."""
    import datetime as dt

    today = team.site.local_today()
    joiner = AssociateFactory(team=team, hired_on=today - dt.timedelta(days=20))
    for _ in range(5):
        AssociateFactory(team=team, hired_on=dt.date(2020, 1, 1))
    call_command("seed_people")
    assert not OneOnOne.objects.filter(associate=joiner, on__lt=joiner.hired_on).exists()
    assert OneOnOne.objects.filter(associate=joiner).exists()
    assert joiner.one_on_one_cadence.first_on >= joiner.hired_on
    kudos = set(Feedback.objects.filter(source="peer").values_list("situation", flat=True))
    assert len(kudos) > 1
