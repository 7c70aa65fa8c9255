"""Hiring metrics per team and per site, from requisitions, applications, their stage
changes and offers only (never a candidate's fields: anonymised candidates still count).

- open requisitions (draft, approved, open) and their age: days since opened, or since
  drafted for those not open yet;
- time to fill: the median days from opened to closed over filled requisitions;
- pass-through per pipeline stage: of the applications that ever reached the stage
  (every application starts at Applied), the share that reached a later pipeline stage
  (a skipped screen still passes Applied);
- offer acceptance: accepted / (accepted + declined); offers still out are left out;
- source effectiveness per application source: applications, how many reached an
  interview, how many were hired, the hire rate.

Counts come from grouped aggregates; a site's figures are its teams' counts added up
(its medians from its requisitions' own days, never a median of medians). Four queries,
whatever the number of teams and rows.
"""

import datetime as dt
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from ..models import Application, Candidate, Offer, Requisition, StageChange, Team

Stage = Application.Stage
PIPELINE = list(Application.PIPELINE)
PASS_STAGES = PIPELINE[:-1]  # hired has no next stage
INTERVIEWED = (Stage.INTERVIEW, Stage.OFFER, Stage.HIRED)


def _reached(stage: str) -> Q:
    """The application is, or ever was, at `stage` (its current stage, or a move there)."""
    if stage == Stage.APPLIED:
        return Q(pk__isnull=False)  # every application starts as applied
    return Q(stage=stage) | Q(
        pk__in=StageChange.objects.filter(to_stage=stage).values("application_id")
    )


def _reached_any(stages: Iterable[str]) -> Q:
    query = Q()
    for stage in stages:
        query |= _reached(stage)
    return query


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _median(values: Sequence[float]) -> float | None:
    return statistics.median(values) if values else None


@dataclass
class StagePass:
    stage: str
    reached: int = 0
    passed: int = 0

    @property
    def label(self) -> str:
        return Stage(self.stage).label

    @property
    def rate(self) -> float | None:
        return _rate(self.passed, self.reached)


@dataclass
class SourceFigures:
    source: str
    applications: int = 0
    interviewed: int = 0
    hired: int = 0

    @property
    def label(self) -> str:
        return Candidate.Source(self.source).label

    @property
    def hire_rate(self) -> float | None:
        return _rate(self.hired, self.applications)


@dataclass
class Metrics:
    """One scope's figures: a team, or a site (its teams together)."""

    name: str
    site_name: str
    open_ages: list[int] = field(default_factory=list)  # days, one per open requisition
    fill_days: list[float] = field(default_factory=list)  # one per filled requisition
    passes: dict[str, StagePass] = field(
        default_factory=lambda: {stage: StagePass(stage) for stage in PASS_STAGES}
    )
    offers_accepted: int = 0
    offers_declined: int = 0
    sources: dict[str, SourceFigures] = field(default_factory=dict)

    @property
    def open_count(self) -> int:
        return len(self.open_ages)

    @property
    def oldest_open_days(self) -> int | None:
        return max(self.open_ages, default=None)

    @property
    def median_open_days(self) -> float | None:
        return _median(self.open_ages)

    @property
    def filled_count(self) -> int:
        return len(self.fill_days)

    @property
    def median_fill_days(self) -> float | None:
        return _median(self.fill_days)

    @property
    def offer_acceptance(self) -> float | None:
        return _rate(self.offers_accepted, self.offers_accepted + self.offers_declined)

    @property
    def stage_passes(self) -> list[StagePass]:
        return [self.passes[stage] for stage in PASS_STAGES]

    @property
    def source_rows(self) -> list[SourceFigures]:
        return sorted(self.sources.values(), key=lambda s: (-s.applications, s.source))

    def add(self, other: "Metrics") -> None:
        self.open_ages += other.open_ages
        self.fill_days += other.fill_days
        for stage, figures in other.passes.items():
            self.passes[stage].reached += figures.reached
            self.passes[stage].passed += figures.passed
        self.offers_accepted += other.offers_accepted
        self.offers_declined += other.offers_declined
        for source, theirs in other.sources.items():
            mine = self.sources.setdefault(source, SourceFigures(source))
            mine.applications += theirs.applications
            mine.interviewed += theirs.interviewed
            mine.hired += theirs.hired


@dataclass(frozen=True)
class HiringMetrics:
    teams: list[Metrics]
    sites: list[Metrics]


def _days(since: dt.datetime, until: dt.datetime) -> float:
    return (until - since).total_seconds() / 86400


