"""Writes for feedback: a lead's feedback and a peer's kudos. History is recorded
through save() with the acting user."""

import datetime as dt

from django.core.exceptions import ValidationError

from teams.models import Associate, User

from ..forms.feedback import feedback_day_problem
from ..models import Feedback, Kpi


def _audited(row: object, actor: User | None) -> None:
    row._history_user = actor  # type: ignore[attr-defined]


def give_feedback(
    *,
    actor: User,
    associate: Associate,
    kind: str,
    situation: str,
    behaviour: str,
    impact: str = "",
    kpi: Kpi | None = None,
    about_on: dt.date | None = None,
    is_private: bool = False,
) -> Feedback:
    problem = feedback_day_problem(about_on, associate.team.site.local_today())
    if problem:
        raise ValidationError(problem)
    feedback = Feedback(
        associate=associate,
        author=actor,
        source=Feedback.Source.LEAD,
        kind=kind,
        situation=situation,
        behaviour=behaviour,
        impact=impact,
        kpi=kpi,
        about_on=about_on,
        is_private=is_private,
    )
    _audited(feedback, actor)
    feedback.save()
    return feedback


def give_kudos(
    *, actor: User, giver: Associate, to: Associate, situation: str, behaviour: str, impact: str
) -> Feedback:
    """A peer's kudos: always praise, always shared with the teammate."""
    if to.pk == giver.pk:
        raise ValidationError("Kudos are for a teammate, not yourself.")
    if to.team_id != giver.team_id or not to.is_active:
        raise ValidationError("Kudos go to an active teammate on your team.")
    kudos = Feedback(
        associate=to,
        author=actor,
        source=Feedback.Source.PEER,
        kind=Feedback.Kind.PRAISE,
        situation=situation,
        behaviour=behaviour,
        impact=impact,
        is_private=False,
    )
    _audited(kudos, actor)
    kudos.save()
    return kudos
