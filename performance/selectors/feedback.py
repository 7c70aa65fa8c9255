"""Read-side queries for feedback: what one viewer may read about an associate,
what was shared with the associate, and the kudos a user gave. One query each."""

from teams.models import Associate, User

from ..models import Feedback

KUDOS_GIVEN_SHOWN = 10


def feedback_on(associate: Associate, *, viewer_id: int) -> list[Feedback]:
    """Shared feedback and kudos on the associate, plus the viewer's own private notes."""
    return list(
        Feedback.objects.filter(associate=associate)
        .visible_to(viewer_id)
        .select_related("author", "kpi")
    )


def feedback_shared_with(associate: Associate) -> list[Feedback]:
    return list(
        Feedback.objects.filter(associate=associate).shared().select_related("author", "kpi")
    )


def kudos_given_by(user: User) -> list[Feedback]:
    return list(
        Feedback.objects.filter(author=user, source=Feedback.Source.PEER).select_related(
            "associate__user"
        )[:KUDOS_GIVEN_SHOWN]
    )
