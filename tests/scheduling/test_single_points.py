"""Single points of failure: a skill need one scheduled person can take (none: a gap),
and a certification that would leave a need uncovered, flagged before it lapses."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from scheduling.models import EntryKind
from scheduling.selectors.single_points import Kind, needed_skill_ids, single_points
from tests.conftest import client_for
from tests.factories import (
    AssociateFactory,
    AssociateSkillFactory,
    CertificationFactory,
    CoverageRequirementFactory,
    QueueFactory,
    RotaSettingsFactory,
    ScheduleEntryFactory,
    SkillFactory,
    SkillTargetFactory,
    UserFactory,
    WeekendSkillNeedFactory,
)

pytestmark = pytest.mark.django_db

# Saturday 12 December 2026 is the day under test; "today" is the Monday before it.
TODAY = dt.date(2026, 12, 7)
SATURDAY = dt.date(2026, 12, 12)
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def billing():
    return SkillFactory(name="Billing")


def person(team, first_name, *, billing=None, level=2):
    a = AssociateFactory(team=team, user=UserFactory(first_name=first_name, last_name="X"))
    if billing is not None:
        AssociateSkillFactory(associate=a, skill=billing, level=level)
    return a


def shift(associate, on, template=None):
    return ScheduleEntryFactory(
        associate=associate,
        on=on,
        kind=EntryKind.SHIFT,
        template=template,
        starts_at=dt.time(9),
        ends_at=dt.time(17),
    )


@pytest.fixture
def weekend_billing(team, billing):
    return WeekendSkillNeedFactory(settings=RotaSettingsFactory(team=team), skill=billing)


def points_on(team, day):
    return [p for p in single_points([team])[team.pk] if p.on == day]


@pytest.mark.usefixtures("weekend_billing")
class TestGapWarningNothing:
    def test_nobody_skilled_is_a_gap(self, team, billing):
        shift(person(team, "Una"), SATURDAY)  # on shift, but not in Billing
        shift(person(team, "Ned", billing=billing, level=1), SATURDAY)  # learning: no
        [point] = points_on(team, SATURDAY)
        assert point.kind == Kind.GAP
        assert point.sentence == "Sat 12 Dec: nobody scheduled can take Billing"

    def test_one_skilled_person_is_a_single_point_of_failure(self, team, billing):
        shift(person(team, "Tomás", billing=billing), SATURDAY)
        shift(person(team, "Una"), SATURDAY)
        [point] = points_on(team, SATURDAY)
        assert point.kind == Kind.SINGLE
        assert point.sentence == "Sat 12 Dec: only Tomás can take Billing"

    def test_two_skilled_people_are_fine(self, team, billing):
        shift(person(team, "Tomás", billing=billing), SATURDAY)
        shift(person(team, "Bea", billing=billing, level=4), SATURDAY)
        assert points_on(team, SATURDAY) == []

    def test_leave_and_comp_days_do_not_count(self, team, billing):
        shift(person(team, "Tomás", billing=billing), SATURDAY)
        for kind in (EntryKind.TIME_OFF, EntryKind.COMP_DAY):
            ScheduleEntryFactory(
                associate=person(team, "Bea", billing=billing), on=SATURDAY, kind=kind
            )
        [point] = points_on(team, SATURDAY)
        assert point.kind == Kind.SINGLE
        assert point.name == "Tomás"

    def test_a_day_without_any_plan_is_left_out(self, team, billing):
        person(team, "Tomás", billing=billing)
        assert points_on(team, SATURDAY) == []

    def test_a_weekday_has_no_weekend_need(self, team, billing):
        monday = SATURDAY + dt.timedelta(days=2)
        shift(person(team, "Tomás", billing=billing), monday)
        assert points_on(team, monday) == []

    def test_another_team_is_not_counted(self, team, other_team, billing):
        shift(person(team, "Tomás", billing=billing), SATURDAY)
        shift(person(other_team, "Otto", billing=billing), SATURDAY)
        [point] = points_on(team, SATURDAY)
        assert point.kind == Kind.SINGLE


class TestNeedSources:
    def test_a_coverage_requirement_with_a_skill_is_a_need(self, team, billing):
        CoverageRequirementFactory(team=team, day_kind="weekday", skill=billing, min_headcount=1)
        monday = TODAY + dt.timedelta(days=7)
        shift(person(team, "Tomás", billing=billing), monday)
        [point] = points_on(team, monday)
        assert point.kind == Kind.SINGLE
        assert point.need.sources == ("coverage",)

    def test_a_queue_needs_its_skill_every_day(self, team, billing):
        QueueFactory(team=team, name="Billing chat", skill=billing)
        wednesday = TODAY + dt.timedelta(days=2)
        shift(person(team, "Una"), wednesday)
        [point] = points_on(team, wednesday)
        assert point.kind == Kind.GAP
        assert point.need.sources == ("queue Billing chat",)

    def test_a_band_requirement_counts_only_that_band(self, team, billing, early, late):
        CoverageRequirementFactory(
            team=team, day_kind="weekday", template=early, skill=billing, min_headcount=1
        )
        tuesday = TODAY + dt.timedelta(days=8)
        shift(person(team, "Tomás", billing=billing), tuesday, late)
        shift(person(team, "Una"), tuesday, early)
        [point] = points_on(team, tuesday)
        assert point.kind == Kind.GAP
        assert point.need.label == "Billing (Early)"

    def test_needed_skills_of_a_team(self, team, other_team, billing):
        chat = SkillFactory(name="Chat")
        QueueFactory(team=team, skill=chat)
        CoverageRequirementFactory(team=team, day_kind="weekend", skill=billing, min_headcount=1)
        assert needed_skill_ids([team.pk, other_team.pk]) == {team.pk: {chat.pk, billing.pk}}


@pytest.mark.usefixtures("weekend_billing")
class TestExpiringCertification:
    def test_flagged_before_it_expires_when_it_would_uncover_the_need(self, team, billing):
        tomas = person(team, "Tomás", billing=billing)
        CertificationFactory(
            associate=tomas,
            skill=billing,
            certified_on=dt.date(2025, 12, 10),
            expires_on=dt.date(2026, 12, 10),
        )
        shift(tomas, SATURDAY)
        shift(person(team, "Una"), SATURDAY)
        [point] = points_on(team, SATURDAY)
        assert point.kind == Kind.CERTIFICATION
        assert point.sentence == (
            "Tomás's Billing certification expires 10 Dec: Billing on Sat 12 Dec would have nobody"
        )

    def test_not_flagged_when_another_certified_person_is_on(self, team, billing):
        tomas = person(team, "Tomás", billing=billing)
        bea = person(team, "Bea", billing=billing)
        CertificationFactory(
            associate=tomas, skill=billing, certified_on=TODAY, expires_on=dt.date(2026, 12, 10)
        )
        CertificationFactory(
            associate=bea, skill=billing, certified_on=TODAY, expires_on=dt.date(2027, 12, 10)
        )
        shift(tomas, SATURDAY)
        shift(bea, SATURDAY)
        kinds = [p.kind for p in points_on(team, SATURDAY)]
        assert Kind.CERTIFICATION not in kinds
        assert kinds == [Kind.SINGLE]  # Bea alone, once Tomás's lapses

    def test_valid_through_the_day_is_no_flag(self, team, billing):
        tomas = person(team, "Tomás", billing=billing)
        bea = person(team, "Bea", billing=billing)
        CertificationFactory(
            associate=tomas, skill=billing, certified_on=TODAY, expires_on=SATURDAY
        )
        shift(tomas, SATURDAY)
        shift(bea, SATURDAY)
        assert points_on(team, SATURDAY) == []

    def test_already_expired_is_a_plain_gap(self, team, billing):
        tomas = person(team, "Tomás", billing=billing)
        CertificationFactory(
            associate=tomas,
            skill=billing,
            certified_on=dt.date(2025, 1, 1),
            expires_on=dt.date(2026, 12, 1),
        )
        shift(tomas, SATURDAY)
        [point] = points_on(team, SATURDAY)
        assert point.kind == Kind.GAP


@pytest.mark.usefixtures("weekend_billing")
class TestPages:
    def test_the_grid_marks_the_day(self, cast, team, lead, billing):
        shift(person(team, "Tomás", billing=billing), SATURDAY)
        url = reverse("scheduling:schedule-grid", args=[team.pk]) + "?week=2026-12-07"
        html = client_for(lead).get(url).content.decode()
        assert "Single points of failure" in html
        assert "Sat 12 Dec: only Tomás can take Billing" in html
        assert "1 day with a single point of failure" in html

    def test_the_leads_home_lists_them_with_a_link(self, cast, team, lead, billing):
        shift(person(team, "Tomás", billing=billing), SATURDAY)
        html = client_for(lead).get(reverse("teams:home")).content.decode()
        assert "Single points of failure in the next 4 weeks" in html
        assert "Sat 12 Dec: only Tomás can take Billing" in html
        assert reverse("scheduling:schedule-grid", args=[team.pk]) + "?week=2026-12-07" in html

    def test_at_most_five_lines_on_the_home(self, cast, team, lead, billing):
        tomas = person(team, "Tomás", billing=billing)
        for n in range(8):
            shift(tomas, SATURDAY + dt.timedelta(days=7 * (n // 2) + n % 2))
        html = client_for(lead).get(reverse("teams:home")).content.decode()
        assert html.count("only Tomás can take Billing") == 5
        assert "and 3 more." in html

    def test_an_associate_and_a_manager_see_no_panel(self, cast, team, associate, manager, billing):
        shift(person(team, "Tomás", billing=billing), SATURDAY)
        for user in (associate.user, manager):
            html = client_for(user).get(reverse("teams:home")).content.decode()
            assert "Single points of failure" not in html


@pytest.mark.usefixtures("weekend_billing")
def test_four_weeks_take_fixed_queries_whatever_the_team_size(
    team, other_team, billing, early, django_assert_num_queries
):
    def grow(n):
        for _ in range(n):
            a = person(team, "P", billing=billing)
            CertificationFactory(
                associate=a,
                skill=billing,
                certified_on=TODAY,
                expires_on=TODAY + dt.timedelta(days=10),
            )
            SkillTargetFactory(associate=a, skill=billing)
            for day in range(28):
                shift(a, TODAY + dt.timedelta(days=day))
        CoverageRequirementFactory(
            team=team, day_kind="weekday", skill=SkillFactory(), min_headcount=1
        )

    grow(1)
    with django_assert_num_queries(7):
        small = single_points([team, other_team])
    grow(12)
    with django_assert_num_queries(7):
        big = single_points([team, other_team])
    assert small[team.pk]
    assert big[team.pk]
