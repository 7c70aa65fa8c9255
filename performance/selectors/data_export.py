"""Performance's part of a data-access export (registered in
teams.selectors.subject_export_providers from PerformanceConfig.ready()).

What the associate may see of their people records, and no more: private 1:1
notes (PrivateNote) and private feedback are their authors' alone and never
read here; a review before it is shared carries only the associate's own self
review (the lead's draft, rating and calibration are not theirs yet).
"""

from django.db.models import Q

from teams.models import Associate
from teams.selectors import ExportPart, model_row

from ..models import (
    ActionItem,
    AgendaItem,
    BirthdayShare,
    DailyKpi,
    Feedback,
    Goal,
    GoalCheckIn,
    KpiEvent,
    OneOnOne,
    PulseParticipation,
    Review,
    WelcomePost,
)

SELF_REVIEW_FIELDS = (
    "id",
    "cycle_id",
    "associate_id",
    "state",
    "self_achievements",
    "self_challenges",
    "self_growth",
    "self_submitted_at",
)


def subject_export(associate: Associate) -> list[ExportPart]:
    reviews = []
    for review in Review.objects.filter(associate=associate).select_related("cycle"):
        row = model_row(review)
        # What the associate can open (a review shared once stays theirs to read,
        # also while a later edit is recalibrated); before that, only their own part.
        if not review.is_visible_to_associate:
            row = {key: row[key] for key in SELF_REVIEW_FIELDS}
        reviews.append(row | {"cycle": review.cycle.name})
    # Feedback about them, and the kudos they gave; a player-coach's lead feedback
    # about their team is about those people, not this one.
    feedback = Feedback.objects.filter(
        Q(associate=associate) | Q(author_id=associate.user_id, source=Feedback.Source.PEER),
        is_private=False,
    )
    return [
        ExportPart(
            "kpi_events",
            "Every raw KPI event recorded for the associate, with the team and site it came in on.",
            [model_row(e) for e in KpiEvent.objects.filter(associate=associate).order_by("pk")],
        ),
        ExportPart(
            "kpi_daily",
            "The associate's own daily KPI rollups.",
            [model_row(r) for r in DailyKpi.objects.filter(associate=associate).order_by("pk")],
            excluded="Team and site rollups (about the team, not this person).",
        ),
        ExportPart(
            "one_on_ones",
            "1:1s with their shared notes and career-conversation fields.",
            [model_row(o) for o in OneOnOne.objects.filter(associate=associate).order_by("pk")],
            excluded="Private notes of any author (each is its author's alone).",
        ),
        ExportPart(
            "one_on_one_agenda",
            "Agenda items of those 1:1s.",
            [
                model_row(a)
                for a in AgendaItem.objects.filter(one_on_one__associate=associate).order_by("pk")
            ],
        ),
        ExportPart(
            "action_items",
            "Action items from those 1:1s.",
            [model_row(a) for a in ActionItem.objects.filter(associate=associate).order_by("pk")],
        ),
        ExportPart(
            "feedback",
            "Shared feedback about the associate, and kudos they gave.",
            [model_row(f) for f in feedback.order_by("pk")],
            excluded="Private feedback (its author's alone).",
        ),
        ExportPart(
            "goals",
            "The associate's own goals.",
            [model_row(g) for g in Goal.objects.filter(associate=associate).order_by("pk")],
        ),
        ExportPart(
            "goal_check_ins",
            "Check-ins on those goals.",
            [
                model_row(c)
                for c in GoalCheckIn.objects.filter(goal__associate=associate).order_by("pk")
            ],
        ),
        ExportPart(
            "reviews",
            "Reviews: in full once shared; before that only the associate's self review.",
            reviews,
            excluded="A review's lead draft, rating and calibration changes before it is"
            " shared (not the associate's yet).",
        ),
        # issue 16: pulse and recognition
        *_team_life(associate),
    ]


def _team_life(associate: Associate) -> list[ExportPart]:
    return [
        ExportPart(
            "pulse_participation",
            "The team pulse rounds the associate answered (that they answered, not what).",
            [
                {"round_opened_on": p.round.opens_on.isoformat(), "team": p.round.team.name}
                for p in PulseParticipation.objects.filter(user_id=associate.user_id)
                .select_related("round__team")
                .order_by("round__opens_on")
            ],
            excluded="Pulse answers: stored without who gave them, so they cannot be found"
            " for anyone.",
        ),
        ExportPart(
            "birthday_share",
            "The birthday (day and month) the associate chose to share with their team.",
            [model_row(b) for b in BirthdayShare.objects.filter(associate=associate)],
        ),
        ExportPart(
            "welcome_post",
            "The lead's welcome message for the associate.",
            [model_row(w) for w in WelcomePost.objects.filter(associate=associate)],
        ),
    ]
