"""What the performance app adds to the lead's home page (see
teams.selectors.home_panels; registered in PerformanceConfig.ready)."""

from collections import Counter, defaultdict
from collections.abc import Sequence

from django.db.models import Count, Prefetch
from django.urls import reverse

from teams.access import Roles
from teams.models import Associate, Team, User
from teams.selectors import HomePanel, TeamColumn, TeamCount

from .models import AgendaItem, OneOnOne, Review
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


def manager_columns(user: User, roles: Roles, teams: Sequence[Team]) -> list[TeamColumn]:
    """KPI alerts, reviews waiting for calibration and overdue 1:1s, per team: counts
    only (a manager sees that 1:1s happen, never what was said). Five queries."""
    ids = [t.pk for t in teams]
    today_by_team = {t.pk: t.site.local_today() for t in teams}
    alerts = sel.alerts(ids, today=sel.sites_today(teams))
    current_team = dict(  # an alert counts on the team the person is on now
        Associate.objects.filter(
            pk__in={a.subject_id for a in alerts if a.scope == "associate"},
            team_id__in=ids,
            left_on__isnull=True,
        ).values_list("pk", "team_id")
    )
    rag_counts: dict[int, Counter[str]] = defaultdict(Counter)
    for alert in alerts:
        team_id = alert.subject_id if alert.scope == "team" else current_team.get(alert.subject_id)
        if team_id is not None:
            rag_counts[team_id][alert.rag or "amber"] += 1
    kpi_alerts = {
        team_id: TeamCount(
            sum(counts.values()),
            reverse("performance:team-dashboard", args=[team_id]),
            " · ".join(f"{counts[c]} {c}" for c in (sel.RED, sel.AMBER) if counts[c]),
        )
        for team_id, counts in rag_counts.items()
    }
    calibration: dict[int, TeamCount] = {}
    for team_id, cycle_id, count in (
        Review.objects.filter(state=Review.State.CALIBRATION, associate__team_id__in=ids)
        .order_by("cycle__calibration_due_on", "cycle_id")
        .values("associate__team_id", "cycle_id")
        .annotate(n=Count("pk"))
        .values_list("associate__team_id", "cycle_id", "n")
    ):
        if team_id in calibration:  # a second cycle: add it up, link the first due
            known = calibration[team_id]
            calibration[team_id] = TeamCount(known.count + count, known.url, "in several cycles")
        else:
            url = reverse("performance:cycle-calibration", args=[cycle_id])
            calibration[team_id] = TeamCount(count, url)
    overdue = Counter(
        m.associate.team_id for m in overdue_one_on_ones(today_by_team.keys(), today_by_team)
    )
    overview = reverse("performance:one-on-one-overview")
    return [
        TeamColumn("KPI alerts", kpi_alerts, order=10),
        TeamColumn("Reviews to calibrate", calibration, order=40),
        TeamColumn(
            "Overdue 1:1s",
            {team_id: TeamCount(n, overview) for team_id, n in overdue.items()},
            order=50,
        ),
    ]


def associate_panels(user: User, roles: Roles) -> list[HomePanel]:
    """A shared review to acknowledge and the next 1:1 with its agenda. Three queries."""
    if roles.associate_id is None:
        return []
    panels = []
    to_acknowledge = list(
        Review.objects.filter(associate_id=roles.associate_id, state=Review.State.SHARED)
        .select_related("cycle")
        .order_by("shared_at")
    )
    if to_acknowledge:
        panels.append(
            HomePanel(
                "performance/reviews/_home_acknowledge.html",
                {"reviews": to_acknowledge},
                order=20,
                area="mine",
            )
        )
    meeting = (
        OneOnOne.objects.scheduled()
        .filter(associate_id=roles.associate_id)
        .select_related("lead", "associate__team__site")
        .prefetch_related(
            Prefetch("agenda_items", queryset=AgendaItem.objects.select_related("added_by"))
        )
        .first()
    )
    panels.append(
        HomePanel(
            "performance/one_on_ones/_home_next.html", {"meeting": meeting}, order=30, area="mine"
        )
    )
    return panels


# issue 16: recognition
def celebrations_panel(user: User, roles: Roles) -> list[HomePanel]:
    """Welcomes, work anniversaries and shared birthdays of the next 14 days: for a
    lead, of the teams they lead; for an associate, a card of their own team's.
    Two queries each."""
    from .selectors import recognition

    panels = []
    if roles.is_lead:
        led = list(Team.objects.filter(pk__in=roles.led_team_ids).select_related("site"))
        panels.append(
            HomePanel(
                "performance/recognition/_home_celebrations.html",
                {"celebrations": recognition.celebrations(led), "teams": led},
                order=40,
            )
        )
    if roles.associate_id is not None:
        own = list(
            Team.objects.filter(
                associates__pk=roles.associate_id, associates__is_active=True
            ).select_related("site")
        )
        if own and own[0].pk not in roles.led_team_ids:
            found = recognition.celebrations(own)
            if found:
                panels.append(
                    HomePanel(
                        "performance/recognition/_home_team_card.html",
                        {"celebrations": found, "team": own[0]},
                        order=40,
                        area="mine",
                    )
                )
    return panels
