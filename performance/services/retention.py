"""Performance's part of retention (registered in teams.selectors.retention_providers
and history_retention_providers from PerformanceConfig.ready()).

A leaver's 1:1 notes (shared and private), agenda and action items, feedback about
them, goal titles, descriptions and check-ins, review texts and calibration reasons
are blanked, live rows and their history alike (queryset updates: the scrub must
not itself leave a new history version holding the text). KPI events, rollups,
ratings, states and dates stay, so team figures and counts do not change.
"""

import datetime as dt

from django.db.models import Max, Model, Q

from teams.models import Associate

from ..models import (
    ActionItem,
    AgendaItem,
    Feedback,
    Goal,
    GoalCheckIn,
    OneOnOne,
    PrivateNote,
    RatingChange,
    Review,
)

REMOVED = "[removed]"  # where a database constraint wants a non-empty text

# The people text of each audited model, and how its rows point at the associate.
TEXTS: list[tuple[type[Model], tuple[str, ...], str]] = [
    (
        OneOnOne,
        ("shared_notes", "aspirations", "strengths", "growth_areas", "next_steps", "target_role"),
        "associate_id",
    ),
    (PrivateNote, ("text",), "one_on_one__associate_id"),
    (ActionItem, ("text",), "associate_id"),
    (Feedback, ("situation", "behaviour", "impact"), "associate_id"),
    (Goal, ("title", "description"), "associate_id"),
    (GoalCheckIn, ("note",), "goal__associate_id"),
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


def anonymise_associate(associate: Associate) -> None:
    AgendaItem.objects.filter(one_on_one__associate=associate).update(text="")
    # Calibration reasons talk about the person; the changes (from, to, who, when)
    # stay for the review's record. They keep no history of their own.
    RatingChange.objects.filter(review__associate=associate).update(reason=REMOVED)
    for model, fields, path in TEXTS:
        live = model._default_manager.filter(**{path: associate.pk})
        ids = list(live.values_list("pk", flat=True))
        live.update(**{field: _live_value(model, field) for field in fields})
        history = model.history.model  # type: ignore[attr-defined]
        history.objects.filter(id__in=ids).update(**dict.fromkeys(fields, ""))


def scrub_old_history(cutoff: dt.datetime) -> int:
    """Blank the people text of history versions recorded before `cutoff`, except
    each object's latest version. Rows already blank are not written again."""
    changed = 0
    for model, fields, _path in TEXTS:
        history = model.history.model  # type: ignore[attr-defined]
        latest = history.objects.values("id").annotate(last=Max("history_id")).values("last")
        not_blank = Q()
        for field in fields:
            not_blank |= ~Q(**{field: ""})
        changed += (
            history.objects.filter(history_date__lt=cutoff)
            .exclude(history_id__in=latest)
            .filter(not_blank)
            .update(**dict.fromkeys(fields, ""))
        )
    return changed
