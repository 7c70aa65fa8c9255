"""The demo's pulse: two closed rounds per demo team with results, an open round, shared
birthdays and a welcome post; running it again changes nothing."""

import pytest
from django.core.management import call_command

from performance.models import BirthdayShare, PulseParticipation, PulseRound, WelcomePost
from performance.selectors import pulse as selectors
from tests.factories import AssociateFactory, TeamFactory

pytestmark = pytest.mark.django_db


def test_seed_pulse_makes_rounds_with_results_and_is_idempotent(site, lead):
    team = TeamFactory(site=site, leads=[lead])
    for _ in range(7):
        AssociateFactory(team=team)
    call_command("seed_pulse")
    pulse = selectors.team_pulse(team)
    assert len(pulse.trend) == 2
    assert all(r.enps is not None and r.response_count >= 5 for r in pulse.trend)
    assert len(pulse.open_rounds) == 1
    assert BirthdayShare.objects.count() == 2
    assert WelcomePost.objects.count() == 1
    before = (PulseRound.objects.count(), PulseParticipation.objects.count())
    call_command("seed_pulse")
    assert (PulseRound.objects.count(), PulseParticipation.objects.count()) == before
    assert WelcomePost.objects.count() == 1
