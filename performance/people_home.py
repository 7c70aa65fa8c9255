"""The lead's home-page panel of overdue 1:1s (registered in PerformanceConfig.ready)."""

from typing import TYPE_CHECKING

from teams.models import Team
from teams.selectors import HomePanel

from .people_selectors import overdue_one_on_ones

if TYPE_CHECKING:
    from teams.access import Roles
    from teams.models import User


def overdue_one_on_ones_panel(user: "User", roles: "Roles") -> list[HomePanel]:
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
            template="performance/people/_home_overdue.html",
            context={"overdue": overdue},
            order=30,
        )
    ]
