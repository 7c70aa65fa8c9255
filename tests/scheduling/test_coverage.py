"""Coverage requirements of a team and the coverage overview across teams."""

import pytest
from django.urls import reverse

from scheduling.models import CoverageRequirement
from tests.conftest import client_for
from tests.factories import AssociateFactory, CoverageRequirementFactory, TeamFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"day_kind": "weekday", "min_headcount": "0"}, "greater than or equal to 1"),
        ({"day_kind": "weekday", "min_headcount": "99999999999"}, "less than or equal to 500"),
        (
            {"day_kind": "weekday", "min_headcount": "2", "template": "weekend"},
            "is not a shift for these days",
        ),
    ],
)
def test_coverage_needs_must_make_sense(cast, team, lead, weekend, data, message):
    if data.get("template") == "weekend":
        data = data | {"template": str(weekend.pk)}
    response = client_for(lead).post(
        reverse("scheduling:coverage-requirements", kwargs={"team_id": team.pk}), data
    )
    assert message in response.content.decode()
    assert not CoverageRequirement.objects.exists()


class TestCoverageOverview:
    def test_gaps_first_and_a_fixed_number_of_queries(
        self, cast, site, manager, early, django_assert_max_num_queries
    ):

        teams = [TeamFactory(site=site, manager=manager, name=f"T{n:02}") for n in range(20)]
        for team in teams[5:8]:
            CoverageRequirementFactory(team=team, day_kind="weekday", min_headcount=3)
        for team in teams:
            AssociateFactory(team=team)
        client = client_for(manager)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("scheduling:coverage-overview"))
        rows = response.context["rows"]
        assert len(rows) == 21  # the cast's own team too
        assert {r.team.name for r in rows[:3]} == {"T05", "T06", "T07"}
        assert all(len(r.gaps) == 20 for r in rows[:3])
