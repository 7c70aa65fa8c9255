"""Writes of the improvement board: post an idea, support it, start its trial,
adopt or drop it. Each is atomic, locks the idea it moves, and refuses a step the
idea is not at (a second click or a stale form changes nothing twice). History
(the idea's decision log) is recorded through save() with the actor and a reason."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from teams.models import Associate, Team, User

from ..models import Idea, Kpi, Support, Trial

MAX_TRIAL_DAYS = 92
MIN_PILOT = 5  # fewer named people, and a member could work out a teammate's figures
# (the team's small-group rule, as the pulse's)


def _save(idea: Idea, *, actor: User, reason: str, fields: Sequence[str] | None = None) -> None:
    idea._history_user = actor  # type: ignore[attr-defined]
    idea._change_reason = reason  # type: ignore[attr-defined]
    idea.save(update_fields=fields)


@transaction.atomic
def post_idea(
    *, actor: User, team: Team, problem: str, proposal: str, kpi: Kpi, direction: str
) -> Idea:
    """A new idea on the team's board; the same idea posted twice by its author while
    it is open (a double click) is the one idea."""
    Team.objects.select_for_update().filter(pk=team.pk).first()  # one poster at a time
    same = Idea.objects.filter(
        team=team, author=actor, problem=problem, proposal=proposal, kpi=kpi, status="new"
    ).first()
    if same is not None:
        return same
    idea = Idea(
        team=team, author=actor, problem=problem, proposal=proposal, kpi=kpi, direction=direction
    )
    idea.full_clean(exclude=["author", "team", "kpi"])
    _save(idea, actor=actor, reason="posted")
    return idea


@transaction.atomic
def set_support(*, actor: User, idea: Idea, supported: bool) -> bool:
    """Support an idea or take the support back: the wanted state, not a toggle, so a
    second click changes nothing. Decided ideas keep their supporters as they were."""
    row = Idea.objects.select_for_update().get(pk=idea.pk)
    if not row.is_open:
        raise ValidationError(
            f"Idea #{row.pk} is {row.get_status_display().lower()}: support is closed."
        )
    if supported:
        Support.objects.get_or_create(idea=row, user=actor)
    else:
        Support.objects.filter(idea=row, user=actor).delete()
    return supported


def trial_problems(
    *, team: Team, starts_on: dt.date, ends_on: dt.date, today: dt.date
) -> list[str]:
    problems = []
    if ends_on < starts_on:
        problems.append("The trial must end on or after its first day.")
    elif (ends_on - starts_on).days + 1 > MAX_TRIAL_DAYS:
        problems.append(f"A trial lasts at most {MAX_TRIAL_DAYS} days.")
    if abs((starts_on - today).days) > 366:
        problems.append("A trial starts within a year of today.")
    return problems


@transaction.atomic
def start_trial(
    *,
    actor: User,
    idea: Idea,
    starts_on: dt.date,
    ends_on: dt.date,
    pilot: Sequence[Associate] = (),
    comparison_team: Team | None = None,
) -> Trial:
    """Put a new idea on trial: the whole team (no `pilot`) or named people of the
    team (at least MIN_PILOT), optionally against a comparison team."""
    row = Idea.objects.select_for_update().select_related("team__site").get(pk=idea.pk)
    if row.status != Idea.Status.NEW:
        raise ValidationError(
            f"Idea #{row.pk} is {row.get_status_display().lower()}: only a new idea starts a trial."
        )
    problems = trial_problems(
        team=row.team, starts_on=starts_on, ends_on=ends_on, today=row.team.site.local_today()
    )
    if comparison_team is not None and comparison_team.pk == row.team_id:
        problems.append("The comparison team is another team than the pilot's.")
    if any(a.team_id != row.team_id or a.left_on is not None for a in pilot):
        problems.append("The pilot is people on the team now.")
    if pilot and len({a.pk for a in pilot}) < MIN_PILOT:
        problems.append(
            f"Name at least {MIN_PILOT} people for a pilot (or try it with the whole team): "
            "fewer, and the team would read a person's own figures."
        )
    if problems:
        raise ValidationError(problems)
    trial = Trial.objects.create(
        idea=row,
        starts_on=starts_on,
        ends_on=ends_on,
        whole_team=not pilot,
        comparison_team=comparison_team,
        started_by=actor,
    )
    if pilot:
        trial.pilot.set(pilot)
    row.status = Idea.Status.TRIAL
    _save(row, actor=actor, reason="trial started", fields=["status"])
    idea.status = row.status
    return trial


@transaction.atomic
def decide_idea(*, actor: User, idea: Idea, outcome: str, note: str) -> Idea:
    """Adopt an idea on trial, or drop a new one or one on trial, with a note."""
    if outcome not in (Idea.Status.ADOPTED, Idea.Status.DROPPED):
        raise ValidationError("An idea is adopted or dropped.")
    if not note.strip():
        raise ValidationError("A decision needs a note: what was decided and why.")
    row = Idea.objects.select_for_update().get(pk=idea.pk)
    allowed = (
        (Idea.Status.TRIAL,)
        if outcome == Idea.Status.ADOPTED
        else (
            Idea.Status.NEW,
            Idea.Status.TRIAL,
        )
    )
    if row.status not in allowed:
        step = "adopted after a trial" if outcome == Idea.Status.ADOPTED else "dropped while open"
        raise ValidationError(
            f"Idea #{row.pk} is {row.get_status_display().lower()}: an idea is {step}."
        )
    row.status = outcome
    row.decision_note = note
    row.decided_by = actor
    row.decided_at = timezone.now()
    _save(
        row,
        actor=actor,
        reason=outcome,
        fields=["status", "decision_note", "decided_by", "decided_at"],
    )
    for name in ("status", "decision_note", "decided_by", "decided_at"):
        setattr(idea, name, getattr(row, name))
    return row