def hiring_metrics(teams: Sequence[Team], *, now: dt.datetime | None = None) -> HiringMetrics:
    """The metrics of `teams` (which come with their site), each team and each site."""
    now = now or timezone.now()
    by_team = {team.pk: Metrics(team.name, team.site.name) for team in teams}
    ids = list(by_team)
    if not ids:
        return HiringMetrics([], [])

    # 1. Requisitions: the open ones' ages, the filled ones' days to fill.
    for team_id, status, created_at, opened_at, closed_at in Requisition.objects.filter(
        team_id__in=ids,
        status__in=[*Requisition.OPEN_STATUSES, Requisition.Status.FILLED],
    ).values_list("team_id", "status", "created_at", "opened_at", "closed_at"):
        metrics = by_team[team_id]
        if status == Requisition.Status.FILLED:
            if opened_at is not None and closed_at is not None:
                metrics.fill_days.append(round(_days(opened_at, closed_at), 1))
        else:
            metrics.open_ages.append(max(int(_days(opened_at or created_at, now)), 0))

    applications = Application.objects.filter(requisition__team_id__in=ids).order_by()

    # 2. Pass-through: per team, reached and passed counts for each stage.
    aggregates: dict[str, Count] = {}
    for n, stage in enumerate(PASS_STAGES):
        aggregates[f"reached_{stage}"] = Count("pk", filter=_reached(stage))
        aggregates[f"passed_{stage}"] = Count(
            "pk", filter=_reached(stage) & _reached_any(PIPELINE[n + 1 :])
        )
    for counts in applications.values("requisition__team_id").annotate(**aggregates):
        row: dict[str, Any] = dict(counts)
        metrics = by_team[row["requisition__team_id"]]
        for stage in PASS_STAGES:
            metrics.passes[stage].reached = row[f"reached_{stage}"]
            metrics.passes[stage].passed = row[f"passed_{stage}"]

    # 3. Sources: applications, reached an interview, hired.
    for source in applications.values("requisition__team_id", "source").annotate(
        applications=Count("pk"),
        interviewed=Count("pk", filter=_reached_any(INTERVIEWED)),
        hired=Count("pk", filter=_reached(Stage.HIRED)),
    ):
        by_team[source["requisition__team_id"]].sources[source["source"]] = SourceFigures(
            source["source"], source["applications"], source["interviewed"], source["hired"]
        )

    # 4. Offers answered.
    for offers in (
        Offer.objects.filter(application__requisition__team_id__in=ids)
        .order_by()
        .values("application__requisition__team_id")
        .annotate(
            accepted=Count("pk", filter=Q(status=Offer.Status.ACCEPTED)),
            declined=Count("pk", filter=Q(status=Offer.Status.DECLINED)),
        )
    ):
        metrics = by_team[offers["application__requisition__team_id"]]
        metrics.offers_accepted = offers["accepted"]
        metrics.offers_declined = offers["declined"]

    sites: dict[int, Metrics] = {}
    for team in teams:
        site = sites.setdefault(team.site_id, Metrics(team.site.name, team.site.name))
        site.add(by_team[team.pk])
    team_rows = sorted(by_team.values(), key=lambda m: (m.site_name, m.name))
    return HiringMetrics(team_rows, sorted(sites.values(), key=lambda m: m.name))


def _percent(rate: float | None) -> object:
    return "" if rate is None else round(rate * 100, 1)


def _number(value: float | None) -> object:
    return "" if value is None else value


def csv_rows(metrics: HiringMetrics) -> list[list[object]]:
    """Two tables in one file: each scope's summary, then each scope's sources."""
    header: list[object] = [
        "Scope",
        "Name",
        "Site",
        "Open requisitions",
        "Median age of open (days)",
        "Oldest open (days)",
        "Filled",
        "Median time to fill (days)",
        *(f"Pass-through {Stage(s).label} (%)" for s in PASS_STAGES),
        "Offers accepted",
        "Offers declined",
        "Offer acceptance (%)",
    ]
    rows: list[list[object]] = [header]
    scopes = [("Team", m) for m in metrics.teams] + [("Site", m) for m in metrics.sites]
    for scope, m in scopes:
        rows.append(
            [
                scope,
                m.name,
                m.site_name,
                m.open_count,
                _number(m.median_open_days),
                _number(m.oldest_open_days),
                m.filled_count,
                _number(m.median_fill_days),
                *(_percent(p.rate) for p in m.stage_passes),
                m.offers_accepted,
                m.offers_declined,
                _percent(m.offer_acceptance),
            ]
        )
    rows.append([])
    rows.append(
        [
            "Scope",
            "Name",
            "Site",
            "Source",
            "Applications",
            "Reached interview",
            "Hired",
            "Hire rate (%)",
        ]
    )
    for scope, m in scopes:
        for source in m.source_rows:
            rows.append(
                [
                    scope,
                    m.name,
                    m.site_name,
                    source.label,
                    source.applications,
                    source.interviewed,
                    source.hired,
                    _percent(source.hire_rate),
                ]
            )
    return rows
