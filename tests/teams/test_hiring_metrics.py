"""Hiring metrics: equal to hand-computed values on constructed data, per team and per
site (a site's median from its own requisitions, not a median of medians), unchanged by
anonymising candidates, scoped to the teams the user sees, a fixed number of queries,
and the CSV."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from teams.models import Application, Candidate, Offer, Requisition
from teams.selectors.hiring_metrics import hiring_metrics
from tests.conftest import client_for
from tests.factories import (
    ApplicationFactory,
    OfferFactory,
    RequisitionFactory,
    SiteFactory,
    StageChangeFactory,
    TeamFactory,
)

Status = Requisition.Status
Stage = Application.Stage
Source = Candidate.Source
NOW = dt.datetime(2030, 1, 8, 12, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _now(time_machine):
    time_machine.move_to(NOW, tick=False)


def days_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(days=n)


def moved(requisition, source, *stages):
    """An application that went through `stages` in order (after applied); its
    current stage is the last."""
    application = ApplicationFactory(
        requisition=requisition, source=source, stage=stages[-1] if stages else Stage.APPLIED
    )
    previous = Stage.APPLIED
    for stage in stages:
        StageChangeFactory(application=application, from_stage=previous, to_stage=stage)
        previous = stage
    return application


@pytest.fixture
def data(team, other_team):
    """`team`: two open requisitions (ages 10 and 4 days), two filled (30 and 10 days
    to fill), a cancelled one; five applications; one offer accepted, one declined.
    `other_team`: one filled in 50 days, one application, one offer still out."""
    opened = RequisitionFactory(team=team, status=Status.OPEN, opened_at=days_ago(10))
    RequisitionFactory(team=team, status=Status.DRAFT, created_at=days_ago(4))
    RequisitionFactory(
        team=team, status=Status.FILLED, opened_at=days_ago(40), closed_at=days_ago(10)
    )
    RequisitionFactory(
        team=team, status=Status.FILLED, opened_at=days_ago(20), closed_at=days_ago(10)
    )
    RequisitionFactory(team=team, status=Status.CANCELLED, created_at=days_ago(99))
    hired = moved(opened, Source.REFERRAL, Stage.SCREEN, Stage.INTERVIEW, Stage.OFFER, Stage.HIRED)
    moved(opened, Source.JOB_BOARD, Stage.SCREEN, Stage.REJECTED)
    moved(opened, Source.JOB_BOARD, Stage.INTERVIEW, Stage.REJECTED)  # skipped the screen
    moved(opened, Source.CAREERS_SITE)
    declined = moved(
        opened, Source.REFERRAL, Stage.SCREEN, Stage.INTERVIEW, Stage.OFFER, Stage.WITHDRAWN
    )
    OfferFactory(application=hired, status=Offer.Status.ACCEPTED)
    OfferFactory(application=declined, status=Offer.Status.DECLINED)

    theirs = RequisitionFactory(
        team=other_team, status=Status.FILLED, opened_at=days_ago(50), closed_at=NOW
    )
    out = moved(theirs, Source.AGENCY, Stage.SCREEN, Stage.INTERVIEW, Stage.OFFER)
    OfferFactory(application=out)  # extended, not answered
    return {"team": team, "other_team": other_team}


def test_team_metrics_equal_the_hand_computed_values(data, team):
    result = hiring_metrics([team])
    [m] = result.teams
    assert (m.open_count, m.median_open_days, m.oldest_open_days) == (2, 7, 10)
    assert (m.filled_count, m.median_fill_days) == (2, 20)
    passes = {p.stage: (p.reached, p.passed) for p in m.stage_passes}
    assert passes == {
        Stage.APPLIED: (5, 4),  # all but the one still at applied moved on
        Stage.SCREEN: (3, 2),  # the skipped screen is not counted here
        Stage.INTERVIEW: (3, 2),
        Stage.OFFER: (2, 1),
    }
    assert m.stage_passes[0].rate == pytest.approx(0.8)
    assert (m.offers_accepted, m.offers_declined, m.offer_acceptance) == (1, 1, 0.5)
    sources = {s.source: (s.applications, s.interviewed, s.hired) for s in m.source_rows}
    assert sources == {
        Source.REFERRAL: (2, 2, 1),
        Source.JOB_BOARD: (2, 1, 0),
        Source.CAREERS_SITE: (1, 0, 0),
    }
    assert m.sources[Source.REFERRAL].hire_rate == 0.5


def test_a_sites_figures_pool_its_teams_rows(data, team, other_team):
    result = hiring_metrics([team, other_team])
    by_name = {m.name: m for m in result.teams}
    assert by_name["Connect"].median_fill_days == 50
    assert by_name["Connect"].offer_acceptance is None  # an offer out is not answered
    [site] = result.sites
    assert site.name == "Dublin"
    # Fill days 30, 10 and 50: the median is 30 (the teams' medians, 20 and 50, would say 35).
    assert site.median_fill_days == 30
    assert site.open_count == 2
    assert {p.stage: (p.reached, p.passed) for p in site.stage_passes}[Stage.OFFER] == (3, 1)
    assert site.sources[Source.AGENCY].applications == 1


def test_anonymised_candidates_still_count(data, team):
    before = hiring_metrics([team]).teams[0]
    Candidate.objects.update(name="Anonymised", email="", phone="", notes="", anonymised_at=NOW)
    after = hiring_metrics([team]).teams[0]
    assert after == before


def test_teams_without_hiring_show_no_rates(team):
    [m] = hiring_metrics([team]).teams
    assert (m.open_count, m.median_fill_days, m.offer_acceptance) == (0, None, None)
    assert all(p.rate is None for p in m.stage_passes)
    assert hiring_metrics([]).teams == []


def test_each_person_sees_their_own_teams(data, cast):
    lisbon = TeamFactory(site=SiteFactory(name="Lisbon"), name="Porto desk")
    RequisitionFactory(team=lisbon, status=Status.OPEN, opened_at=days_ago(3))
    seen = {}
    for persona in ("lead", "manager", "other_lead", "admin"):
        response = client_for(cast[persona]).get(reverse("teams:hiring-metrics"))
        assert response.status_code == 200
        metrics = response.context["metrics"]
        seen[persona] = ({m.name for m in metrics.teams}, {m.name for m in metrics.sites})
    assert seen["lead"] == seen["manager"] == ({"Payments"}, {"Dublin"})
    assert seen["other_lead"] == ({"Connect"}, {"Dublin"})
    assert seen["admin"] == ({"Payments", "Connect", "Porto desk"}, {"Dublin", "Lisbon"})


@pytest.mark.parametrize("size", [1, 6])
def test_the_page_and_csv_have_a_query_budget(cast, size, django_assert_max_num_queries):
    for n in range(size):
        team = TeamFactory(site=SiteFactory(name=f"Site {n}"))
        requisition = RequisitionFactory(team=team, status=Status.OPEN, opened_at=days_ago(n))
        for source in (Source.REFERRAL, Source.AGENCY):
            application = moved(requisition, source, Stage.SCREEN, Stage.INTERVIEW, Stage.OFFER)
            OfferFactory(application=application, status=Offer.Status.DECLINED)
    client = client_for(cast["admin"])
    for name in ("teams:hiring-metrics", "teams:hiring-metrics-csv"):
        with django_assert_max_num_queries(9):
            assert client.get(reverse(name)).status_code == 200


def test_the_csv_holds_the_figures(data, cast):
    response = client_for(cast["lead"]).get(reverse("teams:hiring-metrics-csv"))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    header, team_row, site_row = rows[0], rows[1], rows[2]
    assert header[:8] == [
        "Scope",
        "Name",
        "Site",
        "Open requisitions",
        "Median age of open (days)",
        "Oldest open (days)",
        "Filled",
        "Median time to fill (days)",
    ]
    assert team_row == [
        "Team",
        "Payments",
        "Dublin",
        "2",
        "7.0",
        "10",
        "2",
        "20.0",
        "80.0",
        "66.7",
        "66.7",
        "50.0",
        "1",
        "1",
        "50.0",
    ]
    assert site_row[:3] == ["Site", "Dublin", "Dublin"]
    assert rows[3] == []
    assert rows[4][3:] == ["Source", "Applications", "Reached interview", "Hired", "Hire rate (%)"]
    assert ["Team", "Payments", "Dublin", "Employee referral", "2", "2", "1", "50.0"] in rows


def test_the_csv_neutralises_formulas(cast, team):
    team.name = "=HYPERLINK(1)"
    team.save()
    response = client_for(cast["lead"]).get(reverse("teams:hiring-metrics-csv"))
    assert "'=HYPERLINK(1)" in response.content.decode()


def test_associates_get_a_404(cast):
    for name in ("teams:hiring-metrics", "teams:hiring-metrics-csv"):
        assert client_for(cast["associate"]).get(reverse(name)).status_code == 404
        assert client_for(cast["lead"]).post(reverse(name)).status_code == 405
