import datetime as dt

import pytest

from scheduling.models import CoverageRequirement, ShiftTemplate

# A Monday well in the future, so "not in the past" rules never bite.
MONDAY = dt.date(2030, 1, 7)


@pytest.fixture
def early(site):
    return ShiftTemplate.objects.create(
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
    return ShiftTemplate.objects.create(
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
    return ShiftTemplate.objects.create(
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
    return CoverageRequirement.objects.create(team=team, day_kind="weekday", min_headcount=2)
