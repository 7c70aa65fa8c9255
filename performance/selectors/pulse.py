"""Reads for the pulse pages: a round's results, a team's trend, the manager's teams
side by side. Each a fixed number of queries, however many rounds and responses.

The one rule: a round shows results only once it has closed with at least
MIN_RESPONSES responses. Below that nothing is read back from its responses but
their count (participation is not anonymous: who answered is known anyway), so no
page, fragment or export can show a score, a mean or a comment of a small group.
Comments are shuffled on every read (the stored order is random already).
"""

import random
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Count

from teams.models import Team

from ..models import PulseAnswer, PulseParticipation, PulseResponse, PulseRound
from ..models.pulse import AGREEMENT, MIN_RESPONSES

_shuffle = random.SystemRandom().shuffle


@dataclass(frozen=True)
class QuestionResult:
    text: str
    mean: float
    distribution: list[tuple[int, str, int]]  # (score, label, responses)


@dataclass
class RoundResult:
    round: PulseRound
    response_count: int
    enps: int | None = None
    promoters: int = 0  # percent
    passives: int = 0
    detractors: int = 0
    enps_distribution: list[tuple[int, int]] = field(default_factory=list)  # (score, n)
    questions: list[QuestionResult] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)

    @property
    def is_shown(self) -> bool:
        return not self.round.is_open and self.response_count >= MIN_RESPONSES

    @property
    def mean_agreement(self) -> float | None:
        if not self.questions:
            return None
        return round(sum(q.mean for q in self.questions) / len(self.questions), 1)

    @property
    def waiting(self) -> str:
        """Why there is no result, in words."""
        so_far = f"{self.response_count} so far"
        if self.round.is_open:
            return (
                f"Open until {self.round.last_day:%a %d %b}: results appear when it closes, "
                f"at {MIN_RESPONSES} responses or more ({so_far})."
            )
        return (
            f"Results appear at {MIN_RESPONSES} responses ({self.response_count} in this round):"
            " nothing is shown for a smaller group."
        )


def round_results(
    rounds: Sequence[PulseRound], *, with_comments: bool = False
) -> list[RoundResult]:
    """Each round's result, in the order given. Three queries (four with comments)."""
    ids = [r.pk for r in rounds]
    counts = dict(
        PulseResponse.objects.filter(round_id__in=ids)
        .order_by()
        .values("round_id")
        .annotate(n=Count("pk"))
        .values_list("round_id", "n")
    )
    results = [RoundResult(r, counts.get(r.pk, 0)) for r in rounds]
    shown = {res.round.pk: res for res in results if res.is_shown}
    if not shown:
        return results
    enps: dict[int, dict[int, int]] = defaultdict(dict)
    for round_id, score, n in (
        PulseResponse.objects.filter(round_id__in=shown)
        .order_by()
        .values("round_id", "enps")
        .annotate(n=Count("pk"))
        .values_list("round_id", "enps", "n")
    ):
        enps[round_id][score] = n
    scores: dict[int, dict[int, dict[int, int]]] = defaultdict(lambda: defaultdict(dict))
    for round_id, question, score, n in (
        PulseAnswer.objects.filter(response__round_id__in=shown)
        .order_by()
        .values("response__round_id", "question", "score")
        .annotate(n=Count("pk"))
        .values_list("response__round_id", "question", "score", "n")
    ):
        scores[round_id][question][score] = n
    for round_id, res in shown.items():
        _fill(res, enps[round_id], scores[round_id])
    if with_comments:
        comments: dict[int, list[str]] = defaultdict(list)
        for round_id, comment in (
            PulseResponse.objects.filter(round_id__in=shown)
            .exclude(comment="")
            .order_by()
            .values_list("round_id", "comment")
        ):
            comments[round_id].append(comment)
        for round_id, res in shown.items():
            res.comments = comments[round_id]
            _shuffle(res.comments)
    return results


def _fill(res: RoundResult, enps: dict[int, int], scores: dict[int, dict[int, int]]) -> None:
    n = res.response_count
    promoters = sum(k for s, k in enps.items() if s >= 9)
    detractors = sum(k for s, k in enps.items() if s <= 6)
    res.promoters = round(100 * promoters / n)
    res.detractors = round(100 * detractors / n)
    res.passives = 100 - res.promoters - res.detractors
    res.enps = round(100 * (promoters - detractors) / n)
    res.enps_distribution = [(s, enps.get(s, 0)) for s in range(11)]
    for index, text in enumerate(res.round.questions):
        by_score = scores.get(index, {})
        answered = sum(by_score.values())
        mean = sum(s * k for s, k in by_score.items()) / answered if answered else 0.0
        res.questions.append(
            QuestionResult(
                text=text,
                mean=round(mean, 1),
                distribution=[(s, AGREEMENT[s], by_score.get(s, 0)) for s in range(1, 6)],
            )
        )


def answered_counts(rounds: Iterable[PulseRound]) -> dict[int, int]:
    """How many people have answered each round (participation). One query."""
    return dict(
        PulseParticipation.objects.filter(round__in=list(rounds))
        .order_by()
        .values("round_id")
        .annotate(n=Count("pk"))
        .values_list("round_id", "n")
    )


@dataclass(frozen=True)
class TeamPulse:
    results: list[RoundResult]  # newest first, every round
    latest: RoundResult | None  # the newest round with results shown

    @property
    def trend(self) -> list[RoundResult]:
        """The rounds with results, oldest first (rounds under 5 are left out)."""
        return [r for r in reversed(self.results) if r.is_shown]

    @property
    def open_rounds(self) -> list[RoundResult]:
        return [r for r in self.results if r.round.is_open]


def team_pulse(team: Team, *, with_comments: bool = True) -> TeamPulse:
    """Every round of a team with its result; comments for the newest shown. Five queries."""
    rounds = list(PulseRound.objects.filter(team=team).order_by("-opens_on", "-pk"))
    results = round_results(rounds)
    latest = next((r for r in results if r.is_shown), None)
    if latest is not None and with_comments:
        latest = round_results([latest.round], with_comments=True)[0]
        results = [latest if r.round.pk == latest.round.pk else r for r in results]
    return TeamPulse(results, latest)


@dataclass(frozen=True)
class SideBySide:
    team: Team
    latest: RoundResult | None  # the newest closed round
    previous_enps: int | None  # the eNPS of the closed round before, if shown

    @property
    def change(self) -> int | None:
        if self.latest is None or self.latest.enps is None or self.previous_enps is None:
            return None
        return self.latest.enps - self.previous_enps


def side_by_side(teams: Sequence[Team]) -> list[SideBySide]:
    """Each team's newest closed round and the one before it, under the same rule:
    a team whose round had fewer than 5 responses shows its count only. Four queries."""
    closed = list(
        PulseRound.objects.closed()
        .filter(team__in=list(teams))
        .order_by("team_id", "-opens_on", "-pk")
    )
    newest: dict[int, list[PulseRound]] = defaultdict(list)
    for r in closed:
        if len(newest[r.team_id]) < 2:
            newest[r.team_id].append(r)
    wanted = [r for pair in newest.values() for r in pair]
    by_round = {res.round.pk: res for res in round_results(wanted)}
    rows = []
    for team in teams:
        pair = [by_round[r.pk] for r in newest.get(team.pk, [])]
        latest = pair[0] if pair else None
        previous = pair[1] if len(pair) > 1 and pair[1].is_shown else None
        rows.append(SideBySide(team, latest, previous.enps if previous else None))
    return rows
