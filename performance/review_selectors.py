"""Read-side queries for review cycles: KPI summaries of a period, the rows of the
calibration and progress pages. Each runs a fixed number of queries whatever the
number of teams or reviews.

KPI summaries read the daily associate rollups (`DailyKpi`), never raw events.
A period is built from the days per aggregation:

- count and sum: the total of the period, and the average per day worked (the
  KPI targets of count/sum KPIs are per associate per day, so that is what is
  compared with the target);
- mean: sum of numerators / number of events (exact);
- ratio: sum of numerators / sum of denominators (exact);
- median and p90: the mean of the daily figures (a period percentile cannot be
  rebuilt from daily ones; the pages label it so).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TypedDict

from django.apps import apps
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone

from teams.access import Roles
from teams.models import Associate

from .models import DailyKpi, Kpi, RatingChange, Review, ReviewCycle

GREEN, AMBER, RED = "green", "amber", "red"
PER_DAY = (Kpi.Aggregation.COUNT, Kpi.Aggregation.SUM)
PERCENTILES = (Kpi.Aggregation.MEDIAN, Kpi.Aggregation.P90)


class KpiLine(TypedDict):
    """One KPI of a review's period summary. JSON-safe: it is stored on the review."""

    key: str
    name: str
    unit: str
    value: float | None
    display: str
    target: str
    status: str | None
    basis: str
    days: int
    total: str | None


def status_of(kpi: Kpi, value: float | None) -> str | None:
    """green / amber / red against the KPI's thresholds, in its better direction."""
    if value is None:
        return None
    if kpi.direction == Kpi.Direction.HIGHER:
        return GREEN if value >= kpi.green_at else AMBER if value >= kpi.amber_at else RED
    return GREEN if value <= kpi.green_at else AMBER if value <= kpi.amber_at else RED


def _fmt(kpi: Kpi, value: float) -> str:
    return f"{value:,.{kpi.decimals}f}"


def basis_of(kpi: Kpi) -> str:
    if kpi.aggregation in PER_DAY:
        return "average per day worked"
    if kpi.aggregation == Kpi.Aggregation.MEDIAN:
        return "mean of daily medians"
    if kpi.aggregation == Kpi.Aggregation.P90:
        return "mean of daily 90th percentiles"
    return "whole period"


def period_value(kpi: Kpi, row: dict[str, Any]) -> float | None:
    """A period figure from the summed daily rollup rows of one associate."""
    days = row["days"] or 0
    if not days:
        return None
    if kpi.aggregation in PER_DAY:
        return float(row["total"] or 0.0) / days
    if kpi.aggregation == Kpi.Aggregation.MEAN:
        events = row["events"] or 0
        return float(row["num"] or 0.0) / events if events else None
    if kpi.aggregation == Kpi.Aggregation.RATIO:
        den = row["den"] or 0.0
        return float(row["num"] or 0.0) / den if den else None
    return float(row["total"] or 0.0) / days


def kpi_summaries(
    associate_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, list[KpiLine]]:
    """{associate id: one line per KPI} over [start, end]. Two queries in all."""
    ids = list(associate_ids)
    kpis = list(Kpi.objects.order_by("name"))
    rows = (
        DailyKpi.objects.filter(
            scope=DailyKpi.Scope.ASSOCIATE, associate_id__in=ids, day__range=(start, end)
        )
        .order_by()
        .values("associate_id", "kpi_id")
        .annotate(
            total=Sum("value"),
            num=Sum("numerator"),
            den=Sum("denominator"),
            events=Sum("event_count"),
            days=Count("id"),
        )
    )
    by_key: dict[tuple[int, int], dict[str, Any]] = {
        (row["associate_id"], row["kpi_id"]): dict(row) for row in rows
    }
    summaries: dict[int, list[KpiLine]] = {}
    for associate_id in ids:
        lines: list[KpiLine] = []
        for kpi in kpis:
            row = by_key.get((associate_id, kpi.pk))
            value = period_value(kpi, row) if row else None
            lines.append(
                KpiLine(
                    key=kpi.key,
                    name=kpi.name,
                    unit=kpi.unit,
                    value=value,
                    display="—" if value is None else _fmt(kpi, value),
                    target=_fmt(kpi, kpi.target),
                    status=status_of(kpi, value),
                    basis=basis_of(kpi),
                    days=row["days"] if row else 0,
                    total=_fmt(kpi, float(row["total"] or 0.0))
                    if row and kpi.aggregation in PER_DAY
                    else None,
                )
            )
        summaries[associate_id] = lines
    return summaries


# --- Who sees which cycles and reviews -------------------------------------------------


def visible_cycles(roles: Roles) -> QuerySet[ReviewCycle]:
    """Cycles that include at least one team the user leads or manages (all for admins)."""
    cycles = ReviewCycle.objects.all()
    if not roles.is_admin:
        cycles = cycles.filter(teams__in=roles.visible_team_ids).distinct()
    return cycles.order_by("-period_end", "name")


