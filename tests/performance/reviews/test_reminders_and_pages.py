"""Reminders go out once however often the beat job runs; the calibration page's
query count does not grow with the number of teams; KPI summaries of a period
match an independent computation from the same daily rollups."""

import datetime as dt

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from performance.models import DailyKpi, Kpi, Rating, Review, ReviewCycle, ReviewReminder
from performance.selectors import reviews as review_selectors
from performance.tasks import remind_review_steps
from teams.models import AuditEvent
from tests.conftest import client_for
from tests.factories import AssociateFactory, TeamFactory, UserFactory

from .conftest import at_step, make_cycle


def _at(day: dt.date):
    # 09:00 in Dublin, whatever the server's zone.
    return time_machine.travel(dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC), tick=False)


def test_each_reminder_is_sent_once_when_the_beat_job_runs_twice(
    cast, cycle, review_at, associate, teammate, lead, manager
):
    review_at("self_review")
    review_at("lead_review", who=teammate)
    mail.outbox.clear()
    # 10 days before the self review is due: nothing yet.
    with _at(dt.date(2026, 11, 10)):
        assert remind_review_steps() == 0
    # Two days before: the associate still at self review is reminded, twice run = once sent.
    with _at(dt.date(2026, 11, 18)):
        assert remind_review_steps() == 1
        assert remind_review_steps() == 0
    assert [m.to for m in mail.outbox] == [[associate.user.email]]
    assert "self review" in mail.outbox[0].subject
    # Lead review due 4 Dec: the lead gets one email naming both reviews still to write.
    mail.outbox.clear()
    with _at(dt.date(2026, 12, 2)):
        first = remind_review_steps()
        second = remind_review_steps()
    assert (first, second) == (1, 0)
    assert [m.to for m in mail.outbox] == [[lead.email]]
    assert associate.name in mail.outbox[0].body
    assert teammate.name in mail.outbox[0].body
    # Calibration due 11 Dec: the manager, once.
    mail.outbox.clear()
    with _at(dt.date(2026, 12, 10)):
        assert remind_review_steps() == 1
        assert remind_review_steps() == 0
    assert [m.to for m in mail.outbox] == [[manager.email]]
    assert "Calibration" in mail.outbox[0].subject
    kinds = sorted(ReviewReminder.objects.values_list("kind", "recipient__username"))
    assert kinds == [
        ("calibration_due", "manager"),
        ("lead_review_due", "lead"),
        ("self_review_due", "associate"),
    ]
    claims = AuditEvent.objects.filter(action="reminder.claimed").order_by("pk")
    assert [(c.details["kind"], c.details["recipient"], c.team) for c in claims] == [
        ("self_review_due", "associate", associate.team),
        ("lead_review_due", "lead", associate.team),
        ("calibration_due", "manager", associate.team),
    ]
    assert {c.target_type for c in claims} == {"performance.reviewreminder"}


def test_no_reminder_for_a_step_already_done(cast, cycle, review_at):
    review_at("shared")
    with _at(dt.date(2026, 12, 10)):
        assert remind_review_steps() == 0
    assert mail.outbox == []


def test_the_unique_key_refuses_a_second_reminder_row(cast, cycle, associate):
    from django.db import IntegrityError, transaction

    ReviewReminder.objects.create(cycle=cycle, kind="self_review_due", recipient=associate.user)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewReminder.objects.create(cycle=cycle, kind="self_review_due", recipient=associate.user)


# --- Calibration page: query budget ------------------------------------------------------------


def _manager_with_teams(site, manager, first: int, count: int, cycle: ReviewCycle) -> None:
    kpi = Kpi.objects.order_by("pk").first()
    for n in range(first, first + count):
        team = TeamFactory(site=site, name=f"Budget team {n}", manager=manager)
        cycle.teams.add(team)
        for m in range(3):
            person = AssociateFactory(team=team, user=UserFactory(username=f"bt{n}-{m}"))
            review = Review.objects.create(cycle=cycle, associate=person)
            at_step(review, "calibration")
            review.rating_changes.create(
                from_rating=Rating.MEETS, to_rating=Rating.EXCEEDS, changed_by=manager, reason="r"
            )
            if kpi is not None:
                DailyKpi.objects.create(
                    kpi=kpi,
                    day=dt.date(2026, 6, 1),
                    scope="associate",
                    site=site,
                    team=team,
                    associate=person,
                    value=10,
                    numerator=10,
                    event_count=10,
                )


def _calibration_queries(client, cycle) -> tuple[int, int]:
    url = reverse("performance:cycle-calibration", kwargs={"cycle_id": cycle.pk})
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), len(response.context["rows"])


def test_calibration_page_query_count_does_not_grow_with_teams(cast, site, manager, admin):
    cycle = make_cycle(admin, "Budget")
    client = client_for(manager)
    _manager_with_teams(site, manager, 0, 2, cycle)
    small, small_rows = _calibration_queries(client, cycle)
    _manager_with_teams(site, manager, 2, 18, cycle)
    large, large_rows = _calibration_queries(client, cycle)
    assert small_rows == 6
    assert large_rows == 60  # 20 teams × 3 reviews
    assert large == small
    assert large <= 12


