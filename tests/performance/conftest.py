import datetime as dt

import pytest

from performance.models import Kpi, OneOnOne, OneOnOneCadence
from performance.models.one_on_ones import local_start
from tests.factories import OneOnOneCadenceFactory

# "Now" for these tests: a Wednesday morning in Dublin (UTC+0 in winter).
NOW = dt.datetime(2026, 11, 25, 9, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


@pytest.fixture
def frozen():
    import time_machine

    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def make_meeting(associate, lead, on, *, status=OneOnOne.Status.SCHEDULED, kind="regular"):
    meeting = OneOnOne(
        associate=associate,
        lead=lead,
        on=on,
        starts_at=local_start(on, dt.time(10), associate.team.site.zone),
        status=status,
        kind=kind,
    )
    if status == OneOnOne.Status.DONE:
        meeting.held_at = meeting.starts_at
    meeting.save()
    return meeting


@pytest.fixture
def cadence(associate):
    return OneOnOneCadenceFactory(
        associate=associate,
        frequency=OneOnOneCadence.Frequency.FORTNIGHTLY,
        first_on=dt.date(2026, 10, 1),
        starts_at_time=dt.time(10),
    )


@pytest.fixture
def meeting(associate, lead, frozen):
    """The associate's next 1:1, tomorrow."""
    return make_meeting(associate, lead, TODAY + dt.timedelta(days=1))


@pytest.fixture
def csat():
    return Kpi.objects.get(key="csat")