def reviews_in_cycle(cycle: ReviewCycle, team_ids: frozenset[int] | None) -> QuerySet[Review]:
    """The cycle's reviews of the given teams (None = all), ready for a list page."""
    reviews = Review.objects.filter(cycle=cycle)
    if team_ids is not None:
        reviews = reviews.for_teams(team_ids)
    return reviews.select_related("associate__user", "associate__team__site").order_by(
        "associate__team__name", "associate__user__first_name", "associate__user__last_name"
    )


def calibration_rows(cycle: ReviewCycle, team_ids: frozenset[int] | None) -> list[Review]:
    """Reviews with their calibration changes, for the calibration page (3 queries)."""
    changes = RatingChange.objects.select_related("changed_by").order_by("changed_at", "pk")
    return list(
        reviews_in_cycle(cycle, team_ids).prefetch_related(
            Prefetch("rating_changes", queryset=changes)
        )
    )


# --- Progress: who is late at which step ------------------------------------------------

STEP_DUE = {
    Review.State.SELF_REVIEW: "self_review_due_on",
    Review.State.LEAD_REVIEW: "lead_review_due_on",
    Review.State.CALIBRATION: "calibration_due_on",
}


@dataclass(frozen=True)
class Progress:
    review: Review
    due_on: dt.date | None
    is_late: bool
    days_late: int


def progress_rows(cycle: ReviewCycle, reviews: Iterable[Review]) -> list[Progress]:
    """Each review with the due date of the step it is at, and whether that is past
    (measured on the site-local day of the associate's team)."""
    rows = []
    today_by_site: dict[int, dt.date] = {}
    for review in reviews:
        due_field = STEP_DUE.get(Review.State(review.state))
        due_on: dt.date | None = getattr(cycle, due_field) if due_field else None
        site = review.associate.team.site
        if site.pk not in today_by_site:
            today_by_site[site.pk] = site.local_today()
        today = today_by_site[site.pk]
        late = due_on is not None and today > due_on
        rows.append(
            Progress(
                review=review,
                due_on=due_on,
                is_late=late,
                days_late=(today - due_on).days if late and due_on else 0,
            )
        )
    return rows


def state_counts(reviews: Iterable[Review]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for review in reviews:
        counts[review.state] += 1
    return {label: counts.get(value, 0) for value, label in Review.State.choices}


# --- Pre-fill of the lead's draft: goals and feedback --------------------------------------

FEEDBACK_HIGHLIGHTS = 8


def _people_model(name: str) -> Any:
    """The people-records model `name`, or None while that area is not installed."""
    try:
        return apps.get_model("performance", name)
    except LookupError:
        return None


def goal_outcomes_text(associate: Associate, start: dt.date, end: dt.date) -> str:
    """One line per goal of the associate (or their team) overlapping the period."""
    goal_model = _people_model("Goal")
    if goal_model is None:
        return ""
    goals = (
        goal_model.objects.filter(Q(associate=associate) | Q(team_id=associate.team_id))
        .filter(starts_on__lte=end, ends_on__gte=start)
        .select_related("kpi")
        .order_by("ends_on", "title")
    )
    lines = []
    for goal in goals:
        whose = "team goal" if goal.team_id else "own goal"
        target = f"{goal.target_value:g}{(' ' + goal.unit) if goal.unit else ''}"
        reached = f", last value {goal.current_value:g}" if goal.current_value is not None else ""
        kpi = f", KPI {goal.kpi.name}" if goal.kpi_id else ""
        lines.append(
            f"- {goal.title} ({whose}, {goal.starts_on:%-d %b}–{goal.ends_on:%-d %b %Y}): "
            f"{goal.get_status_display()}; target {target}{reached}{kpi}"
        )
    return "\n".join(lines)


def feedback_highlights_text(associate: Associate, start: dt.date, end: dt.date) -> str:
    """The period's shared feedback (praise and constructive, lead and peer kudos).
    Private feedback is its author's own record and never enters a review."""
    feedback_model = _people_model("Feedback")
    if feedback_model is None:
        return ""
    items = (
        feedback_model.objects.filter(associate=associate, is_private=False)
        .filter(created_at__date__gte=start, created_at__date__lte=end)
        .select_related("author")
        .order_by("-created_at", "-pk")[:FEEDBACK_HIGHLIGHTS]
    )
    lines = []
    for item in items:
        impact = f" Impact: {item.impact}" if item.impact else ""
        lines.append(
            f"- {item.get_kind_display()} from {item.author.display_name} "
            f"({timezone.localdate(item.created_at):%-d %b}): {item.situation} "
            f"{item.behaviour}{impact}"
        )
    return "\n".join(lines)
