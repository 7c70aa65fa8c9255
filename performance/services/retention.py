"""Performance's part of retention (registered in teams.selectors.retention_providers
and history_retention_providers from PerformanceConfig.ready()).

A leaver's 1:1 notes (shared and private), agenda and action items, feedback about
them, goal titles, descriptions and check-ins, review texts and calibration reasons
are blanked, live rows and every history version alike, versions of rows deleted
since included (queryset updates: the scrub must not itself leave a new history
version holding the text); so is what only they could read (a leaving lead's
private notes and private feedback). KPI events, rollups, ratings, states and
dates stay, so team figures and counts do not change. For everyone, a history
version's text is blanked once a later version replaced it before the cutoff.
"""

import datetime as dt
from typing import Any

from django.db.models import Exists, Model, OuterRef, Q

from teams.models import Associate

from ..models import (
    ActionItem,
    AgendaItem,
    BirthdayShare,
    Feedback,
    Goal,
    GoalCheckIn,
    OneOnOne,
    PrivateNote,
    RatingChange,
    Review,
    WelcomePost,
)

REMOVED = "[removed]"  # where a database constraint wants a non-empty text

# The people text of each audited model, and how its rows (live and history) point
# at the associate: a column of their own, or a column naming a parent row of theirs.
Owner = str | tuple[str, type[Model]]
TEXTS: list[tuple[type[Model], tuple[str, ...], Owner]] = [
    (
        OneOnOne,
        (
            "shared_notes",
            "aspirations",
            "strengths",
            "growth_areas",
            "next_steps",
            "target_role",
            "target_timeline",
        ),
        "associate_id",
    ),
    (PrivateNote, ("text",), ("one_on_one_id", OneOnOne)),
    (ActionItem, ("text",), "associate_id"),
    (Feedback, ("situation", "behaviour", "impact"), "associate_id"),
    (Goal, ("title", "description"), "associate_id"),
    (GoalCheckIn, ("note",), ("goal_id", Goal)),
    (
        Review,
        (
            "self_achievements",
            "self_challenges",
            "self_growth",
            "goal_outcomes",
            "feedback_highlights",
            "lead_summary",
            "rating_justification",
            "acknowledgement_comment",
        ),
        "associate_id",
    ),
]
# Live rows whose check constraints refuse an empty text.
NON_EMPTY = {(Review, "rating_justification"), (Goal, "title")}


def _live_value(model: type[Model], field: str) -> str:
    return REMOVED if (model, field) in NON_EMPTY else ""


def _history(model: type[Model]) -> Any:
    return model.history.model._default_manager  # type: ignore[attr-defined]


def _about(owner: Owner, associate_id: int) -> Q:
    """Rows about the associate, by columns that live rows and history share; a
    parent's ids come from its live rows and its history, so versions of rows
    deleted since are found too."""
    if isinstance(owner, str):
        return Q(**{owner: associate_id})
    column, parent = owner
    ids = set(
        parent._default_manager.filter(associate_id=associate_id).values_list("pk", flat=True)
    ) | set(_history(parent).filter(associate_id=associate_id).values_list("id", flat=True))
    return Q(**{f"{column}__in": ids})


def anonymise_associate(associate: Associate) -> None:
    AgendaItem.objects.filter(one_on_one__associate=associate).update(text="")
    # Calibration reasons talk about the person; the changes (from, to, who, when)
    # stay for the review's record. They keep no history of their own.
    RatingChange.objects.filter(review__associate=associate).update(reason=REMOVED)
    for model, fields, owner in TEXTS:
        about = _about(owner, associate.pk)
        model._default_manager.filter(about).update(
            **{field: _live_value(model, field) for field in fields}
        )
        _history(model).filter(about).update(**dict.fromkeys(fields, ""))
    # What a leaver wrote that only they could read (a lead's private notes and
    # private feedback) has no reader left.
    for model, fields, by_them in (
        (PrivateNote, ("text",), Q(author_id=associate.user_id)),
        (
            Feedback,
            ("situation", "behaviour", "impact"),
            Q(author_id=associate.user_id, is_private=True),
        ),
    ):
        model._default_manager.filter(by_them).update(**dict.fromkeys(fields, ""))
        _history(model).filter(by_them).update(**dict.fromkeys(fields, ""))
    # issue 16: recognition -- a leaver's shared birthday goes; a welcome's words too.
    BirthdayShare.objects.filter(associate=associate).delete()
    WelcomePost.objects.filter(associate=associate).update(message=REMOVED)


def scrub_old_history(cutoff: dt.datetime) -> int:
    """Blank the people text of history versions that a later version replaced
    before `cutoff` (the latest version always stays). Rows already blank are not
    written again."""
    changed = 0
    for model, fields, _owner in TEXTS:
        rows = _history(model)
        replaced = rows.filter(
            id=OuterRef("id"), history_id__gt=OuterRef("history_id"), history_date__lt=cutoff
        )
        not_blank = Q()
        for field in fields:
            not_blank |= ~Q(**{field: ""})
        changed += (
            rows.filter(Exists(replaced)).filter(not_blank).update(**dict.fromkeys(fields, ""))
        )
    return changed
