"""What the performance app adds to the home page (see teams.selectors.home_panels)."""

from teams.access import Roles
from teams.models import Associate, Team, User
from teams.selectors import HomePanel

from . import kpi_selectors as sel


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
            "performance/home_kpi_alerts.html",
            {
                "items": items,
                "days": sel.alert_days(),
                "teams": teams,
            },
            order=10,
        )
    ]
