import datetime as dt

import pytest

from scheduling.models import ShiftTemplate
from tests.factories import (
    AssociateFactory,
    CoverageRequirementFactory,
    RotaSettingsFactory,
    ShiftTemplateFactory,
)

# A Monday well in the future, so "not in the past" rules never bite.
MONDAY = dt.date(2030, 1, 7)
# The last day of a four-week rota period starting on MONDAY.
LAST = MONDAY + dt.timedelta(days=27)


@pytest.fixture
def early(site):
    return ShiftTemplateFactory(
        site=site,
        name="Early",
        code="E",
        starts_at=dt.time(7),
        ends_at=dt.time(15, 30),
        break_minutes=30,
        applies_to=ShiftTemplate.Applies.WEEKDAY,
    )


@pytest.fixture
def late(site):
    return ShiftTemplateFactory(
        site=site,
        name="Late",
        code="L",
        starts_at=dt.time(10, 30),
        ends_at=dt.time(19),
        break_minutes=30,
        applies_to=ShiftTemplate.Applies.WEEKDAY,
    )


@pytest.fixture
def weekend(site):
    return ShiftTemplateFactory(
        site=site,
        name="Weekend",
        code="W",
        starts_at=dt.time(9),
        ends_at=dt.time(17, 30),
        break_minutes=30,
        applies_to=ShiftTemplate.Applies.WEEKEND,
    )


@pytest.fixture
def needs_two(team):
    return CoverageRequirementFactory(team=team, day_kind="weekday", min_headcount=2)


@pytest.fixture
def crew(team, associate, teammate, weekend, time_machine):
    time_machine.move_to(dt.datetime(2030, 1, 1, 12, tzinfo=dt.UTC))
    extra = [AssociateFactory(team=team, hired_on=dt.date(2024, 1, 1)) for _ in range(4)]
    RotaSettingsFactory(team=team, saturday_headcount=1, sunday_headcount=1)
    return [associate, teammate, *extra]