# --- KPI summary of a period --------------------------------------------------------------------


def _rollup(kpi, associate, day, value, numerator, denominator, events):
    DailyKpi.objects.create(
        kpi=kpi,
        day=day,
        scope="associate",
        site=associate.team.site,
        team=associate.team,
        associate=associate,
        value=value,
        numerator=numerator,
        denominator=denominator,
        event_count=events,
    )


def test_kpi_summary_matches_an_independent_computation(cast, associate, teammate):
    csat = Kpi.objects.create(
        key="t-csat",
        name="T CSAT",
        aggregation="ratio",
        direction="higher",
        target=0.9,
        green_at=0.9,
        amber_at=0.8,
        decimals=2,
    )
    aht = Kpi.objects.create(
        key="t-aht",
        name="T AHT",
        aggregation="mean",
        direction="lower",
        target=10,
        green_at=10,
        amber_at=12,
        decimals=1,
    )
    solved = Kpi.objects.create(
        key="t-solved",
        name="T Solved",
        aggregation="count",
        direction="higher",
        target=20,
        green_at=20,
        amber_at=15,
    )
    frt = Kpi.objects.create(
        key="t-frt",
        name="T FRT",
        aggregation="median",
        direction="lower",
        target=5,
        green_at=5,
        amber_at=8,
    )
    days = [dt.date(2026, 6, 1), dt.date(2026, 6, 2), dt.date(2026, 6, 3)]
    csat_days = [(8, 10), (18, 20), (1, 5)]  # (satisfied, answers)
    aht_days = [(120.0, 10), (33.0, 3), (50.0, 4)]  # (sum of minutes, contacts)
    solved_days = [22, 18, 14]
    frt_days = [4.0, 6.0, 11.0]
    for day, (num, den), (minutes, contacts), count, median in zip(
        days, csat_days, aht_days, solved_days, frt_days, strict=True
    ):
        _rollup(csat, associate, day, num / den, num, den, den)
        _rollup(aht, associate, day, minutes / contacts, minutes, None, contacts)
        _rollup(solved, associate, day, count, count, None, count)
        _rollup(frt, associate, day, median, median * 3, None, 3)
    # Outside the period, and someone else's: both ignored.
    _rollup(csat, associate, dt.date(2026, 4, 30), 0.0, 0, 100, 100)
    _rollup(csat, teammate, days[0], 0.0, 0, 100, 100)

    summary = review_selectors.kpi_summaries(
        [associate.pk], dt.date(2026, 5, 1), dt.date(2026, 10, 31)
    )[associate.pk]
    lines = {line["key"]: line for line in summary}

    assert lines["t-csat"]["value"] == pytest.approx((8 + 18 + 1) / (10 + 20 + 5))
    assert lines["t-csat"]["status"] == "red"  # 0.77 < 0.8
    assert lines["t-aht"]["value"] == pytest.approx((120 + 33 + 50) / (10 + 3 + 4))
    assert lines["t-aht"]["status"] == "amber"  # 11.9 is between 10 and 12
    assert lines["t-solved"]["value"] == pytest.approx((22 + 18 + 14) / 3)
    assert lines["t-solved"]["total"] == "54"
    assert lines["t-solved"]["status"] == "amber"
    assert lines["t-frt"]["value"] == pytest.approx((4 + 6 + 11) / 3)
    assert "daily median" in lines["t-frt"]["basis"]
    assert lines["t-csat"]["days"] == 3
    nothing = review_selectors.kpi_summaries(
        [teammate.pk], dt.date(2026, 7, 1), dt.date(2026, 7, 31)
    )[teammate.pk]
    assert {line["status"] for line in nothing} == {None}


@pytest.mark.parametrize("name", ["performance:cycle-progress", "performance:cycle-list"])
def test_progress_and_cycle_list_query_counts_do_not_grow(name, cast, site, manager, admin):
    cycle = make_cycle(admin, "Budget")
    url = reverse(name, kwargs={"cycle_id": cycle.pk}) if "progress" in name else reverse(name)
    client = client_for(manager)
    counts = []
    for first, count in ((0, 2), (2, 18)):
        _manager_with_teams(site, manager, first, count, cycle)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert counts[1] <= 12


def test_my_reviews_query_count_does_not_grow(cast, associate, admin):
    client = client_for(associate.user)
    counts = []
    for batch in (range(2), range(2, 20)):
        for n in batch:
            cycle = ReviewCycle.objects.create(
                name=f"Cycle {n}",
                period_start=dt.date(2020 + n, 1, 1),
                period_end=dt.date(2020 + n, 6, 30),
                self_review_due_on=dt.date(2020 + n, 7, 1),
                lead_review_due_on=dt.date(2020 + n, 7, 2),
                calibration_due_on=dt.date(2020 + n, 7, 3),
                opened_by=admin,
            )
            at_step(Review.objects.create(cycle=cycle, associate=associate), "acknowledged")
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("performance:my-reviews")).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
