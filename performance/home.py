"""What the performance app adds to the lead's home page (see
teams.selectors.home_panels; registered in PerformanceConfig.ready)."""

from teams.access import Roles
from teams.models import Associate, Team, User
from teams.selectors import HomePanel

from .selectors import kpis as sel
from .selectors.one_on_ones import overdue_one_on_ones


def kpi_alerts(user: User, roles: Roles) -> list[HomePanel]:
    """For a lead: associates and teams out of green for N days in a row. Four queries."""
    if not roles.is_lead:
        return []
    teams = list(
        Team.objects.filter(pk__in=roles.led_team_ids).select_related("site").order_by("name")
    )
    alerts = sel.alerts(roles.led_team_ids, today=sel.sites_today(teams))
    ids = {a.subject_id for a in alerts if a.scope == "associate"}
    people = {  # the people on the lead's teams now, not those who have left or moved
        a.pk: a
        for a in Associate.objects.filter(
            pk__in=ids, team_id__in=roles.led_team_ids, left_on__isnull=True
        ).select_related("user")
    }
    items = [
        {"alert": alert, "associate": people.get(alert.subject_id)}
        for alert in alerts
        if alert.scope == "team" or alert.subject_id in people
    ]
    return [
        HomePanel(
            "performance/dashboards/_home_alerts.html",
            {
                "items": items,
                "days": sel.alert_days(),
                "teams": teams,
            },
            order=10,
        )
    ]


def overdue_one_on_ones_panel(user: User, roles: Roles) -> list[HomePanel]:
    """Scheduled 1:1s of the lead's teams whose date has passed. Two queries."""
    if not roles.is_lead:
        return []
    teams = Team.objects.filter(pk__in=roles.led_team_ids).select_related("site")
    today_by_team = {team.pk: team.site.local_today() for team in teams}
    overdue = overdue_one_on_ones(today_by_team.keys(), today_by_team)
    if not overdue:
        return []
    return [
        HomePanel(
            template="performance/one_on_ones/_home_overdue.html",
            context={"overdue": overdue},
            order=30,
        )
    ]
