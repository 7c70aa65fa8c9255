"""Read-side queries for review cycles: KPI summaries of a period, the rows of the
calibration and progress pages. Each runs a fixed number of queries whatever the
number of teams or reviews.

KPI summaries read the daily associate rollups (`DailyKpi`), never raw events,
through `kpi_selectors`, so a review shows the same period figures as the KPI
dashboards: count and sum per day worked (their targets are per associate per
day; the period total is shown too), mean and ratio exact over the period,
median and p90 as the average of the daily figures (labelled so).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypedDict

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.text import capfirst

from teams.access import Roles
from teams.history import Change, changes
from teams.models import Associate, Team, User

from ..access import Relation
from ..models import DailyKpi, Feedback, Goal, Kpi, Rating, RatingChange, Review, ReviewCycle
from ..models.reviews import RATED_STATES, ReviewQuerySet
from . import kpis as kpi_selectors


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


def kpi_summaries(
    associate_ids: Iterable[int], start: dt.date, end: dt.date
) -> dict[int, list[KpiLine]]:
    """{associate id: one line per KPI} over [start, end]. Two queries in all; the
    period figures are the KPI dashboards' (`kpi_selectors`), so they agree."""
    ids = list(associate_ids)
    kpis = sorted(kpi_selectors.kpis(), key=lambda k: k.name)
    sums = kpi_selectors.sums_by(
        DailyKpi.Scope.ASSOCIATE,
        kpi_selectors.DateRange(start, end),
        "associate_id",
        associate_ids=ids,
    )
    summaries: dict[int, list[KpiLine]] = {}
    for associate_id in ids:
        lines: list[KpiLine] = []
        for kpi in kpis:
            period = sums.get((associate_id, kpi.pk))
            value = period.value(kpi) if period else None
            lines.append(
                KpiLine(
                    key=kpi.key,
                    name=kpi.name,
                    unit=kpi.unit,
                    value=value,
                    display=kpi_selectors.fmt(kpi, value),
                    target=kpi_selectors.fmt(kpi, kpi.target),
                    status=kpi_selectors.rag(kpi, value),
                    basis=kpi_selectors.period_basis(kpi) or "whole period",
                    days=period.days if period else 0,
                    total=kpi_selectors.fmt(kpi, period.total)
                    if period and kpi.aggregation in kpi_selectors.PER_ASSOCIATE_DAY
                    else None,
                )
            )
        summaries[associate_id] = lines
    return summaries


# --- Who sees which cycles and reviews -------------------------------------------------


def visible_cycles(roles: Roles) -> QuerySet[ReviewCycle]:
    """Cycles with a team the user leads or manages, or a review of an associate now on
    one of those teams (all for admins)."""
    cycles = ReviewCycle.objects.all()
    if not roles.is_admin:
        seen = roles.visible_team_ids
        cycles = cycles.filter(
            Q(teams__in=seen) | Q(reviews__associate__team_id__in=seen)
        ).distinct()
    return cycles.order_by("-period_end", "name")


def reviews_in_cycle(cycle: ReviewCycle, team_ids: frozenset[int] | None) -> QuerySet[Review]:
    """The cycle's reviews of the given teams (None = all), ready for a list page."""
    reviews = Review.objects.filter(cycle=cycle)
    if team_ids is not None:
        reviews = reviews.for_teams(team_ids)
    return reviews.select_related("associate__user", "associate__team__site").order_by(
        "associate__team__name", "associate__user__first_name", "associate__user__last_name"
    )


def cycle_rows(
    cycles: list[ReviewCycle], team_ids: frozenset[int] | None
) -> list[tuple[ReviewCycle, list[tuple[str, int]]]]:
    """Each cycle with how many of its reviews (of `team_ids`; None: all) are at each
    step. One query."""
    counts = Review.objects.filter(cycle__in=cycles)
    if team_ids is not None:
        counts = counts.for_teams(team_ids)
    tally: dict[int, dict[str, int]] = {}
    for row in counts.order_by().values("cycle_id", "state").annotate(n=Count("id")):
        tally.setdefault(row["cycle_id"], {})[row["state"]] = row["n"]
    return [
        (
            cycle,
            [
                (label, tally.get(cycle.pk, {}).get(value, 0))
                for value, label in Review.State.choices
            ],
        )
        for cycle in cycles
    ]


def reviews_of(associate_id: int) -> QuerySet[Review]:
    """An associate's own reviews, newest period first."""
    return (
        Review.objects.filter(associate_id=associate_id)
        .select_related("cycle")
        .order_by("-cycle__period_end")
    )


