"""Writes of a team's procedures: each save is a version (django-simple-history)
with who and why; a save that changes nothing makes no version, and a form opened
before someone else's change is refused rather than overwriting it."""

from django.core.exceptions import ValidationError
from django.db import transaction

from teams.models import Team, User

from ..models import Idea, Procedure


class StaleEdit(ValidationError):
    pass


@transaction.atomic
def save_procedure(
    *,
    actor: User,
    team: Team,
    procedure: Procedure | None,
    title: str,
    body: str,
    why: str,
    seen_version: int | None = None,
    adopted_from_idea: Idea | None = None,
) -> Procedure:
    """Create a procedure (`procedure` None) or save a new version of it.
    `seen_version`: the history id of the version the editor's form showed."""
    if not why.strip():
        raise ValidationError("Say why: every version records who changed it and why.")
    if adopted_from_idea is not None and adopted_from_idea.team_id != team.pk:
        raise ValidationError("The idea is another team's.")
    if procedure is None:
        if Procedure.objects.filter(team=team, title=title).exists():
            raise ValidationError(f"{team.name} already has a procedure called “{title}”.")
        row = Procedure(
            team=team, title=title, body=body, updated_by=actor, adopted_from_idea=adopted_from_idea
        )
    else:
        row = Procedure.objects.select_for_update().get(pk=procedure.pk)
        idea_id = adopted_from_idea.pk if adopted_from_idea else row.adopted_from_idea_id
        if (row.title, row.body, row.adopted_from_idea_id) == (title, body, idea_id):
            return row  # nothing changed (a second click): no new version
        latest = row.history.order_by("-history_id").values_list("history_id", flat=True).first()
        if seen_version is not None and latest != seen_version:
            raise StaleEdit(
                "Someone saved this procedure after you opened it: reload it and make "
                "your change again."
            )
        if (
            title != row.title
            and Procedure.objects.filter(team=team, title=title).exclude(pk=row.pk).exists()
        ):
            raise ValidationError(f"{team.name} already has a procedure called “{title}”.")
        row.title, row.body, row.updated_by = title, body, actor
        if adopted_from_idea is not None:
            row.adopted_from_idea = adopted_from_idea
    row.full_clean(exclude=["team", "updated_by", "adopted_from_idea"])
    row._history_user = actor  # type: ignore[attr-defined]
    row._change_reason = why  # type: ignore[attr-defined]
    row.save()
    return row