def rating_changes(review: Review) -> list[RatingChange]:
    return list(review.rating_changes.select_related("changed_by"))


# --- Calibration: the ratings of several teams side by side ----------------------------


@dataclass(frozen=True)
class CalibrationOptions:
    """What the calibration filters can choose from, in the viewer's scope."""

    teams: Sequence[Team]  # each with its review_count in the cycle
    leads: list[User]
    kpis: list[Kpi]

    @property
    def review_count(self) -> int:
        return sum(getattr(t, "review_count", 0) for t in self.teams)


def calibration_options(cycle: ReviewCycle, team_ids: frozenset[int] | None) -> CalibrationOptions:
    """The teams with a review in the cycle (of `team_ids`; None: all) and how many,
    their leads and whoever sent one of those reviews to calibration, and the KPIs.
    Three queries."""
    in_scope = Review.objects.filter(cycle=cycle)
    if team_ids is not None:
        in_scope = in_scope.for_teams(team_ids)
    teams = list(
        Team.objects.filter(pk__in=in_scope.values("associate__team_id"))
        .annotate(
            review_count=Count("associates__reviews", filter=Q(associates__reviews__cycle=cycle))
        )
        .order_by("name", "pk")
    )
    leads = list(
        User.objects.filter(
            Q(led_teams__in=[t.pk for t in teams])
            | Q(pk__in=in_scope.filter(lead_submitted_by__isnull=False).values("lead_submitted_by"))
        )
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return CalibrationOptions(teams=teams, leads=leads, kpis=kpi_selectors.kpis())


NOT_RATED = "none"  # the rating filter's value for reviews not rated yet
SORTS = ("name", "team", "rating")  # and each KPI's key


@dataclass(frozen=True)
class CalibrationQuery:
    """The calibration page's filters and sort, already checked (`CalibrationFilterForm`)."""

    team_id: int | None = None
    state: str | None = None
    rating: int | str | None = None  # 1–5, NOT_RATED, or None for any
    lead_id: int | None = None
    changed: bool | None = None  # changed in calibration, not changed, or either
    sort: str = "name"
    descending: bool = False

    def filter(self, reviews: ReviewQuerySet) -> ReviewQuerySet:
        if self.team_id is not None:
            reviews = reviews.filter(associate__team_id=self.team_id)
        if self.state is not None:
            reviews = reviews.at_step(self.state)
        if self.rating == NOT_RATED:
            reviews = reviews.not_rated_yet()
        elif isinstance(self.rating, int):
            reviews = reviews.rated_as(self.rating)
        if self.lead_id is not None:
            reviews = reviews.by_lead(self.lead_id)
        if self.changed is True:
            reviews = reviews.changed_in_calibration()
        elif self.changed is False:
            reviews = reviews.unchanged_in_calibration()
        return reviews

    def params(self) -> dict[str, str]:
        """The query string of what is applied (defaults left out), for the page's
        links and for coming back to the same view after a change."""
        found = {
            "team": self.team_id,
            "step": self.state,
            "rating": self.rating,
            "lead": self.lead_id,
            "changed": None if self.changed is None else "yes" if self.changed else "no",
            "sort": None if self.sort == "name" else self.sort,
            "dir": "desc" if self.descending else None,
        }
        return {name: str(value) for name, value in found.items() if value is not None}

    @property
    def is_filtered(self) -> bool:
        return any(
            v is not None
            for v in (self.team_id, self.state, self.rating, self.lead_id, self.changed)
        )


@dataclass
class CalibrationRow:
    review: Review
    figures: list[kpi_selectors.Figure]
    lead_names: list[str]  # who sent it to calibration; before that, the team's leads
    changes: list[RatingChange]

    @property
    def rating(self) -> int | None:
        """The rating sent to calibration (None before: a lead's draft is not one yet)."""
        return self.review.rating if self.review.state in RATED_STATES else None

    @property
    def draft_rating(self) -> int | None:
        return self.review.rating if self.rating is None else None

    @property
    def is_changed(self) -> bool:
        return bool(self.changes)

    def figure(self, kpi_id: int) -> kpi_selectors.Figure | None:
        return next((f for f in self.figures if f.kpi.pk == kpi_id), None)


@dataclass(frozen=True)
class RatingCount:
    rating: int
    label: str
    count: int
    percent: int  # of the rated reviews of the row, for the bar


@dataclass(frozen=True)
class Distribution:
    """How many reviews of a team (or of every team in view) have each rating."""

    name: str
    counts: list[RatingCount]
    not_rated: int

    @property
    def rated(self) -> int:
        return sum(c.count for c in self.counts)

    @property
    def total(self) -> int:
        return self.rated + self.not_rated


def distribution(name: str, rows: Iterable[CalibrationRow]) -> Distribution:
    tally: dict[int, int] = defaultdict(int)
    not_rated = 0
    for row in rows:
        if row.rating is None:
            not_rated += 1
        else:
            tally[row.rating] += 1
    rated = sum(tally.values())
    return Distribution(
        name=name,
        counts=[
            RatingCount(
                rating=value,
                label=str(label),
                count=tally[value],
                percent=round(100 * tally[value] / rated) if rated else 0,
            )
            for value, label in Rating.choices
        ],
        not_rated=not_rated,
    )


@dataclass(frozen=True)
class CalibrationBoard:
    kpis: list[Kpi]
    rows: list[CalibrationRow]
    teams: list[Distribution]  # one per team in view
    overall: Distribution  # every team in view
    in_scope_count: int  # the reviews before the filters


def _sorted(
    rows: list[CalibrationRow], kpis: Sequence[Kpi], sort: str, descending: bool
) -> list[CalibrationRow]:
    """By name, team or rating, or by a KPI's period figure. Rows without a rating or
    figure go last whatever the direction; ties keep name order."""

    def name(row: CalibrationRow) -> tuple[str, int]:
        return (row.review.associate.name.lower(), row.review.pk)

    rows = sorted(rows, key=name)
    if sort == "team":
        return sorted(rows, key=lambda r: r.review.associate.team.name.lower(), reverse=descending)
    if sort == "rating":
        known = [r for r in rows if r.rating is not None]
        return sorted(known, key=lambda r: r.rating or 0, reverse=descending) + [
            r for r in rows if r.rating is None
        ]
    kpi = next((k for k in kpis if k.key == sort), None)
    if kpi is None:
        return list(reversed(rows)) if descending else rows

    def value(row: CalibrationRow) -> float | None:
        figure = row.figure(kpi.pk)
        return figure.value if figure is not None else None

    known = [r for r in rows if value(r) is not None]
    return sorted(known, key=lambda r: value(r) or 0.0, reverse=descending) + [
        r for r in rows if value(r) is None
    ]


def calibration_board(
    cycle: ReviewCycle,
    team_ids: frozenset[int] | None,
    query: CalibrationQuery,
    options: CalibrationOptions,
) -> CalibrationBoard:
    """The reviews in view with their period KPIs (the dashboards' figures and
    colours), each team's rating distribution and all of them together. Four queries,
    whatever the number of teams or reviews."""
    in_scope = Review.objects.filter(cycle=cycle)
    if team_ids is not None:
        in_scope = in_scope.for_teams(team_ids)
    changes = RatingChange.objects.select_related("changed_by").order_by("changed_at", "pk")
    reviews = list(
        query.filter(in_scope)
        .select_related("associate__user", "associate__team", "lead_submitted_by")
        .prefetch_related(Prefetch("rating_changes", queryset=changes), "associate__team__leads")
    )
    sums = kpi_selectors.sums_by(
        DailyKpi.Scope.ASSOCIATE,
        kpi_selectors.DateRange(cycle.period_start, cycle.period_end),
        "associate_id",
        associate_ids=[r.associate_id for r in reviews],
    )
    rows = []
    for review in reviews:
        writer = review.lead_submitted_by
        leads = (
            [writer.display_name]
            if writer is not None
            else [u.display_name for u in review.associate.team.leads.all()]
        )
        figures = []
        for kpi in options.kpis:
            period = sums.get((review.associate_id, kpi.pk))
            figures.append(kpi_selectors.Figure(kpi, period.value(kpi) if period else None))
        rows.append(
            CalibrationRow(
                review=review,
                figures=figures,
                lead_names=sorted(leads),
                changes=list(review.rating_changes.all()),
            )
        )
    by_team: dict[int, list[CalibrationRow]] = defaultdict(list)
    for row in rows:
        by_team[row.review.associate.team_id].append(row)
    return CalibrationBoard(
        kpis=options.kpis,
        rows=_sorted(rows, options.kpis, query.sort, query.descending),
        teams=[distribution(t.name, by_team[t.pk]) for t in options.teams if t.pk in by_team],
        overall=distribution("All teams in view", rows),
        in_scope_count=options.review_count,
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


def goal_outcomes_text(associate: Associate, start: dt.date, end: dt.date) -> str:
    """One line per goal of the associate (or their team) overlapping the period."""
    goals = (
        Goal.objects.filter(Q(associate=associate) | Q(team_id=associate.team_id))
        .filter(starts_on__lte=end, ends_on__gte=start)
        .select_related("kpi")
        .order_by("ends_on", "title")
    )
    from .goals import goal_progress  # the status the people pages show

    lines = []
    for progress in goal_progress(list(goals), min(end, associate.team.site.local_today())):
        goal = progress.goal
        whose = "team goal" if goal.team_id else "own goal"
        target = f"{goal.target_value:g}{(' ' + goal.unit) if goal.unit else ''}"
        value = progress.value
        reached = f", value {value:g}" if value is not None else ""
        kpi = f", KPI {goal.kpi.name}" if goal.kpi is not None else ""
        lines.append(
            f"- {goal.title} ({whose}, {goal.starts_on:%-d %b}–{goal.ends_on:%-d %b %Y}): "
            f"{progress.status_display}; target {target}{reached}{kpi}"
        )
    return "\n".join(lines)


def feedback_highlights_text(
    associate: Associate, start: dt.date, end: dt.date, *, given_until: dt.date | None = None
) -> str:
    """The period's shared feedback (praise and constructive, lead and peer kudos):
    feedback about a day of the period, or, when it names no day, given from the
    period's start until `given_until` (the review season included; default `end`).
    Private feedback is its author's own record and never enters a review."""
    items = (
        Feedback.objects.filter(associate=associate, is_private=False)
        .filter(
            Q(about_on__range=(start, end))
            | Q(about_on__isnull=True, created_at__date__range=(start, given_until or end))
        )
        .select_related("author")
        .order_by("-created_at", "-pk")[:FEEDBACK_HIGHLIGHTS]
    )
    lines = []
    for item in items:
        impact = f" Impact: {item.impact.rstrip('.')}." if item.impact else ""
        lines.append(
            f"- {item.get_kind_display()} from {item.author.display_name} "
            f"({timezone.localdate(item.created_at):%-d %b}): {item.situation.rstrip('.')} — "
            f"{item.behaviour.rstrip('.')}.{impact}"
        )
    return "\n".join(lines)


# --- History --------------------------------------------------------------------------

# Dates and actors of a step are the history row's own who and when.
BOOKKEEPING = {
    "self_submitted_at",
    "lead_submitted_at",
    "lead_submitted_by",
    "first_shared_at",
    "shared_at",
    "shared_by",
    "acknowledged_at",
    "reopened_count",
    "kpi_summary",
}
AUDITED = {
    f.name: capfirst(str(f.verbose_name))
    for f in Review._meta.concrete_fields
    if not f.primary_key and f.name not in BOOKKEEPING
}
_ATTNAMES = {f.name: f.attname for f in Review._meta.concrete_fields}


def _shown(record: Any, name: str) -> str:
    value = getattr(record, _ATTNAMES[name])
    if name == "rating" and value:
        return str(Rating(int(str(value))).label)
    if name == "state" and value:
        return str(Review.State(str(value)).label)
    if value in (None, ""):
        return "—"
    return str(value)


def review_history(review: Review, rel: Relation) -> list[Change]:
    """Every recorded change of the review, newest first, as `rel` may read it: an
    unsubmitted self review stays the associate's; the associate's view starts
    where the review reached them (how the lead's draft and the calibration got
    there stays with the leads and managers), and names a calibration without the
    manager's reasons, which may compare with colleagues. One query."""
    records = list(
        review.history.select_related("history_user").order_by("-history_date", "-history_id")
    )
    hide_self_drafts = not rel.is_subject and review.self_submitted_at is None

    def hide(record: Any, name: str) -> bool:
        return hide_self_drafts and name.startswith("self_")

    def reason(record: Any) -> str:
        why = record.history_change_reason or ""
        if not rel.is_staff and why.startswith("calibrated"):
            return "calibrated"
        return why or str(record.get_history_type_display())

    found = changes(records, AUDITED, hide=hide, show=_shown, reason=reason)
    if found:  # the first version is where the review started, not a change
        found[-1] = replace(found[-1], fields=[])
    if not rel.is_staff:
        shared = [i for i, c in enumerate(found) if c.record.state == Review.State.SHARED]
        found = found[: shared[-1] + 1] if shared else []
    return found
